r"""The two problems the lab trains on, both 2-D quadratics so every step can be drawn.

:class:`NoisyQuadratic` is the noisy quadratic model: loss ``½ (w − w*)ᵀ H (w − w*)`` and a
minibatch gradient equal to the true gradient plus Gaussian noise of covariance ``C / B``,
``C = σ² I`` ("isotropic") or ``C = σ² H`` ("curvature", Zhang et al. 2019, where the noise
is largest along the steep direction, as for real minibatch gradients near a minimum).

:class:`LeastSquares` is a finite dataset: ``N`` examples, minibatches drawn without
replacement and reshuffled each epoch, loss = full-data mean squared error. Here a *step*
is one minibatch update and an *epoch* is ``ceil(N/B)`` steps, exactly as in Keras and
PyTorch: the global_step answer's question made concrete.

Both expose ``loss(w)`` for any array of points of shape ``(..., 2)``, ``minimizer``,
``hessian`` and ``start``; the simulator asks them for a gradient source.

:class:`QuarticBowl` (the warmup lab's) is a bowl that is steeper far from its minimum, so
its stability bound depends on where the run is; its noise is the noisy quadratic's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterator

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules import steps_per_epoch as _steps_per_epoch

__all__ = ["NoisyQuadratic", "LeastSquares", "QuarticBowl", "rotation"]

# A gradient source returns, for update t, the gradient at w. Both are coordinate-major
# and flat, shape (2, copies * runs) with the runs of each copy (schedule) contiguous: the
# simulator's layout, where every operation runs over one contiguous block.
GradientFn = Callable[[np.ndarray, int], np.ndarray]


def rotation(angle_degrees: float) -> np.ndarray:
    """The 2x2 rotation whose columns are the eigen-directions of H."""
    a = math.radians(angle_degrees)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


def _pair(name: str, value) -> np.ndarray:
    try:
        items = tuple(value)
    except TypeError:
        raise check.fail(name, N_("{name} must be a pair of numbers (x, y); got {value!r}"), value=value) from None
    if len(items) != 2:
        raise check.fail(name, N_("{name} must be a pair of numbers (x, y); got {value!r}"), value=value)
    return np.array([check.finite(f"{name}[{i}]", v) for i, v in enumerate(items)])


def _curvatures(h) -> tuple[float, float]:
    items = _pair("h", h)
    for i, v in enumerate(items):
        check.in_range(f"h[{i}]", v, 0.0, low_open=True)
    return float(items[0]), float(items[1])


class _Quadratic:
    """What both problems share: a quadratic bowl with a known minimum."""

    h: tuple[float, float]
    angle: float
    minimum: tuple[float, float]
    start: tuple[float, float]

    def _check_bowl(self) -> tuple[np.ndarray, np.ndarray]:
        """Check and normalise the shared fields; returns ``minimum`` and ``start`` as arrays."""
        object.__setattr__(self, "h", _curvatures(self.h))
        object.__setattr__(self, "angle", check.finite("angle", self.angle))
        minimum, start = _pair("minimum", self.minimum), _pair("start", self.start)
        object.__setattr__(self, "minimum", tuple(minimum))
        object.__setattr__(self, "start", tuple(start))
        return minimum, start

    def _setup(self, minimum: np.ndarray, start: np.ndarray, min_loss: float = 0.0) -> None:
        R = rotation(self.angle)
        h = np.asarray(self.h)
        object.__setattr__(self, "_R", R)
        object.__setattr__(self, "_H", R @ np.diag(h) @ R.T)
        object.__setattr__(self, "_min", minimum)
        object.__setattr__(self, "_start", start)
        object.__setattr__(self, "_min_loss", float(min_loss))

    @property
    def hessian(self) -> np.ndarray:
        return self._H.copy()

    @property
    def eigenvectors(self) -> np.ndarray:
        """Columns are the eigen-directions of ``hessian``, for ``eigenvalues`` in order."""
        return self._R.copy()

    @property
    def eigenvalues(self) -> np.ndarray:
        return np.asarray(self.h, dtype=np.float64)

    @property
    def minimizer(self) -> np.ndarray:
        return self._min.copy()

    @property
    def start_point(self) -> np.ndarray:
        return self._start.copy()

    @property
    def min_loss(self) -> float:
        """The loss at the minimizer (0 for the noisy quadratic, the residual MSE for data)."""
        return self._min_loss

    def level_sets(self, half: np.ndarray, levels: int = 9, points: int = 72) -> np.ndarray:
        """Contours of the loss around the minimum, in closed form: its level sets are ellipses.

        ``½ dᵀ H d = c`` is the ellipse with semi-axes ``sqrt(2c/h_i)`` along H's
        eigenvectors; levels are spaced geometrically down from the loss at the corner
        ``minimizer + half`` of a view. One ``(levels * (points + 1), 2)`` array with a NaN
        row after each ellipse, so it draws as a single line.
        """
        half = np.asarray(half, dtype=np.float64)
        corner = self.loss(self.minimizer + half) - self.min_loss
        c = corner * 0.45 ** np.arange(levels)
        theta = np.linspace(0, 2 * np.pi, points)
        circle = np.stack([np.cos(theta), np.sin(theta)])  # (2, points)
        axes = np.sqrt(2 * c[:, None] / self.eigenvalues[None])  # (levels, 2)
        rings = self.minimizer + np.einsum("ij,ljp->lpi", self._R, axes[:, :, None] * circle[None])
        gaps = np.full((levels, 1, 2), np.nan)
        return np.concatenate([rings, gaps], axis=1).reshape(-1, 2)

    def loss(self, w) -> np.ndarray:
        """The full loss at points of shape ``(..., 2)``."""
        w = np.asarray(w, dtype=np.float64)
        return self.loss_cm(np.moveaxis(w, -1, 0))

    def loss_cm(self, w: np.ndarray, out: np.ndarray | None = None, work: np.ndarray | None = None) -> np.ndarray:
        """The loss at coordinate-major points, shape ``(2, ...)`` (the simulator's layout).

        Written out as a quadratic form over long contiguous blocks, in place: ``out`` and
        ``work`` (shape ``(3, ...)``) let a caller reuse memory, because every fresh
        temporary of a long block costs page faults, several times the arithmetic.
        """
        (h00, h01), (_, h11) = self._H.tolist()
        m0, m1 = self._min.tolist()
        shape = w.shape[1:]
        work = np.empty((3,) + shape) if work is None else work
        out = np.empty(shape) if out is None else out
        d0 = np.subtract(w[0], m0, out=work[0, ...]) if m0 else w[0]
        d1 = np.subtract(w[1], m1, out=work[1, ...]) if m1 else w[1]
        # ½ dᵀ H d = d0 (h00/2 d0 + h01 d1) + h11/2 d1², skipping terms that are exactly 0
        np.multiply(d0, 0.5 * h00, out=out)
        if h01:
            out += np.multiply(d1, h01, out=work[2, ...])
        out *= d0
        np.multiply(d1, d1, out=work[2, ...])
        work[2, ...] *= 0.5 * h11
        out += work[2, ...]
        if self._min_loss:
            out += self._min_loss
        return out


class _QuadraticGradient:
    """``H w + c_t`` with ``c_t = L z_t - H w*``: the constant is folded into each noise
    block, which every copy (schedule) shares by broadcasting, so an update costs one
    matrix product and one addition."""

    __slots__ = ("H", "L", "isotropic", "H_w_star", "draws", "own_draws", "copies", "start", "c")

    def __init__(self, H, L, H_w_star, draws, copies, own_draws):
        self.H, self.L, self.draws, self.copies, self.own_draws = H, L, draws, copies, own_draws
        self.isotropic = L[0, 1] == 0 and L[0, 0] == L[1, 1]
        self.H_w_star = H_w_star.reshape(1, 2, 1)
        self.start, self.c = 0, np.empty((0, 2, 0))

    def __call__(self, w: np.ndarray, t: int) -> np.ndarray:
        offset = t - self.start
        if offset >= len(self.c):
            z = next(self.draws)  # (k, 2, runs); may be a reused buffer or the caller's noise
            if self.isotropic:  # scale in place when the draws are ours (never the caller's noise)
                c = np.multiply(z, self.L[0, 0], out=z if self.own_draws else None)
            else:
                c = np.matmul(self.L, z)
            c -= self.H_w_star
            self.start, offset = t, 0
            self.c = c[:, :, None, :]  # (k, 2, 1, runs): broadcast over the copies
        g = np.dot(self.H, w)
        g.reshape(2, self.copies, -1)[...] += self.c[offset]
        return g


@dataclass(frozen=True, eq=True)
class NoisyQuadratic(_Quadratic):
    """The noisy quadratic model in 2-D; ``angle`` in degrees rotates the bowl.

    ``NoisyQuadratic.from_condition(condition_number, h_max)`` sets the curvatures by condition number.
    """

    h: tuple[float, float] = (1.0, 10.0)
    angle: float = 0.0
    minimum: tuple[float, float] = (0.0, 0.0)
    start: tuple[float, float] = (3.0, 2.0)
    sigma: float = 1.0
    batch_size: int = 1
    noise: str = "isotropic"

    def __post_init__(self):
        minimum, start = self._check_bowl()
        object.__setattr__(self, "sigma", check.in_range("sigma", self.sigma, 0.0))
        object.__setattr__(self, "batch_size", check.integer("batch_size", self.batch_size, low=1))
        check.one_of("noise", self.noise, ("isotropic", "curvature"))
        self._setup(minimum, start)

    @classmethod
    def from_condition(cls, condition_number: float, h_max: float = 10.0, **kwargs) -> "NoisyQuadratic":
        """Curvatures ``(h_max / condition_number, h_max)``: the steep one fixes the stability bound."""
        ratio = check.in_range("condition_number", condition_number, 1.0)
        h_max = check.in_range("h_max", h_max, 0.0, low_open=True)
        return cls(h=(h_max / ratio, h_max), **kwargs)

    @property
    def noise_variances(self) -> np.ndarray:
        """Per-example gradient-noise variance along each eigen-direction (c_i; divide by B)."""
        return self.sigma**2 * (np.ones(2) if self.noise == "isotropic" else self.eigenvalues)

    @property
    def noise_factor(self) -> np.ndarray:
        """L with L Lᵀ = C / B: a standard normal z becomes the gradient noise z Lᵀ."""
        scale = self.sigma / math.sqrt(self.batch_size)
        if self.noise == "isotropic":
            return scale * np.eye(2)
        return scale * (self._R @ np.diag(np.sqrt(self.eigenvalues)) @ self._R.T)

    def standard_normals(
        self, runs: int, steps: int, seed: int, noise: np.ndarray | None = None, chunk: int = 512
    ) -> Iterator[np.ndarray]:
        """The standard normals behind the noise, ``(k, 2, runs)`` blocks of up to ``chunk`` steps.

        One stream, ``rng(seed).standard_normal((steps, 2, runs))``, drawn block by block
        into one reused buffer (so a block is valid until the next is drawn); or the given
        ``noise``, ``(runs, steps, 2)``, in the same order.
        """
        if noise is not None:
            noise = np.asarray(noise, dtype=np.float64)
            if noise.shape != (runs, steps, 2):
                raise check.fail("noise", N_("{name} must have shape (runs, steps, 2) = {shape}; got {got}"), shape=(runs, steps, 2), got=noise.shape)
            by_step = noise.transpose(1, 2, 0)  # (steps, 2, runs)
            return (by_step[i : i + chunk] for i in range(0, steps, chunk))
        rng = np.random.default_rng(seed)
        block = np.empty((min(chunk, steps), 2, runs))  # reused: no fresh pages per chunk
        return (rng.standard_normal(out=block[: min(chunk, steps - i)]) for i in range(0, steps, chunk))

    def gradients(
        self, runs: int, steps: int, seed: int, noise: np.ndarray | None = None, copies: int = 1, chunk: int = 512
    ) -> GradientFn:
        """The minibatch gradient at update t, ``H (w - w*) + L z_t``, coordinate-major.

        ``copies`` runs (one per schedule) share each draw: common random numbers.

        Standard normals are drawn as ``rng.standard_normal((steps, 2, runs))``, in chunks
        along the step axis (the same stream as one draw): the noise of update t does not
        depend on how many steps are simulated, and ``noise`` given as ``(runs, steps, 2)``
        reproduces a seed exactly when it is that draw, ``.transpose(2, 0, 1)``.
        """
        H, L = self._H, self.noise_factor
        draws = self.standard_normals(runs, steps, seed, noise, chunk)
        return _QuadraticGradient(H, L, H @ self._min, draws, copies, own_draws=noise is None)


@dataclass(frozen=True, eq=False)
class LeastSquares(_Quadratic):
    """Least squares on N examples in 2-D, ``y = x·w* + label_noise·ε``, minibatch SGD on MSE.

    The inputs are whitened and shaped so the Hessian of the full-data MSE is exactly
    ``R diag(h) Rᵀ``, matching a :class:`NoisyQuadratic` with the same ``h`` and ``angle``;
    the minimizer is the least-squares solution, not ``w*``, because the labels are noisy.
    """

    n_examples: int = 1200
    batch_size: int = 100
    drop_last: bool = False
    h: tuple[float, float] = (1.0, 10.0)
    angle: float = 0.0
    minimum: tuple[float, float] = (0.0, 0.0)
    start: tuple[float, float] = (3.0, 2.0)
    label_noise: float = 1.0
    seed: int = 0
    X: np.ndarray = field(init=False, repr=False)
    y: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        n = check.integer("n_examples", self.n_examples, low=3)
        b = check.integer("batch_size", self.batch_size, low=1)
        object.__setattr__(self, "n_examples", n)
        object.__setattr__(self, "batch_size", b)
        object.__setattr__(self, "drop_last", bool(self.drop_last))
        object.__setattr__(self, "steps_per_epoch", _steps_per_epoch(n, b, self.drop_last))
        w_true, start = self._check_bowl()
        object.__setattr__(self, "label_noise", check.in_range("label_noise", self.label_noise, 0.0))
        seed = check.integer("seed", self.seed, low=0)

        rng = np.random.default_rng(seed)
        z = rng.standard_normal((n, 2))
        z -= z.mean(axis=0)
        # Whiten so zᵀz/N = I exactly, then shape: 2 XᵀX / N = R diag(h) Rᵀ.
        evals, evecs = np.linalg.eigh(z.T @ z / n)
        z = z @ evecs @ np.diag(evals**-0.5) @ evecs.T
        R = rotation(self.angle)
        X = z @ (R @ np.diag(np.sqrt(np.asarray(self.h) / 2)) @ R.T)
        y = X @ w_true + self.label_noise * rng.standard_normal(n)
        w_ls = np.linalg.solve(X.T @ X, X.T @ y)
        residual = X @ w_ls - y
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        self._setup(w_ls, start, min_loss=float(np.mean(residual**2)))

    def full_loss(self, w) -> np.ndarray:
        """The MSE summed over the data, for checking ``loss`` (slow for many points)."""
        w = np.asarray(w, dtype=np.float64)
        return np.mean((w @ self.X.T - self.y) ** 2, axis=-1)

    def shuffles(self, runs: int, seed: int) -> Iterator[np.ndarray]:
        """Each epoch's example order, one permutation per run: arrays of shape (runs, N)."""
        rng = np.random.default_rng(seed)
        order = np.broadcast_to(np.arange(self.n_examples), (runs, self.n_examples))
        while True:
            yield rng.permuted(order, axis=1)

    def batches(self, runs: int, epochs: int, seed: int) -> Iterator[np.ndarray]:
        """The example indices of each update's minibatch, per run: (runs, batch) arrays.

        ``drop_last`` leaves the last ``N mod B`` examples of each shuffle unused.
        """
        b = self.batch_size
        for perm in islice(self.shuffles(runs, seed), epochs):
            for k in range(self.steps_per_epoch):
                yield perm[:, k * b : (k + 1) * b]

    def gradients(
        self, runs: int, steps: int, seed: int, noise: np.ndarray | None = None, copies: int = 1
    ) -> GradientFn:
        """The MSE gradient on update t's minibatch: (2/m) X_bᵀ (X_b w − y_b).

        ``copies`` runs (one per schedule) see the same minibatches: common random numbers.

        The minibatches are exactly :meth:`batches` for the same ``runs`` and ``seed``.
        """
        if noise is not None:
            raise check.fail("noise", N_("{name} must be None for LeastSquares: its noise is the choice of minibatch"))
        spe, b = self.steps_per_epoch, self.batch_size
        shuffles = self.shuffles(runs, seed)
        data = np.concatenate([self.X, self.y[:, None]], axis=1)  # (N, 3): one gather per epoch
        current = {"epoch": -1, "shuffled": data[None]}

        def gradient(w: np.ndarray, t: int) -> np.ndarray:
            epoch, k = divmod(t, spe)
            if epoch != current["epoch"]:
                current["epoch"], current["shuffled"] = epoch, data[next(shuffles)]  # (runs, N, 3)
            batch = current["shuffled"][:, k * b : (k + 1) * b]  # (runs, m, 3)
            Xb, yb = batch[..., :2], batch[..., 2]
            w = w.reshape(2, copies, runs)
            residual = np.einsum("rmi,isr->srm", Xb, w) - yb
            return ((2.0 / Xb.shape[1]) * np.einsum("rmi,srm->isr", Xb, residual)).reshape(2, -1)

        return gradient


@dataclass(frozen=True, eq=True)
class QuarticBowl(_Quadratic):
    r"""A bowl that is steeper far from its minimum than at it: the warmup lab's problem.

    Along each eigen-direction, with ``d = Rᵀ (w − w*)``, the loss is
    ``Σ_i ½ h_i d_i² (1 + ½ a d_i²)`` (``a = quartic``): gradient ``h_i d_i (1 + a d_i²)``,
    curvature ``h_i (1 + 3 a d_i²)``. At the minimum it is the noisy quadratic with the same
    ``h``; away from it every direction is steeper, so plain SGD's stability bound,
    ``2 / max_i h_i (1 + 3 a d_i²)`` (:meth:`local_bound`), shrinks with the distance. A rate
    below ``2 / h_max`` is then stable near the minimum and can still throw a run out from
    the start, where the steep direction is ``1 + 3 a d²`` times steeper (with the defaults,
    7 times: a bound of 0.029 against 0.2 at the minimum); a linear warmup keeps the rate
    small until the run has come close. ``quartic=0`` is the noisy quadratic exactly.

    The minibatch noise is the noisy quadratic's (``σ² I`` or ``σ² H`` over B, H the
    curvature at the minimum), from the same draws for the same seed. :meth:`gradients`
    follows the simulator's contract; ``hessian`` is the curvature at the minimum and
    :meth:`curvature` the curvature anywhere.
    """

    h: tuple[float, float] = (1.0, 10.0)
    angle: float = 0.0
    minimum: tuple[float, float] = (0.0, 0.0)
    start: tuple[float, float] = (3.0, 2.0)
    quartic: float = 0.5
    sigma: float = 1.0
    batch_size: int = 1
    noise: str = "isotropic"

    def __post_init__(self):
        # The quadratic part checks and normalises every shared field (and makes the noise).
        quadratic = NoisyQuadratic(self.h, self.angle, self.minimum, self.start, self.sigma, self.batch_size, self.noise)
        for name in ("h", "angle", "minimum", "start", "sigma", "batch_size"):
            object.__setattr__(self, name, getattr(quadratic, name))
        object.__setattr__(self, "quartic", check.in_range("quartic", self.quartic, 0.0))
        object.__setattr__(self, "_quadratic", quadratic)
        self._setup(quadratic.minimizer, quadratic.start_point)

    @property
    def noise_variances(self) -> np.ndarray:
        """Per-example gradient-noise variance along each eigen-direction (as the noisy quadratic's)."""
        return self._quadratic.noise_variances

    def _directions(self, w: np.ndarray) -> np.ndarray:
        """``d = Rᵀ (w − w*)`` for coordinate-major points ``(2, ...)``."""
        shift = w - self._min.reshape((2,) + (1,) * (w.ndim - 1))
        return np.tensordot(self._R.T, shift, axes=1)

    def loss_cm(self, w: np.ndarray, out: np.ndarray | None = None, work: np.ndarray | None = None) -> np.ndarray:
        """The loss at coordinate-major points ``(2, ...)``; ``out`` is filled when given (``work`` is unused)."""
        d2 = self._directions(np.asarray(w, dtype=np.float64)) ** 2
        h = np.asarray(self.h).reshape((2,) + (1,) * (d2.ndim - 1))
        value = (0.5 * h * d2 * (1 + 0.5 * self.quartic * d2)).sum(axis=0)
        if out is None:
            return value
        out[...] = value
        return out

    def curvature(self, w) -> np.ndarray:
        """The Hessian ``R diag(h_i (1 + 3 a d_i²)) Rᵀ`` at points ``(..., 2)``: shape ``(..., 2, 2)``."""
        d = self._directions(np.moveaxis(np.asarray(w, dtype=np.float64), -1, 0))
        h = np.asarray(self.h).reshape((2,) + (1,) * (d.ndim - 1))
        k = np.moveaxis(h * (1 + 3 * self.quartic * d * d), 0, -1)
        return np.einsum("ij,...j,kj->...ik", self._R, k, self._R)

    def local_bound(self, w) -> np.ndarray:
        """Plain SGD's stability bound where the run is: ``2 / max_i h_i (1 + 3 a d_i²)``, for points ``(..., 2)``."""
        d = self._directions(np.moveaxis(np.asarray(w, dtype=np.float64), -1, 0))
        h = np.asarray(self.h).reshape((2,) + (1,) * (d.ndim - 1))
        return 2 / np.max(h * (1 + 3 * self.quartic * d * d), axis=0)

    def gradients(
        self, runs: int, steps: int, seed: int, noise: np.ndarray | None = None, copies: int = 1
    ) -> GradientFn:
        """The minibatch gradient at update t: ``R (h d (1 + a d²)) + L z_t``, coordinate-major.

        The quadratic part and the noise are :meth:`NoisyQuadratic.gradients`' (same draws for
        the same seed, or from ``noise``); the cubic part ``R (h a d³)`` is added to it.
        """
        quadratic = self._quadratic.gradients(runs, steps, seed, noise, copies)
        R, ha = self._R, self.quartic * np.asarray(self.h)[:, None]
        rotated = self.angle % 360 != 0

        def gradient(w: np.ndarray, t: int) -> np.ndarray:
            g = quadratic(w, t)
            d = self._directions(w)
            cubic = ha * d * d * d
            g += R @ cubic if rotated else cubic
            return g

        return gradient

    def level_sets(self, half: np.ndarray, levels: int = 9, points: int = 72) -> np.ndarray:
        """Contours of the loss around the minimum, in closed form, as :meth:`_Quadratic.level_sets`.

        On the level ``c`` take ``g_1(d_1) = c cos²θ`` and ``g_2(d_2) = c sin²θ`` with
        ``g(d) = ½ h d² (1 + ½ a d²)``; ``g(d) = y`` has ``d² = (√(1 + 4 a y / h) − 1) / a``.
        """
        half = np.asarray(half, dtype=np.float64)
        corner = self.loss(self.minimizer + half) - self.min_loss
        c = corner * 0.45 ** np.arange(levels)
        theta = np.linspace(0, 2 * np.pi, points)
        share = np.stack([np.cos(theta) ** 2, np.sin(theta) ** 2])  # (2, points)
        y = c[:, None, None] * share[None]  # (levels, 2, points)
        h = np.asarray(self.h)[None, :, None]
        if self.quartic:
            d2 = (np.sqrt(1 + 4 * self.quartic * y / h) - 1) / self.quartic
        else:
            d2 = 2 * y / h
        signs = np.stack([np.sign(np.cos(theta)), np.sign(np.sin(theta))])
        d = signs[None] * np.sqrt(d2)
        rings = self.minimizer + np.einsum("ij,ljp->lpi", self._R, d)
        gaps = np.full((levels, 1, 2), np.nan)
        return np.concatenate([rings, gaps], axis=1).reshape(-1, 2)
