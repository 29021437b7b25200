"""The decay race: lanes of (schedule, optimizer) on the same problem and the same noise.

This is the lab's central demonstration (the decay article's story): with a constant rate
minibatch SGD keeps rattling around the minimum at its noise floor; a decayed rate
settles into it. A race has 1 to 6 :class:`Lane` s; lane k's run j sees exactly the same
minibatch noise as lane 1's run j (common random numbers), so lanes differ only by their
schedule and optimizer. :class:`RaceConfig` holds every setting (its defaults are the
dashboard's: constant against exponential decay, SGD); :func:`run_race` returns what a
page draws, with the exact theory beside every lane it covers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from lrcore import _checks as check
from lrcore import optim, registry, theory
from lrcore.optim import Optimizer, OptimizerSpec
from lrcore.noise import standard_normal
from lrcore.problems import NoisyQuadratic
from lrcore.registry import Spec
from lrcore.schedules import ReduceLROnPlateau, Schedule, batch_size_scaled
from lrcore.simulate import simulate_many

__all__ = ["Lane", "parse_lanes", "lane_tokens", "RaceConfig", "LaneResult", "RaceResult", "RaceMarks", "run_race", "lane_labels", "race_marks", "MAX_LANES"]

MAX_LANES = 6
# Positions recorded per lane (runs x recorded steps); longer races keep every k-th.
MAX_POINTS = 2_000_000
_ROUND = [m * 10**e for e in range(12) for m in (1, 2, 5)]


@dataclass(frozen=True)
class Lane:
    """One competitor: a schedule (its rates follow the race's rate) and an optimizer."""

    schedule: Spec
    optimizer: OptimizerSpec = field(default_factory=OptimizerSpec)

    def __post_init__(self):
        if isinstance(self.schedule, str):
            object.__setattr__(self, "schedule", registry.default(self.schedule))
        elif not isinstance(self.schedule, Spec):
            object.__setattr__(self, "schedule", Spec.from_dict(self.schedule))
        if isinstance(self.optimizer, str):
            object.__setattr__(self, "optimizer", OptimizerSpec(self.optimizer))
        # Its rates follow the race's rate, so they are kept at 1: equal lanes are equal
        # whatever rate they were made with (a cache keyed on the config then hits).
        object.__setattr__(self, "schedule", self.schedule.with_rate(1.0))

    def label(self, with_optimizer: bool = False, translate: Callable[[str], str] = str) -> str:
        """The lane's name: its schedule's, and its optimizer's when lanes differ by it.

        ``translate`` is the UI's catalog, applied to each name (lrcore itself never translates).
        """
        name = self.schedule.named(translate)
        return f"{name} · {translate(self.optimizer.name)}" if with_optimizer else name


def parse_lanes(text: str, optimizer: str = "SGD") -> list[tuple[str, str]]:
    """Lane tokens ``SCHEDULE`` or ``SCHEDULE@OPTIMIZER``, comma-separated, case-insensitive.

    ``"constant,inverse_time"`` and ``"exponential@SGD,exponential@adam"`` are lane lists; a
    bare schedule uses ``optimizer``. (In a URL a ``+`` reads as a space; spaces are
    ignored.) Returns ``(registry name, optimizer token)`` pairs; an unknown name, token or
    count raises ParameterError naming ``lanes``.
    """
    names = {n.lower(): n for n in registry.SCHEDULES}
    items = [t.strip() for t in str(text).split(",") if t.strip()]
    if not 1 <= len(items) <= MAX_LANES:
        raise check.fail("lanes", check.N_("{name} must list {low} to {high} lanes; got {count}"), low=1, high=MAX_LANES, count=len(items))
    out = []
    for item in items:
        name, _, token = (part.strip() for part in item.partition("@"))
        if name.lower() not in names:
            raise check.fail("lanes", check.N_("{name} must name schedules from the registry; got {got!r}"), choices=list(registry.SCHEDULES), got=name)
        try:
            opt = optim.preset(token or optimizer).token
        except check.ParameterError:
            raise check.fail("lanes", check.N_("{name} must name optimizers as {allowed}; got {got!r}"), allowed=", ".join(p.token for p in optim.PRESETS.values()), got=token) from None
        out.append((names[name.lower()], opt))
    return out


def lane_tokens(pairs: list[tuple[str, str]], optimizer: str | None = None) -> str:
    """The inverse of :func:`parse_lanes`; lanes with ``optimizer`` are written as bare names."""
    return ",".join(name if opt == optimizer else f"{name}@{opt}" for name, opt in pairs)


def duel(decay: str | Spec = "exponential", optimizer: str | OptimizerSpec = "SGD", steps: int = 1000, lr: float = 0.1):
    """The classic two lanes: a constant rate against ``decay``, both with ``optimizer``."""
    opt = OptimizerSpec(optimizer) if isinstance(optimizer, str) else optimizer
    spec = registry.default(decay, steps, lr) if isinstance(decay, str) else decay
    return (Lane(registry.default("constant", steps, lr), opt), Lane(spec, opt))


@dataclass(frozen=True)
class RaceConfig:
    """Every setting of one race. Frozen and hashable: it is the cache key and the link.

    Each lane's rate parameters follow ``lr`` (:meth:`lrcore.registry.Spec.with_rate`): most
    schedules then start at ``lr``, while one-cycle and cyclic peak at it and a warmup
    climbs to it. With ``scale_by_batch`` every lane uses the decay article's
    ``k/√B · lr`` (k = 1) instead of ``lr`` itself.
    """

    lr: float = 0.1
    lanes: tuple[Lane, ...] = field(default_factory=duel)
    condition_number: float = 10.0
    h_max: float = 10.0
    angle: float = 0.0
    sigma: float = 1.0
    batch_size: int = 1
    noise: str = "isotropic"
    steps: int = 1000
    runs: int = 200
    seed: int = 0
    steps_per_epoch: int = 12  # the texts' 1,200 examples in batches of 100; reduce-on-plateau looks once per epoch
    scale_by_batch: bool = False

    def __post_init__(self):
        lanes = tuple(self.lanes)
        if not 1 <= len(lanes) <= MAX_LANES:
            raise check.fail(
                "lanes", check.N_("{name} must hold {low} to {high} lanes; got {value}"), value=len(lanes), low=1, high=MAX_LANES
            )
        object.__setattr__(self, "lanes", tuple(lane if isinstance(lane, Lane) else Lane(*lane) for lane in lanes))

    @classmethod
    def duel(cls, decay: str | Spec = "exponential", optimizer: str | OptimizerSpec = "SGD", **settings: Any) -> "RaceConfig":
        """Constant against ``decay`` with one optimizer; defaults scaled to ``steps``."""
        steps = settings.get("steps", cls.steps)
        return cls(lanes=duel(decay, optimizer, steps, settings.get("lr", cls.lr)), **settings)

    @property
    def work(self) -> int:
        """Run-steps to simulate: lanes x runs x steps (what a race's time grows with)."""
        return len(self.lanes) * self.runs * self.steps

    @property
    def effective_lr(self) -> float:
        """The rate every lane starts from: ``lr``, or ``lr/√B`` under the k/√B rule."""
        return batch_size_scaled(self.lr, self.batch_size) if self.scale_by_batch else self.lr

    def problem(self) -> NoisyQuadratic:
        return NoisyQuadratic.from_condition(
            self.condition_number,
            self.h_max,
            angle=self.angle,
            sigma=self.sigma,
            batch_size=self.batch_size,
            noise=self.noise,
        )

    @property
    def optimizers(self) -> tuple[OptimizerSpec, ...]:
        """The lanes' optimizers, each once, in lane order."""
        return tuple(dict.fromkeys(lane.optimizer for lane in self.lanes))

    def lane_spec(self, k: int) -> Spec:
        """Lane k's schedule as it is simulated: its rates set from :attr:`effective_lr`."""
        return self.lanes[k].schedule.with_rate(self.effective_lr)


@dataclass(frozen=True, eq=False)
class LaneResult:
    """One lane's runs and, where the theory covers it, its exact expectation."""

    lane: Lane
    label: str
    optimizer: Optimizer
    schedule: Schedule | ReduceLROnPlateau
    steps: np.ndarray  # recorded update counts
    lr: np.ndarray  # (n_steps,) rate per update; the per-run mean for a feedback schedule
    w: np.ndarray  # (runs, recorded, 2)
    loss: np.ndarray  # (runs, recorded), inf once a run diverged
    diverged_at: np.ndarray  # (runs,), -1 if never
    expected: theory.LossParts | None  # (n_steps + 1,) each; None without theory
    bound: float | None  # the optimizer's stability bound
    floor: float | None  # the noise floor of the lane's last rate: where it would settle if the rate stayed
    ellipse: np.ndarray  # a constant lane's stationary 2-sigma cloud, (points, 2); else empty
    problem: NoisyQuadratic

    @property
    def runs(self) -> int:
        return self.loss.shape[0]

    @property
    def optimizer_name(self) -> str:
        """The optimizer as students know it ("Momentum"; ``optimizer.name`` is torch's class, "SGD")."""
        return self.lane.optimizer.name

    @property
    def has_theory(self) -> bool:
        return self.expected is not None

    @property
    def constant(self) -> bool:
        """Whether every update used the same rate."""
        return bool(np.all(self.lr == self.lr[0]))

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def diverged_share(self) -> float:
        return float(self.diverged.mean())

    @property
    def first_divergence(self) -> int | None:
        return int(self.diverged_at[self.diverged].min()) if self.diverged.any() else None

    def surviving_mean(self) -> np.ndarray:
        """Monte Carlo mean over the runs still alive at each recorded step (NaN if none).

        (:meth:`SimulationResult.mean_loss` averages every run, so it is inf once one diverged.)
        """
        alive = np.isfinite(self.loss)
        total = np.where(alive, self.loss, 0.0).sum(axis=0)
        count = alive.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / count, np.nan)

    def band(self, low: float = 0.1, high: float = 0.9, at: np.ndarray | None = None) -> np.ndarray:
        """Quantiles over runs, ``(2, len(at))`` at recorded indices ``at`` (default: all).

        Diverged runs count as +inf; the quantiles are actual run values (no
        interpolation). A quantile costs a partial sort per step, so callers that draw
        ask only for the steps they draw.
        """
        loss = self.loss if at is None else self.loss[:, at]
        return np.quantile(loss, [low, high], axis=0, method="inverted_cdf")

    @property
    def final_measured(self) -> float:
        """Mean loss of the surviving runs at the last step (NaN if none survived)."""
        return float(self.surviving_mean()[-1])

    @property
    def final_band(self) -> tuple[float, float]:
        low, high = self.band(at=np.array([-1]))[:, 0]
        return float(low), float(high)

    @property
    def final_expected(self) -> float | None:
        return float(self.expected.total[-1]) if self.expected is not None else None

    @property
    def final(self) -> float:
        """The lane's final loss: exact where the theory covers it, else measured."""
        return self.final_expected if self.expected is not None else self.final_measured

    def final_parts(self) -> tuple[float, float]:
        """``(distance, noise)`` of the final loss: exact, or measured from the surviving runs.

        Measured, the distance is the loss at the runs' mean final position.
        """
        if self.expected is not None:
            return float(self.expected.distance[-1]), float(self.expected.noise[-1])
        alive = ~self.diverged
        mean_w = self.w[alive, -1].mean(axis=0)
        distance = float(self.problem.loss(mean_w) - self.problem.min_loss)
        return distance, max(self.final_measured - distance, 0.0)


