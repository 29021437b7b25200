r"""The exact theory of SGD (with momentum or Nesterov) on the noisy quadratic.

In the eigenbasis of ``H`` the problem splits into two independent directions with
curvature ``h_i`` and gradient-noise variance ``c_i / B``. There, one SGD update is an
affine map of the state (position ``x`` and, with momentum, the buffer ``b``) plus noise,

.. math:: z_{t+1} = A_t z_t + k_t + q_t \xi_t, \qquad \operatorname{Var}\xi_t = c_i / B,

so the mean and covariance of the state follow affine recursions exactly:
``m' = A m + k`` and ``Σ' = A Σ Aᵀ + (c/B) q qᵀ``. For plain SGD this is the decay article's
story in one line per direction, ``E[x²_{t+1}] = (1 − η_t h)² E[x²_t] + η_t² c/B``: the first
term forgets the start, the second is the noise each step adds. A constant rate balances
them at the *noise floor* ``Σ η c_i / (2B(2 − η h_i))``; a decaying rate shrinks the second
term, so the loss keeps falling.

Every public function carries its own formula and one plain sentence, for the optimizer
it is asked about: ``noise_floor.formula(optimizer)`` is a :class:`Formula`. Pages show
that copy, never a restated one. The theory covers SGD, heavy-ball momentum and Nesterov
(torch's forms, with dampening and weight decay); :func:`covers` says whether it applies,
and :data:`NOT_LINEAR` says why not for the adaptive optimizers.

The recursions are evaluated for all steps at once with a two-level blocked scan (no
Python loop over steps, no division, so no underflow): 100,000 steps take about 10-20 ms
for SGD and about 0.1-0.3 s with momentum (``benchmarks/bench_simulate.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore._scan import affine_power, affine_scan, blocks_for, from_blocks, to_blocks
from lrcore.optim import SGD, Optimizer
from lrcore.problems import NoisyQuadratic
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = [
    "Formula",
    "LossParts",
    "RateInterval",
    "covers",
    "NOT_LINEAR",
    "expected_loss",
    "expected_loss_parts",
    "noise_floor",
    "stability_bound",
    "fastest_rates",
    "best_constant_rate",
    "optimal_constant_lr",
    "stationary_covariance",
    "stationary_ellipse",
]

NOT_LINEAR = N_(
    "Adagrad, RMSprop and Adam divide each step by a running size of the gradients, so their update is not "
    "linear in the noise and has no closed form here: what is shown for them is measured from the runs."
)


@dataclass(frozen=True)
class Formula:
    """What a theory function computes, as a page shows it: LaTeX and one plain sentence
    (English source text marked ``N_``: the page translates it)."""

    latex: str
    sentence: str


def covers(problem, optimizer) -> bool:
    """Whether the exact theory applies: the noisy quadratic under SGD, momentum or Nesterov."""
    return isinstance(problem, NoisyQuadratic) and isinstance(optimizer, SGD)


def _require(problem, optimizer) -> None:
    if not isinstance(problem, NoisyQuadratic):
        raise check.fail(
            "problem",
            N_("{name} must be a NoisyQuadratic for the exact theory (its noise is Gaussian and "
               "independent); got {kind}"),
            kind=type(problem).__name__,
        )
    if not isinstance(optimizer, SGD):
        raise check.fail(
            "optimizer",
            N_("{name} must be SGD (with or without momentum/Nesterov) for the exact theory: "
               "{kind}'s update is not linear; got {value!r}"),
            value=optimizer, kind=type(optimizer).__name__,
        )


def _explained(describe: Callable[[SGD], Formula]):
    """Attach ``fn.formula(optimizer=None)``: the formula and sentence for that optimizer."""

    def attach(fn):
        def formula(optimizer: Optimizer | None = None) -> Formula:
            optimizer = SGD() if optimizer is None else optimizer
            _require(NoisyQuadratic(), optimizer)
            return describe(optimizer)

        fn.formula = formula
        return fn

    return attach


# --------------------------------------------------------------------------- formulas
# LaTeX is written for the optimizer at hand: factors that are 1 or terms that are 0 for
# its settings (no dampening, no weight decay) are left out.


def _curvature(opt: SGD, i: str = "i") -> str:
    return f"(h_{{{i}}} + \\lambda)" if opt.weight_decay else f"h_{{{i}}}"


def _dampened(opt: SGD) -> str:
    """The factor 1 − dampening, where there is one."""
    return r"(1-\tau)" if opt.dampening else ""


def _effective_rate(opt: SGD) -> str:
    return _dampened(opt) + r"\eta"


def _kind(opt: SGD) -> str:
    if opt.momentum == 0:
        return "sgd"
    return "nesterov" if opt.nesterov else "heavy_ball"


def _expected_loss_formula(opt: SGD) -> Formula:
    h = _curvature(opt)
    loss = r"E[\text{loss}_t] = \tfrac12 \sum_i h_i\,E[x_{i,t}^2]"
    if _kind(opt) == "sgd":
        return Formula(
            rf"E[x_{{i,t+1}}^2] = (1-\eta_t {h})^2\,E[x_{{i,t}}^2] + \eta_t^2\,\frac{{c_i}}{{B}}, \qquad " + loss,
            N_("Each step shrinks the distance along each direction by the factor (1 − η h) and adds one minibatch's "
            "noise, η² c/B: the expected loss follows exactly, step by step."),
        )
    g = _dampened(opt)
    if _kind(opt) == "nesterov":
        A = rf"\begin{{pmatrix}} 1-\eta_t(1+\mu) {h} & -\eta_t\mu^2 \\ {h} & \mu \end{{pmatrix}}"
        q = r"\begin{pmatrix} -\eta_t(1+\mu) \\ 1 \end{pmatrix}"
    else:
        A = rf"\begin{{pmatrix}} 1-\eta_t{g} {h} & -\eta_t\mu \\ {g}{h} & \mu \end{{pmatrix}}"
        q = rf"{g}\begin{{pmatrix}} -\eta_t \\ 1 \end{{pmatrix}}"
    return Formula(
        rf"\begin{{pmatrix}} x \\ b \end{{pmatrix}}_{{t+1}} = {A} \begin{{pmatrix}} x \\ b \end{{pmatrix}}_t + {q}\,\xi_t,"
        r"\quad \Sigma_{t+1} = A_t \Sigma_t A_t^\top + \frac{c_i}{B}\,q_t q_t^\top, \quad " + loss,
        N_("Momentum keeps a velocity b; position and velocity together follow a linear map plus one minibatch's "
        "noise, so their mean and covariance Σ follow exact recursions, step by step."),
    )


def _noise_floor_formula(opt: SGD) -> Formula:
    kind = _kind(opt)
    h = _curvature(opt)
    if kind == "sgd" and not opt.weight_decay:
        return Formula(
            r"E[\text{loss}] \to \sum_i \frac{\eta\, c_i}{2B\,(2-\eta h_i)}",
            N_("With a constant rate the loss stops falling where each minibatch's noise pushes the runs away as fast "
            "as the gradient pulls them back: the noise floor. It grows with the rate and shrinks like 1/B."),
        )
    if kind == "heavy_ball" and not opt.weight_decay:
        e = _effective_rate(opt)
        return Formula(
            rf"E[\text{{loss}}] \to \sum_i \frac{{{e}\,(1+\mu)\,c_i}}{{2B\,(1-\mu)\,(2(1+\mu)-{e}\,h_i)}}",
            N_("With a constant rate the loss stops falling at the noise floor, where the noise pushes as hard as the "
            "gradient pulls. The velocity adds up about 1/(1 − μ) steps of noise, so at the same rate the floor is "
            "about 1/(1 − μ) times higher than without momentum."),
        )
    return Formula(
        r"E[\text{loss}] \to \tfrac12 \sum_i " + h + r"\,\Sigma^{(i)}_{xx}, \quad \Sigma^{(i)} = A\,\Sigma^{(i)} A^\top + "
        r"\frac{c_i}{B}\,q q^\top",
        N_("With a constant rate the loss stops falling at the noise floor, where the noise pushes as hard as the "
        "gradient pulls: the stationary covariance Σ solves the same recursion with the left side equal to the right."),
    )


def _stability_formula(opt: SGD) -> Formula:
    h = r"(h_{\max} + \lambda)" if opt.weight_decay else r"h_{\max}"
    kind = _kind(opt)
    if kind == "sgd":
        return Formula(
            rf"\eta < \frac{{2}}{{{h}}}",
            N_("Above this rate every step overshoots the steepest direction by more than it corrects, so the runs "
            "blow up."),
        )
    if kind == "heavy_ball":
        return Formula(
            rf"\eta < \frac{{2(1+\mu)}}{{{_dampened(opt)}{h}}}",
            N_("Above this rate the steepest direction's oscillation grows with every step and the runs blow up; "
            "momentum's velocity lets it go up to (1 + μ) times further than plain SGD's 2/h_max."),
        )
    return Formula(
        rf"\eta < \frac{{2(1+\mu)}}{{(1+2\mu)\,{h}}}",
        N_("Above this rate the steepest direction's oscillation grows with every step and the runs blow up; "
        "Nesterov's look-ahead step makes the limit lower than heavy-ball momentum's."),
    )


def _fastest_formula(opt: SGD) -> Formula:
    kind = _kind(opt)
    if kind == "sgd":
        h_min, h_max = (r"(h_{\min}+\lambda)", r"(h_{\max}+\lambda)") if opt.weight_decay else (r"h_{\min}", r"h_{\max}")
        return Formula(
            rf"\eta^\ast = \frac{{2}}{{{h_min} + {h_max}}}, \qquad |1-\eta^\ast h_i| = \frac{{\kappa-1}}{{\kappa+1}}",
            N_("Without noise this constant rate converges fastest: both directions then shrink by the same factor "
            "(κ − 1)/(κ + 1) per step, κ = h_max/h_min."),
        )
    if kind == "heavy_ball":
        g = _dampened(opt)
        return Formula(
            rf"\frac{{(1-\sqrt\mu)^2}}{{{g}h_{{\min}}}} \le \eta \le \frac{{(1+\sqrt\mu)^2}}{{{g}h_{{\max}}}}"
            r"\ \Rightarrow\ \text{every direction shrinks by } \sqrt\mu \text{ per step}",
            N_("With momentum there is no single fastest rate: every rate in this interval makes both directions spiral "
            "in by the factor √μ per step, the fastest momentum μ allows."),
        )
    return Formula(
        r"\eta^\ast = \arg\min_\eta \max_i \rho\big(A_i(\eta)\big)",
        N_("Without noise this constant rate converges fastest: the rate whose slowest direction shrinks fastest "
        "(ρ, the largest root of the update), found numerically for Nesterov."),
    )


def _best_formula(opt: SGD) -> Formula:
    return Formula(
        r"\eta_T = \arg\min_\eta E[\text{loss}_T]",
        N_("The constant rate that ends lowest after this many steps, noise included: smaller than the fastest "
        "noise-free rate, because a smaller rate has a lower noise floor, but large enough to arrive in time."),
    )


# --------------------------------------------------------------------------- the update as a map


def _dynamics(problem: NoisyQuadratic, opt: SGD, eta: np.ndarray, first_step: bool = True):
    """The affine update per step and direction.

    ``eta`` has shape ``(..., 1, B)``: the ``1`` is where the two eigen-directions go, ahead
    of the long axis, so every operation runs over contiguous blocks. Returns ``A, k, q``
    of shape ``(..., 2, B)`` for plain SGD (scalar maps on x), or with trailing ``(2, 2)``,
    ``(2,)``, ``(2,)`` with momentum (maps on (x, buffer)). ``first_step`` applies torch's
    first update, where the buffer starts at the gradient itself (no dampening); the
    first element of ``eta`` is that step.
    """
    eta = np.asarray(eta, dtype=np.float64)
    a = (problem.eigenvalues + opt.weight_decay)[:, None]  # the curvature each update sees
    k0 = (opt.weight_decay * (problem.eigenvectors.T @ problem.minimizer))[:, None]  # wd · w*
    shape = np.broadcast_shapes(eta.shape, a.shape)
    if opt.momentum == 0:
        return 1 - eta * a, -eta * k0, np.broadcast_to(-eta, shape)
    mu = opt.momentum
    gradient_weight = np.full(eta.shape, 1 - opt.dampening)  # 1 - dampening: how much of g enters the buffer
    if first_step and gradient_weight.size:
        gradient_weight.reshape(-1)[0] = 1.0  # torch: buf = grad on the first step
    gain = 1 + mu * gradient_weight if opt.nesterov else gradient_weight  # how much of g reaches the update
    b_weight = mu * mu if opt.nesterov else mu  # how much of the old buffer does
    A = np.empty(shape + (2, 2))
    A[..., 0, 0] = 1 - eta * gain * a
    A[..., 0, 1] = -eta * b_weight
    A[..., 1, 0] = gradient_weight * a
    A[..., 1, 1] = mu
    k = np.stack(np.broadcast_arrays(-eta * gain * k0, gradient_weight * k0), axis=-1)
    q = np.stack(np.broadcast_arrays(-eta * gain, gradient_weight), axis=-1).astype(np.float64)
    return A, k, np.broadcast_to(q, shape + (2,))


def _covariance_map(A: np.ndarray, q: np.ndarray, v: np.ndarray, scalar: bool):
    """``Σ' = A Σ Aᵀ + v q qᵀ`` as an affine map on the unique entries of Σ."""
    if scalar:
        return A * A, v * q * q
    a00, a01, a10, a11 = A[..., 0, 0], A[..., 0, 1], A[..., 1, 0], A[..., 1, 1]
    M = np.stack(
        [
            np.stack([a00 * a00, 2 * a00 * a01, a01 * a01], axis=-1),
            np.stack([a00 * a10, a00 * a11 + a01 * a10, a01 * a11], axis=-1),
            np.stack([a10 * a10, 2 * a10 * a11, a11 * a11], axis=-1),
        ],
        axis=-2,
    )  # acting on (Σxx, Σxb, Σbb)
    q0, q1 = q[..., 0], q[..., 1]
    c = v * np.stack([q0 * q0, q0 * q1, q1 * q1], axis=-1)
    return M, c


