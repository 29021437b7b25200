"""The lab's own schedules, which no framework ships as a class: constant and k/√t."""

from __future__ import annotations

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules.base import Schedule, group, over, product, rate_arg, steps_arg, template

__all__ = ["constant", "inverse_sqrt"]

FAMILY = "Lab"


def constant(learning_rate: float) -> Schedule:
    """A constant rate: the strategies note's first strategy, and the baseline of every race."""
    lr = rate_arg("learning_rate", learning_rate)
    return Schedule(
        "constant",
        {"learning_rate": lr},
        lambda s: np.full(s.shape, lr),
        template("<learning_rate>", {"learning_rate": r"\eta_0"}, {"learning_rate": lr}),
        N_("The same rate at every step: SGD keeps rattling around the minimum."),
    )


def inverse_sqrt(
    initial_learning_rate: float,
    k: float = 1.0,
    decay_steps: float = 1,
    offset: float = 1,
) -> Schedule:
    """``k * lr0 / sqrt(step / decay_steps + offset)``: the decay article's ``k/sqrt(epoch)``.

    The article's ``k / sqrt(epoch) * lr0`` is infinite at epoch 0; ``offset`` (default 1)
    shifts the count so the first update is defined: with ``offset=1`` the first rate is
    ``k * lr0``. No framework ships this schedule (it is Keras ``LearningRateScheduler``
    with a custom function), so it mirrors nothing.
    """
    lr0 = rate_arg("initial_learning_rate", initial_learning_rate)
    k = rate_arg("k", k)
    ds = steps_arg("decay_steps", decay_steps)
    offset = check.in_range("offset", offset, 0.0, low_open=True)

    def fn(s):
        return k * lr0 / np.sqrt(s.astype(np.float64) / ds + offset)

    params = {"initial_learning_rate": lr0, "k": k, "decay_steps": ds, "offset": offset}
    symbols = {"initial_learning_rate": r"\eta_0", "k": "k", "decay_steps": "T", "offset": "c"}

    def tex(t, numeric):
        top = product(numeric, ("<k>", k), ("<initial_learning_rate>", lr0))
        body = r"\frac{" + top + r"}{\sqrt{" + over(numeric, "decay_steps", ds) + " + <offset>}}"
        return template(body, symbols, params)(group(t), numeric)

    return Schedule(
        "inverse_sqrt",
        params,
        fn,
        tex,
        N_("The rate falls like k/√t: slower than 1/t, the classic rate for noisy SGD."),
    )

