"""Bring your own function: a pasted Keras ``def`` in the formula box.

Three references: the function run as plain Python (Hypothesis, over generated functions),
Keras 3's own ``LearningRateScheduler`` driving ``model.fit`` (torch backend), and the
sandbox's refusals, one per forbidden construct.
"""

import functools
import math
import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrcore._checks import ParameterError
from lrcore.schedules import formula
from lrcore.schedules import decay_function as D
from lrcore.schedules.decay_vector import vector_rates

STEP_DECAY = """\
def step_decay(epoch):
    initial_lrate = 0.1
    drop = 0.5
    epochs_drop = 10.0
    lrate = initial_lrate * math.pow(drop, math.floor((1+epoch)/epochs_drop))
    return lrate
"""  # the decay article's, as printed
KERAS_DOCS = """\
def scheduler(epoch, lr):
    if epoch < 10:
        return lr
    else:
        return lr * math.exp(-0.1)
"""  # Keras' own docstring example (ops.exp there; math.exp here)
TEN_THEN_TENTH = """\
def decay(epoch):
    return lr0 if epoch < 10 else 0.1 * lr0
"""
CHAIN = """\
def chain(epoch, lr):
    # warm up, hold, then two drops
    if epoch < 3:
        rate = 0.02 * (epoch + 1)
    elif epoch < 8:
        rate = 0.06
    elif epoch < 12:
        rate = 0.006
    else:
        rate = 0.0006
    return rate
"""
FLOOR_POW = """\
def floor_pow(epoch):
    return 0.2 * math.pow(0.7, math.floor(epoch / 3)) + 1e-4 * 0.9 ** epoch
"""
TIME_BASED = """\
def time_based(epoch, lr):
    decay_rate = 0.1
    return lr / (1 + decay_rate * epoch)
"""  # the decay article's time-based decay, applied to the fed-back rate


def python(source: str, lr0: float = 0.1):
    """The source as plain Python, with the real math module: the reference."""
    scope = {"math": math, "lr0": lr0}
    exec(source, scope)  # test-only: our own literal sources and Hypothesis-built ones
    return next(v for k, v in scope.items() if callable(v) and not k.startswith("__") and k != "math")


# --------------------------------------------------------------------------- the semantics, by hand