def _rates(schedule, steps: int) -> np.ndarray:
    if isinstance(schedule, ReduceLROnPlateau):
        raise check.fail(
            "schedule",
            N_("{name} must be open-loop for the exact theory: reduce_on_plateau depends on the "
               "noisy loss itself; simulate it instead"),
        )
    if isinstance(schedule, Schedule):
        return schedule(np.arange(steps))
    rates = np.asarray(schedule, dtype=np.float64)
    if rates.shape != (steps,):
        raise check.fail("schedule", N_("{name} must be a Schedule or {steps} rates; got shape {shape}"), steps=steps, shape=rates.shape)
    return rates


@dataclass(frozen=True, eq=False)
class LossParts:
    """The expected loss split in two, ``(steps + 1,)`` each: ``total = distance + noise``.

    ``distance`` is the loss at the mean position, ``½ Σ h_i E[x_i]²``: how far the runs
    have still to travel. ``noise`` is ``½ Σ h_i Var x_i``: how far the noise has spread
    them. A rate that is too small leaves the distance; one that is too large, the noise.
    """

    distance: np.ndarray
    noise: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.distance + self.noise


def _start(problem: NoisyQuadratic) -> tuple[np.ndarray, float]:
    x0 = problem.eigenvectors.T @ (problem.start_point - problem.minimizer)
    return x0, 0.5 * float((x0 * x0) @ problem.eigenvalues)


