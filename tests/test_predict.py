"""Predictions judged against a race's numbers (lrcore.predict), and the verdict's words."""

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lrcore import predict
from lrcore.race import RaceConfig, duel, run_race
from ui import words

LABELS = ["Constant rate", "Exponential decay"]


def test_lowest_is_the_lane_with_the_smallest_final_loss():
    v = predict.judge("lowest", "Exponential decay", labels=LABELS, finals=[0.07, 0.001], shares=[0, 0])
    assert v.right and v.truth == "Exponential decay" and v.lane == 1
    v = predict.judge("lowest", "Constant rate", labels=LABELS, finals=[0.07, 0.001], shares=[0, 0])
    assert not v.right


def test_a_diverged_lane_never_ends_lowest():
    v = predict.judge("lowest", "Constant rate", labels=LABELS, finals=[math.inf, 5.0], shares=[1.0, 0.0])
    assert v.truth == "Exponential decay"
    v = predict.judge("lowest", "Constant rate", labels=LABELS, finals=[math.nan, 5.0], shares=[1.0, 0.0])
    assert v.truth == "Exponential decay"


@pytest.mark.parametrize("share, answer, right", [(0.9, True, True), (0.9, False, False), (0.5, True, False), (0.18, False, True), (0.0, True, False)])
def test_diverges_means_more_than_half_of_the_runs(share, answer, right):
    v = predict.judge("diverges", answer, labels=LABELS, finals=[1, 1], shares=[share, 0], lane=0)
    assert v.right is right
    assert v.truth is (share > predict.DIVERGED_SHARE)


@given(st.floats(1e-8, 1e3), st.floats(0.1, 10))
def test_settles_is_right_within_the_factor(final, ratio):
    margin = abs(abs(np.log(ratio)) - np.log(predict.SETTLE_FACTOR))
    assume(margin > 1e-9)  # not on the boundary, where round-off decides
    v = predict.judge("settles", final * ratio, labels=LABELS, finals=[final, 1], shares=[0, 0])
    assert v.right == (abs(np.log(ratio)) < np.log(predict.SETTLE_FACTOR))


@pytest.mark.parametrize(
    "kind, answer, field",
    [("lowest", "Adam", "answer"), ("diverges", "yes", "answer"), ("settles", -1.0, "answer"), ("guess", 1, "kind")],
)
def test_bad_answers_name_the_parameter(kind, answer, field):
    with pytest.raises(ValueError, match=field):
        predict.judge(kind, answer, labels=LABELS, finals=[1, 1], shares=[0, 0])


def test_a_real_race_is_judged_by_its_numbers_and_the_verdict_says_them():
    cfg = RaceConfig(lr=0.25, lanes=duel(), steps=200, runs=50)
    result = run_race(cfg)
    finals = [lane.final for lane in result.lanes]
    shares = [lane.diverged_share for lane in result.lanes]
    labels = [lane.label for lane in result.lanes]
    v = predict.judge("diverges", True, labels=labels, finals=finals, shares=shares, lane=0)
    assert v.truth == (shares[0] > 0.5)
    text = words.verdict(v, labels)
    assert words.share(shares[0]) in text or "none of its runs" in text
    v = predict.judge("lowest", labels[0], labels=labels, finals=finals, shares=shares)
    assert labels[v.lane] in words.verdict(v, labels)
    for f in finals:
        assert words.number(f) in words.verdict(v, labels)
