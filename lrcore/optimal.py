r"""The best possible schedule on the noisy quadratic, and how much of it a schedule gets.

On the noisy quadratic the expected loss after T steps is an exact function of the rates
(:mod:`lrcore.theory`), so "the best schedule" is a question with an answer:

* :func:`greedy_schedule` — every rate minimises the *next* step's expected loss. That loss
  is a quadratic in the rate, so each rate has a closed form given the state's moments.
* :func:`optimal_schedule` — the rates minimise the *final* expected loss, found by
  L-BFGS-B on the exact recursion with an exact gradient.
* :func:`improvement` — a schedule's final loss against the best constant rate's and the
  optimum's: the share of the possible improvement it gets.
* :func:`above_bound` — where a schedule's rates exceed the stability bound, by how much,
  and whether the expected loss stays finite: the optimum's first rates often do, for a
  step or two, because a short excursion is forgiven by the steps after it.

**The state as second moments.** In eigen-direction i the optimizer's state z (the
position x; with momentum also the buffer b; with weight decay also a constant 1) moves as
``z' = A(η) z + q(η) ξ`` with ``Var ξ = v_i = c_i/B``, and A, q are affine in the rate η
(:func:`lrcore.theory._dynamics`). The second moment ``S = E[z zᵀ]`` then moves linearly,
``S' = A S Aᵀ + v q qᵀ``, and ``E[loss] = ½ Σ_i h_i S_xx``. Written on ``y = (vec S, 1)`` one
step is a matrix ``G(η) = [[A⊗A, v vec(q qᵀ)], [0, 1]]``, quadratic in η.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore import theory
from lrcore.optim import SGD
from lrcore.problems import NoisyQuadratic
from lrcore.schedules import Schedule, piecewise_constant, tex_number
from lrcore.theory import Formula, _dynamics, _explained, _rates, _require, _start

__all__ = [
    "greedy_schedule",
    "optimal_schedule",
    "piece_boundaries",
    "Improvement",
    "improvement",
    "BoundExcursion",
    "above_bound",
    "InverseTimeRatio",
    "inverse_time_ratio",
    "momentum_gain",
]

GROWTH = 1e4  # how much one piece of the optimum may amplify the steepest direction's distance


# --------------------------------------------------------------------------- the moments' map


@dataclass(frozen=True, eq=False)
class _Model:
    """One step of the second moments per direction: ``A(η) = A0 + η A1``, ``q(η) = q0 + η q1``.

    ``first`` is torch's first step (the momentum buffer starts at the gradient), ``later``
    every other step; each holds ``(A0, A1, q0, q1)`` of shapes ``(2, d, d)`` and ``(2, d)``.
    """

    first: tuple
    later: tuple
    v: np.ndarray  # noise variance per direction and step, c_i / B
    h: np.ndarray  # the loss's curvatures (weight decay is in A, not in the loss)
    S0: np.ndarray  # (2, d, d): the start's second moment
    start_loss: float

    @property
    def size(self) -> int:
        d = self.S0.shape[-1]
        return d * d + 1


def _model(problem: NoisyQuadratic, opt: SGD) -> _Model:
    augmented = opt.weight_decay != 0  # then z carries a constant 1 for the pull towards 0

    def parts(first: bool):
        out = []
        for eta in (0.0, 1.0):  # A, k, q are affine in eta: their values at 0 and 1 say all
            A, k, q = (np.asarray(x)[:, 0] for x in _dynamics(problem, opt, np.full((1, 1), eta), first))
            if opt.momentum == 0:
                A, k, q = A[:, None, None], k[:, None], q[:, None]
            n = A.shape[-1]
            if augmented:
                A_aug = np.zeros((2, n + 1, n + 1))
                A_aug[:, :n, :n], A_aug[:, :n, n], A_aug[:, n, n] = A, k, 1.0
                A, q = A_aug, np.concatenate([q, np.zeros((2, 1))], axis=1)
            out.append((A, q))
        (A0, q0), (A1, q1) = out
        return A0, A1 - A0, q0, q1 - q0

    first, later = parts(True), parts(False)
    x0, start_loss = _start(problem)
    d = first[0].shape[-1]
    z = np.zeros((2, d))
    z[:, 0] = x0
    if augmented:
        z[:, -1] = 1.0
    S0 = z[:, :, None] * z[:, None, :]
    v = problem.noise_variances / problem.batch_size
    return _Model(first, later, v, problem.eigenvalues, S0, start_loss)


def _start_moments(model: _Model) -> np.ndarray:
    """``y_0 = (vec S_0, 1)`` per direction, ``(2, D)``."""
    return np.concatenate([model.S0.reshape(2, -1), np.ones((2, 1))], axis=1)


def _loss_weights(model: _Model) -> np.ndarray:
    """ℓ with ``E[loss] = Σ_i ℓ_i · y_i``: ``½ h_i`` on ``E[x_i²]`` (entry 0 of vec S), 0 elsewhere."""
    ell = np.zeros((2, model.size))
    ell[:, 0] = 0.5 * model.h
    return ell


def _kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Batched Kronecker product on the last two axes: ``vec(a S bᵀ) = (a ⊗ b) vec S``."""
    d = a.shape[-1]
    lead = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return (a[..., :, None, :, None] * b[..., None, :, None, :]).reshape(lead + (d * d, d * d))