@_explained(_expected_loss_formula)
def expected_loss_parts(problem: NoisyQuadratic, optimizer: SGD, schedule, steps: int) -> LossParts:
    """``E[loss_t]`` for t = 0..steps, split into distance and noise (see :class:`LossParts`)."""
    _require(problem, optimizer)
    steps = check.integer("steps", steps, low=0)
    lr = _rates(schedule, steps)
    x0, start = _start(problem)
    if steps == 0:
        return LossParts(np.array([start]), np.array([0.0]))
    K, blocks = blocks_for(steps)
    # Layout (position in block, direction, block): long contiguous rows everywhere.
    A, k, q = _dynamics(problem, optimizer, to_blocks(lr, K, blocks)[:, None, :])
    scalar = optimizer.momentum == 0
    v = (problem.noise_variances / problem.batch_size)[:, None]  # per direction
    h = problem.eigenvalues
    with np.errstate(over="ignore", invalid="ignore"):
        m0 = np.broadcast_to(x0[:, None], (2, blocks))
        if not scalar:
            m0 = np.stack([m0, np.zeros((2, blocks))], axis=-1)
        mean = affine_scan(A, k, m0, scalar)
        M, c = _covariance_map(A, q, v[..., None] if not scalar else v, scalar)
        cov = affine_scan(M, c, np.zeros(M.shape[1:-1] if not scalar else (2, blocks)), scalar)
        if not scalar:  # the position's entries: mean x and Var x
            mean, cov = mean[..., 0], cov[..., 0]
        distance = from_blocks(0.5 * (h[0] * mean[:, 0] ** 2 + h[1] * mean[:, 1] ** 2), steps)
        noise = from_blocks(0.5 * (h[0] * cov[:, 0] + h[1] * cov[:, 1]), steps)

    def clean(x):  # overflow of a diverging rate: inf, never NaN or -inf (a covariance can overflow to it)
        return np.where(np.isnan(x) | np.isinf(x), np.inf, x)

    return LossParts(np.concatenate([[start], clean(distance)]), np.concatenate([[0.0], clean(noise)]))


