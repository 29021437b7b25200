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

The recursions are evaluated for all steps at once with a two-level blocked scan (no
Python loop over steps, no division, so no underflow): 100,000 steps take about 10-20 ms
for SGD and about 0.1-0.3 s with momentum (``benchmarks/bench_simulate.py``).
"""

from __future__ import annotations

import math

import numpy as np

from lrcore import _checks as check
from lrcore.optim import SGD
from lrcore.problems import NoisyQuadratic
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = [
    "expected_loss",
    "noise_floor",
    "stability_bound",
    "optimal_constant_lr",
    "stationary_covariance",
    "stationary_ellipse",
]


def _require(problem, optimizer) -> None:
    if not isinstance(problem, NoisyQuadratic):
        raise ValueError(
            f"problem must be a NoisyQuadratic for the exact theory (its noise is Gaussian and "
            f"independent); got {type(problem).__name__}"
        )
    if not isinstance(optimizer, SGD):
        raise ValueError(
            f"optimizer must be SGD (with or without momentum/Nesterov) for the exact theory: "
            f"{type(optimizer).__name__}'s update is not linear; got {optimizer!r}"
        )


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
    kappa = np.full(eta.shape, 1 - opt.dampening)
    if first_step and kappa.size:
        kappa.reshape(-1)[0] = 1.0  # torch: buf = grad on the first step
    gain = 1 + mu * kappa if opt.nesterov else kappa  # how much of g reaches the update
    b_weight = mu * mu if opt.nesterov else mu  # how much of the old buffer does
    A = np.empty(shape + (2, 2))
    A[..., 0, 0] = 1 - eta * gain * a
    A[..., 0, 1] = -eta * b_weight
    A[..., 1, 0] = kappa * a
    A[..., 1, 1] = mu
    k = np.stack(np.broadcast_arrays(-eta * gain * k0, kappa * k0), axis=-1)
    q = np.stack(np.broadcast_arrays(-eta * gain, kappa), axis=-1).astype(np.float64)
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


def blocks_for(steps: int) -> tuple[int, int]:
    """Block length K ≈ √steps and number of blocks for :func:`affine_scan`."""
    K = max(1, math.isqrt(steps))
    return K, -(-steps // K)


def to_blocks(x: np.ndarray, K: int, blocks: int) -> np.ndarray:
    """``(T, ...)`` -> ``(K, blocks, ...)``: step ``b K + j`` at ``[j, b]``, zero-padded."""
    padded = np.zeros((blocks * K,) + x.shape[1:])
    padded[: len(x)] = x
    return np.ascontiguousarray(np.swapaxes(padded.reshape((blocks, K) + x.shape[1:]), 0, 1))


def from_blocks(y: np.ndarray, steps: int) -> np.ndarray:
    """The inverse of :func:`to_blocks`, dropping the padding."""
    K, blocks = y.shape[:2]
    return np.swapaxes(y, 0, 1).reshape((blocks * K,) + y.shape[2:])[:steps]


def affine_scan(A: np.ndarray, c: np.ndarray, y0: np.ndarray, scalar: bool) -> np.ndarray:
    """Every state of ``y_{t+1} = A_t y_t + c_t`` after each step, in block layout.

    ``A`` and ``c`` are laid out ``(K, 2, blocks, ...)`` (see :func:`to_blocks`) and
    ``y0`` ``(2, blocks, ...)`` holds the start in every block's slot (only block 0's is
    read); ``scalar`` maps multiply, matrix maps (trailing ``(n, n)``) act by matrix
    products. Prefix maps
    are composed inside every block at once (a loop over the position in the block,
    vectorised across blocks, reading contiguous memory), block totals are chained, and
    every state is one application of a prefix map: O(T) work, O(√T) Python iterations,
    only products and sums, so exact to round-off.
    """
    if scalar:
        compose = np.multiply

        def apply(M, y):
            return M * y

    else:
        compose = np.matmul

        def apply(M, y):
            return (M @ y[..., None])[..., 0]

    K = A.shape[0]
    P, Q = np.empty_like(A), np.empty_like(c)
    P[0], Q[0] = A[0], c[0]
    for j in range(1, K):  # prefix maps inside every block at once
        compose(A[j], P[j - 1], out=P[j])
        Q[j] = apply(A[j], Q[j - 1])
        Q[j] += c[j]
    # Chain the block totals: the state entering block b (blocks are axis 1 of y0, after
    # the direction axis), then every state is one application of a prefix map.
    starts = np.array(y0, dtype=np.float64)
    for b in range(starts.shape[1] - 1):
        starts[:, b + 1] = apply(P[-1, :, b], starts[:, b]) + Q[-1, :, b]
    return apply(P, starts[None]) + Q


def _rates(schedule, steps: int) -> np.ndarray:
    if isinstance(schedule, ReduceLROnPlateau):
        raise ValueError(
            "schedule must be open-loop for the exact theory: reduce_on_plateau depends on the "
            "noisy loss itself; simulate it instead"
        )
    if isinstance(schedule, Schedule):
        return schedule(np.arange(steps))
    rates = np.asarray(schedule, dtype=np.float64)
    if rates.shape != (steps,):
        raise ValueError(f"schedule must be a Schedule or {steps} rates; got shape {rates.shape}")
    return rates


def expected_loss(problem: NoisyQuadratic, optimizer: SGD, schedule, steps: int) -> np.ndarray:
    """``E[loss_t]`` for t = 0..steps, exactly, under any open-loop schedule.

    ``schedule`` may also be an array of ``steps`` rates. Where the expectation overflows
    (a diverging rate) the value is ``inf``.
    """
    _require(problem, optimizer)
    steps = check.integer("steps", steps, low=0)
    lr = _rates(schedule, steps)
    x0 = problem.eigenvectors.T @ (problem.start_point - problem.minimizer)
    start = 0.5 * float((x0 * x0) @ problem.eigenvalues)
    if steps == 0:
        return np.array([start])
    K, blocks = blocks_for(steps)
    # Layout (position in block, direction, block): long contiguous rows everywhere.
    A, k, q = _dynamics(problem, optimizer, to_blocks(lr, K, blocks)[:, None, :])
    scalar = optimizer.momentum == 0
    v = (problem.noise_variances / problem.batch_size)[:, None]  # per direction
    with np.errstate(over="ignore", invalid="ignore"):
        m0 = np.broadcast_to(x0[:, None], (2, blocks))
        if not scalar:
            m0 = np.stack([m0, np.zeros((2, blocks))], axis=-1)
        mean = affine_scan(A, k, m0, scalar)
        M, c = _covariance_map(A, q, v[..., None] if not scalar else v, scalar)
        cov = affine_scan(M, c, np.zeros(M.shape[1:-1] if not scalar else (2, blocks)), scalar)
        if not scalar:  # the position's entries: mean x and Var x
            mean, cov = mean[..., 0], cov[..., 0]
        h = problem.eigenvalues
        loss = 0.5 * (h[0] * (mean[:, 0] ** 2 + cov[:, 0]) + h[1] * (mean[:, 1] ** 2 + cov[:, 1]))
        loss = from_blocks(loss, steps)
    return np.concatenate([[start], np.where(np.isnan(loss), np.inf, loss)])


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


def noise_floor(problem: NoisyQuadratic, lr: float, optimizer: SGD | None = None) -> float:
    """The stationary expected loss at a constant rate; ``inf`` if the rate is unstable.

    For SGD: ``Σ_i η c_i / (2B(2 − η h_i))``; with momentum, from the same covariance
    recursion. It grows with η and shrinks with the batch size B.
    """
    mean_w, cov_w = stationary_covariance(problem, lr, optimizer)
    if not np.all(np.isfinite(cov_w)):
        return math.inf
    d = mean_w - problem.minimizer
    H = problem.hessian
    return float(0.5 * (d @ H @ d + np.trace(H @ cov_w)))


def stability_bound(problem: NoisyQuadratic, optimizer: SGD | None = None) -> float:
    """The largest constant rate that does not diverge (exclusive).

    SGD: ``2 / h_max``. Heavy ball with momentum μ and dampening τ:
    ``2(1 + μ) / ((1 − τ) h_max)``. Nesterov: ``2(1 + μ) / ((1 + 2μ) h_max)``. Weight decay
    adds to every curvature. (From the Jury criterion on each direction's 2x2 update.)
    """
    optimizer = SGD() if optimizer is None else optimizer
    _require(problem, optimizer)
    h_max = max(problem.h) + optimizer.weight_decay
    mu, kappa = optimizer.momentum, 1 - optimizer.dampening
    if mu == 0:
        return 2 / h_max
    if optimizer.nesterov:
        return 2 * (1 + mu) / ((1 + mu + mu * kappa) * h_max)
    return 2 * (1 + mu) / (kappa * h_max)


def optimal_constant_lr(problem: NoisyQuadratic) -> float:
    """``2 / (h_min + h_max)``: the constant SGD rate that converges fastest without noise.

    It makes the slowest direction as fast as it can be: ``|1 − η h|`` is then equal,
    ``(κ − 1)/(κ + 1)``, along both directions.
    """
    if not isinstance(problem, NoisyQuadratic):
        raise ValueError(f"problem must be a NoisyQuadratic; got {type(problem).__name__}")
    return 2 / (min(problem.h) + max(problem.h))


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