def _step_maps(model: _Model, eta: np.ndarray, first: np.ndarray):
    """``G(η)`` and ``dG/dη`` for each rate, ``(P, 2, D, D)``; ``first`` marks torch's first step."""
    A0, A1, q0, q1 = (np.where(first.reshape((-1,) + (1,) * x.ndim), f, x) for f, x in zip(model.first, model.later))
    e = eta.reshape((-1, 1, 1, 1))
    A, q = A0 + e * A1, q0 + e[..., 0] * q1
    d = A.shape[-1]
    D = d * d + 1
    v = model.v[:, None]
    G = np.zeros(A.shape[:2] + (D, D))
    dG = np.zeros_like(G)
    G[..., :-1, :-1] = _kron(A, A)
    dG[..., :-1, :-1] = _kron(A1, A) + _kron(A, A1)
    G[..., :-1, -1] = v * (q[..., :, None] * q[..., None, :]).reshape(q.shape[:-1] + (d * d,))
    dq = q1[..., :, None] * q[..., None, :]
    dG[..., :-1, -1] = v * (dq + np.swapaxes(dq, -1, -2)).reshape(q.shape[:-1] + (d * d,))
    G[..., -1, -1] = 1.0
    return G, dG


def _power(G: np.ndarray, dG: np.ndarray, n: np.ndarray):
    """``G^n`` and its derivative ``Σ_j G^(n-1-j) dG G^j`` for each piece, by squaring.

    Both come from one block matrix: ``[[G, dG], [0, G]]^n = [[G^n, d(G^n)], [0, G^n]]``.
    Only pieces that still need a bit are squared, so a short piece at a large rate never
    overflows on powers it does not use.
    """
    D = G.shape[-1]
    Z = np.zeros(G.shape[:-2] + (2 * D, 2 * D))
    Z[..., :D, :D], Z[..., :D, D:], Z[..., D:, D:] = G, dG, G
    R = np.broadcast_to(np.eye(2 * D), Z.shape).copy()
    alive, left = np.arange(len(n)), np.asarray(n, dtype=np.int64).copy()
    while alive.size:
        odd = (left[alive] & 1).astype(bool)
        R[alive[odd]] = R[alive[odd]] @ Z[odd]
        left[alive] >>= 1
        keep = left[alive] > 0
        alive, Z = alive[keep], Z[keep]
        if alive.size:
            Z = Z @ Z
    return R[..., :D, :D], R[..., :D, D:]


