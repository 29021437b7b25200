"""What the three labs show, as facts: small frozen claims read off their results.

As :mod:`lrcore.story` does for the race, each function here reads the labs' results
(:mod:`lrcore.batch`, :mod:`lrcore.warmup`, :mod:`lrcore.optimal`,
:mod:`lrcore.families`) and returns the claims their numbers support, in the order a page
tells them; ``ui/lab_words.py`` has one sentence template per kind, and
``tests/test_lab_story.py`` checks every claim against the arrays it came from. A claim
carries the numbers it states, so a sentence cannot say more than the claim.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lrcore.batch import BatchFloors, BatchSteps, CriticalBatch
from lrcore.families import FamilyFit
from lrcore.optimal import BoundExcursion, Improvement, InverseTimeRatio
from lrcore.simulate import SimulationResult
from lrcore.warmup import AdamWarmup, QuadraticWarmup, WarmupRace

__all__ = [
    "FloorFalls",
    "RuleCut",
    "PerfectScaling",
    "StopsHelping",
    "Critical",
    "ExamplesGrow",
    "NotReached",
    "batch_claims",
    "SameEnd",
    "BothDiverge",
    "BowlRescue",
    "AdamLane",
    "adam_lanes",
    "AdamSummary",
    "adam_summary",
    "warmup_quadratic_claims",
    "warmup_bowl_claims",
    "Score",
    "OptimumGain",
    "Excursion",
    "InverseTime",
    "Family",
    "best_claims",
    "DIMINISHING",
    "REACH",
    "SAME",
    "step_lengths",
]

DIMINISHING = 0.1  # doubling the batch "stops helping" once it saves less than this share of the steps
SAME = 0.01  # the quadratic's two expected final losses are "the same" within 1%
REACH = 0.01  # Adam's lanes: the first step whose mean loss is this share of the start


# --------------------------------------------------------------------------- batch size


@dataclass(frozen=True)
class FloorFalls:
    """At a fixed rate the floor falls with B: ``floor_last / floor_first = (b_last / b_first) ** slope``."""

    lr: float
    b_first: float
    b_last: float
    floor_first: float
    floor_last: float
    slope: float


@dataclass(frozen=True)
class RuleCut:
    """A growing rule's rate reaches the stability bound at ``cutoff`` (whole B; ``exact`` real B)."""

    rule: str
    cutoff: int
    exact: float
    bound: float
    shown: bool  # the cutoff lies inside the batch sizes drawn


@dataclass(frozen=True)
class PerfectScaling:
    """Doubling the smallest batch ``b`` cuts the steps from ``steps_b`` to ``steps_2b``."""

    b: float
    steps_b: int
    steps_2b: int


@dataclass(frozen=True)
class StopsHelping:
    """The first power-of-two ``b`` at which doubling it saves less than ``DIMINISHING`` of the steps."""

    b: float
    steps_b: int
    steps_2b: int

    @property
    def saving(self) -> float:
        return 1 - self.steps_2b / self.steps_b


@dataclass(frozen=True)
class Critical:
    """McCandlish et al.'s ``B_crit = E_min / S_min`` and the noise scale at the start and at the target."""

    b_crit: float
    s_min: float
    e_min: float
    noise_start: float
    noise_target: float


@dataclass(frozen=True)
class ExamplesGrow:
    """Examples (``B × steps``) at the smallest and the largest batch that reach the target."""

    b_first: float
    examples_first: float
    b_last: float
    examples_last: float


@dataclass(frozen=True)
class NotReached:
    """``count`` batch sizes never reach the target (under the schedule, within its horizon)."""

    count: int
    horizon: int | None


def _powers_of_two(b: np.ndarray) -> tuple[np.ndarray, dict[int, int]]:
    """Indices of the grid's powers of two whose double is on the grid too."""
    log = np.log2(b)
    whole = np.flatnonzero(np.isclose(log, np.round(log)))
    doubles = {round(float(log[i])): i for i in whole}
    return np.array([i for i in whole if round(float(log[i])) + 1 in doubles], dtype=int), doubles


