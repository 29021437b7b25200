r"""If I double the batch, what should the rate do? The noisy quadratic's exact answers.

A minibatch of B examples has gradient noise of variance ``c_i / B`` along direction i
(:class:`~lrcore.problems.NoisyQuadratic`), and nothing else about the problem changes. So:

* :func:`noise_floors` — the noise floor against B at a fixed rate (it falls like 1/B), and
  with the rate scaled by a rule as B changes: the decay article's ``k/√B`` rule (rate ∝
  1/√B), the square-root rule (∝ √B) and the linear scaling rule (Goyal et al. 2017, ∝ B),
  with the batch size at which the stability bound cuts a growing rule off.
* :func:`steps_to_target` — how many steps reach a target expected loss, against B, at the
  best constant rate for each B (exact: a constant rate's expected loss is a sum of
  exponentials per direction, so the first step below the target is a root, found without
  simulating), or under a given schedule (the exact recursion); and the examples this
  takes, ``B × steps``.
* :func:`critical_batch` — McCandlish et al. 2018's critical batch size
  ``B_crit = E_min / S_min``: ``S_min`` the steps in the large-batch limit (no noise),
  ``E_min`` the examples in the small-batch limit; and their gradient noise scale
  ``B_noise = tr(H Σ) / (gᵀ H g)`` at the start and at the target.

Batch sizes may be any positive numbers here (the curves are smooth in B and the limits
are taken as B → 0 and B → ∞); the simulator needs whole ones. The constant-rate answers
are for plain SGD, the schedule answers for SGD with momentum too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_, Message
from lrcore import theory
from lrcore.optim import SGD
from lrcore.problems import NoisyQuadratic
from lrcore.theory import Formula, _dynamics, _explained, _rates, _require, _start

__all__ = [
    "RULES",
    "RuleCurve",
    "BatchFloors",
    "noise_floors",
    "BatchSteps",
    "steps_to_target",
    "CriticalBatch",
    "critical_batch",
    "noise_scale",
]

# How each rule scales the rate with the batch: rate(B) = rate(B0) · (B / B0) ** exponent.
RULES = {"fixed": 0.0, "inverse_sqrt": -0.5, "sqrt": 0.5, "linear": 1.0}
_BISECTIONS = 60


def _batch_sizes(values) -> np.ndarray:
    b = np.asarray(check.sequence("batch_sizes", values), dtype=np.float64)
    if b.ndim != 1 or not b.size or not np.all(np.isfinite(b) & (b > 0)):
        raise check.fail("batch_sizes", N_("{name} must be positive numbers; got {value!r}"), value=values)
    return b


# --------------------------------------------------------------------------- noise floors


@dataclass(frozen=True, eq=False)
class RuleCurve:
    """One scaling rule: its rate and noise floor at each batch size.

    ``cutoff`` is the smallest whole batch size at which the rule's rate reaches the
    stability bound (its floor is ``inf`` from there on), for a rule whose rate grows with
    B; None if it never does. ``cutoff_exact`` is the real B where the rate equals the bound.
    """

    rule: str
    exponent: float
    rates: np.ndarray
    floors: np.ndarray
    cutoff: int | None
    cutoff_exact: float | None


@dataclass(frozen=True, eq=False)
class BatchFloors:
    """The noise floor against batch size, per rule (see :func:`noise_floors`)."""

    batch_sizes: np.ndarray
    lr: float
    reference_batch: float
    bound: float
    curves: dict[str, RuleCurve]


def _stationary_parts(problem: NoisyQuadratic, opt: SGD, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(distance, noise)`` of the stationary expected loss at each rate, noise at B = 1.

    The floor at batch size B is ``distance + noise / B``: the stationary covariance is
    proportional to the noise variance ``c/B``, the mean (off the minimum only with weight
    decay) does not depend on it. Solved for every rate at once: ``(I − A) m = k`` and
    ``(I − M) s = c``; ``inf`` where the rate is not below the stability bound.
    """
    stable = (rates > 0) & (rates < theory.stability_bound(problem, opt))
    eta = np.where(stable, rates, 0.0).reshape(-1, 1, 1)
    A, k, q = (x[:, :, 0] for x in _dynamics(problem, opt, eta, first_step=False))  # (G, 2, ...)
    scalar = opt.momentum == 0
    c = problem.noise_variances  # per example: B = 1
    h = problem.eigenvalues
    if scalar:
        mean = np.divide(k, 1 - A, out=np.zeros_like(k), where=stable[:, None])
        cov = np.divide(c * q * q, 1 - A * A, out=np.zeros_like(A), where=stable[:, None])
    else:
        M, cc = theory._covariance_map(A, q, c[:, None], False)
        eye = np.eye(A.shape[-1])
        ok = stable[:, None, None, None]
        mean = np.linalg.solve(np.where(ok, eye - A, eye), np.where(ok[..., 0], k, 0.0)[..., None])[..., 0, 0]
        cov = np.linalg.solve(np.where(ok, np.eye(3) - M, np.eye(3)), cc[..., None])[..., 0, 0]
    distance = np.where(stable, 0.5 * (h * mean**2).sum(axis=-1), np.inf)
    noise = np.where(stable, 0.5 * (h * cov).sum(axis=-1), np.inf)
    return distance, noise