def _final_loss(model: _Model, log_rates: np.ndarray, lengths: np.ndarray):
    """``E[loss_T]`` of rates constant on pieces of these lengths, and its gradient in log-rates.

    Forward: ``y_{p+1} = G_p^{n_p} y_p``. Backward (the adjoint): ``λ_P = ∂L/∂y_P``,
    ``λ_p = (G_p^{n_p})ᵀ λ_{p+1}``, and ``∂L/∂η_p = Σ_i λ_{p+1}ᵀ d(G_p^{n_p}) y_p``.
    The first piece is a single step (torch's first step is its own map).
    """
    eta = np.exp(log_rates)
    first = np.zeros(len(eta), dtype=bool)
    first[0] = True
    G, dG = _step_maps(model, eta, first)
    Pn, dPn = _power(G, dG, lengths)
    y = np.empty((len(eta) + 1, 2, model.size))
    y[0] = _start_moments(model)
    for p in range(len(eta)):
        y[p + 1] = (Pn[p] @ y[p][..., None])[..., 0]
    lam = np.empty_like(y)
    lam[-1] = _loss_weights(model)
    for p in range(len(eta) - 1, -1, -1):
        lam[p] = (lam[p + 1][:, None, :] @ Pn[p])[:, 0]
    loss = float(np.sum(lam[-1] * y[-1]))
    grad = np.einsum("pid,pide,pie->p", lam[1:], dPn, y[:-1])
    return loss, grad * eta


# --------------------------------------------------------------------------- greedy


def _greedy_formula(opt: SGD) -> Formula:
    if opt.momentum == 0 and not opt.weight_decay:
        return Formula(
            r"\eta_t = \frac{\sum_i h_i^2\, s_{i,t}}{\sum_i \left(h_i^3\, s_{i,t} + h_i\, c_i/B\right)}, "
            r"\qquad s_{i,t} = E[x_{i,t}^2]",
            N_(
                "Each rate is the one that makes the very next expected loss lowest: large while the runs are far "
                "from the minimum (s large), small once the noise c/B is most of what is left."
            ),
        )
    return Formula(
        r"\eta_t = \arg\min_{\eta \ge 0} E[\text{loss}_{t+1}] = "
        r"\max\!\left(0,\ \frac{\sum_i h_i\, E[x_{i,t}\, u_{i,t}]}{\sum_i h_i\, E[u_{i,t}^2]}\right)",
        N_(
            "Each rate is the one that makes the very next expected loss lowest. The next position is "
            "x − η u, with u the update direction (gradient and velocity), so that loss is a parabola in η."
        ),
    )