@dataclass(frozen=True, eq=False)
class RaceResult:
    config: RaceConfig
    problem: NoisyQuadratic
    lanes: tuple[LaneResult, ...]

    @property
    def with_optimizer(self) -> bool:
        """Whether lanes differ by optimizer (then their names say which)."""
        return len(self.config.optimizers) > 1

    @property
    def has_theory(self) -> bool:
        return any(lane.has_theory for lane in self.lanes)

    def __getitem__(self, k: int) -> LaneResult:
        return self.lanes[k]

    def __len__(self) -> int:
        return len(self.lanes)


@dataclass(frozen=True)
class RaceMarks:
    """The theory's marks for one optimizer's rate slider (None where the theory is silent)."""

    bound: float
    fastest: theory.RateInterval
    best: float  # the constant rate with the lowest exact E[loss] at the horizon


def race_marks(problem: NoisyQuadratic, optimizer: Optimizer, steps: int) -> RaceMarks | None:
    """Stability bound, fastest noise-free rates and best constant rate, or None without theory."""
    if not theory.covers(problem, optimizer):
        return None
    return RaceMarks(
        bound=theory.stability_bound(problem, optimizer),
        fastest=theory.fastest_rates(problem, optimizer),
        best=theory.best_constant_rate(problem, steps, optimizer),
    )


