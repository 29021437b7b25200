"""The races' minibatch noise, drawn once per seed and reused: common random numbers.

A race's noise depends only on its seed and number of runs (the draw of update t does
not depend on how many steps are simulated, see :meth:`NoisyQuadratic.gradients`). So
when a teacher moves the rate slider, the new race sees exactly the draws of the last
one, and drawing them again is wasted work: a third of a default race's time.
:func:`standard_normal` keeps recent draws in a least-recently-used cache bounded in
bytes (shared by every session of the process, and safe across their threads); a draw
larger than :data:`MAX_ENTRY_BYTES` is not kept, and the simulator streams it from the
seed instead, which gives the same numbers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

__all__ = ["standard_normal", "MAX_BYTES", "MAX_ENTRY_BYTES", "clear"]

MAX_BYTES = 256 * 2**20  # all entries together
MAX_ENTRY_BYTES = 64 * 2**20  # 4 million runs x steps; 100k steps x 1000 runs (1.6 GB) is streamed instead

_cache: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
_lock = threading.Lock()


def standard_normal(seed: int, runs: int, steps: int) -> np.ndarray | None:
    """``rng(seed).standard_normal((steps, 2, runs))`` as ``(runs, steps, 2)`` (a read-only view).

    None when the draw is too large to keep: simulate from the seed then.
    """
    if steps * 2 * runs * 8 > MAX_ENTRY_BYTES:
        return None
    key = (seed, runs)
    with _lock:
        draws = _cache.get(key)
        if draws is not None and len(draws) >= steps:
            _cache.move_to_end(key)
            return draws[:steps].transpose(2, 0, 1)
    draws = np.random.default_rng(seed).standard_normal((steps, 2, runs))
    draws.flags.writeable = False
    with _lock:
        _cache[key] = draws
        _cache.move_to_end(key)
        while sum(a.nbytes for a in _cache.values()) > MAX_BYTES and len(_cache) > 1:
            _cache.popitem(last=False)
    return draws.transpose(2, 0, 1)


def clear() -> None:
    with _lock:
        _cache.clear()
