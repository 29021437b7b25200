r"""Learning-rate schedules: pure, vectorised maps from step to rate.

A schedule is made by a factory that checks its arguments once and returns a
:class:`Schedule`. Calling it on an integer array of steps returns a float64 array of
rates, computed with NumPy ``where``/``floor``/``searchsorted`` and no Python loop over
steps::

    >>> sched = exponential(0.1, decay_steps=1000, decay_rate=0.96, staircase=True)
    >>> sched(np.arange(3000))[[0, 999, 1000, 2000]].tolist()
    [0.1, 0.1, 0.096, 0.09216]

**Step counting.** Steps count from 0: ``lr(0)`` is the rate of the first update, as with
Keras' ``optimizer.iterations``, TensorFlow's ``global_step`` and PyTorch's
``last_epoch`` (after ``scheduler.step()`` has been called ``t`` times, torch's rate is
``lr(t)``).

**Exactness.** A factory that mirrors a framework function repeats that function's
arithmetic, operation for operation, so the two agree to float64 round-off. The
frameworks compute in their own precision: Keras and TensorFlow cast to the learning
rate's dtype (float32 for a Python float), PyTorch's schedulers are recursive Python
floats. Where frameworks disagree the difference is an explicit option or a separate
factory, never a silent choice:

* piecewise boundaries: :func:`piecewise_constant` ``inclusive=True`` (Keras) vs ``False``
  (optax, torch milestones);
* cosine past its horizon: :func:`cosine` holds the floor (Keras), :func:`cosine_annealing`
  rises again (torch);
* warmup-then-cosine length: Keras' ``cosine(..., warmup_steps=W)`` decays for
  ``decay_steps`` *after* the warmup; optax's ``warmup_cosine_decay_schedule`` counts the
  warmup inside ``decay_steps``, which is ``warmup(cosine(peak, decay_steps - W), W)``;
* one-cycle's peak: see :func:`one_cycle`.

Each schedule carries its ``name``, its ``params``, a ``latex`` formula of exactly what it
computes (with the current values), a one-line ``description`` and the framework function
it ``mirrors``.

**Layout.** One module a family, and this namespace holds them all, so every schedule a
student meets is ``lrcore.schedules.<name>``:

* :mod:`~lrcore.schedules.base` — the :class:`Schedule` object, step checks, LaTeX helpers;
* :mod:`~lrcore.schedules.lab` — constant and k/√t, the lab's own;
* :mod:`~lrcore.schedules.keras` — the Keras / TensorFlow mirrors;
* :mod:`~lrcore.schedules.pytorch` — the PyTorch mirrors;
* :mod:`~lrcore.schedules.compose` — warmup and join;
* :mod:`~lrcore.schedules.epochs` — per-epoch schedules, steps per epoch, batch-size scaling;
* :mod:`~lrcore.schedules.formula` — a schedule typed as a formula, or a pasted Keras ``def``
  (its sandbox and Keras semantics in :mod:`~lrcore.schedules.decay_function`, run over all
  epochs at once by :mod:`~lrcore.schedules.decay_vector`);
* :mod:`~lrcore.schedules.plateau` — reduce-on-plateau, the feedback schedule.

Each family module names itself in ``FAMILY``; the registry groups schedules by it.
"""


from lrcore.schedules.base import Schedule, as_steps, tex_number
from lrcore.schedules.compose import join, warmup
from lrcore.schedules.epochs import batch_size_scaled, per_epoch, steps_per_epoch
from lrcore.schedules.formula import formula
from lrcore.schedules.keras import (
    cosine,
    cosine_restarts,
    exponential,
    inverse_time,
    piecewise_constant,
    polynomial,
)
from lrcore.schedules.lab import constant, inverse_sqrt
from lrcore.schedules.plateau import ReduceLROnPlateau, reduce_on_plateau
from lrcore.schedules.pytorch import (
    cosine_annealing,
    cosine_warm_restarts,
    cyclic,
    linear,
    multi_step,
    one_cycle,
    step,
)

__all__ = [
    "Schedule",
    "as_steps",
    "tex_number",
    "constant",
    "exponential",
    "inverse_time",
    "inverse_sqrt",
    "piecewise_constant",
    "polynomial",
    "cosine",
    "cosine_restarts",
    "step",
    "multi_step",
    "linear",
    "cosine_annealing",
    "cosine_warm_restarts",
    "one_cycle",
    "cyclic",
    "warmup",
    "join",
    "per_epoch",
    "steps_per_epoch",
    "batch_size_scaled",
    "reduce_on_plateau",
    "ReduceLROnPlateau",
    "formula",
]
