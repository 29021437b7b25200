"""The race's lanes: the same noise for every lane, theory per lane, lane tokens."""

import numpy as np
import pytest

from lrcore import registry
from lrcore.optim import OptimizerSpec
from lrcore.race import Lane, RaceConfig, lane_labels, lane_tokens, parse_lanes, run_race

SETTINGS = dict(steps=300, runs=64, seed=11)


def lanes(*tokens):
    return tuple(Lane(registry.default(name, 300, 0.1), OptimizerSpec(opt)) for name, opt in tokens)


def test_two_identical_lanes_run_identically():
    result = run_race(RaceConfig(lanes=lanes(("exponential", "Adam"), ("exponential", "Adam")), **SETTINGS))
    np.testing.assert_array_equal(result[0].w, result[1].w)


@pytest.mark.parametrize("extra", [("cosine", "SGD"), ("step", "Adam"), ("constant", "momentum")])
def test_a_lanes_runs_do_not_change_when_another_lane_is_added(extra):
    base = lanes(("exponential", "SGD"), ("inverse_time", "RMSprop"))
    alone = run_race(RaceConfig(lanes=base, **SETTINGS))
    more = run_race(RaceConfig(lanes=base + lanes(extra), **SETTINGS))
    fewer = run_race(RaceConfig(lanes=base[1:], **SETTINGS))
    for k in range(2):
        np.testing.assert_array_equal(alone[k].w, more[k].w)
    np.testing.assert_array_equal(alone[1].w, fewer[0].w)


def test_lanes_of_different_optimizers_see_the_same_minibatch_noise():
    # SGD and momentum take the same first step from the same start (torch's buffer starts
    # at the gradient): only the same noise makes their first positions equal.
    result = run_race(RaceConfig(lanes=lanes(("constant", "SGD"), ("constant", "momentum")), **SETTINGS))
    np.testing.assert_array_equal(result[0].w[:, 1], result[1].w[:, 1])
    assert not np.allclose(result[0].w[:, 5], result[1].w[:, 5])


@pytest.mark.parametrize("opt", ["SGD", "momentum", "nesterov"])
def test_each_lanes_exact_theory_matches_its_monte_carlo_mean(opt):
    cfg = RaceConfig(lanes=lanes(("constant", opt), ("exponential", opt), ("inverse_sqrt", opt)), steps=400, runs=3000, seed=5)
    for lane in run_race(cfg):
        checkpoints = np.linspace(0, 400, 11).astype(int)[1:]
        mc = lane.loss[:, checkpoints]
        z = (mc.mean(axis=0) - lane.expected.total[checkpoints]) / (mc.std(axis=0, ddof=1) / np.sqrt(mc.shape[0]))
        assert np.all(np.abs(z) < 5), (lane.label, z)


def test_lane_tokens_round_trip_and_ignore_case_and_spaces():
    pairs = parse_lanes(" Exponential@adam , step ", "SGD")
    assert pairs == [("exponential", "Adam"), ("step", "SGD")]
    assert lane_tokens(pairs, "SGD") == "exponential@Adam,step"
    assert parse_lanes(lane_tokens(pairs)) == pairs


@pytest.mark.parametrize("text", ["", "banana", "exponential@sgdx", ",".join(["step"] * 7)])
def test_a_bad_lane_list_is_refused_by_name(text):
    with pytest.raises(ValueError, match="^lanes must") as err:
        parse_lanes(text)
    assert err.value.param == "lanes"


def test_a_race_holds_one_to_six_lanes():
    with pytest.raises(ValueError, match="^lanes must hold 1 to 6"):
        RaceConfig(lanes=lanes(*[("step", "SGD")] * 7))
    assert len(run_race(RaceConfig(lanes=lanes(("cosine", "SGD")), **SETTINGS))) == 1


def test_lane_names_pass_each_name_through_the_uis_translation():
    two = lanes(("exponential", "SGD"), ("exponential", "momentum"))
    assert lane_labels(two) == ["Exponential decay · SGD", "Exponential decay · Momentum"]  # lrcore's English
    assert lane_labels(two, lambda s: f"<{s}>") == ["<Exponential decay> · <SGD>", "<Exponential decay> · <Momentum>"]
