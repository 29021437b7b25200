"""The registry the UI lists schedules from."""

import inspect
import json

import numpy as np
import pytest

from lrcore import registry as R
from lrcore.schedules import ReduceLROnPlateau, Schedule


@pytest.mark.parametrize("name", R.SCHEDULES)
def test_registry_parameters_are_exactly_the_factory_arguments(name):
    entry = R.SCHEDULES[name]
    arguments = list(inspect.signature(entry.factory).parameters)
    assert list(entry.param_names) == arguments  # every parameter reachable, in order


@pytest.mark.parametrize("name", R.SCHEDULES)
@pytest.mark.parametrize("horizon, rate", [(100, 0.1), (1000, 0.05), (100_000, 1.0), (12, 0.001)])
def test_every_default_builds_and_gives_finite_non_negative_rates(name, horizon, rate):
    spec = R.default_spec(name, horizon, rate)
    assert json.loads(json.dumps(spec)) == spec  # specs are plain JSON
    obj = R.build(spec)
    if isinstance(obj, ReduceLROnPlateau):
        assert obj.step(1.0) == pytest.approx(rate)
        return
    assert isinstance(obj, Schedule)
    lr = obj(np.arange(horizon + 1))
    assert np.all(np.isfinite(lr)) and np.all(lr >= 0)


@pytest.mark.parametrize("name", [n for n, e in R.SCHEDULES.items() if e.name not in ("piecewise_constant", "join", "per_epoch", "formula", "cyclic", "warmup")])
def test_default_starting_rate_is_the_chosen_rate(name):
    obj = R.build(R.default_spec(name, 1000, 0.07))
    first = obj.step(1.0) if isinstance(obj, ReduceLROnPlateau) else obj(0)
    if name == "one_cycle":
        first = obj(np.arange(1000)).max()
    assert first == pytest.approx(0.07)


def test_build_rejects_unknown_names_and_parameters():
    with pytest.raises(ValueError, match="schedule must be one of"):
        R.build({"name": "banana", "params": {}})
    with pytest.raises(ValueError, match="has no parameter 'decay'"):
        R.build({"name": "exponential", "params": {"decay": 3}})
    with pytest.raises(ValueError, match="^schedule must be a schedule of the step"):
        R.build({"name": "warmup", "params": {"schedule": R.default_spec("reduce_on_plateau"), "warmup_steps": 3}})


def test_build_passes_factory_errors_through():
    spec = R.default_spec("exponential")
    spec["params"]["decay_steps"] = 0
    with pytest.raises(ValueError, match="^decay_steps must be >= 1e-06"):
        R.build(spec)


def test_ui_ranges_admit_the_defaults():
    for entry in R.SCHEDULES.values():
        for p in entry.params:
            if p.kind in ("float", "int") and p.rate_fraction is None and p.horizon_fraction is None:
                assert p.low <= p.default <= p.high, (entry.name, p.name)


@pytest.mark.parametrize("horizon", [1, 2, 3, 4])
def test_defaults_build_even_for_the_tiniest_horizons(horizon):
    for name in R.SCHEDULES:
        R.build(R.default_spec(name, horizon))  # no ValueError
    assert R.default_spec("cosine", 1000)["params"]["warmup_steps"] == 0  # no warmup unless asked


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"name": "exponential", "params": {"initial_learning_rate": 0.1}}, "^decay_steps must be given"),
        ({"name": "exponential", "params": [1, 2]}, "^params must be a mapping"),
    ],
)
def test_incomplete_specs_are_value_errors(spec, message):
    with pytest.raises(ValueError, match=message):
        R.build(spec)
    with pytest.raises(ValueError, match="^schedule must be one of"):
        R.with_rate({"name": "nope"}, 0.1)
