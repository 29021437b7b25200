"""The schedules a UI can offer, read from the factories themselves plus a small table.

Each entry's parameters (names, order, defaults, kinds and a choice's options) come from
its factory's signature and type hints, so they cannot drift from the code
(:mod:`~lrcore.registry.entries`). :mod:`~lrcore.registry.table` adds only what a
signature cannot say: the control's range, log scale and slider step, a help line, the
entry's label, defaults that scale with the plot, a UI default where the factory's would
show nothing (exponential's ``decay_rate``), and parameters this lab fixes
(reduce-on-plateau always watches a loss, so its ``mode`` is ``"min"``; inside a warmup
the inner schedule does not warm up again). A parameter name means the same everywhere
unless an entry says otherwise, so ``lr`` or ``gamma`` are described once, in
:data:`SHARED`.

A schedule is chosen by a :class:`Spec` (:mod:`~lrcore.registry.spec`), frozen and
hashable::

    Spec("warmup", (("schedule", Spec("cosine", ...)), ("warmup_steps", 100), ("start_lr", 0.0)))

whose :meth:`Spec.to_dict` is plain JSON, ``{"name": ..., "params": {...}}``. :func:`build`
turns a spec (or such a dict) into the object; the factory does all checking, so a bad
spec raises the factory's :class:`ParameterError`. :func:`default` makes one from the
defaults. Specs are what the dashboard caches on, writes into links and exports as code.
"""

from lrcore._checks import ParameterError
from lrcore.registry.entries import KINDS, SCHEDULES, Entry, Param
from lrcore.registry.spec import Spec, build, closed_loop, default, default_spec, freeze, thaw, with_rate
from lrcore.registry.table import PAGE_SETTINGS, SHARED

__all__ = [
    "Param",
    "Entry",
    "Spec",
    "ParameterError",
    "KINDS",
    "SCHEDULES",
    "SHARED",
    "PAGE_SETTINGS",
    "default",
    "build",
    "default_spec",
    "closed_loop",
    "with_rate",
    "freeze",
    "thaw",
]