@_explained(_expected_loss_formula)
def expected_loss(problem: NoisyQuadratic, optimizer: SGD, schedule, steps: int) -> np.ndarray:
    """``E[loss_t]`` for t = 0..steps, exactly, under any open-loop schedule.

    ``schedule`` may also be an array of ``steps`` rates. Where the expectation overflows
    (a diverging rate) the value is ``inf``.
    """
    return expected_loss_parts(problem, optimizer, schedule, steps).total


def stationary_covariance(problem: NoisyQuadratic, lr: float, optimizer: SGD | None = None):
    """Mean and covariance of w under a constant rate, after the start is forgotten.

    Returns ``(mean, cov)`` in w-space; ``cov`` is ``inf`` where the rate is unstable.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    lr = check.in_range("lr", lr, 0.0, low_open=True)
    A, k, q = (x[:, 0] for x in _dynamics(problem, optimizer, np.full((1, 1), lr), first_step=False))
    scalar = optimizer.momentum == 0
    if scalar:  # treat the scalar maps as 1x1 matrices
        A, k, q = A[..., None, None], k[..., None], q[..., None]
    if np.max(np.abs(np.linalg.eigvals(A))) >= 1:
        return np.full(2, np.nan), np.full((2, 2), np.inf)
    v = problem.noise_variances / problem.batch_size
    n = A.shape[-1]
    mean = np.linalg.solve(np.eye(n) - A, k[..., None])[..., 0]  # fixed point of m' = A m + k
    M, c = _covariance_map(A[..., 0, 0], q[..., 0], v, True) if scalar else _covariance_map(A, q, v[:, None], False)
    if scalar:
        cov = (c / (1 - M))[:, None]
    else:
        cov = np.linalg.solve(np.eye(3) - M, c[..., None])[..., 0]
    R = problem.eigenvectors
    mean_w = problem.minimizer + R @ mean[:, 0]
    cov_w = R @ np.diag(cov[:, 0]) @ R.T
    return mean_w, cov_w


@_explained(_noise_floor_formula)
def noise_floor(problem: NoisyQuadratic, lr: float, optimizer: SGD | None = None) -> float:
    """The stationary expected loss at a constant rate; ``inf`` if the rate is unstable.

    For SGD: ``Σ_i η c_i / (2B(2 − η h_i))``; for heavy-ball momentum μ (dampening τ,
    η' = (1 − τ)η): ``Σ_i η'(1 + μ) c_i / (2B(1 − μ)(2(1 + μ) − η' h_i))``; otherwise from
    the same covariance recursion. It grows with η and shrinks with the batch size B.
    """
    mean_w, cov_w = stationary_covariance(problem, lr, optimizer)
    if not np.all(np.isfinite(cov_w)):
        return math.inf
    d = mean_w - problem.minimizer
    H = problem.hessian
    return float(0.5 * (d @ H @ d + np.trace(H @ cov_w)))


@_explained(_stability_formula)
def stability_bound(problem: NoisyQuadratic, optimizer: SGD | None = None) -> float:
    """The largest constant rate that does not diverge (exclusive).

    SGD: ``2 / h_max``. Heavy ball with momentum μ and dampening τ:
    ``2(1 + μ) / ((1 − τ) h_max)``. Nesterov: ``2(1 + μ) / ((1 + 2μ) h_max)``. Weight decay
    adds to every curvature. (From the Jury criterion on each direction's 2x2 update.)
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    h_max = max(problem.h) + optimizer.weight_decay
    mu, gradient_weight = optimizer.momentum, 1 - optimizer.dampening
    if mu == 0:
        return 2 / h_max
    if optimizer.nesterov:
        return 2 * (1 + mu) / ((1 + mu + mu * gradient_weight) * h_max)
    return 2 * (1 + mu) / (gradient_weight * h_max)


@dataclass(frozen=True)
class RateInterval:
    """Constant rates ``low <= η <= high`` that all converge equally fast without noise.

    ``radius`` is the factor by which the slowest direction's distance shrinks per step
    (the largest root of the update). A single best rate has ``low == high``.
    """

    low: float
    high: float
    radius: float

    @property
    def single(self) -> bool:
        return self.low == self.high

    def __contains__(self, rate: float) -> bool:
        return self.low * (1 - 1e-12) <= rate <= self.high * (1 + 1e-12)


def _radius(problem: NoisyQuadratic, optimizer: SGD, rates: np.ndarray) -> np.ndarray:
    """The slowest direction's contraction per step, ``max_i ρ(A_i(η))``, for each rate."""
    rates = np.asarray(rates, dtype=np.float64)
    eta = rates.reshape(-1, 1, 1)  # (G, direction, 1)
    A = _dynamics(problem, optimizer, eta, first_step=False)[0][:, :, 0]  # (G, 2[, 2, 2])
    if optimizer.momentum == 0:
        rho = np.abs(A)
    else:
        trace = A[..., 0, 0] + A[..., 1, 1]
        det = A[..., 0, 0] * A[..., 1, 1] - A[..., 0, 1] * A[..., 1, 0]
        root = np.sqrt((trace * trace - 4 * det).astype(complex))
        rho = np.maximum(np.abs((trace + root) / 2), np.abs((trace - root) / 2))
    return rho.max(axis=-1).reshape(rates.shape)


def _argmin_rate(objective: Callable[[np.ndarray], np.ndarray], high: float) -> float:
    """The rate in (0, high) that minimises ``objective`` (vectorised over rates).

    A log-spaced grid finds the basin; two finer grids around the best point refine it
    to about 1e-7 relative, all vectorised (a few thousand evaluations in all).
    """
    grid = high * np.logspace(-6, 0, 1201)  # the end itself too, so refining can reach up to it
    values = objective(grid)
    values[-1] = np.inf  # the bound itself is excluded
    for _ in range(3):
        i = int(np.nanargmin(values))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
        grid = np.linspace(lo, hi, 401)
        values = objective(grid)
        values[grid >= high] = np.inf
    return float(grid[int(np.nanargmin(values))])


@_explained(_fastest_formula)
def fastest_rates(problem: NoisyQuadratic, optimizer: SGD | None = None) -> RateInterval:
    """The constant rates that converge fastest without noise.

    SGD: the single rate ``2 / (h_min + h_max)``. Heavy-ball momentum μ: the whole interval
    ``[(1 − √μ)² / h_min, (1 + √μ)² / h_max]`` (over ``1 − τ`` with dampening τ), where
    every direction's roots are complex with modulus √μ; if the valley is too long for μ
    that interval is empty and the best single rate is found numerically, as for Nesterov.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    lo_h, hi_h = min(problem.h) + optimizer.weight_decay, max(problem.h) + optimizer.weight_decay
    if optimizer.momentum == 0:
        eta = 2 / (lo_h + hi_h)
        return RateInterval(eta, eta, float(_radius(problem, optimizer, eta)))
    mu, g = optimizer.momentum, 1 - optimizer.dampening
    if not optimizer.nesterov:
        low, high = (1 - math.sqrt(mu)) ** 2 / (g * lo_h), (1 + math.sqrt(mu)) ** 2 / (g * hi_h)
        if low <= high:
            return RateInterval(low, high, math.sqrt(mu))
    eta = _argmin_rate(lambda r: _radius(problem, optimizer, r), stability_bound(problem, optimizer))
    return RateInterval(eta, eta, float(_radius(problem, optimizer, eta)))


def optimal_constant_lr(problem: NoisyQuadratic) -> float:
    """``2 / (h_min + h_max)``: the constant SGD rate that converges fastest without noise.

    It makes the slowest direction as fast as it can be: ``|1 − η h|`` is then equal,
    ``(κ − 1)/(κ + 1)``, along both directions. See :func:`fastest_rates` for momentum.
    """
    if not isinstance(problem, NoisyQuadratic):
        raise check.fail("problem", N_("{name} must be a NoisyQuadratic; got {kind}"), kind=type(problem).__name__)
    return 2 / (min(problem.h) + max(problem.h))


def _final_losses(problem: NoisyQuadratic, optimizer: SGD, rates: np.ndarray, steps: int) -> np.ndarray:
    """``E[loss_T]`` after ``steps`` updates at each constant rate, all rates at once.

    The first update is torch's (the buffer starts at the gradient, as with no
    dampening); the other ``steps - 1`` are one constant affine map raised to a power.
    """
    x0, _ = _start(problem)
    eta = np.asarray(rates, dtype=np.float64)[:, None, None]  # (G, direction, 1)
    noise = problem.noise_variances / problem.batch_size
    scalar = optimizer.momentum == 0
    first = SGD(momentum=optimizer.momentum, weight_decay=optimizer.weight_decay, nesterov=optimizer.nesterov)
    with np.errstate(over="ignore", invalid="ignore"):
        maps = []
        for opt in (first, optimizer):
            A, k, q = (x[:, :, 0] for x in _dynamics(problem, opt, eta, first_step=False))  # (G, 2, ...)
            M, c = _covariance_map(A, q, noise if scalar else noise[:, None], scalar)
            if scalar:  # as 1x1 maps, so one code path powers both
                A, k, M, c = A[..., None, None], k[..., None], M[..., None, None], c[..., None]
            maps.append((A, k, M, c))
        (A0, k0, M0, c0), (A, k, M, c) = maps
        mean = np.zeros(k.shape)
        mean[..., 0] = x0
        mean = (A0 @ mean[..., None])[..., 0] + k0  # after the first update
        cov = c0
        if steps > 1:
            mean = affine_power(A, k, mean, steps - 1)
            cov = affine_power(M, c, cov, steps - 1)
        loss = 0.5 * (problem.eigenvalues * (mean[..., 0] ** 2 + cov[..., 0])).sum(axis=-1)
    return np.where(np.isfinite(loss), loss, np.inf)


@_explained(_best_formula)
def best_constant_rate(problem: NoisyQuadratic, steps: int, optimizer: SGD | None = None) -> float:
    """The constant rate whose exact expected loss after ``steps`` updates is lowest.

    Noise included, so it sits below the fastest noise-free rate: a smaller rate has a
    lower floor but needs longer to arrive. Found on the exact ``E[loss_T]`` of a grid of
    rates below the stability bound, refined to about 1e-7 relative.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    steps = check.integer("steps", steps, low=1)
    return _argmin_rate(lambda r: _final_losses(problem, optimizer, r, steps), stability_bound(problem, optimizer))


def stationary_ellipse(
    problem: NoisyQuadratic, lr: float, optimizer: SGD | None = None, n_sigma: float = 2.0, points: int = 121
) -> np.ndarray:
    """Points ``(points, 2)`` on the n-sigma ellipse of the constant-rate stationary cloud.

    About 86% of the iterates of a long constant-rate run lie inside the 2-sigma ellipse
    (the cloud is Gaussian). Empty if the rate is unstable.
    """
    mean, cov = stationary_covariance(problem, lr, optimizer)
    if not np.all(np.isfinite(cov)):
        return np.empty((0, 2))
    evals, evecs = np.linalg.eigh(cov)
    theta = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(theta), np.sin(theta)])
    return (mean[:, None] + n_sigma * evecs @ (np.sqrt(np.maximum(evals, 0))[:, None] * circle)).T
