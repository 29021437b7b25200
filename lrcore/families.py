r"""Which library schedule a schedule resembles: each family tuned to it, best first.

:func:`fit_families` fits every family to a target schedule's rates over the horizon
``t = 0..T-1`` and returns the fits, closest first. What is minimised is the mean squared
error of the log-rates,

.. math:: \text{error} = \frac1T \sum_{t<T} \big(\log\eta^{\text{fit}}_t - \log\eta^{\text{target}}_t\big)^2,

so a factor of 2 too high counts as much at the end as at the start (rates span decades),
and ``exp(√error)`` is the typical factor between the two. Every family is a scale times a
shape, ``η_t = η_0 · f_θ(t)``; for each shape the best ``log η_0`` is the mean residual, so
only the shape's parameters θ are searched: on a grid, refined twice around the best
point for one-parameter shapes, or by least squares where the log-shape is linear in its
parameter (exponential decay in t, a staircase in ``⌊t/s⌋``). All shapes of a grid are
evaluated at once, as one array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore import schedules as S
from lrcore.schedules import Schedule

__all__ = ["FAMILIES", "FamilyFit", "fit_families", "closest_family"]

FAMILIES = ("constant", "exponential", "inverse_time", "inverse_sqrt", "polynomial", "cosine", "step")
MAX_POINTS = 2048  # longer horizons are compared at this many evenly spaced steps


@dataclass(frozen=True, eq=False)
class FamilyFit:
    """One family tuned to the target: the schedule, and its mean squared log-rate error."""

    family: str
    schedule: Schedule
    error: float

    @property
    def typical_factor(self) -> float:
        """``exp(√error)``: how many times too high or too low the fit's rate typically is."""
        return math.exp(math.sqrt(self.error))


def _best(y: np.ndarray, log_shapes: np.ndarray) -> tuple[int, float, float]:
    """The shape (row) closest to ``y`` after the best offset: its index, offset and error."""
    residual = y - log_shapes
    offset = residual.mean(axis=-1)
    error = np.mean((residual - offset[..., None]) ** 2, axis=-1)
    i = int(np.argmin(error))
    return i, float(offset[i]), float(error[i])


def _search(y: np.ndarray, shape: Callable[..., np.ndarray], *grids: np.ndarray):
    """The best shape parameters: the best point of a grid, refined once, then polished.

    ``shape(*params)`` takes flat arrays of parameter values (one per grid point) and
    returns one log-shape row per point. The refinement spans the best point's neighbours
    on every axis; Nelder-Mead then polishes within the grid's range.
    """
    from scipy.optimize import minimize  # here, not at import: SciPy's optimisers take ~0.7 s to import

    for refine in range(2):
        mesh = [m.reshape(-1) for m in np.meshgrid(*grids, indexing="ij")]
        i, offset, error = _best(y, shape(*mesh))
        at = np.unravel_index(i, tuple(len(g) for g in grids))
        if refine == 0:
            span = [(g[0], g[-1]) for g in grids]
            n = 25 if len(grids) == 1 else 11
            neighbours = [(g[max(j - 1, 0)], g[min(j + 1, len(g) - 1)]) for g, j in zip(grids, at)]
            grids = tuple(np.geomspace(lo, hi, n) if lo > 0 else np.linspace(lo, hi, n) for lo, hi in neighbours)
    start = [float(m[i]) for m in mesh]

    def error_at(params):
        return _best(y, shape(*(np.array([p]) for p in params)))[2]

    options = {"xatol": 1e-8, "fatol": 1e-14, "maxiter": 200}
    polished = minimize(error_at, start, method="Nelder-Mead", bounds=span, options=options)
    params = [float(p) for p in polished.x] if polished.fun < error else start
    return params, *_best(y, shape(*(np.array([p]) for p in params)))[1:]


