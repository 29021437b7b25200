"""The decay race: a constant rate against a decayed one, on the same noise, with theory.

This is the lab's central demonstration (the decay article's story): with a constant rate
minibatch SGD keeps rattling around the minimum at its noise floor; a decayed rate
settles into it. :class:`RaceConfig` holds every setting (its defaults are the
dashboard's); :func:`run_race` returns everything a page draws.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from lrcore import _checks as check
from lrcore import registry, theory
from lrcore.optim import OPTIMIZERS, SGD, Optimizer
from lrcore.problems import NoisyQuadratic
from lrcore.schedules import ReduceLROnPlateau, Schedule, constant
from lrcore.simulate import simulate_many

__all__ = ["RaceConfig", "RaceResult", "run_race", "DEFAULT_DECAY", "MAX_POINTS"]

DEFAULT_DECAY = "exponential"
# Positions recorded per schedule (runs x recorded steps); longer races keep every k-th.
MAX_POINTS = 2_000_000
_ROUND = [m * 10**e for e in range(12) for m in (1, 2, 5)]


def _default_decay() -> str:
    return registry.freeze(registry.default_spec(DEFAULT_DECAY, 1000, 0.1))


@dataclass(frozen=True)
class RaceConfig:
    """Every setting of one race. Frozen and hashable: it is the cache key and the link.

    ``decay`` is a schedule spec as canonical JSON (:func:`lrcore.registry.freeze`); its
    rate parameters follow ``lr`` (:func:`lrcore.registry.with_rate`): most schedules then
    start at ``lr``, while one-cycle and cyclic peak at it and a warmup climbs to it.
    ``optimizer_params`` is JSON of torch-named hyper-parameters for ``optimizer``.
    """

    lr: float = 0.1
    decay: str = field(default_factory=_default_decay)
    optimizer: str = "SGD"
    optimizer_params: str = "{}"
    condition_number: float = 10.0
    h_max: float = 10.0
    angle: float = 0.0
    sigma: float = 1.0
    batch_size: int = 1
    noise: str = "isotropic"
    steps: int = 1000
    runs: int = 200
    seed: int = 0
    steps_per_epoch: int = 10  # how often reduce-on-plateau looks at the loss

    def problem(self) -> NoisyQuadratic:
        return NoisyQuadratic.from_condition(
            self.condition_number,
            self.h_max,
            angle=self.angle,
            sigma=self.sigma,
            batch_size=self.batch_size,
            noise=self.noise,
        )

    def make_optimizer(self) -> Optimizer:
        check.one_of("optimizer", self.optimizer, tuple(OPTIMIZERS))
        cls = OPTIMIZERS[self.optimizer]
        try:
            params = json.loads(self.optimizer_params)
        except (TypeError, json.JSONDecodeError):
            params = None
        if not isinstance(params, dict):
            raise ValueError(f"optimizer_params must be a JSON object; got {self.optimizer_params!r}")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(
                f"optimizer_params must name {cls.name}'s hyper-parameters ({', '.join(names)}); got {unknown[0]!r}"
            )
        if "betas" in params:
            params["betas"] = tuple(params["betas"])
        return cls(**params)

    def decay_spec(self) -> dict[str, Any]:
        return registry.with_rate(registry.thaw(self.decay), self.lr)


@dataclass(frozen=True, eq=False)
class RaceResult:
    """What a race page draws. Index 0 is the constant rate, 1 the decayed schedule."""

    config: RaceConfig
    problem: NoisyQuadratic
    optimizer: Optimizer
    decay: Schedule | ReduceLROnPlateau  # the decayed schedule, as simulated
    decay_label: str
    steps: np.ndarray  # recorded update counts
    lr: np.ndarray  # (2, n_steps) rate per update; the decayed row is a per-run mean for feedback schedules
    w: np.ndarray  # (2, runs, recorded, 2)
    loss: np.ndarray  # (2, runs, recorded)
    diverged_at: np.ndarray  # (2, runs), -1 if never
    expected: np.ndarray | None  # (2, n_steps + 1) exact E[loss], SGD family only
    noise_floor: float | None  # constant rate's stationary E[loss]
    stability_bound: float | None
    optimal_lr: float
    ellipse: np.ndarray  # constant rate's stationary 2-sigma ellipse, (points, 2)

    def mean_loss(self) -> np.ndarray:
        """Monte Carlo mean over the runs still alive at each step, ``(2, recorded)``."""
        alive = np.isfinite(self.loss)
        total = np.where(alive, self.loss, 0.0).sum(axis=1)
        count = alive.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):  # every run diverged: NaN
            return np.where(count > 0, total / count, np.nan)

    def band(self, low: float = 0.1, high: float = 0.9) -> np.ndarray:
        """Quantiles over runs, ``(2, 2, recorded)``: how far single runs stray.

        Diverged runs count as +inf (worse than any live run); the quantiles are actual
        run values (no interpolation), so the upper edge becomes inf once more than
        ``1 - high`` of the runs are gone.
        """
        return np.quantile(self.loss, [low, high], axis=1, method="inverted_cdf").transpose(1, 0, 2)

    def final_loss(self, fraction: float = 0.1) -> np.ndarray:
        """Mean loss over runs and the last ``fraction`` of steps (``inf`` if any diverged)."""
        tail = self.steps >= (1 - fraction) * self.steps[-1]
        return self.loss[:, :, tail].mean(axis=(1, 2))


def run_race(config: RaceConfig) -> RaceResult:
    """Simulate both schedules on common random numbers and attach the exact theory."""
    problem = config.problem()
    optimizer = config.make_optimizer()
    steps = check.integer("steps", config.steps, low=1)
    runs = check.integer("runs", config.runs, low=1)
    const = constant(config.lr)
    decay_spec = config.decay_spec()
    decayed = registry.build(decay_spec)
    # Record every k-th step on long races, k a round number so round steps are kept.
    needed = math.ceil(steps * runs / MAX_POINTS)
    record_every = next(k for k in _ROUND if k >= needed)
    sims = simulate_many(
        problem,
        optimizer,
        [const, decayed],
        steps,
        runs,
        config.seed,
        record_every=record_every,
        steps_per_epoch=config.steps_per_epoch,
    )
    lr = np.stack([s.lr if s.lr.ndim == 1 else s.lr.mean(axis=0) for s in sims])

    linear = isinstance(optimizer, SGD)
    expected = None
    if linear:
        rows = [theory.expected_loss(problem, optimizer, const, steps)]
        if not isinstance(decayed, ReduceLROnPlateau):
            rows.append(theory.expected_loss(problem, optimizer, decayed, steps))
        else:  # feedback: no closed form; keep the row shape with NaN
            rows.append(np.full(steps + 1, np.nan))
        expected = np.stack(rows)
    entry = registry.SCHEDULES[decay_spec["name"]]
    return RaceResult(
        config=config,
        problem=problem,
        optimizer=optimizer,
        decay=decayed,
        decay_label=entry.label,
        steps=sims[0].steps,
        lr=lr,
        w=np.stack([s.w for s in sims]),
        loss=np.stack([s.loss for s in sims]),
        diverged_at=np.stack([s.diverged_at for s in sims]),
        expected=expected,
        noise_floor=theory.noise_floor(problem, config.lr, optimizer) if linear else None,
        stability_bound=theory.stability_bound(problem, optimizer) if linear else None,
        optimal_lr=theory.optimal_constant_lr(problem),
        ellipse=theory.stationary_ellipse(problem, config.lr, optimizer) if linear else np.empty((0, 2)),
    )