@_explained(_greedy_formula)
def greedy_schedule(problem: NoisyQuadratic, steps: int, optimizer: SGD | None = None) -> Schedule:
    r"""Each step's rate minimises the next step's expected loss, in closed form.

    The next expected loss is ``ℓᵀ G(η) y`` (y: the state's second moments, ℓ: ``½ h_i`` on
    each ``E[x_i²]``; see the module docstring) and G is quadratic in η, ``G0 + η G1 + η² G2``,
    so it is a parabola whose lowest point is ``η_t = −ℓᵀG1y / (2 ℓᵀG2y)`` (0 if negative).
    Written out, with the next position ``x − η u + noise`` (u the update: gradient and
    velocity), that is ``η_t = Σ h_i E[x_i u_i] / Σ h_i E[u_i²]``; for plain SGD ``u = h x + ξ``
    and ``η_t = Σ h_i² s_i / Σ (h_i³ s_i + h_i c_i/B)``, ``s_i = E[x_i²]``. One small
    matrix-vector product a step. Past ``steps`` the schedule holds its last rate.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    steps = check.integer("steps", steps, low=1)
    model = _model(problem, optimizer)

    def phase(first: bool) -> np.ndarray:
        """A step as one matrix: its rows give −ℓᵀG1y, 2ℓᵀG2y, then G0y, G1y and G2y."""
        G = _step_maps(model, np.array([0.0, 1.0, -1.0]), np.full(3, first))[0]  # (3, 2, D, D)
        G0, G1, G2 = G[0], (G[1] - G[2]) / 2, (G[1] + G[2]) / 2 - G[0]  # exact: G is quadratic in η
        ell = _loss_weights(model)[:, None, :]
        slope, curvature = -(ell @ G1)[:, 0].reshape(-1), 2 * (ell @ G2)[:, 0].reshape(-1)
        return np.vstack([slope, curvature, _side_by_side(G0), _side_by_side(G1), _side_by_side(G2)])

    first, later = phase(True), phase(False)
    y = _start_moments(model).reshape(-1)
    n = len(y)
    rates = np.empty(steps)
    for t in range(steps):  # each rate depends on the state the previous ones made
        w = (first if t == 0 else later) @ y
        num, den = w[0], w[1]
        eta = float(num / den) if den > 0 and num > 0 else 0.0
        rates[t] = eta
        y = w[2 : 2 + n] + eta * (w[2 + n : 2 + 2 * n] + eta * w[2 + 2 * n :])
    return _table_schedule(
        "greedy",
        rates,
        {"steps": steps},
        lambda t, n: r"\arg\min_{\eta} E[\text{loss}_{" + t + r" + 1}]",
        N_("Each rate makes the next step's expected loss as low as it can be: the best myopic choice."),
    )


def _side_by_side(G: np.ndarray) -> np.ndarray:
    """The two directions' ``(D, D)`` maps as one block-diagonal ``(2D, 2D)`` matrix."""
    D = G.shape[-1]
    out = np.zeros((2 * D, 2 * D))
    out[:D, :D], out[D:, D:] = G[0], G[1]
    return out


def _table_schedule(name, rates, params, tex, description) -> Schedule:
    """A schedule that reads its rates from a table and holds the last one past its end."""
    rates = np.asarray(rates, dtype=np.float64)
    rates.flags.writeable = False

    def fn(s):
        return rates[np.minimum(s, len(rates) - 1)]

    return Schedule(name, {**params, "rates": rates}, fn, tex, description)


# --------------------------------------------------------------------------- the optimum


def piece_boundaries(steps: int, pieces: int) -> np.ndarray:
    """``pieces + 1`` step counts from 0 to ``steps``, spaced geometrically in ``t + τ``.

    ``τ`` is chosen so the first piece is one step long; later pieces grow by a constant
    factor, so the early steps (where the optimum changes fastest) each get their own rate
    and the long tail gets few. With ``pieces >= steps`` every step is its own piece.
    """
    steps = check.integer("steps", steps, low=1)
    pieces = check.integer("pieces", pieces, low=1)
    if pieces >= steps:
        return np.arange(steps + 1)
    j = np.arange(pieces + 1)
    lo, hi = 1e-9, float(steps)  # τ: the first gap τ((1 + T/τ)^(1/P) − 1) grows with τ; find it = 1
    for _ in range(100):
        tau = math.sqrt(lo * hi)
        if tau * ((1 + steps / tau) ** (1 / pieces) - 1) > 1:
            hi = tau
        else:
            lo = tau
    u = tau * ((steps + tau) / tau) ** (j / pieces) - tau
    b = np.round(u).astype(np.int64)
    b = np.maximum.accumulate(b - j) + j  # at least one step a piece ...
    b = np.minimum(b, steps - (pieces - j))  # ... and exactly `steps` in all
    b[0], b[-1] = 0, steps
    return b


def momentum_gain(optimizer: SGD) -> float:
    """How much a constant rate's step grows once the velocity has built up: ``(1 − τ)/(1 − μ)``.

    1 for plain SGD; for heavy-ball momentum μ with dampening τ the velocity sums the
    gradients to ``(1 − τ)/(1 − μ)`` times one, and Nesterov's ``(1+μ)g + μ² b`` sums to
    ``1/(1 − μ)``. So ``η · gain`` is the rate plain SGD would need for the same long-run step.
    """
    if optimizer.momentum == 0:
        return 1.0
    mu = optimizer.momentum
    return 1 / (1 - mu) if optimizer.nesterov else (1 - optimizer.dampening) / (1 - mu)


