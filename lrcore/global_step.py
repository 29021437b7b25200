"""What is a step? The global_step answer's question, as numbers and as an experiment.

``tf.compat.v1.train.exponential_decay(lr, global_step, decay_steps, decay_rate)`` counts
*steps*: one minibatch update each. :func:`run` gives the answer's printed table (epoch,
step, global_step, examples processed, rate), what ``decay_steps`` means in epochs, and a
training run on a finite least-squares dataset that shows the pitfall: a ``global_step``
that is never incremented leaves the rate at its first value forever.
:func:`keras_example` is the answer's Keras model in numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrcore import optim
from lrcore._text import N_
from lrcore.problems import LeastSquares
from lrcore.schedules import constant, exponential, steps_per_epoch
from lrcore.simulate import simulate_many

__all__ = ["StepConfig", "StepResult", "run", "KerasExample", "keras_example"]


@dataclass(frozen=True)
class StepConfig:
    """The global_step answer's setting, and an experiment on a finite dataset."""

    n_examples: int = 1200
    batch_size: int = 100
    drop_last: bool = False
    initial_learning_rate: float = 1.0
    decay_steps: int = 100000
    decay_rate: float = 0.96
    staircase: bool = False
    forget: bool = False  # global_step never incremented
    table_epochs: int = 2
    lr: float = 0.1
    sim_epochs: int = 30
    sim_decay_epochs: int = 5  # the experiment halves its rate every this many epochs
    runs: int = 40
    seed: int = 0


@dataclass(frozen=True, eq=False)
class StepResult:
    config: StepConfig
    steps_per_epoch: int
    last_batch: int  # examples in the last minibatch of an epoch
    table: dict  # column name -> array, the answer's printed table
    decay_in_epochs: float
    sim_epochs: np.ndarray  # recorded steps, in epochs
    sim_excess: np.ndarray  # (2, n): mean excess loss with global_step incremented, and stuck
    sim_rate: np.ndarray  # (2, steps): rate per step
    sim_decay_steps: int

    @property
    def final_excess(self) -> np.ndarray:
        return self.sim_excess[:, -1]

    @property
    def stuck_ratio(self) -> float:
        """How many times further from the best loss the stuck counter ends."""
        stuck, moving = self.final_excess[1], self.final_excess[0]
        return float(stuck / moving) if moving > 0 else float("inf")


def run(cfg: StepConfig) -> StepResult:
    spe = steps_per_epoch(cfg.n_examples, cfg.batch_size, cfg.drop_last)
    last = cfg.batch_size if cfg.drop_last else cfg.n_examples - (spe - 1) * cfg.batch_size
    decay = exponential(cfg.initial_learning_rate, cfg.decay_steps, cfg.decay_rate, cfg.staircase)

    t = np.arange(cfg.table_epochs * spe)
    global_step = np.zeros_like(t) if cfg.forget else t
    in_epoch = t % spe
    table = {  # headers marked for the catalog: the page shows them translated
        N_("epoch"): t // spe + 1,
        N_("step in epoch"): in_epoch + 1,
        "global_step": global_step,
        N_("examples processed"): np.minimum((in_epoch + 1) * cfg.batch_size, cfg.n_examples),
        N_("learning rate"): decay(global_step),
    }

    problem = LeastSquares(cfg.n_examples, cfg.batch_size, cfg.drop_last, seed=cfg.seed)
    sim_decay = cfg.sim_decay_epochs * spe
    incremented = exponential(cfg.lr, sim_decay, 0.5, cfg.staircase)
    stuck = constant(float(incremented(0)))  # global_step stays 0: the rate of step 0, forever
    results = simulate_many(problem, optim.SGD(), [incremented, stuck], cfg.sim_epochs * spe, cfg.runs, cfg.seed)
    excess = np.stack([r.mean_loss() for r in results]) - problem.min_loss
    return StepResult(
        config=cfg,
        steps_per_epoch=spe,
        last_batch=last,
        table=table,
        decay_in_epochs=cfg.decay_steps / spe,
        sim_epochs=results[0].steps / spe,
        sim_excess=excess,
        sim_rate=np.stack([r.lr for r in results]),
        sim_decay_steps=sim_decay,
    )


@dataclass(frozen=True)
class KerasExample:
    """``ExponentialDecay(0.01, decay_steps, 0.96, staircase=True)`` under ``model.fit``."""

    n_examples: int
    batch_size: int
    epochs: int
    decay_steps: int
    steps_per_epoch: int
    total_steps: int  # optimizer.iterations at the end of training
    first_drop_epoch: int  # the (1-based) epoch in which update decay_steps falls
    drops: int  # how many times the staircase drops during training


def keras_example(n_examples: int = 1200, batch_size: int = 100, epochs: int = 100, decay_steps: int = 100000) -> KerasExample:
    """The answer's Keras example in numbers: Keras counts one iteration per batch.

    Update ``decay_steps`` (counted from 0) falls in epoch ``decay_steps // spe + 1``.
    """
    spe = steps_per_epoch(n_examples, batch_size)
    total = epochs * spe
    return KerasExample(n_examples, batch_size, epochs, decay_steps, spe, total, decay_steps // spe + 1, (total - 1) // decay_steps)