def _floors_formula(opt: SGD) -> Formula:
    return Formula(
        r"\eta(B) = \eta_0 \left(\tfrac{B}{B_0}\right)^{\alpha}, \quad "
        r"E[\text{loss}] \to \sum_i \frac{\eta(B)\, c_i}{2B\,(2-\eta(B) h_i)}, \quad \alpha \in \{0, -\tfrac12, \tfrac12, 1\}",
        N_(
            "At a fixed rate a batch B times larger has B times less noise, so the floor falls like 1/B. Scaling the "
            "rate up with B (√B or linearly) spends that gain on speed instead, until the rate reaches the stability "
            "bound: there the rule stops working."
        ),
    )


@_explained(_floors_formula)
def noise_floors(
    problem: NoisyQuadratic,
    batch_sizes,
    lr: float,
    optimizer: SGD | None = None,
    reference_batch: float | None = None,
    rules=tuple(RULES),
) -> BatchFloors:
    """The noise floor against batch size, at ``rate(B) = lr · (B / B0)^α`` for each rule.

    ``α`` is 0 (fixed rate), −½ (the decay article's ``k/√B`` rule), ½ (square-root
    scaling) or 1 (linear scaling, Goyal et al. 2017); ``B0`` is ``reference_batch``
    (default: the problem's batch size), where every rule uses ``lr``. For SGD the floor is
    ``Σ_i η c_i / (2B(2 − η h_i))``; otherwise the same stationary recursion as
    :func:`theory.noise_floor`, for all batch sizes at once. A growing rule is cut off at
    ``B* = B0 (bound / lr)^(1/α)``, where its rate reaches the stability bound.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    b = _batch_sizes(batch_sizes)
    lr = check.in_range("lr", lr, 0.0, low_open=True)
    b0 = problem.batch_size if reference_batch is None else reference_batch
    b0 = check.in_range("reference_batch", b0, 0.0, low_open=True)
    names = [check.one_of("rules", r, tuple(RULES)) for r in check.sequence("rules", rules)]
    bound = theory.stability_bound(problem, optimizer)
    exponents = np.array([RULES[r] for r in names])
    rates = lr * (b[None] / b0) ** exponents[:, None]  # (rules, batch sizes)
    distance, noise = _stationary_parts(problem, optimizer, rates.reshape(-1))
    with np.errstate(invalid="ignore"):
        floors = (distance + noise / np.tile(b, len(names))).reshape(rates.shape)
    curves = {}
    for i, name in enumerate(names):  # a loop over the (at most four) rules, not over batch sizes
        alpha = exponents[i]
        exact = b0 * (bound / lr) ** (1 / alpha) if alpha > 0 else None
        cutoff = None if exact is None else max(1, math.ceil(exact * (1 - 1e-12)))
        curves[name] = RuleCurve(name, float(alpha), rates[i], floors[i], cutoff, exact)
    return BatchFloors(b, lr, b0, bound, curves)


# --------------------------------------------------------------------------- steps to a target


def _first_crossing(a: np.ndarray, b: np.ndarray, log_rho: np.ndarray, target: float) -> np.ndarray:
    """The first real ``t >= 0`` with ``f(t) = a + Σ_i b_i e^{t log ρ_i} <= target``; inf if never.

    A sum of two exponentials has at most one turning point ``t_m``
    (``Σ b_i log ρ_i e^{t log ρ_i} = 0``), so ``f`` is monotone on ``[0, t_m]`` and on
    ``[t_m, ∞)``: the crossing is bracketed on one of them and found by bisection.
    Broadcasts over the leading axes; ``b`` and ``log_rho`` have a trailing axis of 2.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):

        def f(t):
            return a + (b * np.exp(t[..., None] * log_rho)).sum(axis=-1)

        zero = np.zeros(a.shape)
        w = b * log_rho  # f'(t) = Σ w_i e^{t log ρ_i}
        turn = np.log(-w[..., 1] / w[..., 0]) / (log_rho[..., 0] - log_rho[..., 1])
        turn = np.where(np.isfinite(turn) & (turn > 0), turn, np.nan)
        at_turn = np.where(np.isnan(turn), np.inf, f(np.nan_to_num(turn)))
        # beyond every turn, f falls to a: past t_hi every term is below (target − a) / Σ|b|
        slack = target - a
        slowest = np.max(log_rho, axis=-1)
        t_hi = np.log(np.maximum(slack, 1e-300) / np.maximum(np.abs(b).sum(axis=-1), 1e-300)) / slowest
        t_hi = np.maximum(np.where(np.isfinite(t_hi), t_hi, 0.0), np.nan_to_num(turn))
        dips = at_turn <= target
        lo = np.where(dips | np.isnan(turn), 0.0, turn)
        hi = np.where(dips, turn, t_hi)
        for _ in range(_BISECTIONS):  # f(lo) > target >= f(hi) on a monotone piece
            mid = 0.5 * (lo + hi)
            below = f(mid) <= target
            lo, hi = np.where(below, lo, mid), np.where(below, mid, hi)
        reachable = dips | (slack > 0)
        return np.where(f(zero) <= target, 0.0, np.where(reachable, hi, np.inf))