def _ceilings(problem: NoisyQuadratic, opt: SGD, lengths: np.ndarray) -> np.ndarray:
    """The largest rate each piece may take.

    No rate above the flattest direction's own stability bound (there every direction
    grows); and a piece of n steps may amplify the steepest direction's distance at most
    ``GROWTH``-fold, ``η ≤ bound · (1 + GROWTH^(1/n)) / 2`` (exact for plain SGD, where the
    growth per step above the bound is ``η h_max − 1``), so long pieces stay just under the
    bound and the expected loss stays far from overflow.
    """
    bound = theory.stability_bound(problem, opt)
    a = problem.eigenvalues + opt.weight_decay
    flattest = bound * a.max() / a.min()
    return np.minimum(flattest, bound * (1 + GROWTH ** (1.0 / lengths)) / 2)


def _flattest_start(problem: NoisyQuadratic, opt: SGD, steps: int) -> np.ndarray:
    """The flattest direction's own optimum, ``1/(a (t + 1 + v/(a² x0²)))`` over the momentum gain.

    For one direction the greedy rate is optimal and is exactly this (``1/s`` grows by
    ``a²/v`` a step); it is a good start for two, where the flat direction decides the end.
    """
    x0, _ = _start(problem)
    a = problem.eigenvalues + opt.weight_decay
    i = int(np.argmin(a))
    v = problem.noise_variances[i] / problem.batch_size
    with np.errstate(divide="ignore"):
        t0 = v / (a[i] ** 2 * x0[i] ** 2) if x0[i] else math.inf
    return 1 / (a[i] * (np.arange(steps) + 1 + t0)) / momentum_gain(opt)


def _optimal_formula(opt: SGD) -> Formula:
    return Formula(
        r"(\eta_0, \dots, \eta_{T-1}) = \arg\min E[\text{loss}_T]",
        N_(
            "The rates that make the expected loss after the last step as low as it can be, with the whole "
            "horizon in view: no other schedule ends lower on this problem."
        ),
    )