def test_the_articles_step_decay_holds_each_rate_for_an_epoch():
    lr = formula(STEP_DECAY, steps_per_epoch=12)
    t = np.arange(12 * 40)
    expected = [0.1 * math.pow(0.5, math.floor((1 + e) / 10.0)) for e in t // 12]
    np.testing.assert_array_equal(lr(t), expected)
    assert lr(12 * 9 - 1) == 0.1 and lr(12 * 9) == 0.05  # (1 + 9) / 10 = 1: the drop comes one epoch early


def test_a_function_of_lr_is_fed_back_its_own_rate_as_float32():
    lr = formula(KERAS_DOCS, steps_per_epoch=5, lr0=0.01)
    feed, expected = float(np.float32(0.01)), []
    for e in range(30):
        rate = feed if e < 10 else feed * math.exp(-0.1)
        expected.append(rate)
        feed = float(np.float32(rate))
    np.testing.assert_array_equal(lr(np.arange(150)), np.repeat(expected, 5))
    # float64 feedback would drift away: the float32 rounding is what Keras does, and it shows
    wide = 0.01 * math.exp(-0.1) ** 20
    assert lr(149) != wide and abs(lr(149) / wide - 1) < 1e-6


def test_a_one_parameter_function_is_called_with_the_epoch_alone():
    # Keras tries schedule(epoch, lr), and on TypeError calls schedule(epoch)
    one = formula("def f(epoch):\n    return 0.1 / (1 + epoch)", 1)
    np.testing.assert_array_equal(one(np.arange(5)), [0.1 / (1 + e) for e in range(5)])
    # a third parameter with a default is left at it; the second still receives the rate
    three = formula("def f(epoch, rate, k=2):\n    return rate / k", 1, lr0=0.5)
    np.testing.assert_array_equal(three(np.arange(3)), [0.25, 0.125, 0.0625])


def test_an_unread_lr_keeps_the_function_vectorised():
    assert not D.parse(CHAIN).reads_lr and D.parse(TIME_BASED).reads_lr
    assert D.parse("def f(epoch, lr):\n    return 0.1 if epoch else lr").reads_lr  # read in a branch is read


def test_expressions_take_a_conditional_too():
    lr = formula("lr0 if t < 10 else 0.1*lr0", lr0=0.3)
    np.testing.assert_allclose(lr(np.arange(20)), np.where(np.arange(20) < 10, 0.3, 0.03), rtol=1e-15)
    assert formula("lr0 if 5 <= t < 10 or t > 15 else 0", lr0=0.1)(np.array([4, 5, 9, 10, 16])).tolist() == [0, 0.1, 0.1, 0, 0.1]
    nested = formula("lr0 if epoch < 10 else 0.1 * lr0 if epoch < 20 else 0.01 * lr0", 1)
    assert nested.latex_symbolic == (
        r"\eta_t = \begin{cases} \eta_0 & t < 10 \\ 0.1 \cdot \eta_0 & t < 20 \\ 0.01 \cdot \eta_0 & \text{otherwise} \end{cases}"
    )


# --------------------------------------------------------------------------- Keras' own failures, reproduced


@pytest.mark.parametrize(
    "source, message",
    [
        ("def f(epoch):\n    return 1 if epoch < 2 else 0.1", "returns the integer 1; Keras needs a float"),
        ("def f(epoch):\n    if epoch > 3:\n        return 0.1", "returns None"),
        ("def f(epoch):\n    if epoch > 5:\n        x = 0.1\n    return x", "x"),
    ],
)
def test_what_keras_refuses_at_epoch_0_is_refused(source, message):
    with pytest.raises(ParameterError, match="at epoch 0") as err:
        formula(source)
    assert message in str(err.value) and err.value.param == "expression"


@pytest.mark.parametrize(
    "source, epoch, line, reason",
    [
        ("def f(epoch):\n    d = 5 - epoch\n    return 0.1 / d", 5, 3, "division by zero"),
        ("def f(epoch, lr):\n    return lr / (5 - epoch)", 5, 2, "division by zero"),
        ("def f(epoch):\n    return 0.1 * math.log(7 - epoch)", 7, 2, "math domain error"),
        ("def f(epoch):\n    return 1e-300 * math.exp(epoch)", 710, 2, "overflow"),  # math.exp(710) overflows
        ("def f(epoch):\n    return 0.1 - 0.01 * epoch", 11, None, "rate -0.01"),
    ],
)
def test_the_first_failing_epoch_and_its_line_are_named(source, epoch, line, reason):
    lr = formula(source, steps_per_epoch=3)
    with pytest.raises(ParameterError) as err:
        lr(np.arange(3 * 2000))
    text = str(err.value)
    assert f"at epoch {epoch}" in text, text
    assert (f"line {line}:" in text) if line else "line" not in text
    assert reason is None or reason in text


def test_a_recurrence_is_bounded_in_epochs():
    lr = formula(TIME_BASED, steps_per_epoch=1)
    lr(np.arange(D.MAX_EPOCHS))  # the bound itself is fine
    with pytest.raises(ParameterError, match=f"at most {D.MAX_EPOCHS:,} epochs"):
        lr(D.MAX_EPOCHS)
    assert np.isfinite(formula(TIME_BASED, steps_per_epoch=100)(100 * D.MAX_EPOCHS - 1))  # more steps per epoch: fine


def test_a_recurrence_is_bounded_in_time(monkeypatch):
    monkeypatch.setattr(D, "TIME_LIMIT", 0.0)  # the guard looks at the clock every 1024 epochs
    with pytest.raises(ParameterError, match="took over 0 s by epoch 1023"):
        formula(TIME_BASED, steps_per_epoch=1)(np.arange(5000))


# --------------------------------------------------------------------------- the sandbox


@pytest.mark.parametrize(
    "source, line, message",
    [
        ("import math\ndef f(epoch):\n    return 0.1", 1, "an import"),
        ("def f(epoch):\n    import os\n    return 0.1", 2, "an import"),
        ("def f(epoch):\n    for i in range(3):\n        pass\n    return 0.1", 2, "a for loop"),
        ("def f(epoch):\n    while True:\n        pass\n    return 0.1", 2, "a while loop"),
        ("def f(epoch):\n    g = lambda x: x\n    return 0.1", 2, "a lambda"),
        ("def f(epoch):\n    return sum([0.1 for i in [1]])", 2, "calls unknown function 'sum'"),
        ("def f(epoch):\n    x = [0.1 for i in (1, 2)]\n    return 0.1", 2, "a comprehension"),
        ("def f(epoch):\n    global g\n    return 0.1", 2, "global"),
        ("def f(epoch):\n    def g():\n        return 1\n    return 0.1", 2, "a nested def"),
        ("def f(epoch):\n    try:\n        x = 1\n    except Exception:\n        x = 2\n    return 0.1", 2, "try"),
        ("def f(epoch):\n    with open('x') as h:\n        pass\n    return 0.1", 2, "with"),
        ("@staticmethod\ndef f(epoch):\n    return 0.1", 1, "decorator"),
        ("def f(epoch, lr=len('x')):\n    return 0.1", 1, "default must be a plain number"),
        ("def f(epoch):\n    return f(epoch - 1)", 2, "no recursion"),
        ("def f(epoch):\n    return epoch.real", 2, "attributes allowed are math.<name>"),
        ("def f(epoch):\n    return math.__class__", 2, "math.__class__, which is not allowed"),
        ("def f(epoch):\n    return np.exp(-epoch)", 2, "not np.exp or ops.exp"),
        ("def f(epoch):\n    return __import__('os')", 2, "calls unknown function '__import__'"),
        ("def f(epoch):\n    return eval('0.1')", 2, "calls unknown function 'eval'"),
        ("def f(epoch):\n    return [0.1][0]", 2, "may not contain"),
        ("def f(epoch):\n    return '0.1'", 2, "only contain numbers"),
        ("def f(epoch):\n    return (x := 0.1)", 2, ":="),
        ("def f(*args):\n    return 0.1", 1, "plain parameters only"),
        ("def f(a, b, c):\n    return 0.1", 1, "Keras passes two arguments"),
        ("def f(epoch):\n    return x", 2, "unknown name 'x'"),
        ("def f(epoch):\n    math = 1\n    return 0.1", 2, "may not assign to 'math'"),
        ("def f(epoch):\n    return epoch is 1", 2, "may only compare"),
        ("def f(epoch):\n    return 0.1\ndef g(epoch):\n    return 0.2", 3, "exactly one def"),
        ("def f(epoch):\n    return 0.1 +", 2, "not valid Python"),
        ("class F:\n    pass", 1, "exactly one def"),
    ],
)
def test_the_sandbox_refuses_each_forbidden_construct_saying_where(source, line, message):
    with pytest.raises(ParameterError) as err:
        formula(source)
    text = str(err.value)
    assert text.startswith(f"expression, line {line}:"), text
    assert message in text, text
    assert err.value.param == "expression"


def test_the_sandbox_bounds_size_and_power():
    with pytest.raises(ParameterError, match=f"at most {D.MAX_SOURCE} characters"):
        formula("def f(epoch):\n    return 0.1" + " + 0" * D.MAX_SOURCE)
    with pytest.raises(ParameterError, match=f"at most {D.MAX_NODES} syntax nodes"):
        formula("def f(epoch):\n    return 0.1" + "+0" * (D.MAX_NODES // 2 + 5))
    # 9 ** 9 ** 9 would take Python minutes and gigabytes: refused as an overflow, at once
    with pytest.raises(ParameterError, match="too large"):
        formula("def f(epoch, lr):\n    return lr + 0 * 9 ** 9 ** 9")
    with pytest.raises(ParameterError, match="too large"):
        formula("def f(epoch, lr):\n    x = 10 ** 300\n    y = x * x\n    return lr")


def test_the_function_runs_without_builtins_or_modules():
    fn = D.parse(TIME_BASED)
    compiled = D.compiled(fn, 0.1)
    assert set(compiled.__globals__["__builtins__"]) == {"abs", "min", "max", "float", "int", "round"}
    assert set(vars(compiled.__globals__["math"])) == set(D.MATH) | set(D.MATH_CONSTANTS)


# --------------------------------------------------------------------------- the page's copy of it


def test_latex_names_the_function_and_its_clock():
    assert formula(STEP_DECAY, 12).latex == r"\eta_t = \mathrm{step\_decay}(\lfloor t/12 \rfloor)"
    assert formula(TIME_BASED, 1, lr0=0.1).latex == r"\eta_t = \mathrm{time\_based}(e,\ \eta_{e-1}),\ e = t,\ \eta_{-1} = 0.1"
    schedule = formula(TIME_BASED, 4, lr0=0.2)
    assert schedule.params["expression"] == TIME_BASED  # the source, verbatim: what an exporter writes out
    assert schedule.mirrors == "keras.callbacks.LearningRateScheduler" and "float32" in schedule.description


# --------------------------------------------------------------------------- Hypothesis: vectorised == Python


NUMBERS = st.sampled_from(["0", "1", "2", "3", "10", "0.0", "0.1", "0.5", "2.5", "1e-3", "7.0", "100"])
BASES = st.sampled_from(["0.5", "0.9", "2.0", "1.5"])  # `**`: a positive float base (see the module docstring)
UNARY = st.sampled_from(["math.floor", "math.ceil", "math.exp", "math.log", "math.sqrt", "math.tanh", "math.cos",
                         "math.log10", "math.expm1", "math.trunc", "abs", "float", "int", "round", "-", "not "])  # fmt: skip
BINARY = st.sampled_from(["+", "-", "*", "/", "//", "%"])
COMPARE = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])


@functools.lru_cache(maxsize=None)  # one strategy per set of readable names: building one is slow
def expressions(names: tuple[str, ...]):
    leaf = st.one_of(NUMBERS, st.sampled_from(names))

    def grow(inner):
        return st.one_of(
            st.tuples(inner, BINARY, inner).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
            st.tuples(UNARY, inner).map(lambda p: f"({p[0]}({p[1]}))"),
            st.tuples(st.sampled_from(["min", "max", "math.pow", "math.log"]), inner, inner).map(lambda p: f"{p[0]}({p[1]}, {p[2]})"),
            st.tuples(BASES, inner).map(lambda p: f"({p[0]} ** {p[1]})"),
            st.tuples(inner, inner, COMPARE, inner, inner).map(lambda p: f"({p[0]} if {p[1]} {p[2]} {p[3]} else {p[4]})"),
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
            st.tuples(inner, COMPARE, inner, COMPARE, inner).map(lambda p: f"({p[0]} {p[1]} {p[2]} {p[3]} {p[4]})"),
        )

    return st.recursive(leaf, grow, max_leaves=6)


@st.composite
def functions(draw, reads_lr: bool):
    params = ["epoch", "lr"] if reads_lr else draw(st.sampled_from([["epoch"], ["epoch", "lr"]]))
    readable = ["epoch", "lr0"] + (["lr"] if reads_lr else [])
    lines = [f"def f({', '.join(params)}):"]

    def block(indent: int, depth: int, known: list[str]) -> None:
        for _ in range(draw(st.integers(0, 2))):
            name = draw(st.sampled_from(["a", "b", "c"]))
            lines.append(" " * indent + f"{name} = {draw(expressions(tuple(known)))}")
            known = known + [name] if name not in known else known
        if depth and draw(st.booleans()):
            cond = draw(expressions(tuple(known)))
            lines.append(" " * indent + f"if {cond}:")
            block(indent + 4, depth - 1, known)
            if draw(st.booleans()):
                lines.append(" " * indent + f"elif {draw(expressions(tuple(known)))}:")
                block(indent + 4, depth - 1, known)
            if draw(st.booleans()):
                lines.append(" " * indent + "else:")
                block(indent + 4, depth - 1, known)
        if indent == 4 or draw(st.booleans()):  # the top level always returns; a branch may
            value = draw(expressions(tuple(known)))
            if draw(st.booleans()):
                value = f"float({value})"  # most real functions return a float
            lines.append(" " * indent + f"return {value}")
        elif lines[-1].endswith(":"):
            lines.append(" " * indent + "pass")

    block(4, 2, readable)
    return "\n".join(lines) + "\n"


def keras_calls(source: str, epochs, lr0: float):
    """What Keras' callback does, epoch by epoch, with the plain Python function: (rates, first failing epoch)."""
    f = python(source, lr0)
    two = f.__code__.co_argcount >= 2
    feed, rates = float(np.float32(lr0)), []
    for e in epochs:
        try:
            rate = f(int(e), feed) if two else f(int(e))
        except (ArithmeticError, ValueError, TypeError, UnboundLocalError):
            return rates, int(e)
        if type(rate) is not float or not (math.isfinite(rate) and 0 <= rate <= D.FLOAT32_MAX):
            return rates, int(e)
        rates.append(rate)
        feed = float(np.float32(rate))
    return rates, None


def ours(run, epochs):
    try:
        return list(run(epochs)), None
    except ParameterError as err:
        return None, int(re.search(r"at epoch (\d+)", str(err)).group(1))


EPOCHS = np.arange(60)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(source=functions(reads_lr=False), lr0=st.sampled_from([0.1, 0.01, 1.0]))
def test_vectorised_equals_calling_the_python_function_once_per_epoch(source, lr0):
    fn = D.parse(source)
    expected, failed_at = keras_calls(source, EPOCHS, lr0)
    got, we_failed_at = ours(lambda e: vector_rates(fn, lr0, e), EPOCHS)
    assert we_failed_at == failed_at, source
    if failed_at is None:
        np.testing.assert_array_equal(got, expected, err_msg=source)  # bit for bit: the same libm


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(source=functions(reads_lr=True), lr0=st.sampled_from([0.1, 0.01, 1.0]))
def test_a_recurrence_equals_keras_feeding_back_float32(source, lr0):
    fn = D.parse(source)
    expected, failed_at = keras_calls(source, EPOCHS, lr0)
    got, we_failed_at = ours(lambda e: D.Recurrence(fn, lr0).upto(int(e.max())), EPOCHS)
    assert we_failed_at == failed_at, source
    if failed_at is None:
        np.testing.assert_array_equal(got, expected, err_msg=source)


@settings(max_examples=60, deadline=None)
@given(
    peak=st.floats(1e-5, 10.0),
    drop=st.floats(0.01, 1.0),
    every=st.integers(1, 50),
    k=st.floats(0.0, 1.0),
    spe=st.integers(1, 100),
    steps=st.lists(st.integers(0, 2 * 10**5), min_size=1, max_size=30),
)
def test_non_negative_functions_give_finite_non_negative_rates(peak, drop, every, k, spe, steps):
    step_decay = f"def f(epoch):\n    return {peak!r} * math.pow({drop!r}, math.floor((1 + epoch) / {every}))"
    exp_decay = f"def f(epoch, lr):\n    if epoch < {every}:\n        return lr\n    return lr * math.exp(-{k!r})"
    t = np.array(steps)
    for source in (step_decay, exp_decay):
        lr = formula(source, steps_per_epoch=max(spe, 10), lr0=peak)(t)  # up to 20,000 epochs
        assert np.all(np.isfinite(lr)) and np.all(lr >= 0), source


# --------------------------------------------------------------------------- Keras 3 itself


# Keras 3.15's torch backend calls np.array(tensor), which NumPy 2 warns about: theirs, not ours.
keras_warning = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")


@pytest.fixture(scope="module")
def keras():
    os.environ["KERAS_BACKEND"] = "torch"
    return pytest.importorskip("keras")


def keras_rates(keras, source: str, lr0: float, epochs: int, steps_per_epoch: int):
    """The rate of every step of ``model.fit`` under the real LearningRateScheduler, read per batch."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr0), loss="mse")
    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))

    x = np.zeros((steps_per_epoch * 2, 1), "float32")
    scheduler = keras.callbacks.LearningRateScheduler(python(source, lr0))
    try:
        model.fit(x, x, batch_size=2, epochs=epochs, verbose=0, shuffle=False, callbacks=[scheduler, Record()])
    except (ValueError, ArithmeticError) as err:
        return np.array(seen), err
    return np.array(seen), None


@pytest.mark.parametrize(
    "source, lr0",
    [(STEP_DECAY, 0.1), (KERAS_DOCS, 0.01), (TEN_THEN_TENTH, 0.3), (CHAIN, 0.5), (FLOOR_POW, 0.05), (TIME_BASED, 0.2)],
)
@keras_warning
def test_rates_match_keras_learning_rate_scheduler_step_by_step(keras, source, lr0):
    epochs, spe = 25, 3
    theirs, err = keras_rates(keras, source, lr0, epochs, spe)
    assert err is None and theirs.shape == (epochs * spe,)
    mine = formula(source, steps_per_epoch=spe, lr0=lr0)(np.arange(epochs * spe))
    # Keras holds each rate in a float32 variable: ours, so rounded, is the same number
    np.testing.assert_array_equal(np.float32(mine), np.float32(theirs))


@keras_warning
def test_the_expression_form_matches_keras_too(keras):
    theirs, _ = keras_rates(keras, TEN_THEN_TENTH, 0.3, 15, 4)
    mine = formula("lr0 if epoch < 10 else 0.1*lr0", steps_per_epoch=4, lr0=0.3)(np.arange(60))
    np.testing.assert_array_equal(np.float32(mine), np.float32(theirs))


@pytest.mark.parametrize(
    "source",
    [
        "def f(epoch):\n    return 1 if epoch < 2 else 0.1",  # an int: Keras' "should be a float"
        "def f(epoch, lr):\n    return lr / (3 - epoch)",  # epoch 3 divides by zero
        "def f(epoch):\n    return 0.1 * math.log(4 - epoch)",  # epoch 4: math domain error
    ],
)
@keras_warning
def test_keras_stops_at_the_epoch_we_refuse(keras, source):
    spe = 2
    theirs, err = keras_rates(keras, source, 0.1, 8, spe)
    assert err is not None
    keras_epoch = len(theirs) // spe  # the epoch whose first batch never began
    try:
        formula(source, steps_per_epoch=spe)(np.arange(8 * spe))
        raise AssertionError("we accepted what Keras refused")
    except ParameterError as mine:
        assert f"at epoch {keras_epoch}" in str(mine)
