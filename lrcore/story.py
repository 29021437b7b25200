"""What a race shows, as facts: each claim a small frozen value, nothing about wording.

:func:`claims` reads a :class:`~lrcore.race.RaceResult` and returns the claims its numbers
support, in the order a story tells them. A page turns each into a sentence with one
template per kind (``ui/words.py``); ``tests/test_story.py`` sweeps optimizers, schedules
and regimes and checks every claim against the race's arrays. A claim names lanes by
index and carries the numbers it states, so a sentence cannot say more than the claim.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lrcore import theory
from lrcore.race import LaneResult, RaceResult

__all__ = [
    "Claim",
    "NoTheory",
    "Feedback",
    "Scaled",
    "Diverged",
    "AtFloor",
    "NoFloor",
    "Measured",
    "RisesFirst",
    "AboveBound",
    "Final",
    "Lower",
    "Similar",
    "Cause",
    "claims",
    "SIMILAR",
    "REACHED",
]

SIMILAR = 1.5  # finals within this factor of each other are "about the same"
REACHED = 1.1  # a constant lane within 10% of its floor has reached it


class Claim:
    """A fact the race's numbers support."""


@dataclass(frozen=True)
class NoTheory(Claim):
    """These optimizers have no exact theory: their numbers are measured."""

    optimizers: tuple[str, ...]
    runs: int


@dataclass(frozen=True)
class Feedback(Claim):
    """A feedback lane (reduce-on-plateau) reacts to the noisy loss: no closed form, measured."""

    lane: int


@dataclass(frozen=True)
class Scaled(Claim):
    """The k/√B rule (k = 1) set every lane's rate: ``lr = lr0 / √B``."""

    lr0: float
    batch_size: int
    lr: float


@dataclass(frozen=True)
class Diverged(Claim):
    """``share`` of the lane's runs diverged, the first at ``first_step``.

    ``max_rate`` and ``bound`` say whether its rate went above the optimizer's stability
    bound (``bound`` is None without theory).
    """

    lane: int
    share: float
    first_step: int
    max_rate: float
    bound: float | None


@dataclass(frozen=True)
class AtFloor(Claim):
    """A constant lane's exact expected loss at the end, against its noise floor."""

    lane: int
    rate: float
    floor: float
    final: float  # exact E[loss] at the last step
    reached: bool  # final <= REACHED * floor


@dataclass(frozen=True)
class NoFloor(Claim):
    """Without gradient noise a constant lane has no floor: it converges all the way."""

    lane: int
    final: float


@dataclass(frozen=True)
class Measured(Claim):
    """Where the theory is silent: the surviving runs' final mean loss and 10-90% band."""

    lane: int
    final: float
    low: float
    high: float
    runs: int


@dataclass(frozen=True)
class RisesFirst(Claim):
    """The lane's rate starts low and climbs: from ``start`` at step 0 to ``peak`` at ``peak_step``."""

    lane: int
    start: float
    peak: float
    peak_step: int


@dataclass(frozen=True)
class AboveBound(Claim):
    """The lane's rate exceeded the stability bound from ``first_step`` on (for ``steps`` updates)."""

    lane: int
    first_step: int
    steps: int
    max_rate: float
    bound: float
    diverged: bool


@dataclass(frozen=True)
class Final(Claim):
    """Where a lane with survivors ends: exact E[loss] or the survivors' measured mean.

    Every lane of a race is compared on one basis (``exact`` for all or for none).
    """

    lane: int
    value: float
    exact: bool


@dataclass(frozen=True)
class Lower(Claim):
    """Lane ``lower`` ends ``ratio`` times lower than lane ``higher`` (ratio >= SIMILAR)."""

    lower: int
    higher: int
    ratio: float
    lower_final: float
    higher_final: float
    exact: bool  # compared by exact expectations (else by measured means)
    lower_last_rate: float  # each lane's rate at its last update
    higher_last_rate: float


@dataclass(frozen=True)
class Similar(Claim):
    """Two lanes end within a factor SIMILAR of each other."""

    first: int
    second: int
    first_final: float
    second_final: float
    exact: bool