def _slope(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares slopes of ``y`` on each row of ``x`` (with an intercept), at most 0."""
    xc = x - x.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = (xc * (y - y.mean())).sum(axis=-1) / (xc * xc).sum(axis=-1)
    return np.minimum(np.nan_to_num(slope), 0.0)


def _fit(family: str, t: np.ndarray, y: np.ndarray, steps: int) -> FamilyFit:
    T = float(steps)
    tf = t.astype(np.float64)
    if family == "constant":
        offset = float(y.mean())
        return FamilyFit(family, S.constant(math.exp(offset)), float(np.mean((y - offset) ** 2)))
    if family == "exponential":  # log η = log η0 + (t/T_d) log r: linear in t
        decay_steps = max(1.0, T / 10)
        slope = float(_slope(tf[None], y)[0])
        i, offset, error = _best(y, slope * tf[None])
        rate = max(math.exp(slope * decay_steps), 1e-300)
        return FamilyFit(family, S.exponential(math.exp(offset), decay_steps, rate), error)
    if family == "inverse_time":  # η0 / (1 + k t)
        (k,), offset, error = _search(y, lambda k: -np.log1p(k[:, None] * tf), np.geomspace(1e-3 / T, 1e3, 121))
        return FamilyFit(family, S.inverse_time(math.exp(offset), 1, k), error)
    if family == "inverse_sqrt":  # η0 / √(t/T_d + 1)
        grid = np.geomspace(1e-3, 1e3 * T, 121)
        (ds,), offset, error = _search(y, lambda d: -0.5 * np.log1p(tf / d[:, None]), grid)
        return FamilyFit(family, S.inverse_sqrt(math.exp(offset), 1.0, ds, 1.0), error)
    if family == "cosine":  # η0 [(1 − α) ½ (1 + cos(π t/T)) + α]
        half = 0.5 * (1 + np.cos(np.pi * tf / T))

        def shape(alpha):
            return np.log((1 - alpha[:, None]) * half + alpha[:, None])

        (alpha,), offset, error = _search(y, shape, np.concatenate([[0.0], np.geomspace(1e-6, 1.0, 120)]))
        return FamilyFit(family, S.cosine(math.exp(offset), steps, alpha), error)
    if family == "polynomial":  # η0 [(1 − ρ)(1 − t/T)^p + ρ], ρ = end/η0
        left = 1 - tf / T

        def shape(rho, power):
            return np.log((1 - rho[:, None]) * left ** power[:, None] + rho[:, None])

        grids = (np.concatenate([[0.0], np.geomspace(1e-6, 1.0, 16)]), np.geomspace(0.05, 20, 17))
        (rho, power), offset, error = _search(y, shape, *grids)
        lr0 = math.exp(offset)
        return FamilyFit(family, S.polynomial(lr0, steps, rho * lr0, power), error)
    if family == "step":  # η0 γ^⌊t/s⌋: linear in log γ for each s
        coarse = np.unique(np.round(np.geomspace(1, steps, 160)).astype(np.int64))
        for sizes in (coarse, None):
            if sizes is None:  # every integer between the best coarse size's neighbours
                j = int(np.searchsorted(coarse, best))
                sizes = np.arange(coarse[max(j - 1, 0)], coarse[min(j + 1, len(coarse) - 1)] + 1)
            drops = (t[None] // sizes[:, None]).astype(np.float64)
            slopes = _slope(drops, y)
            i, offset, error = _best(y, slopes[:, None] * drops)
            best = sizes[i]
        return FamilyFit(family, S.step(math.exp(offset), int(best), math.exp(slopes[i])), error)
    raise check.fail("families", N_("{name} must hold names from {allowed}; got {value!r}"), value=family, choices=FAMILIES, allowed=", ".join(FAMILIES))


def fit_families(target, steps: int, families=FAMILIES) -> tuple[FamilyFit, ...]:
    """Every family tuned to ``target``'s rates over ``t < steps``, closest first.

    Minimises ``mean_t (log η_fit(t) − log η_target(t))²`` over each family's parameters
    (see the module docstring); ``target`` is a :class:`Schedule` or an array of
    ``steps`` positive rates. Horizons longer than 2048 steps are compared at 2048 evenly
    spaced steps.
    """
    steps = check.integer("steps", steps, low=2)
    families = tuple(check.sequence("families", families))
    rates = target(np.arange(steps)) if isinstance(target, Schedule) else np.asarray(target, dtype=np.float64)
    if rates.shape != (steps,):
        raise check.fail("target", N_("{name} must be a Schedule or {steps} rates; got shape {shape}"), steps=steps, shape=rates.shape)
    if not np.all((rates > 0) & np.isfinite(rates)):
        raise check.fail("target", N_("{name} must have positive, finite rates (they are compared in log)"))
    t = np.unique(np.round(np.linspace(0, steps - 1, min(steps, MAX_POINTS))).astype(np.int64))
    y = np.log(rates[t])
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        fits = [_fit(name, t, y, steps) for name in families]
    return tuple(sorted(fits, key=lambda f: f.error))


def closest_family(target, steps: int) -> FamilyFit:
    """The library family that resembles ``target`` most (smallest log-rate error)."""
    return fit_families(target, steps)[0]
