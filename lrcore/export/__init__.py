"""Export a schedule as framework code: PyTorch, Keras 3, TensorFlow 1 style, optax.

``code(schedule, framework)`` returns a complete script as text (imports, a placeholder
model, the optimizer, the schedule with the exact numbers of the lrcore object, and the
training loop or ``fit`` under ``if __name__ == "__main__":``, so importing it builds the
objects and trains nothing). The script never mentions lrcore: it is plain framework code.

Conventions the tests rely on:

* PyTorch: module-level ``model``, ``optimizer``, ``scheduler``. The class that matches the
  schedule exactly (``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``LinearLR``,
  ``PolynomialLR``, ``CosineAnnealingLR``, ``CosineAnnealingWarmRestarts``, ``OneCycleLR``,
  ``CyclicLR``, ``SequentialLR``, ``ReduceLROnPlateau``), else ``LambdaLR`` with the formula
  written out. Stepped once per update (``# step the scheduler after every
  optimizer.step()``) or, for a schedule of the epoch, once per epoch with
  ``STEPS_PER_EPOCH`` defined. :func:`torch_scheduler` executes the same lines on a live
  optimizer, so a page drives exactly the exported scheduler.
* Keras: module-level ``lr_schedule``, a ``LearningRateSchedule`` for every per-step
  schedule (Keras' own class where one matches, else a subclass with the formula in
  ``keras.ops``), a function of the epoch for ``LearningRateScheduler`` for per-epoch ones.
* TF1: ``tf.compat.v1.train.*_decay`` with ``global_step`` passed to ``minimize``.
* optax: the matching optax schedule, ``optax.join_schedules``, or a function of the count.

A schedule a framework cannot express raises :class:`~lrcore.ParameterError` saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.export import keras as _keras
from lrcore.export import optax as _optax
from lrcore.export import pytorch as _pytorch
from lrcore.export import tf1 as _tf1
from lrcore.schedules import ReduceLROnPlateau, Schedule

__all__ = ["FRAMEWORKS", "LABELS", "code", "torch_scheduler", "TorchScheduler", "filename"]

FRAMEWORKS = ("pytorch", "keras", "tf1", "optax")
LABELS = {"pytorch": "PyTorch", "keras": "Keras 3", "tf1": "TensorFlow 1", "optax": "optax"}
DEFAULT_STEPS = 1000


def _title(schedule: Schedule | ReduceLROnPlateau) -> str:
    return f"Learning-rate schedule: {schedule!r}".replace('"""', "'''")


def code(schedule: Schedule | ReduceLROnPlateau, framework: str, steps: int = DEFAULT_STEPS) -> str:
    """The schedule as a runnable script for ``framework`` ("pytorch", "keras", "tf1", "optax").

    ``steps`` is the length of the training loop (the horizon on screen). Raises
    ``ParameterError`` for an unknown framework or a schedule the framework cannot express.
    """
    if not isinstance(schedule, (Schedule, ReduceLROnPlateau)):
        raise check.fail("schedule", N_("{name} must be an lrcore schedule; got {value!r}"), value=schedule)
    framework = check.one_of("framework", framework, FRAMEWORKS)
    steps = check.integer("steps", steps, low=1)
    title = _title(schedule)
    if framework == "pytorch":
        return _pytorch.snippet(schedule, title, steps)
    if framework == "keras":
        spe = schedule.params.get("steps_per_epoch", 12) if isinstance(schedule, Schedule) else 12
        return _keras.snippet(schedule, title, steps, spe)
    if framework == "tf1":
        return _tf1.snippet(schedule, title, steps)
    return _optax.snippet(schedule, title, steps)


def filename(schedule: Schedule | ReduceLROnPlateau, framework: str) -> str:
    return f"lr_{schedule.name}_{framework}.py"


@dataclass(frozen=True)
class TorchScheduler:
    """The exported torch scheduler, and how to step it. Unpacks as ``(scheduler, per_epoch)``."""

    scheduler: Any
    per_epoch: bool
    steps_per_epoch: int | None  # with per_epoch: updates between two scheduler.step() calls
    closed_loop: bool  # ReduceLROnPlateau: scheduler.step(loss)
    max_steps: int | None  # OneCycleLR: scheduler.step() may be called at most this often

    def __iter__(self):
        return iter((self.scheduler, self.per_epoch))


def torch_scheduler(schedule: Schedule | ReduceLROnPlateau, optimizer: Any) -> TorchScheduler:
    """The torch scheduler the PyTorch snippet builds, on ``optimizer`` (its rate is set to the snippet's).

    The snippet's own lines are executed, so text and object come from one description.
    """
    scheduler, plan = _pytorch.build(schedule, optimizer)
    return TorchScheduler(scheduler, plan.per_epoch, plan.steps_per_epoch, plan.closed_loop, plan.max_steps)