def lane_labels(lanes: Sequence[Lane], translate: Callable[[str], str] = str) -> list[str]:
    """Each lane's name as the race shows it: its schedule, and its optimizer when they differ
    (``translate``: as in :meth:`Lane.label`)."""
    with_optimizer = len({lane.optimizer for lane in lanes}) > 1
    return [lane.label(with_optimizer, translate) for lane in lanes]


def _record_every(steps: int, runs: int) -> int:
    """Every k-th step on long races, k a round number so round steps are kept."""
    needed = math.ceil(steps * runs / MAX_POINTS)
    return next(k for k in _ROUND if k >= needed)


def run_race(config: RaceConfig, progress: Callable[[float], None] | None = None) -> RaceResult:
    """Simulate every lane on common random numbers and attach the exact theory.

    ``progress``, if given, is called with the share of the simulation done (0 to 1) as
    it goes: a long race can say how far it is.
    """
    problem = config.problem()
    steps = check.integer("steps", config.steps, low=1)
    runs = check.integer("runs", config.runs, low=1)
    seed = check.integer("seed", config.seed, low=0)  # before NumPy draws from it: its refusal names no setting
    schedules = [config.lane_spec(k).build() for k in range(len(config.lanes))]
    # One draw of the noise serves every lane, and the next race with this seed; too
    # large to keep, each optimizer's lanes stream the same numbers from the seed.
    noise = standard_normal(seed, runs, steps)
    every = _record_every(steps, runs)
    sims: dict[int, Any] = {}
    optimizers = {spec: spec.build() for spec in config.optimizers}
    for g, (spec, optimizer) in enumerate(optimizers.items()):
        members = [k for k, lane in enumerate(config.lanes) if lane.optimizer == spec]
        report = None if progress is None else (lambda done, total, g=g: progress((g + done / total) / len(optimizers)))
        results = simulate_many(
            problem, optimizer, [schedules[k] for k in members], steps, runs, seed, noise,
            record_every=every, steps_per_epoch=config.steps_per_epoch, progress=report,
        )  # fmt: skip
        sims.update(zip(members, results))

    labels = lane_labels(config.lanes)
    lanes = []
    for k, lane in enumerate(config.lanes):
        sim, optimizer, schedule = sims[k], optimizers[lane.optimizer], schedules[k]
        lr = sim.lr if sim.lr.ndim == 1 else sim.lr.mean(axis=0)
        exact = theory.covers(problem, optimizer)
        expected = None
        if exact and isinstance(schedule, Schedule):
            expected = theory.expected_loss_parts(problem, optimizer, schedule, steps)
        last_rate = float(lr[-1])
        constant = bool(np.all(lr == lr[0]))
        floor = theory.noise_floor(problem, last_rate, optimizer) if exact and last_rate > 0 else None
        lanes.append(
            LaneResult(
                lane=lane,
                label=labels[k],
                optimizer=optimizer,
                schedule=schedule,
                steps=sim.steps,
                lr=lr,
                w=sim.w,
                loss=sim.loss,
                diverged_at=sim.diverged_at,
                expected=expected,
                bound=theory.stability_bound(problem, optimizer) if exact else None,
                floor=floor,
                ellipse=theory.stationary_ellipse(problem, last_rate, optimizer) if exact and constant and last_rate > 0 else np.empty((0, 2)),
                problem=problem,
            )
        )
    return RaceResult(config=config, problem=problem, lanes=tuple(lanes))


FEEDBACK_RUNS = 50


def feedback_rates(spec: Spec, horizon: int) -> np.ndarray:
    """A feedback schedule's rate when it drives SGD on the race's default problem.

    Reduce-on-plateau has no curve of its own: it depends on the loss it sees. Here it
    is fed the loss of the default noisy quadratic once per epoch (``RaceConfig``'s
    ``steps_per_epoch``), per run; the curve is the mean rate over ``FEEDBACK_RUNS`` runs.
    """
    lr = float(spec.build().lr)
    lanes = (Lane(spec, OptimizerSpec()),)
    return run_race(RaceConfig(lr=lr, lanes=lanes, steps=horizon, runs=FEEDBACK_RUNS)).lanes[0].lr