def _sgd_terms(problem: NoisyQuadratic, rates: np.ndarray, batch: np.ndarray):
    """``a, b, log ρ`` of a constant rate's expected loss ``a + Σ b_i ρ_i^t`` (plain SGD).

    Per direction ``E[x_t²] = F + ρ^t (x0² − F)``, ``ρ = (1 − η h)²``,
    ``F = η v / (h (2 − η h))``, ``v = c / B``.
    """
    x0, _ = _start(problem)
    h, c = problem.eigenvalues, problem.noise_variances
    eta = rates[..., None]
    v = c / batch[..., None] if batch is not None else 0.0 * c
    F = eta * v / (h * (2 - eta * h))
    log_rho = 2 * np.log(np.maximum(np.abs(1 - eta * h), 1e-300))  # a direction landed on exactly: e^-1381
    return 0.5 * (h * F).sum(axis=-1), 0.5 * h * (x0**2 - F), log_rho


def _small_batch_terms(problem: NoisyQuadratic, eps: np.ndarray):
    """The small-batch limit: ``η = ε B``, B → 0, in examples ``E = B t``.

    Then ``F → ε c / (2h)`` and ``ρ^t = (1 − ε B h)^{2t} → e^{−2 ε h E}``.
    """
    x0, _ = _start(problem)
    h, c = problem.eigenvalues, problem.noise_variances
    F = eps[..., None] * c / (2 * h)
    return 0.5 * (h * F).sum(axis=-1), 0.5 * h * (x0**2 - F), -2 * eps[..., None] * h


def _fastest(terms, grid: np.ndarray, target: float):
    """For each column, the grid value (refined twice) that reaches the target soonest.

    ``grid`` is ``(G, n)``: candidate rates (rows) for each of n batch sizes (columns).
    """
    for refine in range(3):
        t = _first_crossing(*terms(grid), target)
        i = np.argmin(t, axis=0)
        cols = np.arange(grid.shape[1])
        if refine == 2:
            return grid[i, cols], t[i, cols]
        lo, hi = grid[np.maximum(i - 1, 0), cols], grid[np.minimum(i + 1, len(grid) - 1), cols]
        grid = np.geomspace(lo, hi, 41)


def _whole_steps(a, b, log_rho, t: np.ndarray, target: float) -> np.ndarray:
    """The first whole step at or after the real crossing ``t`` whose loss is at most the target."""
    with np.errstate(over="ignore", invalid="ignore"):
        s = np.ceil(np.where(np.isfinite(t), t, 0) - 1e-9)
        for _ in range(2):  # round-off at the crossing: step forward if the loss is still above
            above = a + (b * np.exp(s[..., None] * log_rho)).sum(axis=-1) > target
            s = np.where(above, s + 1, s)
    return np.where(np.isfinite(t), s, np.inf)


