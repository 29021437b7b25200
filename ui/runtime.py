"""Process-wide settings for serving a class from one small machine."""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> None:
    """Move everything imported so far out of the garbage collector's sight, once.

    Streamlit, Plotly and NumPy leave hundreds of thousands of long-lived objects; every
    full collection walks them all, 90-170 ms per slider press on this project's server
    (measured with benchmarks/profile_ui.py). Frozen, they are never scanned again, and
    a collection only walks what the pages made since.
    """
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True