def batch_claims(floors: BatchFloors, steps: BatchSteps, critical: CriticalBatch | None, horizon: int | None = None) -> tuple:
    """The batch lab's claims: the floor against B, where each rule stops, and the steps to the target."""
    out: list = []
    b = floors.batch_sizes
    fixed = floors.curves.get("fixed")
    if fixed is not None and np.isfinite(fixed.floors[[0, -1]]).all() and fixed.floors[0] > 0:
        slope = math.log(fixed.floors[-1] / fixed.floors[0]) / math.log(b[-1] / b[0])
        out.append(FloorFalls(floors.lr, float(b[0]), float(b[-1]), float(fixed.floors[0]), float(fixed.floors[-1]), slope))
    for name, curve in floors.curves.items():
        if curve.cutoff is not None:
            out.append(RuleCut(name, curve.cutoff, float(curve.cutoff_exact), floors.bound, bool(curve.cutoff <= b[-1])))

    s, sb = steps.steps, steps.batch_sizes
    reached = s >= 0
    if (~reached).any():
        out.append(NotReached(int((~reached).sum()), horizon))
    pairs, index = _powers_of_two(sb)
    ok = [i for i in pairs if reached[i] and reached[index[round(math.log2(sb[i])) + 1]] and s[i] > 0]
    if ok:
        i = ok[0]
        j = index[round(math.log2(sb[i])) + 1]
        out.append(PerfectScaling(float(sb[i]), int(s[i]), int(s[j])))
        for i in ok:
            j = index[round(math.log2(sb[i])) + 1]
            if 1 - s[j] / s[i] < DIMINISHING:
                out.append(StopsHelping(float(sb[i]), int(s[i]), int(s[j])))
                break
    if critical is not None:
        out.append(
            Critical(critical.b_crit, critical.s_min, critical.e_min, critical.noise_scale_start, critical.noise_scale_target)
        )
    if reached.sum() >= 2:
        first, last = np.flatnonzero(reached)[[0, -1]]
        e = steps.examples
        out.append(ExamplesGrow(float(sb[first]), float(e[first]), float(sb[last]), float(e[last])))
    return tuple(out)


# --------------------------------------------------------------------------- warmup


@dataclass(frozen=True)
class SameEnd:
    """On the noisy quadratic, exactly: both runs' expected losses at the end, and how often warmup's was lower."""

    lr: float
    bound: float
    final_without: float
    final_with: float
    lower_steps: int
    steps: int

    @property
    def same(self) -> bool:
        """Both end within ``SAME`` of each other: warmup's slower start has been made up."""
        return math.isclose(self.final_with, self.final_without, rel_tol=SAME)


@dataclass(frozen=True)
class BothDiverge:
    """At or above the bound, both runs diverge whatever the warmup (measured: the first step each)."""

    lr: float
    bound: float
    first_without: int | None
    first_with: int | None
    share_without: float
    share_with: float


@dataclass(frozen=True)
class BowlRescue:
    """On the bowl: a rate between the start's and the minimum's bound, with and without warmup."""

    lr: float
    bound_minimum: float
    bound_start: float
    warmup_steps: int
    share_without: float
    share_with: float
    first_without: int | None
    first_with: int | None
    shortest: int | None  # the fewest warmup steps that bring the noise-free run in


@dataclass(frozen=True)
class AdamLane:
    """One of Adam's lanes: its warmup, its largest early step, when it reaches ``REACH`` of the start, its end."""

    label: str
    warmup_steps: int
    largest_step: float  # the runs' mean step length, largest over the first `window` updates
    window: int
    reach_step: int | None
    final: float
    low: float
    high: float


@dataclass(frozen=True)
class AdamSummary:
    """Adam's lanes side by side: the no-warmup lane's largest early step over the rule's, divergence, the ends."""

    step_ratio: float  # largest early step without warmup / with the 2/(1 − β₂) warmup
    diverged: float  # the largest share of runs any lane lost
    lowest: str
    lowest_final: float
    highest: str
    highest_final: float

    @property
    def spread(self) -> float:
        return self.highest_final / self.lowest_final if self.lowest_final > 0 else math.inf


def step_lengths(result: SimulationResult, window: int) -> np.ndarray:
    """The runs' mean step length ``|w_{t+1} − w_t|`` for the first ``window`` updates."""
    d = np.diff(result.w[:, : window + 1], axis=1)
    with np.errstate(invalid="ignore"):
        return np.nanmean(np.linalg.norm(d, axis=-1), axis=0)


def _band(result: SimulationResult, at: int = -1) -> tuple[float, float, float]:
    loss = result.loss[:, at]
    loss = loss[np.isfinite(loss)]
    if not loss.size:
        return math.inf, math.inf, math.inf
    low, high = np.quantile(loss, [0.1, 0.9])
    return float(loss.mean()), float(low), float(high)


def warmup_quadratic_claims(exact: QuadraticWarmup, without: SimulationResult, with_warmup: SimulationResult) -> tuple:
    """The fixed quadratic: below the bound both end on the same floor; at or above it both diverge."""
    if exact.stable:
        return (
            SameEnd(
                exact.lr, exact.bound, float(exact.without[-1]), float(exact.with_warmup[-1]),
                exact.steps_lower_with_warmup, len(exact.without) - 1,
            ),
        )  # fmt: skip
    return (
        BothDiverge(
            exact.lr, exact.bound, without.first_divergence, with_warmup.first_divergence,
            float(without.diverged.mean()), float(with_warmup.diverged.mean()),
        ),
    )  # fmt: skip