@dataclass(frozen=True, eq=False)
class BatchSteps:
    """Steps (and examples, ``B × steps``) to reach the target at each batch size.

    ``steps`` is ``-1`` where the target is not reached (below the floor, or beyond the
    horizon of a given schedule); ``rates`` holds the best constant rate for each B (NaN
    where none reaches it), or the schedule's first rate.
    """

    batch_sizes: np.ndarray
    target: float
    steps: np.ndarray
    rates: np.ndarray

    @property
    def examples(self) -> np.ndarray:
        return np.where(self.steps >= 0, self.steps * self.batch_sizes, np.inf)


def _plain_sgd(optimizer: SGD, what: Message) -> None:
    if optimizer.momentum or optimizer.weight_decay:
        raise check.fail(
            "optimizer",
            N_("{name} must be plain SGD (no momentum, no weight decay) for {what}: only then is a constant "
               "rate's expected loss one exponential per direction; pass a schedule for the exact recursion; "
               "got {value!r}"),
            value=optimizer, what=what,
        )


def _steps_formula(opt: SGD) -> Formula:
    return Formula(
        r"S(B) = \min_\eta \min\{t : E[\text{loss}_t] \le L^\ast\},\quad E[\text{loss}_t] = \sum_i \tfrac{h_i}{2}"
        r"\left[F_i + (1-\eta h_i)^{2t}(x_{i,0}^2 - F_i)\right],\quad F_i = \frac{\eta\, c_i/B}{h_i(2-\eta h_i)}",
        N_(
            "How many steps reach the target loss with the best constant rate for each batch size. Doubling a small "
            "batch halves the steps (the noise was the limit); doubling a large one barely helps (the curvature is)."
        ),
    )


