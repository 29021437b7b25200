"""Predictions a class makes before a race plays, judged against the race's numbers.

A lesson step can ask "Which lane ends lower?", "Will this rate diverge?" or "Where does
the loss settle?". The answer is never written in the lesson: :func:`judge` reads it off
the race that the step's settings produce, so a lesson stays right whatever its settings
(and whatever a teacher changes them to). A verdict carries the numbers it rests on; the
page words it (``ui/words.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_

__all__ = ["KINDS", "DIVERGED_SHARE", "SETTLE_FACTOR", "Verdict", "judge"]

KINDS = ("lowest", "diverges", "settles")
DIVERGED_SHARE = 0.5  # a lane "diverges" when more than half of its runs do
SETTLE_FACTOR = 2.0  # a guess of where the loss settles is right within this factor


@dataclass(frozen=True)
class Verdict:
    """Whether a prediction was right, and the numbers that decide it."""

    kind: str
    right: bool
    answer: str | float | bool  # what the class said
    truth: str | float | bool  # what the race did
    lane: int  # the lane the question is about (for "lowest": the lane that ended lowest)
    finals: tuple[float, ...]  # each lane's final loss (exact where the theory covers it)
    shares: tuple[float, ...]  # each lane's share of runs diverged
    floor: float | None = None  # "settles": the lane's noise floor, where the theory has one


def judge(
    kind: str,
    answer,
    *,
    labels: Sequence[str],
    finals: Sequence[float],
    shares: Sequence[float],
    floors: Sequence[float | None] | None = None,
    lane: int = 0,
) -> Verdict:
    """Judge ``answer`` to a question of ``kind`` against a race's lanes.

    ``lowest``: ``answer`` is a lane label; right if that lane's final loss is the lowest.
    ``diverges``: ``answer`` is a bool; right if it says whether more than half of lane
    ``lane``'s runs diverged. ``settles``: ``answer`` is a loss; right within a factor
    :data:`SETTLE_FACTOR` of lane ``lane``'s final loss.
    """
    check.one_of("kind", kind, KINDS)
    finals_ = tuple(float(f) for f in finals)
    shares_ = tuple(float(s) for s in shares)
    if not (len(labels) == len(finals_) == len(shares_)) or not labels:
        raise check.fail("labels", N_("{name}, {finals} and {shares} must be one per lane, at least one lane"), finals="finals", shares="shares")
    check.integer("lane", lane, low=0, high=len(labels) - 1)
    common = dict(kind=kind, answer=answer, finals=finals_, shares=shares_)
    if kind == "lowest":
        if answer not in labels:
            raise check.fail("answer", N_("{name} must be one of the lanes {lanes}; got {value!r}"), value=answer, choices=labels, lanes=", ".join(labels))
        # A diverged lane's final is inf; NaN (every run gone) counts as worst too.
        best = int(np.argmin(np.nan_to_num(np.asarray(finals_), nan=np.inf)))
        return Verdict(right=labels[best] == answer, truth=labels[best], lane=best, **common)
    if kind == "diverges":
        if not isinstance(answer, (bool, np.bool_)):
            raise check.fail("answer", N_("{name} must be yes or no (a bool); got {value!r}"), value=answer)
        truth = shares_[lane] > DIVERGED_SHARE
        return Verdict(right=bool(answer) == truth, truth=truth, lane=lane, **common)
    guess = check.in_range("answer", answer, low=0.0, low_open=True)
    final = finals_[lane]
    right = bool(np.isfinite(final) and final > 0 and abs(np.log(guess / final)) <= np.log(SETTLE_FACTOR))
    floor = None if floors is None else floors[lane]
    return Verdict(right=right, truth=final, lane=lane, floor=floor, **common)