@dataclass(frozen=True)
class Cause(Claim):
    """What most of a lane's final loss is: ``"distance"`` still to travel, or ``"noise"``."""

    lane: int
    part: str
    share: float  # that part's share of the final loss
    exact: bool


def _alive(lane: LaneResult) -> bool:
    return lane.diverged_share < 1


def _rises_first(k: int, lane: LaneResult) -> RisesFirst | None:
    lr = lane.lr
    if len(lr) < 2 or not lr[1] > lr[0]:
        return None
    falls = np.flatnonzero(np.diff(lr) <= 0)
    peak = int(falls[0]) if falls.size else len(lr) - 1
    return RisesFirst(k, float(lr[0]), float(lr[peak]), peak)


def _above_bound(k: int, lane: LaneResult) -> AboveBound | None:
    if lane.bound is None:
        return None
    above = np.flatnonzero(lane.lr >= lane.bound)
    if not above.size:
        return None
    return AboveBound(k, int(above[0]), int(above.size), float(lane.lr.max()), lane.bound, lane.diverged_share > 0)


def _lane_claims(k: int, lane: LaneResult, sigma: float) -> list[Claim]:
    out: list[Claim] = []
    if lane.diverged_share > 0:
        out.append(Diverged(k, lane.diverged_share, lane.first_divergence, float(lane.lr.max()), lane.bound))
    if not _alive(lane):
        return out
    if lane.has_theory and lane.constant and lane.diverged_share == 0:
        if sigma == 0:
            out.append(NoFloor(k, lane.final_expected))
        elif lane.floor is not None and np.isfinite(lane.floor):
            out.append(AtFloor(k, float(lane.lr[0]), lane.floor, lane.final_expected, lane.final_expected <= REACHED * lane.floor))
    if not lane.has_theory:
        low, high = lane.final_band
        out.append(Measured(k, lane.final_measured, low, high, int((~lane.diverged).sum())))
    return out


def _cause(k: int, lane: LaneResult) -> Cause | None:
    distance, noise = lane.final_parts()
    total = distance + noise
    if not total > 0 or not np.isfinite(total):
        return None
    part, value = ("distance", distance) if distance >= noise else ("noise", noise)
    return Cause(k, part, value / total, lane.has_theory)


def claims(result: RaceResult) -> list[Claim]:
    """Every claim the race supports, in story order."""
    cfg = result.config
    out: list[Claim] = []
    uncovered = [lane for lane in result.lanes if not theory.covers(lane.problem, lane.optimizer)]
    if uncovered:
        out.append(NoTheory(tuple(dict.fromkeys(lane.optimizer_name for lane in uncovered)), cfg.runs))
    for k, lane in enumerate(result.lanes):
        if not lane.has_theory and lane not in uncovered:
            out.append(Feedback(k))
    if cfg.scale_by_batch:
        out.append(Scaled(cfg.lr, cfg.batch_size, cfg.effective_lr))
    for k, lane in enumerate(result.lanes):
        out.extend(_lane_claims(k, lane, cfg.sigma))
        for extra in (_rises_first(k, lane), _above_bound(k, lane)):
            if extra is not None:
                out.append(extra)

    # Who ends lowest. Lanes are compared on one basis: exact expectations when the
    # theory covers them all, else the measured means of the surviving runs.
    alive = [k for k, lane in enumerate(result.lanes) if _alive(lane)]
    exact = all(result.lanes[k].has_theory for k in alive)

    def final(k: int) -> float:
        lane = result.lanes[k]
        return lane.final_expected if exact else lane.final_measured

    standing = sorted((k for k in alive if np.isfinite(final(k))), key=final)
    out.extend(Final(k, float(final(k)), exact) for k in standing)
    if len(standing) >= 2:
        best = standing[0]
        for k in standing[1:]:
            lo, hi = float(final(best)), float(final(k))
            ratio = hi / lo if lo > 0 else (1.0 if hi == 0 else np.inf)
            if ratio >= SIMILAR:
                last = float(result.lanes[best].lr[-1]), float(result.lanes[k].lr[-1])
                out.append(Lower(best, k, ratio, lo, hi, exact, *last))
            else:
                out.append(Similar(best, k, lo, hi, exact))
    for k in standing:
        cause = _cause(k, result.lanes[k])
        if cause is not None:
            out.append(cause)
    return out