@_explained(_steps_formula)
def steps_to_target(
    problem: NoisyQuadratic,
    target: float,
    batch_sizes,
    optimizer: SGD | None = None,
    schedule=None,
    horizon: int = 100_000,
) -> BatchSteps:
    """The first step whose expected loss is at most ``target``, for each batch size.

    Without a schedule: at the best constant rate for each B (plain SGD). The expected
    loss is ``a + Σ_i b_i ρ_i^t`` in closed form (see :func:`_sgd_terms`), so the first
    crossing is a root (:func:`_first_crossing`), minimised over rates below the
    stability bound on a grid refined twice, for every B at once.

    With a schedule (any SGD, momentum included): the exact recursion up to ``horizon``
    steps, once, split as ``distance + noise / B`` (:func:`theory.expected_loss_parts` at
    B = 1: the noise part is proportional to 1/B), then the first step below the target
    for every B at once.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    target = check.in_range("target", target, 0.0, low_open=True)
    b = _batch_sizes(batch_sizes)
    if schedule is not None:
        horizon = check.integer("horizon", horizon, low=1)
        rates = _rates(schedule, horizon)
        parts = theory.expected_loss_parts(replace(problem, batch_size=1), optimizer, rates, horizon)
        with np.errstate(invalid="ignore"):
            loss = parts.distance[None] + parts.noise[None] / b[:, None]  # (batch sizes, horizon + 1)
        below = loss <= target
        steps = np.where(below.any(axis=1), np.argmax(below, axis=1), -1)
        return BatchSteps(b, target, steps, np.full(len(b), rates[0]))
    _plain_sgd(optimizer, Message(N_("the best constant rate's steps")))
    bound = theory.stability_bound(problem, optimizer)
    grid = np.broadcast_to(bound * np.geomspace(1e-8, 1 - 1e-9, 121)[:, None], (121, len(b))).copy()
    rates, t = _fastest(lambda r: _sgd_terms(problem, r, b[None]), grid, target)
    steps = _whole_steps(*_sgd_terms(problem, rates, b), t, target)
    found = np.isfinite(steps)
    return BatchSteps(b, target, np.where(found, steps, -1).astype(np.int64), np.where(found, rates, np.nan))


# --------------------------------------------------------------------------- the critical batch size


@dataclass(frozen=True)
class CriticalBatch:
    """McCandlish et al.'s two limits, their ratio and the gradient noise scale.

    ``s_min``: steps to the target with no noise (B → ∞), at the rate ``s_min_rate``.
    ``e_min``: examples to the target as B → 0, where the best rate is ``e_min_rate_per_example × B``.
    ``b_crit = e_min / s_min``. ``noise_scale_start`` and ``noise_scale_target`` are
    ``B_noise`` at the start and at ``target_point``: where the noise-free gradient flow
    from the start first reaches the target loss (a point that depends on the problem
    only, not on a rate or a batch size).
    """

    target: float
    s_min: float
    s_min_rate: float
    e_min: float
    e_min_rate_per_example: float
    b_crit: float
    noise_scale_start: float
    noise_scale_target: float
    target_point: tuple[float, float]


def noise_scale(problem: NoisyQuadratic, w) -> float:
    """McCandlish et al.'s gradient noise scale ``B_noise = tr(H Σ) / (gᵀ H g)`` at a point ``w``.

    ``Σ`` is the per-example gradient-noise covariance (``σ² I`` or ``σ² H``) and
    ``g = H (w − w*)`` the true gradient; ``inf`` at the minimum.
    """
    if not isinstance(problem, NoisyQuadratic):
        raise check.fail("problem", N_("{name} must be a NoisyQuadratic; got {kind}"), kind=type(problem).__name__)
    w = np.asarray(w, dtype=np.float64)
    if w.shape != (2,) or not np.all(np.isfinite(w)):
        raise check.fail("w", N_("{name} must be a finite point (x, y); got {value!r}"), value=w)
    H = problem.hessian
    R = problem.eigenvectors
    sigma = R @ np.diag(problem.noise_variances) @ R.T
    g = H @ (w - problem.minimizer)
    curvature = float(g @ H @ g)
    return float(np.trace(H @ sigma)) / curvature if curvature > 0 else math.inf


def _flow_point(problem: NoisyQuadratic, target: float) -> np.ndarray:
    """The point of the gradient flow ``x_i(τ) = x_i(0) e^{−h_i τ}`` where the loss first equals ``target``."""
    x0, start = _start(problem)
    h = problem.eigenvalues
    if start <= target:
        return problem.start_point
    lo, hi = 0.0, 1.0
    while 0.5 * (h * (x0 * np.exp(-h * hi)) ** 2).sum() > target:
        hi *= 2
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if 0.5 * (h * (x0 * np.exp(-h * mid)) ** 2).sum() > target else (lo, mid)
    return problem.minimizer + problem.eigenvectors @ (x0 * np.exp(-h * hi))


def _critical_formula(opt: SGD) -> Formula:
    return Formula(
        r"B_{\text{crit}} = \frac{E_{\min}}{S_{\min}}, \qquad B_{\text{noise}} = \frac{\operatorname{tr}(H\Sigma)}{g^\top H g}",
        N_(
            "Below the critical batch size, doubling the batch halves the steps at the same number of examples; above "
            "it, more examples buy few steps. The noise scale estimates it from one point: how large the noise is "
            "against the gradient there."
        ),
    )


@_explained(_critical_formula)
def critical_batch(problem: NoisyQuadratic, target: float, optimizer: SGD | None = None) -> CriticalBatch:
    """``B_crit = E_min / S_min``, and ``B_noise`` at the start and at the target (plain SGD).

    ``S_min``: the fewest steps to the target without noise (the large-batch limit), best
    constant rate. ``E_min``: the fewest examples ``B t`` as ``B → 0`` with ``η = ε B``
    (:func:`_small_batch_terms`: then ``F_i → ε c_i/(2 h_i)`` and
    ``(1 − η h)^{2t} → e^{−2 ε h E}``), best ε. McCandlish et al. read the same two
    numbers off the steps-vs-examples curve ``(S/S_min − 1)(E/E_min − 1) = 1``. ``E_min``
    is a limit, a real number; ``S_min`` is a whole number of steps.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    _plain_sgd(optimizer, Message(N_("the critical batch size")))
    target = check.in_range("target", target, 0.0, low_open=True)
    bound = theory.stability_bound(problem, optimizer)
    grid = bound * np.geomspace(1e-8, 1 - 1e-9, 121)[:, None]
    rate, t = (x[0] for x in _fastest(lambda r: _sgd_terms(problem, r, None), grid, target))
    s_min = float(_whole_steps(*_sgd_terms(problem, np.array(rate), None), np.array(t), target))
    eps_max = 4 * target / problem.noise_variances.sum()  # beyond it the floor ε Σ c / 4 is above the target
    eps_grid = eps_max * np.geomspace(1e-8, 1 - 1e-9, 121)[:, None]
    eps, e_min = (float(x[0]) for x in _fastest(lambda e: _small_batch_terms(problem, e), eps_grid, target))
    point = _flow_point(problem, target)
    return CriticalBatch(
        target=target,
        s_min=s_min,
        s_min_rate=float(rate),
        e_min=e_min,
        e_min_rate_per_example=eps,
        b_crit=e_min / s_min if s_min > 0 else math.inf,
        noise_scale_start=noise_scale(problem, problem.start_point),
        noise_scale_target=noise_scale(problem, point),
        target_point=(float(point[0]), float(point[1])),
    )
