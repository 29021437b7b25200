"""Affine recursions ``y_{t+1} = A_t y_t + c_t``, evaluated without a Python loop over steps.

The exact theory (:mod:`lrcore.theory`) is such a recursion per eigen-direction, for the
mean and for the covariance of the optimizer's state. :func:`affine_scan` gives every
state of a time-varying recursion (a two-level blocked scan); :func:`affine_power` gives
the state after ``n`` steps of a constant map, for many maps at once (binary powering).
Only products and sums: no division, so no underflow, exact to round-off.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["blocks_for", "to_blocks", "from_blocks", "affine_scan", "affine_power"]


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


def affine_power(A: np.ndarray, c: np.ndarray, y0: np.ndarray, n: int) -> np.ndarray:
    """``y_n`` of ``y_{t+1} = A y_t + c`` with a constant map, for a batch of maps.

    ``A`` is ``(..., d, d)``, ``c`` and ``y0`` are ``(..., d)``. The map is written as one
    augmented ``(d+1) x (d+1)`` matrix and raised to the ``n``-th power by squaring:
    about ``2 log2(n)`` batched matrix products, whatever ``n``.
    """
    d = A.shape[-1]
    aug = np.zeros(A.shape[:-2] + (d + 1, d + 1))
    aug[..., :d, :d] = A
    aug[..., :d, d] = c
    aug[..., d, d] = 1.0
    result = np.broadcast_to(np.eye(d + 1), aug.shape).copy()
    power = aug
    while n:
        if n & 1:
            result = result @ power
        n >>= 1
        if n:
            power = power @ power
    return (result[..., :d, :d] @ y0[..., None])[..., 0] + result[..., :d, d]