def warmup_bowl_claims(race: WarmupRace, shortest: int | None) -> tuple:
    return (
        BowlRescue(
            race.lr, race.bound_at_minimum, race.bound_at_start, race.warmup_steps,
            race.diverged_without, race.diverged_with,
            race.without.first_divergence, race.with_warmup.first_divergence, shortest,
        ),
    )  # fmt: skip


def adam_lanes(result: AdamWarmup) -> tuple[AdamLane, ...]:
    """Each Adam lane's facts; the window for the largest step is the short warmup's length."""
    window = max(1, min(result.warmup_steps[2], result.results[0].w.shape[1] - 1))
    out = []
    for label, steps, sim in zip(result.labels, result.warmup_steps, result.results):
        mean = sim.mean_loss()
        below = np.flatnonzero(mean <= REACH * mean[0])
        final, low, high = _band(sim)
        out.append(
            AdamLane(
                label, int(steps), float(np.nanmax(step_lengths(sim, window))), window,
                int(sim.steps[below[0]]) if below.size else None, final, low, high,
            )
        )  # fmt: skip
    return tuple(out)


def adam_summary(result: AdamWarmup, lanes: tuple[AdamLane, ...]) -> AdamSummary:
    finals = [lane.final for lane in lanes]
    lo, hi = int(np.argmin(finals)), int(np.argmax(finals))
    ratio = lanes[0].largest_step / lanes[1].largest_step if lanes[1].largest_step > 0 else math.inf
    diverged = max(float(sim.diverged.mean()) for sim in result.results)
    return AdamSummary(ratio, diverged, lanes[lo].label, finals[lo], lanes[hi].label, finals[hi])


# --------------------------------------------------------------------------- the best schedule


@dataclass(frozen=True)
class Score:
    """A schedule's share of the possible improvement (see :class:`lrcore.optimal.Improvement`)."""

    label: str
    share: float
    final: float
    constant_loss: float
    optimal_loss: float


@dataclass(frozen=True)
class OptimumGain:
    """The best constant rate's and the optimum's expected final losses."""

    constant_rate: float
    constant_loss: float
    optimal_loss: float
    steps: int

    @property
    def ratio(self) -> float:
        return self.constant_loss / self.optimal_loss if self.optimal_loss > 0 else math.inf


@dataclass(frozen=True)
class Excursion:
    """The optimum's rates at or above the stability bound: how many steps, how far, and what the loss did."""

    count: int
    first: int
    last: int
    max_ratio: float
    bound: float
    start_loss: float
    peak_loss: float
    peak_step: int
    final_loss: float
    finite: bool


@dataclass(frozen=True)
class InverseTime:
    """``η_t · h_min (t + 1)`` over the middle of the horizon: 1 is time-based decay ``1/(h_min t)``."""

    low: float
    median: float
    high: float
    middle: tuple[int, int]
    last: float


@dataclass(frozen=True)
class Family:
    """The library family closest to the optimum, and how close: ``typical_factor`` = exp(√error)."""

    family: str
    error: float
    typical_factor: float
    runner_up: str
    runner_up_factor: float


def best_claims(
    steps: int,
    scores: list[tuple[str, Improvement]],
    excursion: BoundExcursion,
    ratio: InverseTimeRatio,
    fits: tuple[FamilyFit, ...],
) -> tuple:
    """The best-schedule lab's claims: each schedule's score, the optimum's gain, its excursion, its shape."""
    first = scores[0][1]
    out: list = [OptimumGain(first.constant_rate, first.constant_loss, first.optimal_loss, steps)]
    out += [Score(label, imp.share, imp.final_loss, imp.constant_loss, imp.optimal_loss) for label, imp in scores]
    if excursion.exceeds:
        out.append(
            Excursion(
                len(excursion.steps), int(excursion.steps[0]), int(excursion.steps[-1]), float(excursion.ratios.max()),
                excursion.bound, excursion.start_loss, excursion.peak_loss, excursion.peak_step,
                excursion.final_loss, excursion.finite,
            )
        )  # fmt: skip
    out.append(InverseTime(ratio.low, ratio.median, ratio.high, ratio.middle, float(ratio.ratio[-1])))
    if len(fits) >= 2:
        out.append(Family(fits[0].family, fits[0].error, fits[0].typical_factor, fits[1].family, fits[1].typical_factor))
    return tuple(out)