@_explained(_optimal_formula)
def optimal_schedule(problem: NoisyQuadratic, steps: int, optimizer: SGD | None = None, pieces: int = 64) -> Schedule:
    r"""The schedule that minimises the exact expected final loss ``E[loss_T]``.

    The rates are constant on ``pieces`` pieces spaced geometrically in time
    (:func:`piece_boundaries`: the first steps each their own, the tail in long pieces),
    and their log-rates are found by L-BFGS-B on ``log E[loss_T]``. Each evaluation is
    exact: every piece's step map ``G(η)`` is raised to its length by squaring, together
    with its derivative (:func:`_power`), and the gradient comes from one adjoint pass
    back through the pieces (:func:`_final_loss`), so an evaluation costs
    ``O(P log T)`` small matrix products whatever T. The search starts from the better
    (lower final loss) of the flattest direction's own optimum (:func:`_flattest_start`)
    and the best constant rate.

    Rates are bounded by :func:`_ceilings`; within those the optimum may exceed the
    stability bound for a few early steps (see :func:`above_bound`). Past ``steps`` the
    schedule holds its last rate.
    """
    from scipy.optimize import minimize  # here, not at import: SciPy's optimisers take ~0.7 s to import

    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    steps = check.integer("steps", steps, low=1)
    pieces = min(check.integer("pieces", pieces, low=1), steps)
    bounds = piece_boundaries(steps, pieces)
    lengths = np.diff(bounds)
    model = _model(problem, optimizer)
    bound = theory.stability_bound(problem, optimizer)
    high = np.log(_ceilings(problem, optimizer, lengths))
    low = np.full(len(lengths), math.log(bound * 1e-9))
    floor = 1e-12 * max(model.start_loss, 1e-300)  # a loss this far below the start counts as 0

    def objective(theta):
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grad = _final_loss(model, theta, lengths)
        if not math.isfinite(loss):
            return 1e300, np.zeros_like(theta)
        return math.log(loss + floor), grad / (loss + floor)

    def on_pieces(rates):  # the log-mean of each piece's rates, inside the bounds
        with np.errstate(divide="ignore"):
            logs = np.log(np.maximum(rates, 0.0))
        means = np.add.reduceat(np.maximum(logs, low[0] - 1), bounds[:-1]) / lengths
        return np.clip(means, low, high - 1e-9)

    # One search, from the better of two starts (on a wide sample of bowls no other pair did better).
    constant_rate = theory.best_constant_rate(problem, steps, optimizer)
    starts = [_flattest_start(problem, optimizer, steps), np.full(steps, constant_rate)]
    begin = min((on_pieces(rates) for rates in starts), key=lambda theta: objective(theta)[0])
    best = minimize(
        objective,
        begin,
        jac=True,
        method="L-BFGS-B",
        bounds=np.stack([low, high], axis=1),
        options={"maxiter": 2000, "ftol": 1e-11, "gtol": 1e-9},
    )
    values = np.exp(best.x)
    inner = piecewise_constant(bounds[1:-1].tolist(), values.tolist(), inclusive=False) if len(values) > 1 else None
    n_pieces = len(values)

    def fn(s):
        return inner(s) if inner is not None else np.full(s.shape, values[0])

    def tex(t, numeric):
        T, P = (tex_number(steps), tex_number(n_pieces)) if numeric else ("T", "P")
        return (
            r"\eta^\star_{p(" + t + r")},\quad \eta^\star = \arg\min_{\eta} E[\text{loss}_{" + T + r"}]"
            r"\ \text{over rates constant on } " + P + r" \text{ pieces}"
        )

    return Schedule(
        "optimal",
        {"steps": steps, "pieces": n_pieces, "boundaries": tuple(bounds.tolist()), "values": tuple(values.tolist())},
        fn,
        tex,
        N_("The rates that end lowest after this many steps, found on the exact expected loss."),
    )


# --------------------------------------------------------------------------- comparisons


@dataclass(frozen=True)
class Improvement:
    """A schedule's expected final loss against the best constant rate's and the optimum's.

    ``share`` is ``(E_const − E_yours) / (E_const − E_opt)``: 1 is the optimum, 0 the best
    constant rate, negative worse than it; NaN when the optimum does not beat the constant.
    A schedule can score a little above 1: the optimum is constant on pieces, which costs it
    about 0.2% of final loss at T = 1000 (0.5% at 10,000) against every step's own rate.
    """

    final_loss: float
    constant_rate: float
    constant_loss: float
    optimal_loss: float

    @property
    def share(self) -> float:
        gap = self.constant_loss - self.optimal_loss
        return (self.constant_loss - self.final_loss) / gap if gap > 0 else math.nan


def _improvement_formula(opt: SGD) -> Formula:
    return Formula(
        r"\text{share} = \frac{E_{\text{const}} - E_{\text{yours}}}{E_{\text{const}} - E_{\text{opt}}}",
        N_(
            "How much of the possible gain over the best constant rate this schedule gets: 0 is no better than "
            "the best constant rate, 1 is the best any schedule can do."
        ),
    )


