"""Exported code, executed: every registry schedule, at its defaults and off them, in each framework.

Each PyTorch snippet is executed as written (imports, model, optimizer, scheduler), then its
``scheduler`` is stepped the way its loop steps it, reading the rate of every update from
``optimizer.param_groups``; the rates must equal lrcore's to 1e-12 of the peak (float64
round-off), and ``scheduler.get_last_lr()`` must agree. Keras snippets run under Keras 3 with
the PyTorch backend and must match at float32 round-off, both ``lr_schedule`` itself and the
rate the optimizer (or the ``LearningRateScheduler`` callback) actually sets. optax snippets
likewise, under JAX. TF1 snippets are compiled and every ``tf.`` name and keyword they use
must be in ``lrcore/export/tf1_names.txt`` (TensorFlow is not installed here).
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import numpy as np
import pytest

from lrcore import export, registry
from lrcore.registry import ParameterError
from lrcore.schedules import ReduceLROnPlateau

# Keras' torch backend converts tensors with np.array(x), which NumPy 2 flags; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")

H = 1000  # the horizon: steps stepped and compared
F64 = 1e-12  # float64 round-off, relative to the peak rate
# float32 round-off, relative to the peak rate: parameters rounded to float32 and a few chained
# operations (gamma**t with gamma rounded to float32 grows its error with t: cyclic exp_range, 4.7e-6)
F32 = 1e-5

D = registry.default


def _spec(name, **params):
    return D(name).replace(**params)


def _inner(name, **params):
    return {"name": name, "params": {**D(name).to_dict()["params"], **params}}


# (id, spec): every registry schedule at its defaults, then off them (built-ins and fallbacks both)
CASES = [(name, D(name)) for name in registry.SCHEDULES] + [
    ("constant-0.03", _spec("constant", learning_rate=0.03)),
    ("exponential-staircase", _spec("exponential", decay_steps=100, decay_rate=0.5, staircase=True)),
    ("exponential-per-step", _spec("exponential", decay_steps=1, decay_rate=0.995)),
    ("exponential-smooth", _spec("exponential", decay_steps=250, decay_rate=0.3)),
    ("inverse_time-staircase", _spec("inverse_time", decay_steps=50, decay_rate=0.7, staircase=True)),
    ("inverse_sqrt-k", _spec("inverse_sqrt", k=2.0, decay_steps=7, offset=3.0)),
    ("piecewise-torch", _spec("piecewise_constant", boundaries=[100, 400, 401], values=[0.1, 0.05, 0.02, 0.001], inclusive=False)),
    ("piecewise-keras", _spec("piecewise_constant", boundaries=[250, 500], values=[0.2, 0.0, 0.01])),
    ("polynomial-to-zero", _spec("polynomial", decay_steps=800, end_learning_rate=0.0, power=2.0)),
    ("polynomial-cycle", _spec("polynomial", decay_steps=300, power=0.5, cycle=True)),
    ("cosine-alpha", _spec("cosine", decay_steps=600, alpha=0.1)),
    ("cosine-warmup", _spec("cosine", initial_learning_rate=0.01, decay_steps=500, warmup_target=0.2, warmup_steps=100)),
    ("cosine_restarts-t1", _spec("cosine_restarts", first_decay_steps=90, t_mul=1.0, alpha=0.05)),
    ("cosine_restarts-m", _spec("cosine_restarts", first_decay_steps=50, t_mul=2.0, m_mul=0.8)),
    ("cosine_restarts-1.5", _spec("cosine_restarts", first_decay_steps=40, t_mul=1.5, m_mul=0.9, alpha=0.1)),
    ("step-zero", _spec("step", step_size=300, gamma=0.0)),
    ("multi_step-close", _spec("multi_step", milestones=[100, 300, 301], gamma=0.5)),
    ("linear-0", _spec("linear", start_factor=0.25, total_iters=0)),
    ("linear-warm", _spec("linear", lr=0.5, start_factor=0.01, end_factor=1.0, total_iters=250)),
    ("cosine_annealing-periodic", _spec("cosine_annealing", T_max=70, eta_min=0.001)),
    ("cosine_warm_restarts-1", _spec("cosine_warm_restarts", T_0=50, T_mult=1)),
    ("cosine_warm_restarts-3", _spec("cosine_warm_restarts", lr=1.0, T_0=1, T_mult=3, eta_min=0.01)),
    ("one_cycle-linear", _spec("one_cycle", max_lr=1.0, pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0)),
    ("one_cycle-3phase", _spec("one_cycle", max_lr=0.5, pct_start=0.3, three_phase=True)),
    ("one_cycle-odd", _spec("one_cycle", max_lr=0.5, total_steps=600, pct_start=0.123)),
    ("cyclic-tri2", _spec("cyclic", base_lr=0.01, step_size_up=50, mode="triangular2")),
    ("cyclic-exp", _spec("cyclic", base_lr=0.01, step_size_up=50, mode="exp_range", gamma=0.998)),
    ("cyclic-asym", _spec("cyclic", base_lr=0.01, step_size_up=30, step_size_down=70)),
    ("warmup-step", _spec("warmup", schedule=_inner("step", step_size=100), warmup_steps=50, start_lr=0.01)),
    ("warmup-cosine_annealing", _spec("warmup", schedule=_inner("cosine_annealing", T_max=300, eta_min=0.001), warmup_steps=40, start_lr=0.001)),
    ("warmup-one_cycle", _spec("warmup", schedule=_inner("one_cycle", total_steps=500), warmup_steps=100)),
    ("warmup-inverse_sqrt", _spec("warmup", schedule=_inner("inverse_sqrt"), warmup_steps=30, start_lr=0.002)),
    ("warmup-0", _spec("warmup", schedule=_inner("exponential"), warmup_steps=0)),
    ("join-builtins", _spec("join", schedules=[_inner("step", step_size=100), _inner("cosine_annealing", T_max=200)], boundaries=[300])),
    ("join-three", _spec("join", schedules=[_inner("linear", start_factor=0.1, end_factor=1.0, total_iters=100), _inner("constant"), _inner("cosine_warm_restarts", T_0=100)], boundaries=[100, 400])),
    ("per_epoch-step", _spec("per_epoch", schedule=_inner("step", step_size=10, gamma=0.5), steps_per_epoch=12)),
    ("per_epoch-exponential", _spec("per_epoch", schedule=_inner("exponential", decay_steps=1, decay_rate=0.9), steps_per_epoch=25)),
    ("per_epoch-cosine_annealing", _spec("per_epoch", schedule=_inner("cosine_annealing", T_max=20), steps_per_epoch=40)),
    ("formula-step", _spec("formula", expression="lr0 * 0.5 ** (step / 200)")),
    ("formula-where", _spec("formula", expression="where(epoch < 5, lr0, lr0 / (1 + epoch - 5))", steps_per_epoch=20)),
    ("formula-mixed", _spec("formula", expression="lr0 * (1 + cos(pi * min(t, 800) / 800)) / 2 + 0.001 * floor(epoch / 10)", steps_per_epoch=7)),
    ("formula-functions", _spec("formula", expression="lr0 * exp(-0.002 * step) + abs(sin(epoch)) * 0.01 + sqrt(max(0, 10 - epoch)) / 1000 + log(1 + epoch) / 1e4", steps_per_epoch=30)),
    ("plateau-patient", _spec("reduce_on_plateau", patience=1, cooldown=2, factor=0.3, threshold=0.01)),
    ("plateau-keras", _spec("reduce_on_plateau", convention="keras")),
]  # fmt: skip
IDS = [c[0] for c in CASES]
SCHEDULES = {i: registry.build(spec) for i, spec in CASES}
DETERMINISTIC = [i for i in IDS if not isinstance(SCHEDULES[i], ReduceLROnPlateau)]
# The quick loop (-m "not slow") executes the defaults; the full run every case.
SWEEP = [pytest.param(i, marks=() if i in registry.SCHEDULES else pytest.mark.slow) for i in DETERMINISTIC]
EXECUTED = {"pytorch": set(), "keras": set(), "optax": set(), "tf1": set()}  # (case) per framework, for the count


def run_snippet(text: str, main: bool = False) -> dict:
    """Execute a snippet as a module (or as a script with ``main``); returns its globals."""
    namespace = {"__name__": "__main__" if main else "exported_snippet"}
    exec(compile(text, "<exported snippet>", "exec"), namespace)  # noqa: S102  the code under test
    return namespace


def _period_index(s, steps):
    """Which restart period each step is in, counted exactly (cumulative period lengths)."""
    first, t_mul = s.params["first_decay_steps"], s.params["t_mul"]
    starts = np.cumsum([0.0] + [first * t_mul**i for i in range(64)])
    return np.searchsorted(starts, steps, side="right") - 1


def _restart_boundaries(s, steps) -> np.ndarray:
    """The steps where a cosine-restarts period begins exactly, for t_mul ≠ 1 (where a float log decides)."""
    if getattr(s, "name", "") != "cosine_restarts" or s.params.get("t_mul", 1.0) == 1.0:
        return np.zeros(len(steps), dtype=bool)
    first, t_mul = s.params["first_decay_steps"], s.params["t_mul"]
    starts = np.cumsum([0.0] + [first * t_mul**i for i in range(64)])
    return np.isin(steps.astype(np.float64), starts[1:])


def peak_error(ours, theirs) -> float:
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    return float(np.max(np.abs(ours - theirs)) / max(np.max(np.abs(ours)), 1e-300))


def test_every_registry_schedule_has_a_case_off_its_defaults():
    varied = {registry.build(spec).name if not isinstance(registry.build(spec), ReduceLROnPlateau) else "reduce_on_plateau"
              for i, spec in CASES if i not in registry.SCHEDULES}  # fmt: skip
    assert varied == set(registry.SCHEDULES)


# --------------------------------------------------------------------------- the text itself


@pytest.mark.parametrize("case", IDS)
@pytest.mark.parametrize("framework", export.FRAMEWORKS)
def test_a_snippet_is_plain_framework_code_that_trains_only_as_a_script(case, framework):
    try:
        text = export.code(SCHEDULES[case], framework)
    except ParameterError as err:
        assert str(err)  # a reason, said
        return
    assert "lrcore" not in text.lower()
    tree = ast.parse(text)
    guard = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "__name__ == '__main__'"]
    assert len(guard) == 1
    # nothing at module level loops or trains: loops and fit live under the guard
    for node in tree.body:
        if node is guard[0]:
            continue
        assert not isinstance(node, (ast.For, ast.While)), ast.unparse(node)
        assert ".fit(" not in ast.unparse(node) and "train_step(" not in ast.unparse(node).replace("def train_step(", "")
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    expected = {"pytorch": {"torch"}, "keras": {"keras"}, "tf1": {"tensorflow"}, "optax": {"optax", "jax"}}[framework]
    assert expected <= imported and imported <= expected | {"math", "numpy"}


def test_deterministic_schedules_always_export_to_pytorch_and_keras():
    for case in DETERMINISTIC:
        for framework in ("pytorch", "keras"):
            export.code(SCHEDULES[case], framework)  # never raises


def test_what_cannot_be_exported_says_why():
    plateau = SCHEDULES["reduce_on_plateau"]
    for framework in ("keras", "tf1", "optax"):
        with pytest.raises(ParameterError, match="plateau"):
            export.code(plateau, framework)
    with pytest.raises(ParameterError, match="keras.callbacks.ReduceLROnPlateau\\(monitor=\"loss\", factor=0.5, patience=3"):
        export.code(SCHEDULES["plateau-keras"], "keras")
    with pytest.raises(ParameterError, match="convention='torch'"):
        export.code(SCHEDULES["plateau-keras"], "pytorch")
    with pytest.raises(ParameterError, match="one-cycle"):
        export.code(SCHEDULES["one_cycle"], "tf1")
    with pytest.raises(ParameterError, match="framework must be one of"):
        export.code(SCHEDULES["step"], "mxnet")


def test_the_snippet_carries_the_numbers_on_screen():
    s = registry.build(_spec("exponential", initial_learning_rate=0.037, decay_steps=123, decay_rate=0.77, staircase=True))
    keras_text = export.code(s, "keras")
    assert "initial_learning_rate=0.037" in keras_text and "decay_steps=123" in keras_text and "decay_rate=0.77" in keras_text
    assert "lr_scheduler.StepLR(optimizer, step_size=123, gamma=0.77)" in export.code(s, "pytorch")
    assert "global_step=global_step" in export.code(s, "tf1")


@pytest.mark.parametrize("case", ["step", "linear", "exponential", "per_epoch", "reduce_on_plateau", "formula-where", "warmup-step"])
def test_pytorch_step_placement_is_said_and_named(case):
    s = SCHEDULES[case]
    text = export.code(s, "pytorch")
    pl = export.torch_scheduler(s, _optimizer()[1])
    if pl.per_epoch:
        assert "STEPS_PER_EPOCH = " in text and "# step the scheduler after every optimizer.step()" not in text
    else:
        assert "# step the scheduler after every optimizer.step()" in text and "STEPS_PER_EPOCH" not in text


# --------------------------------------------------------------------------- PyTorch, executed

torch = pytest.importorskip("torch", reason="PyTorch parity needs torch==2.13.0 (requirements.txt)")


def _optimizer():
    param = torch.zeros(1, requires_grad=True)
    return param, torch.optim.SGD([param], lr=0.5)


def torch_rates(optimizer, scheduler, per_epoch: bool, spe: int | None, n: int, max_steps: int | None):
    """Step as the snippet's loop does; the rate of every update, and get_last_lr() beside it."""
    rates, reported = [], []
    calls = -(-n // spe) if per_epoch else n
    if max_steps is not None:
        calls = min(calls, max_steps)
    for _ in range(calls):
        for _ in range(spe if per_epoch else 1):
            rates.append(optimizer.param_groups[0]["lr"])
            reported.append(scheduler.get_last_lr()[0])
            optimizer.step()
        scheduler.step()
    return np.array(rates[:n]), np.array(reported[:n])


@pytest.mark.parametrize("case", SWEEP)
def test_pytorch_snippet_steps_exactly_through_lrcore_rates(case):
    s = SCHEDULES[case]
    g = run_snippet(export.code(s, "pytorch", steps=H))
    assert isinstance(g["model"], torch.nn.Module) and isinstance(g["optimizer"], torch.optim.Optimizer)
    per_epoch = "STEPS_PER_EPOCH" in g
    spe = g.get("STEPS_PER_EPOCH")
    max_steps = g["TOTAL_STEPS"] if "OneCycleLR" in type(g["scheduler"]).__name__ else None
    rates, reported = torch_rates(g["optimizer"], g["scheduler"], per_epoch, spe, H, max_steps)
    ours = s(np.arange(len(rates)))
    assert len(rates) == (min(H, max_steps) if max_steps else H)
    assert peak_error(ours, rates) <= F64, f"{type(g['scheduler']).__name__}: {peak_error(ours, rates):.2e}"
    assert peak_error(rates, reported) <= F64  # torch's own report agrees with the optimizer's rate

    # one source of truth: torch_scheduler executes the same lines on another optimizer
    _, opt = _optimizer()
    made = export.torch_scheduler(s, opt)
    assert type(made.scheduler) is type(g["scheduler"]) and made.per_epoch == per_epoch and made.steps_per_epoch == spe
    again, _ = torch_rates(opt, made.scheduler, made.per_epoch, made.steps_per_epoch, H, made.max_steps)
    np.testing.assert_array_equal(again, rates)
    EXECUTED["pytorch"].add(case)


def test_pytorch_uses_the_builtin_class_where_one_matches():
    def cls(case):
        return type(export.torch_scheduler(SCHEDULES[case], _optimizer()[1]).scheduler).__name__

    expected = {
        "step": "StepLR", "multi_step": "MultiStepLR", "linear": "LinearLR", "cosine_annealing": "CosineAnnealingLR",
        "cosine_warm_restarts": "CosineAnnealingWarmRestarts", "one_cycle": "OneCycleLR", "cyclic": "CyclicLR",
        "exponential-staircase": "StepLR", "exponential-per-step": "ExponentialLR", "polynomial-to-zero": "PolynomialLR",
        "cosine_restarts": "CosineAnnealingWarmRestarts", "warmup-step": "SequentialLR", "join-builtins": "SequentialLR",
        "warmup-cosine_annealing": "SequentialLR", "per_epoch-step": "StepLR", "per_epoch-exponential": "ExponentialLR",
        "reduce_on_plateau": "ReduceLROnPlateau",
        # no class computes these exactly: the formula, written out
        "exponential": "LambdaLR", "cosine": "LambdaLR", "warmup": "LambdaLR", "formula": "LambdaLR", "join": "LambdaLR",
    }  # fmt: skip
    assert {case: cls(case) for case in expected} == expected


def _losses(n=60, seed=3):
    """A loss that falls, stalls and wobbles: plateaus to cut on."""
    rng = np.random.default_rng(seed)
    return np.maximum.accumulate(np.repeat(rng.uniform(0.5, 1.0, n // 6), 6))[::-1] + rng.normal(0, 0.002, n)


@pytest.mark.parametrize("case", ["reduce_on_plateau", "plateau-patient"])
def test_pytorch_plateau_snippet_cuts_where_lrcore_does(case):
    s = SCHEDULES[case]
    g = run_snippet(export.code(s, "pytorch"))
    ours = s.fresh()
    theirs, expected = [], []
    for loss in _losses():
        g["scheduler"].step(float(loss))
        theirs.append(g["optimizer"].param_groups[0]["lr"])
        expected.append(ours.step(float(loss)))
    assert len(set(expected)) > 2  # it did cut, more than once
    assert peak_error(expected, theirs) <= F64
    EXECUTED["pytorch"].add(case)


@pytest.mark.parametrize("case", ["step", "per_epoch", "reduce_on_plateau", "one_cycle", "formula", "warmup-step"])
def test_pytorch_snippet_runs_as_a_script(case, capsys):
    run_snippet(export.code(SCHEDULES[case], "pytorch", steps=30), main=True)
    assert "rate" in capsys.readouterr().out


# --------------------------------------------------------------------------- Keras 3, torch backend

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported; the snippets themselves never choose
keras = pytest.importorskip("keras", reason="Keras parity needs keras==3.15.1 (requirements-dev.txt)")


def _keras_values(lr_schedule, steps) -> np.ndarray:
    try:
        return np.asarray(keras.ops.convert_to_numpy(lr_schedule(np.asarray(steps))), dtype=np.float64)
    except RuntimeError:  # PiecewiseConstantDecay and CosineDecay's warmup take one step at a time (ops.cond)
        return np.array([float(keras.ops.convert_to_numpy(lr_schedule(int(t)))) for t in steps])


@pytest.mark.parametrize("case", SWEEP)
def test_keras_snippet_matches_lrcore_and_what_the_optimizer_uses(case):
    s = SCHEDULES[case]
    text = export.code(s, "keras", steps=H)
    assert "tensorflow" not in text and "import tf" not in text
    g = run_snippet(text)
    lr_schedule, optimizer, model = g["lr_schedule"], g["optimizer"], g["model"]
    steps = np.arange(H)
    ours = s(steps)
    if isinstance(lr_schedule, keras.optimizers.schedules.LearningRateSchedule):
        values = keras_says = _keras_values(lr_schedule, steps)
        exact = _restart_boundaries(s, steps)
        if exact.any():  # Keras finds the period with a float32 log, one period early or late at some
            # boundaries depending on the machine's log (t = 100 with 40 · 1.5ⁱ); lrcore restarts exactly there
            peak = s.params["m_mul"] ** _period_index(s, steps[exact])  # a period's first step: its peak
            alpha = s.params["alpha"]
            np.testing.assert_allclose(ours[exact], s.params["initial_learning_rate"] * ((1 - alpha) * peak + alpha), rtol=1e-12)
            values = np.where(exact, ours, values)
        assert peak_error(ours, values) <= F32, f"{type(lr_schedule).__name__}: {peak_error(ours, values):.2e}"
        # what the optimizer really uses: lr_schedule(optimizer.iterations)
        for t in (0, 1, 2, 99, 100, 101, 299, 300, 301, 555, H - 1):
            optimizer.iterations.assign(t)
            used = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            assert abs(used - keras_says[t]) <= 1e-7 * max(np.max(ours), 1e-30) + 1e-12
    else:
        # a function of the epoch for LearningRateScheduler: plain float64 Python
        spe = g["STEPS_PER_EPOCH"]
        epochs = np.arange(-(-H // spe))
        assert "STEPS_PER_EPOCH" in text
        by_epoch = np.array([lr_schedule(int(e)) for e in epochs])
        assert peak_error(s(epochs * spe), by_epoch) <= F64
        callback = keras.callbacks.LearningRateScheduler(lr_schedule)
        callback.set_model(model)
        used = []
        for e in epochs:
            callback.on_epoch_begin(int(e))
            used.append(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
        assert peak_error(s(epochs * spe), used) <= F32
        np.testing.assert_array_equal(ours, np.repeat(s(epochs * spe), spe)[:H])  # constant within an epoch
    EXECUTED["keras"].add(case)


def test_keras_per_step_is_a_schedule_object_and_per_epoch_a_function():
    for case in DETERMINISTIC:
        g = run_snippet(export.code(SCHEDULES[case], "keras"))
        is_schedule = isinstance(g["lr_schedule"], keras.optimizers.schedules.LearningRateSchedule)
        per_epoch = case.startswith("per_epoch") or case in ("formula", "formula-where")
        assert is_schedule != per_epoch, case


def test_keras_uses_its_own_schedule_where_one_matches():
    def cls(case):
        return type(run_snippet(export.code(SCHEDULES[case], "keras"))["lr_schedule"]).__name__

    expected = {
        "exponential": "ExponentialDecay", "inverse_time": "InverseTimeDecay", "piecewise_constant": "PiecewiseConstantDecay",
        "polynomial": "PolynomialDecay", "cosine": "CosineDecay", "cosine_restarts": "CosineDecayRestarts",
        "step": "ExponentialDecay", "warmup": "CosineDecay", "cosine-warmup": "CosineDecay",
        "one_cycle": "OneCycleSchedule", "piecewise-torch": "PiecewiseConstantSchedule", "join": "JoinSchedule",
    }  # fmt: skip
    assert {case: cls(case) for case in expected} == expected


@pytest.mark.parametrize("case", ["exponential", "per_epoch", "one_cycle"])
def test_keras_snippet_fits_as_a_script(case):
    g = run_snippet(export.code(SCHEDULES[case], "keras", steps=24), main=True)
    assert int(keras.ops.convert_to_numpy(g["optimizer"].iterations)) == 24  # 2 epochs of 12 batches


# --------------------------------------------------------------------------- TensorFlow 1 style: names


NAMES_FILE = Path(export.__file__).with_name("tf1_names.txt")


def _tf1_names() -> dict[str, set[str]]:
    names = {}
    for line in NAMES_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, args = line.partition("(")
            names[name.strip()] = {a.strip() for a in args.rstrip(")").split(",") if a.strip()}
    return names


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


@pytest.mark.parametrize("case", IDS)
def test_tf1_snippet_compiles_and_uses_only_documented_names(case):
    try:
        text = export.code(SCHEDULES[case], "tf1")
    except ParameterError as err:
        assert "TensorFlow 1 cannot run" in str(err)
        return
    tree = ast.parse(text)
    compile(tree, case, "exec")
    known = _tf1_names()
    used = {d for n in ast.walk(tree) if isinstance(n, ast.Attribute) and (d := _dotted(n)) and d.startswith("tf.")}
    # a prefix such as tf.compat.v1 is part of a longer listed name
    leaves = {u for u in used if not any(other.startswith(u + ".") for other in used)}
    assert leaves <= set(known), leaves - set(known)
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        name = _dotted(call.func)
        if name in known:
            assert {k.arg for k in call.keywords} <= known[name], (name, [k.arg for k in call.keywords])
    assert re.search(r"optimizer\.minimize\(loss, global_step=global_step\)", text)
    assert "global_step.assign_add" in text and "cannot stall" in text  # the comment about the pitfall
    EXECUTED["tf1"].add(case)


def test_tf1_maps_the_keras_family_and_refuses_the_rest():
    ok = {c for c in IDS if _tf1_ok(c)}
    for case in ("exponential", "inverse_time", "piecewise_constant", "polynomial", "cosine", "cosine_restarts", "step",
                 "multi_step", "linear", "cosine_warm_restarts", "per_epoch-step", "piecewise-torch", "constant"):  # fmt: skip
        assert case in ok, case
    for case in ("one_cycle", "cyclic", "inverse_sqrt", "formula", "join", "cosine_annealing", "cosine-warmup", "reduce_on_plateau"):
        assert case not in ok, case


def _tf1_ok(case):
    try:
        export.code(SCHEDULES[case], "tf1")
        return True
    except ParameterError:
        return False


# --------------------------------------------------------------------------- optax (JAX)


@pytest.mark.parametrize("case", SWEEP)
def test_optax_snippet_matches_lrcore(case):
    pytest.importorskip("optax", reason="optax parity needs jax/optax (requirements-dev.txt)")
    jnp = pytest.importorskip("jax.numpy")
    g = run_snippet(export.code(SCHEDULES[case], "optax", steps=H))
    s = SCHEDULES[case]
    steps = np.arange(H)
    values = np.asarray(g["lr_schedule"](jnp.arange(H)), dtype=np.float64)
    values = np.broadcast_to(values, (H,))  # optax.constant_schedule returns one value for any count
    assert peak_error(s(steps), values) <= F32, peak_error(s(steps), values)
    scalars = [float(g["lr_schedule"](int(t))) for t in (0, 1, 299, 300, 301, H - 1)]  # optax's count, one at a time
    assert peak_error(s(np.array([0, 1, 299, 300, 301, H - 1])), scalars) <= F32
    EXECUTED["optax"].add(case)


@pytest.mark.parametrize("case", ["exponential", "warmup", "join", "per_epoch"])
def test_optax_snippet_trains_as_a_script(case, capsys):
    pytest.importorskip("optax")
    run_snippet(export.code(SCHEDULES[case], "optax", steps=5), main=True)
    assert "rate" in capsys.readouterr().out


def test_zz_count_of_schedules_times_frameworks_executed():
    """Last in the file: how many (schedule case, framework) pairs were executed and compared."""
    counts = {k: len(v) for k, v in EXECUTED.items()}
    print(f"\nexecuted: {counts}, total {sum(counts.values())} of {len(IDS)} cases x 4 frameworks")


# --------------------------------------------------------------------------- properties


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lrcore import schedules as S  # noqa: E402

rates = st.floats(1e-4, 2.0)
fractions = st.floats(0.01, 1.0)
steps_ = st.integers(1, 400)

any_schedule = st.one_of(
    st.builds(S.exponential, rates, steps_, fractions, st.booleans()),
    st.builds(S.inverse_time, rates, steps_, st.floats(0.0, 5.0), st.booleans()),
    st.builds(S.polynomial, rates, steps_, st.sampled_from([0.0, 1e-4]), st.floats(0.2, 3.0), st.booleans()),
    st.builds(S.cosine, rates, steps_, st.floats(0.0, 1.0)),
    st.builds(S.cosine_restarts, rates, steps_, st.sampled_from([1.0, 2.0, 1.5]), fractions, st.floats(0.0, 0.5)),
    st.builds(S.step, rates, steps_, st.floats(0.0, 1.0)),
    st.builds(S.cosine_warm_restarts, rates, steps_, st.integers(1, 3), st.floats(0.0, 1e-3)),
    st.builds(S.cyclic, st.just(1e-3), rates.map(lambda r: r + 1e-3), steps_, st.none() | steps_,
              st.sampled_from(["triangular", "triangular2", "exp_range"]), st.floats(0.99, 1.0)),  # fmt: skip
    st.builds(S.one_cycle, rates, st.integers(20, 600), st.floats(0.1, 0.8), st.sampled_from(["cos", "linear"])),
    st.builds(S.inverse_sqrt, rates, st.floats(0.1, 3.0), steps_, st.floats(0.5, 5.0)),
)


@st.composite
def composed(draw):
    """A schedule, a warmup before it, a join of two, or one of them per epoch."""
    first = draw(any_schedule)
    kind = draw(st.sampled_from(["plain", "warmup", "join", "per_epoch"]))
    if kind == "warmup":
        return S.warmup(first, draw(st.integers(0, 200)), draw(st.sampled_from([0.0, 1e-3])))
    if kind == "join":
        return S.join([first, draw(any_schedule)], [draw(st.integers(1, 900))])
    if kind == "per_epoch":
        return S.per_epoch(first, draw(st.integers(1, 40)))
    return first


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(composed())
def test_any_schedule_the_factories_make_runs_in_torch_as_lrcore_computes_it(schedule):
    # one_cycle inside a join or warmup is a formula (LambdaLR); alone, OneCycleLR may be stepped total_steps times
    _, opt = _optimizer()
    made = export.torch_scheduler(schedule, opt)
    rates, _ = torch_rates(opt, made.scheduler, made.per_epoch, made.steps_per_epoch, 600, made.max_steps)
    assert peak_error(schedule(np.arange(len(rates))), rates) <= F64
    compile(export.code(schedule, "pytorch"), "snippet", "exec")
