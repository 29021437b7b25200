"""The registry the UI lists schedules from, and the frozen Spec that names a schedule."""

import inspect
import json

import numpy as np
import pytest

from lrcore import registry as R
from lrcore.registry import ParameterError, Spec
from lrcore.registry.table import TABLE
from lrcore.schedules import ReduceLROnPlateau, Schedule

# --------------------------------------------------------------------------- read from the factories


@pytest.mark.parametrize("name", R.SCHEDULES)
def test_every_factory_argument_is_offered_or_fixed_in_signature_order(name):
    entry = R.SCHEDULES[name]
    arguments = list(inspect.signature(entry.factory).parameters)
    offered = [a for a in arguments if a not in dict(entry.fixed)]
    assert list(entry.param_names) == offered


def test_the_table_names_only_real_parameters():
    # A misspelt key in the table would silently describe nothing.
    for factory, _, _, facts in TABLE:
        arguments = set(inspect.signature(factory).parameters)
        assert set(facts) <= arguments, (factory.__name__, set(facts) - arguments)
    used = {a for factory, *_ in TABLE for a in inspect.signature(factory).parameters}
    assert set(R.SHARED) <= used, set(R.SHARED) - used


def test_kinds_and_choices_come_from_the_type_hints():
    params = {(n, p.name): p for n, e in R.SCHEDULES.items() for p in e.params}
    assert params["one_cycle", "anneal_strategy"].choices == ("cos", "linear")  # Literal["cos", "linear"]
    assert params["cyclic", "mode"].choices == ("triangular", "triangular2", "exp_range")
    assert params["reduce_on_plateau", "threshold_mode"].choices == (None, "rel", "abs")
    assert params["cosine", "warmup_target"].kind == "optional_float"
    assert params["cyclic", "step_size_down"].kind == "optional_int"
    assert params["multi_step", "milestones"].kind == "ints"
    assert params["join", "schedules"].kind == "schedules" and params["warmup", "schedule"].kind == "schedule"
    assert params["formula", "expression"].kind == "text" and params["exponential", "staircase"].kind == "bool"
    # the table narrows where the lab offers less than the factory takes
    assert params["cosine", "decay_steps"].kind == "int"  # Keras takes fractional steps
    assert params["piecewise_constant", "boundaries"].kind == "ints"


def test_defaults_are_the_factories_unless_the_table_says_otherwise():
    params = {(n, p.name): p for n, e in R.SCHEDULES.items() for p in e.params}
    assert params["one_cycle", "div_factor"].default == 25.0  # torch's
    assert params["cyclic", "mode"].default == "triangular"
    assert params["step", "gamma"].default == 0.5  # the decay article halves; torch's default is 0.1
    assert params["multi_step", "gamma"].default == 0.1
    assert params["linear", "end_factor"].default == 0.01  # torch's 1.0 would not decay at all


def test_shared_names_are_described_once():
    entries = R.SCHEDULES
    lr = [p for e in entries.values() for p in e.params if p.name == "lr"]
    assert len(lr) >= 6 and all(p.low == 1e-5 and p.log and p.rate_fraction == 1.0 for p in lr)
    gammas = {e.name: p for e in entries.values() for p in e.params if p.name == "gamma"}
    assert gammas["step"].step == gammas["multi_step"].step == 0.01
    assert gammas["cyclic"].low == 0.9 and gammas["cyclic"].step == 0.001  # overridden for cyclic only


def test_families_are_the_modules_the_factories_live_in():
    families = {e.name: e.family for e in R.SCHEDULES.values()}
    assert families["exponential"] == families["cosine"] == "Keras / TensorFlow"
    assert families["step"] == families["one_cycle"] == "PyTorch"
    assert families["warmup"] == families["join"] == "Composition"
    assert families["reduce_on_plateau"] == "Feedback"


# --------------------------------------------------------------------------- defaults build


@pytest.mark.parametrize("name", R.SCHEDULES)
@pytest.mark.parametrize("horizon, rate", [(1, 0.1), (4, 0.1), (12, 0.001), (1000, 0.05), (100_000, 1.0)])
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


@pytest.mark.parametrize(
    "name", [n for n in R.SCHEDULES if n not in ("piecewise_constant", "join", "per_epoch", "formula", "cyclic", "warmup")]
)
def test_default_starting_rate_is_the_chosen_rate(name):
    obj = R.build(R.default_spec(name, 1000, 0.07))
    first = obj.step(1.0) if isinstance(obj, ReduceLROnPlateau) else obj(0)
    if name == "one_cycle":
        first = obj(np.arange(1000)).max()
    assert first == pytest.approx(0.07)