@_explained(_improvement_formula)
def improvement(
    problem: NoisyQuadratic, steps: int, schedule, optimizer: SGD | None = None, optimal: Schedule | None = None
) -> Improvement:
    """The share of the possible improvement a schedule gets, ``(E_const − E_yours)/(E_const − E_opt)``.

    ``E`` is the exact expected loss after ``steps`` updates; the constant is
    :func:`theory.best_constant_rate`'s, the optimum :func:`optimal_schedule`'s (pass it as
    ``optimal`` when it is at hand: it is the costly part).
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    steps = check.integer("steps", steps, low=1)
    if optimal is None:
        optimal = optimal_schedule(problem, steps, optimizer)
    elif not isinstance(optimal, Schedule):
        raise check.fail("optimal", N_("{name} must be a Schedule (from optimal_schedule); got {value!r}"), value=optimal)
    rate = theory.best_constant_rate(problem, steps, optimizer)

    def final(rates):
        return float(theory.expected_loss(problem, optimizer, rates, steps)[-1])

    return Improvement(
        final_loss=final(_rates(schedule, steps)),
        constant_rate=rate,
        constant_loss=final(np.full(steps, rate)),
        optimal_loss=final(optimal(np.arange(steps))),
    )


@dataclass(frozen=True, eq=False)
class BoundExcursion:
    """Where a schedule's rates reach the stability bound, and what the expected loss does.

    ``steps`` are the updates whose rate is at or above ``bound`` and ``ratios`` their rate
    over the bound. ``finite`` says the expected loss stayed finite at every step;
    ``peak_loss`` is its highest value (at ``peak_step``) and ``final_loss`` its last. A
    rate above the bound for a step or two is not divergence: the steep direction
    overshoots, and the later, smaller rates pull it back.
    """

    bound: float
    steps: np.ndarray
    ratios: np.ndarray
    peak_loss: float
    peak_step: int
    start_loss: float
    final_loss: float
    finite: bool

    @property
    def exceeds(self) -> bool:
        return bool(self.steps.size)


@_explained(theory._stability_formula)
def above_bound(problem: NoisyQuadratic, schedule, steps: int, optimizer: SGD | None = None) -> BoundExcursion:
    """The steps whose rate ``η_t ≥`` the stability bound, ``η_t / bound`` there, and the exact loss's path.

    The bound is :func:`theory.stability_bound` (SGD: ``2/h_max``): a *constant* rate above
    it diverges; a few steps above it need not.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    steps = check.integer("steps", steps, low=1)
    rates = _rates(schedule, steps)
    bound = theory.stability_bound(problem, optimizer)
    loss = theory.expected_loss(problem, optimizer, rates, steps)
    over = np.flatnonzero(rates >= bound)
    peak = int(np.argmax(loss))
    return BoundExcursion(
        bound=bound,
        steps=over,
        ratios=rates[over] / bound,
        peak_loss=float(loss[peak]),
        peak_step=peak,
        start_loss=float(loss[0]),
        final_loss=float(loss[-1]),
        finite=bool(np.all(np.isfinite(loss))),
    )


@dataclass(frozen=True, eq=False)
class InverseTimeRatio:
    """``g η_t a_min (t + 1)`` for every step, and its spread over the middle of the horizon.

    1 means the rate is exactly time-based decay ``1/(a_min (t + 1))`` (``a_min`` the
    flattest curvature with weight decay, ``g`` the :func:`momentum_gain`).
    ``middle`` is the steps ``[T/4, 3T/4)``; ``low``, ``median``, ``high`` are over them.
    """

    ratio: np.ndarray
    middle: tuple[int, int]
    low: float
    median: float
    high: float


def inverse_time_ratio(
    problem: NoisyQuadratic, schedule, steps: int, optimizer: SGD | None = None
) -> InverseTimeRatio:
    """How close a schedule is to time-based decay ``1/(h_min t)``: ``g η_t a_min (t + 1)`` per step.

    The optimum on the noisy quadratic is expected to look like this in the middle of the
    horizon (the flattest direction is the last to arrive, and for one direction the
    optimum is exactly ``1/(h (t + t_0))``); it falls below it near the end.
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    steps = check.integer("steps", steps, low=4)
    a_min = float(np.min(problem.eigenvalues + optimizer.weight_decay))
    ratio = momentum_gain(optimizer) * _rates(schedule, steps) * a_min * (np.arange(steps) + 1)
    lo, hi = steps // 4, (3 * steps) // 4
    window = ratio[lo:hi]
    return InverseTimeRatio(ratio, (lo, hi), float(window.min()), float(np.median(window)), float(window.max()))
