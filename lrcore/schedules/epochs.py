"""Epochs and batches: a schedule of the epoch index, steps per epoch, a rate scaled by batch size."""

from __future__ import annotations

import math

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules.base import Schedule, group, rate_arg, schedule_arg, tex_number

__all__ = ["per_epoch", "steps_per_epoch", "batch_size_scaled"]

FAMILY = "Composition"


def per_epoch(schedule: Schedule, steps_per_epoch: int) -> Schedule:
    """``schedule(t // steps_per_epoch)``: a schedule of the epoch index, constant within an epoch.

    This is Keras ``LearningRateScheduler(fn)``, which calls ``fn(epoch)`` (0-based) at the
    start of each epoch: the decay article's ``DecayFunction``.
    """
    inner = schedule_arg("schedule", schedule)
    spe = check.integer("steps_per_epoch", steps_per_epoch, low=1)

    def tex(t, numeric):
        n = tex_number(spe) if numeric else "N"
        return inner.rhs(rf"\lfloor {group(t)}/{n} \rfloor", numeric)

    return Schedule(
        "per_epoch",
        {"schedule": inner, "steps_per_epoch": spe},
        lambda s: inner(s // spe),
        tex,
        N_("Change the rate only between epochs ({steps} steps each): {then}"),
        "keras.callbacks.LearningRateScheduler",
        {"steps": spe, "then": inner},
    )


def steps_per_epoch(n_examples: int, batch_size: int, drop_last: bool = False) -> int:
    """Updates per pass over the data: ``ceil(N / B)``, or ``floor`` with ``drop_last``.

    The global_step answer's example: 1200 examples at batch size 100 give 12 steps, so
    global_step 12 is the first update of the second epoch.
    """
    n = check.integer("n_examples", n_examples, low=1)
    b = check.integer("batch_size", batch_size, low=1)
    if drop_last and b > n:
        raise check.fail(
            "batch_size",
            N_("{name} must be <= n_examples when drop_last=True (else no batch is full); "
               "got {name}={value}, n_examples={high}"),
            code="range",
            value=b,
            high=n,
        )
    return n // b if drop_last else -(-n // b)


def batch_size_scaled(learning_rate: float, batch_size: int, k: float = 1.0) -> float:
    """The decay article's ``k / sqrt(mini_batch_size) * lr0``: a rate chosen by batch size.

    Not a schedule in time: it fixes the rate for a batch size, and a larger batch gets a
    smaller rate. (The square-root and linear scaling rules of practice go the other way:
    larger batches, larger rates; the batch-size lab compares them.) Its formula is
    ``batch_size_scaled.latex``.
    """
    lr = rate_arg("learning_rate", learning_rate)
    b = check.integer("batch_size", batch_size, low=1)
    k = rate_arg("k", k)
    return k / math.sqrt(b) * lr


batch_size_scaled.latex = r"\eta = \frac{k}{\sqrt{B}}\,\eta_0"