@pytest.mark.parametrize("rate", [1e-3, 0.1, 0.5])  # the race's learning-rate slider spans 0.001-0.5
def test_ui_ranges_admit_the_defaults(rate):
    for entry in R.SCHEDULES.values():
        defaults = entry.defaults(1000, rate)
        for p in entry.params:
            # (step counts that scale with the horizon are clamped to the range by construction)
            if p.kind in ("float", "int") and p.horizon_fraction is None:
                assert p.low <= defaults[p.name] <= p.high, (entry.name, p.name)
    assert R.default("cosine", 1000)["warmup_steps"] == 0  # no warmup unless asked


# --------------------------------------------------------------------------- the Spec


def test_spec_round_trips_through_dicts_and_json():
    spec = R.default("warmup", 500, 0.2)
    assert isinstance(spec["schedule"], Spec) and spec["warmup_steps"] == 50
    assert Spec.from_dict(spec.to_dict()) == spec
    assert Spec.from_json(spec.to_json()) == spec
    assert spec.to_dict() == R.default_spec("warmup", 500, 0.2)
    assert json.loads(spec.to_json()) == spec.to_dict()
    assert spec.to_json() == json.dumps(spec.to_dict(), sort_keys=True, separators=(",", ":"))
    join = R.default("join")
    assert isinstance(join["schedules"], tuple) and all(isinstance(p, Spec) for p in join["schedules"])


def test_spec_is_frozen_hashable_and_canonical():
    a = Spec.from_dict({"name": "multi_step", "params": {"gamma": 0.5, "milestones": [10, 20], "lr": 0.1}})
    b = Spec("multi_step", (("lr", 0.1), ("milestones", (10, 20)), ("gamma", 0.5)))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.params == (("lr", 0.1), ("milestones", (10, 20)), ("gamma", 0.5))  # the factory's order
    assert a.to_dict()["params"]["milestones"] == [10, 20]
    with pytest.raises(AttributeError):
        a.name = "step"
    assert Spec.from_dict({"name": "constant", "params": {"learning_rate": np.float64(0.5)}})["learning_rate"] == 0.5


def test_spec_reads_replaces_builds_and_follows_a_rate():
    spec = R.default("exponential", 1000, 0.1)
    assert spec["decay_rate"] == 0.5 and spec.get("nope", 7) == 7
    with pytest.raises(KeyError):
        spec["nope"]
    slower = spec.replace(decay_rate=0.9)
    assert slower["decay_rate"] == 0.9 and spec["decay_rate"] == 0.5 and slower["decay_steps"] == 100
    assert slower.build()(100) == pytest.approx(0.09)
    assert spec.with_rate(0.3)["initial_learning_rate"] == 0.3
    assert R.with_rate(spec, 0.3) == spec.with_rate(0.3) and R.build(spec)(0) == spec.build()(0)
    nested = R.default("warmup").with_rate(0.05)
    assert nested["schedule"]["initial_learning_rate"] == 0.05
    piecewise = R.default("piecewise_constant").replace(values=(0.2, 0.1)).with_rate(0.4)
    assert piecewise["values"] == (0.4, 0.2)  # a list of rates keeps its ratios


def test_spec_labels_name_the_parts_of_a_composition():
    assert R.default("exponential").label == "Exponential decay"
    assert R.default("join").label == "Constant rate → Exponential decay"
    assert R.default("per_epoch").label == "Time-based (inverse time) decay, per epoch"
    assert R.default("warmup").replace(schedule=R.default("cosine_annealing")).label == "Linear warmup → Cosine annealing"
    assert R.default("warmup").label == "Linear warmup → Cosine decay"  # its own warmup is off inside one
    assert Spec("warmup").label == "Linear warmup, then …"  # no parts: the entry's own label
    assert R.default("warmup").entry is R.SCHEDULES["warmup"]


@pytest.mark.parametrize(
    "make, param, message",
    [
        (lambda: Spec("banana"), "schedule", "^schedule must be one of"),
        (lambda: Spec.from_dict({"params": {}}), "schedule", "^schedule spec must be a mapping with a 'name'"),
        (lambda: Spec.from_dict({"name": "exponential", "params": [1, 2]}), "params", "^params must be a mapping"),
        (lambda: Spec("exponential", {"decay": 3}), "decay", "^decay is unknown: exponential has no parameter 'decay'"),
        (lambda: Spec.from_json("{"), "schedule", "^schedule spec must be JSON"),
        (lambda: Spec.from_json("[1]"), "schedule", "^schedule spec must be an object"),
        (lambda: Spec("warmup", {"schedule": "cosine"}), "schedule", "^schedule must be a schedule spec"),
        (lambda: Spec("join", {"schedules": "constant"}), "schedules", "^schedules must be a list of schedule specs"),
        (lambda: R.with_rate({"name": "nope"}, 0.1), "schedule", "^schedule must be one of"),
    ],
)
def test_malformed_specs_are_parameter_errors_naming_what_to_change(make, param, message):
    with pytest.raises(ParameterError, match=message) as err:
        make()
    assert err.value.param == param


# --------------------------------------------------------------------------- building


def test_build_rejects_unknown_names_and_parameters():
    with pytest.raises(ParameterError, match="schedule must be one of") as err:
        R.build({"name": "banana", "params": {}})
    assert err.value.param == "schedule"
    with pytest.raises(ParameterError, match="has no parameter 'decay'") as err:
        R.build({"name": "exponential", "params": {"decay": 3}})
    assert err.value.param == "decay"
    with pytest.raises(ParameterError, match="^schedule must be a schedule of the step") as err:
        R.build({"name": "warmup", "params": {"schedule": R.default_spec("reduce_on_plateau"), "warmup_steps": 3}})
    assert err.value.param == "schedule"
    with pytest.raises(ParameterError, match=r"^schedules\[1\] must be a schedule of the step") as err:
        R.build({"name": "join", "params": {"schedules": [R.default_spec("constant"), R.default_spec("reduce_on_plateau")], "boundaries": [3]}})
    assert (err.value.param, err.value.index) == ("schedules", 1)


def test_build_passes_factory_errors_through():
    with pytest.raises(ParameterError, match="^decay_steps must be >= 1e-06") as err:
        R.build(R.default("exponential").replace(decay_steps=0))
    assert err.value.param == "decay_steps"


def test_a_missing_required_parameter_is_named():
    with pytest.raises(ParameterError, match="^decay_steps must be given") as err:
        R.build({"name": "exponential", "params": {"initial_learning_rate": 0.1}})
    assert err.value.param == "decay_steps"


# --------------------------------------------------------------------------- what the lab fixes


def test_reduce_on_plateau_always_watches_a_loss():
    entry = R.SCHEDULES["reduce_on_plateau"]
    assert "mode" not in entry.param_names and dict(entry.fixed) == {"mode": "min"}
    assert R.build(R.default("reduce_on_plateau")).mode == "min"
    # an old spec that says mode="min" still reads; mode="max" is refused, naming mode
    old = {"name": "reduce_on_plateau", "params": {"lr": 0.1, "mode": "min"}}
    assert Spec.from_dict(old) == Spec("reduce_on_plateau", {"lr": 0.1})
    with pytest.raises(ParameterError, match="^mode is fixed at 'min'") as err:
        Spec.from_dict({"name": "reduce_on_plateau", "params": {"mode": "max"}})
    assert err.value.param == "mode"


def test_the_schedule_after_a_warmup_does_not_warm_up_again():
    # Keras' cosine has its own warmup; inside a warmup it would be a second ramp.
    slot = next(p for p in R.SCHEDULES["warmup"].params if p.name == "schedule")
    assert dict(slot.inner_fixed) == {"warmup_target": None, "warmup_steps": 0}
    spec = Spec.from_dict({"name": "warmup", "params": {"schedule": {"name": "cosine", "params": {"initial_learning_rate": 0.1, "decay_steps": 50}}, "warmup_steps": 10}})
    assert spec["schedule"]["warmup_steps"] == 0 and spec["schedule"]["warmup_target"] is None
    with pytest.raises(ParameterError, match="^schedule's own warmup_steps is fixed at 0 here; got 5") as err:
        spec.replace(schedule=spec["schedule"].replace(warmup_steps=5))
    assert err.value.param == "schedule"
    assert R.default("warmup").replace(schedule=R.default("step"))["schedule"] == R.default("step")  # no such params: untouched
