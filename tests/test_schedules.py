"""Schedules against hand-written references: Keras/TF docs, the seed texts, bad input.

TensorFlow is not a dependency, so each Keras reference below is the formula from the
Keras documentation, written out per step in plain Python (``math``), the way optax's
tests rebuild expected values by hand.
"""

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lrcore import registry as R
from lrcore import schedules as S
from lrcore._checks import ParameterError

ROOT = Path(__file__).resolve().parents[1]

STEPS = np.arange(0, 3001)


def per_step(fn, steps=STEPS):
    return np.array([fn(int(t)) for t in steps])


# --------------------------------------------------------------------------- Keras / TF


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize("lr0, decay_steps, rate", [(0.1, 1000, 0.96), (1.0, 7, 0.5), (0.3, 1, 0.999)])
def test_exponential_is_keras_exponential_decay(lr0, decay_steps, rate, staircase):
    # Keras docs: initial_learning_rate * decay_rate ^ (step / decay_steps),
    # with integer division when staircase.
    def keras(step):
        p = step // decay_steps if staircase else step / decay_steps
        return lr0 * rate**p

    assert_allclose(S.exponential(lr0, decay_steps, rate, staircase)(STEPS), per_step(keras), rtol=1e-14)


@pytest.mark.parametrize("staircase", [False, True])
@pytest.mark.parametrize("lr0, decay_steps, rate", [(0.1, 1, 0.5), (1.0, 100, 2.0), (0.05, 13, 0.0)])
def test_inverse_time_is_keras_inverse_time_decay(lr0, decay_steps, rate, staircase):
    # Keras docs: initial_learning_rate / (1 + decay_rate * step / decay_step), floor if staircase.
    def keras(step):
        p = math.floor(step / decay_steps) if staircase else step / decay_steps
        return lr0 / (1 + rate * p)

    assert_allclose(S.inverse_time(lr0, decay_steps, rate, staircase)(STEPS), per_step(keras), rtol=1e-14)


def test_time_based_decay_is_the_decay_articles_formula():
    # The decay article: a = 1 / (1 + decay_rate * epoch) * a0, with epochs as steps.
    epochs = np.arange(50)
    sched = S.inverse_time(0.2, decay_steps=1, decay_rate=0.3)
    assert_allclose(sched(epochs), 1 / (1 + 0.3 * epochs) * 0.2, rtol=1e-15)


def test_inverse_sqrt_is_k_over_sqrt_epoch_shifted_by_offset():
    sched = S.inverse_sqrt(0.1, k=2.0, decay_steps=10, offset=1)
    t = np.arange(100)
    assert_allclose(sched(t), 2.0 * 0.1 / np.sqrt(t / 10 + 1), rtol=1e-15)
    assert sched(0) == pytest.approx(0.2)  # defined at step 0, unlike k/sqrt(epoch)
    # offset -> 0 recovers the article's k/sqrt(epoch) away from 0
    assert_allclose(S.inverse_sqrt(0.1, 1.0, 1, 1e-12)(np.arange(1, 10)), 0.1 / np.sqrt(np.arange(1, 10)))


def test_piecewise_constant_keras_docs_example():
    # Keras docs: boundaries [100000, 110000], values [1.0, 0.5, 0.1]: 1.0 for the first
    # 100001 steps, 0.5 for the next 10000 steps, 0.1 for any later step.
    sched = S.piecewise_constant([100000, 110000], [1.0, 0.5, 0.1])
    steps = np.array([0, 100000, 100001, 110000, 110001, 10**7])
    assert_allclose(sched(steps), [1.0, 1.0, 0.5, 0.5, 0.1, 0.1])


def test_piecewise_constant_exclusive_switches_at_the_boundary():
    sched = S.piecewise_constant([10, 20], [1.0, 0.5, 0.1], inclusive=False)
    assert_allclose(sched(np.array([9, 10, 19, 20, 21])), [1.0, 0.5, 0.5, 0.1, 0.1])
    assert "optax" in sched.mirrors and "Keras" not in sched.description


@pytest.mark.parametrize("cycle", [False, True])
@pytest.mark.parametrize("power", [1.0, 0.5, 2.0])
def test_polynomial_is_keras_polynomial_decay(power, cycle):
    lr0, end, T = 0.1, 0.001, 700

    def keras(step):
        if cycle:
            horizon = T * (1 if step == 0 else math.ceil(step / T))
        else:
            horizon, step = T, min(step, T)
        return (lr0 - end) * (1 - step / horizon) ** power + end

    assert_allclose(S.polynomial(lr0, T, end, power, cycle)(STEPS), per_step(keras), rtol=1e-13)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_is_keras_cosine_decay_and_holds_the_floor(alpha):
    lr0, T = 0.1, 1000

    def keras(step):
        step = min(step, T)
        cosine_decay = 0.5 * (1 + math.cos(math.pi * step / T))
        return lr0 * ((1 - alpha) * cosine_decay + alpha)

    sched = S.cosine(lr0, T, alpha)
    assert_allclose(sched(STEPS), per_step(keras), rtol=1e-13, atol=1e-18)
    assert_allclose(sched(np.arange(T, 3000)), alpha * lr0, atol=1e-17)  # Keras holds past T


def test_cosine_warmup_is_keras_and_decay_steps_exclude_the_warmup():
    lr0, target, W, T, alpha = 0.0, 0.1, 100, 500, 0.05

    def keras(step):  # keras CosineDecay.__call__ with warmup_target
        step = min(step, T + W)
        if step < W:
            return (target - lr0) * (step / W) + lr0
        cosine_decay = 0.5 * (1 + math.cos(math.pi * (step - W) / T))
        return target * ((1 - alpha) * cosine_decay + alpha)

    sched = S.cosine(lr0, T, alpha, warmup_target=target, warmup_steps=W)
    assert_allclose(sched(STEPS), per_step(keras), rtol=1e-13)
    assert sched(W) == pytest.approx(target)  # peak right after warmup
    assert sched(W + T) == pytest.approx(alpha * target)  # floor after decay_steps *more* steps


def test_cosine_ignores_warmup_steps_without_warmup_target():
    # As Keras: warmup only happens when warmup_target is given.
    assert_allclose(S.cosine(0.1, 100, warmup_steps=50)(STEPS), S.cosine(0.1, 100)(STEPS))


def test_optax_warmup_cosine_is_warmup_of_a_shorter_cosine():
    # optax.warmup_cosine_decay_schedule(0, peak, W, decay_steps) counts W inside decay_steps.
    peak, W, total = 0.1, 100, 1000

    def optax(step):
        if step < W:
            return peak * step / W
        step = min(step - W, total - W)
        return peak * 0.5 * (1 + math.cos(math.pi * step / (total - W)))

    sched = S.warmup(S.cosine(peak, total - W), W)
    assert_allclose(sched(STEPS), per_step(optax), rtol=1e-13, atol=1e-18)


def _restarts_by_walking(lr0, first, t_mul, m_mul, alpha):
    """SGDR by definition: walk the periods one by one (no logs)."""

    def rate(step):
        start, length, i = 0.0, float(first), 0
        while step >= start + length:
            start, length, i = start + length, length * t_mul, i + 1
        frac = (step - start) / length
        return lr0 * ((1 - alpha) * m_mul**i * 0.5 * (1 + math.cos(math.pi * frac)) + alpha)

    return rate


@pytest.mark.parametrize(
    "first, t_mul, m_mul, alpha",
    [(100, 1.0, 1.0, 0.0), (100, 2.0, 1.0, 0.0), (10, 3.0, 0.5, 0.1), (37, 1.5, 0.9, 0.0), (1, 2.0, 1.0, 0.0)],
)
def test_cosine_restarts_matches_the_period_walk(first, t_mul, m_mul, alpha):
    sched = S.cosine_restarts(0.1, first, t_mul, m_mul, alpha)
    expected = per_step(_restarts_by_walking(0.1, first, t_mul, m_mul, alpha))
    assert_allclose(sched(STEPS), expected, rtol=1e-9, atol=1e-15)


def test_cosine_restarts_puts_restarts_where_keras_float_log_misplaces_them():
    # Keras: i = floor(log(1 - f (1 - t_mul)) / log(t_mul)). With first=1, t_mul=3 the
    # 6th period starts at step 1+3+9+27+81 = 121, where log(243)/log(3) = 4.999999999999999.
    assert math.floor(math.log(1 - 121 * (1 - 3.0)) / math.log(3.0)) == 4  # Keras' off-by-one
    sched = S.cosine_restarts(1.0, 1, t_mul=3.0)
    assert sched(121) == pytest.approx(1.0)  # a restart: back at the peak
    assert sched(120) < 1e-3  # the very end of the previous period


def test_cosine_restarts_peaks_at_every_restart():
    sched = S.cosine_restarts(1.0, 10, t_mul=2.0, m_mul=0.5)
    starts = np.array([0, 10, 30, 70, 150, 310])
    assert_allclose(sched(starts), 0.5 ** np.arange(6), rtol=1e-12)


# --------------------------------------------------------------------------- the seed texts

# The global_step answer's printed table: exponential_decay(1.0, global_step, 100000, 0.96),
# printed by TensorFlow from float32 arithmetic (batch 100, 1200 examples: 12 steps per epoch).
GLOBAL_STEP_TABLE = [
    1.0, 0.9999996423721313, 0.9999992251396179, 0.9999988079071045, 0.9999983906745911,
    0.9999979734420776, 0.9999975562095642, 0.9999971389770508, 0.9999967217445374,
    0.9999963045120239, 0.9999958872795105, 0.9999954700469971, 0.9999950528144836,
    0.9999946355819702, 0.9999942183494568, 0.9999938607215881, 0.9999934434890747,
    0.999993085861206, 0.9999926686286926, 0.9999922513961792, 0.9999918341636658,
    0.9999914169311523, 0.9999909996986389, 0.9999905824661255,
]  # fmt: skip


def test_global_step_table_is_reproduced_within_two_float32_ulp():
    ours = S.exponential(1.0, 100000, 0.96)(np.arange(24))
    table = np.array(GLOBAL_STEP_TABLE, dtype=np.float32)
    ulps = np.abs(ours.astype(np.float32).view(np.int32) - table.view(np.int32))
    assert ulps.max() <= 2, ulps


def test_forgetting_to_increment_global_step_means_no_decay():
    # The global_step answer: with the increment removed, global_step stays 0 and every
    # printed rate is 1.0.
    sched = S.exponential(1.0, 100000, 0.96)
    assert_allclose(sched(np.zeros(24, dtype=int)), 1.0)
    assert sched(23) < 1.0  # the incremented counter does decay


def test_steps_per_epoch_is_the_global_step_answers_twelve():
    assert S.steps_per_epoch(1200, 100) == 12
    assert S.steps_per_epoch(1250, 100) == 13
    assert S.steps_per_epoch(1250, 100, drop_last=True) == 12
    # decay_steps=100000 is 100000/12 = 8333.3 epochs in the answer's setting.
    assert 100000 / S.steps_per_epoch(1200, 100) == pytest.approx(8333.33, rel=1e-4)


def test_strategies_note_warmup_is_global_step_over_warmup_steps_times_lr():
    lr, W = 0.01, 1000
    sched = S.warmup(S.constant(lr), W)
    t = np.arange(3000)
    expected = np.where(t < W, t.astype(float) / W * lr, lr)
    assert_allclose(sched(t), expected, rtol=0, atol=0)


def test_strategies_note_staircase_example():
    # tf.train.exponential_decay(0.1, global_step, 1000, 0.96, staircase=True)
    sched = S.exponential(0.1, 1000, 0.96, staircase=True)
    assert_allclose(sched(np.array([0, 999, 1000, 1999, 2000])), [0.1, 0.1, 0.096, 0.096, 0.09216])


def test_halving_staircase_and_k_over_sqrt_batch_size():
    # The decay article: halve every N epochs; and a = k / sqrt(mini_batch_size) * a0.
    assert_allclose(S.step(0.1, 10, 0.5)(np.array([0, 9, 10, 20, 35])), [0.1, 0.1, 0.05, 0.025, 0.0125])
    assert S.batch_size_scaled(0.1, 64, k=2.0) == pytest.approx(2.0 / 8 * 0.1)


def test_per_epoch_is_constant_within_an_epoch_and_follows_the_epoch_index():
    inner = S.inverse_time(0.1, 1, 0.5)
    sched = S.per_epoch(inner, 12)
    t = np.arange(120)
    assert_allclose(sched(t), inner(t // 12))
    assert len(np.unique(sched(np.arange(12)))) == 1


def test_join_each_piece_starts_its_own_clock():
    a, b = S.constant(0.1), S.exponential(0.1, 10, 0.5)
    sched = S.join([a, b], [30])
    assert_allclose(sched(np.array([0, 29])), [0.1, 0.1])
    assert_allclose(sched(np.array([30, 40, 50])), b(np.array([0, 10, 20])))


def test_linear_decay_to_zero_never_goes_negative():
    # (end - start) * t / N rounds to -2.8e-17 here; the rate must stay >= 0.
    assert S.linear(1.0, 0.2, 0.0, 333)(np.arange(400)).min() == 0.0


def test_scalar_call_returns_a_float_and_shape_is_kept():
    sched = S.cosine(0.1, 100)
    assert isinstance(sched(3), float)
    assert sched(np.arange(12).reshape(3, 4)).shape == (3, 4)
    assert sched(np.arange(5)).dtype == np.float64
    assert_allclose(sched(np.arange(5.0)), sched(np.arange(5)))  # integral floats accepted


# --------------------------------------------------------------------------- objects carry their story


@pytest.mark.parametrize(
    "sched, mirrors",
    [
        (S.exponential(0.1, 10, 0.9), "ExponentialDecay"),
        (S.piecewise_constant([5], [0.1, 0.01]), "PiecewiseConstantDecay"),
        (S.cosine(0.1, 10), "CosineDecay"),
        (S.step(0.1, 10), "StepLR"),
        (S.one_cycle(0.1, 100), "OneCycleLR"),
        (S.per_epoch(S.constant(0.1), 3), "LearningRateScheduler"),
    ],
)
def test_schedule_carries_name_params_latex_description_and_mirror(sched, mirrors):
    assert mirrors in sched.mirrors
    assert sched.latex.startswith(r"\eta_t = ") and sched.latex_symbolic.startswith(r"\eta_t = ")
    assert sched.description and sched.description.endswith(".")
    assert sched.name in repr(sched)
    with pytest.raises(TypeError):
        sched.params["x"] = 1  # read-only


def test_latex_shows_current_values_and_symbols():
    sched = S.exponential(0.1, 1000, 0.96, staircase=True)
    assert sched.latex == r"\eta_t = 0.1 \cdot 0.96^{\lfloor t/1000 \rfloor}"
    assert sched.latex_symbolic == r"\eta_t = \eta_0 \cdot r^{\lfloor t/T \rfloor}"
    assert "10^{-5}" in S.polynomial(0.1, 10, 1e-5).latex


# --------------------------------------------------------------------------- bad input

BAD = [
    (S.exponential, dict(initial_learning_rate=0.1, decay_steps=0, decay_rate=0.9), "decay_steps"),
    (S.exponential, dict(initial_learning_rate=-0.1, decay_steps=10, decay_rate=0.9), "initial_learning_rate"),
    (S.exponential, dict(initial_learning_rate=0.1, decay_steps=10, decay_rate=1.5), "decay_rate"),
    (S.exponential, dict(initial_learning_rate=float("nan"), decay_steps=10, decay_rate=0.5), "initial_learning_rate"),
    (S.inverse_time, dict(initial_learning_rate=0.1, decay_steps=-1, decay_rate=0.5), "decay_steps"),
    (S.inverse_sqrt, dict(initial_learning_rate=0.1, offset=0), "offset"),
    (S.piecewise_constant, dict(boundaries=[10, 5], values=[1, 2, 3]), "boundaries"),
    (S.piecewise_constant, dict(boundaries=[10, 20], values=[1, 2]), "values"),
    (S.piecewise_constant, dict(boundaries=[10], values=[1, -2]), "values[1]"),
    (S.polynomial, dict(initial_learning_rate=0.1, decay_steps=0), "decay_steps"),
    (S.polynomial, dict(initial_learning_rate=0.1, decay_steps=10, power=0), "power"),
    (S.cosine, dict(initial_learning_rate=0.1, decay_steps=10, alpha=1.5), "alpha"),
    (S.cosine, dict(initial_learning_rate=0.1, decay_steps=10, warmup_target=0.2, warmup_steps=-1), "warmup_steps"),
    (S.cosine_restarts, dict(initial_learning_rate=0.1, first_decay_steps=10, t_mul=0.5), "t_mul"),
    (S.cosine_restarts, dict(initial_learning_rate=0.1, first_decay_steps=10, m_mul=2.0), "m_mul"),
    (S.step, dict(lr=0.1, step_size=0), "step_size"),
    (S.step, dict(lr=0.1, step_size=2.5), "step_size"),
    (S.multi_step, dict(lr=0.1, milestones=[30, 10]), "milestones"),
    (S.linear, dict(lr=0.1, start_factor=0.0), "start_factor"),
    (S.linear, dict(lr=0.1, total_iters=-1), "total_iters"),
    (S.cosine_annealing, dict(lr=0.1, T_max=0), "T_max"),
    (S.cosine_warm_restarts, dict(lr=0.1, T_0=10, T_mult=0), "T_mult"),
    (S.one_cycle, dict(max_lr=0.1, total_steps=100, pct_start=0.005), "pct_start"),
    (S.one_cycle, dict(max_lr=0.1, total_steps=100, anneal_strategy="tan"), "anneal_strategy"),
    (S.one_cycle, dict(max_lr=0.1, total_steps=100, pct_start=0.6, three_phase=True), "pct_start"),
    (S.cyclic, dict(base_lr=0.1, max_lr=0.01), "max_lr"),
    (S.cyclic, dict(base_lr=0.01, max_lr=0.1, mode="sawtooth"), "mode"),
    (S.warmup, dict(schedule=S.constant(0.1), warmup_steps=-5), "warmup_steps"),
    (S.warmup, dict(schedule=lambda t: t, warmup_steps=5), "schedule"),
    (S.join, dict(schedules=[S.constant(0.1), S.constant(0.01)], boundaries=[]), "boundaries"),
    (S.join, dict(schedules=[S.constant(0.1)] * 3, boundaries=[20, 10]), "boundaries"),
    (S.per_epoch, dict(schedule=S.constant(0.1), steps_per_epoch=0), "steps_per_epoch"),
    (S.steps_per_epoch, dict(n_examples=0, batch_size=10), "n_examples"),
    (S.steps_per_epoch, dict(n_examples=10, batch_size=20, drop_last=True), "batch_size"),
]


def names(err: ParameterError) -> str:
    """The parameter an error is about, as the caller wrote it: ``values[1]``."""
    return err.param if err.index is None else f"{err.param}[{err.index}]"


@pytest.mark.parametrize("factory, kwargs, name", BAD, ids=[f"{f.__name__}-{n}" for f, _, n in BAD])
def test_bad_parameters_raise_a_parameter_error_naming_the_parameter(factory, kwargs, name):
    with pytest.raises(ParameterError) as err:
        factory(**kwargs)
    assert names(err.value) == name  # the UI shows it under that control
    message = str(err.value)
    assert message.startswith(f"{name} must"), message


def test_no_factory_raises_a_bare_value_error():
    # Every refusal is a ParameterError, so a UI knows the parameter without reading the text.
    sources = sorted((ROOT / "lrcore" / "schedules").glob("*.py")) + sorted((ROOT / "lrcore" / "registry").glob("*.py"))
    bare = [
        f"{path.name}:{node.lineno}"
        for path in sources
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
        and getattr(node.exc.func, "id", None) in ("ValueError", "TypeError")
    ]  # fmt: skip
    assert len(sources) > 10 and not bare, bare


@pytest.mark.parametrize("bad", [-1, [0, -3], 1.5, np.array([True]), "3", 2**53 + 2])
def test_negative_or_fractional_steps_are_refused(bad):
    with pytest.raises(ParameterError, match="^step must") as err:
        S.constant(0.1)(bad)
    assert err.value.param == "step"


def test_out_of_range_message_names_the_allowed_range():
    with pytest.raises(ValueError, match=r"decay_rate must be a number with 0 < decay_rate <= 1; got 1.5"):
        S.exponential(0.1, 10, 1.5)
    with pytest.raises(ValueError, match=r"decay_steps must be >= 1e-06; got 0"):
        S.exponential(0.1, 0, 0.5)


# --------------------------------------------------------------------------- regressions found in review


def test_warm_restarts_with_a_huge_period_factor_counts_exactly():
    # T_mult**(i+1) once wrapped around in int64 and put a restart in the wrong place.
    sched = S.cosine_warm_restarts(0.1, 1000, 10**8)
    expected = 0.1 * (1 + np.cos(np.pi * (10**7 - 1000) / (1000 * 10**8))) / 2
    assert sched(10**7) == pytest.approx(expected, rel=1e-15)


def test_cyclic_polynomial_never_goes_past_the_end_of_its_horizon():
    # 63 / 0.7 == 90, but 0.7 * 90 == 62.99999999999999: p was 1 + 2e-16 and (1-p)**0.5 NaN.
    assert S.polynomial(0.1, 0.7, power=0.5, cycle=True)(63) == pytest.approx(1e-4)


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: S.multi_step(0.1, 5), "milestones"),
        (lambda: S.piecewise_constant([5], 0.1), "values"),
        (lambda: S.join([S.constant(0.1)] * 2, 300), "boundaries"),
        (lambda: S.step(0.1, 10**30), "step_size"),
        (lambda: S.exponential(0.1, 1e-310, 0.5), "decay_steps"),
        (lambda: S.constant(0.1)(1e19), "step"),
    ],
)
def test_unusable_arguments_are_parameter_errors_naming_themselves(make, name):
    with pytest.raises(ParameterError, match=f"^{name} must") as err:
        make()
    assert err.value.param == name


# --------------------------------------------------------------------------- formulas read cleanly

# Terms a formula shows for nothing: "(1 - 0)", "+ 0", "0 + ", "· 1", "^{1}", "/1", "1^{i}".
TRIVIAL = {
    "(1 - 0)": r"\(1 - 0\)",
    "+ 0": r"[+-] 0(?![\d.])",
    "0 +": r"(?<![\w.])0 [+-] ",
    r"\cdot 1": r"\\cdot 1(?![\d.])",
    r"1 \cdot": r"(?<![\w.])1 \\cdot",
    "^{1}": r"\^\{1\}",
    "/1": r"/ ?1(?![\d.])",
    "1^{i}": r"(?<![\w.])1\^\{",
    r"\cdotx (no such command)": r"\\cdot[A-Za-z]",
}


def trivial_terms(latex: str) -> list[str]:
    return [name for name, pattern in TRIVIAL.items() if re.search(pattern, latex)]


def test_the_trivial_term_finder_finds_them():
    assert trivial_terms(r"0.1\left[(1 - 0)\,c + 0\right]") == ["(1 - 0)", "+ 0"]
    assert trivial_terms(r"0 + \tfrac12(0.1 - 0)") == ["+ 0", "0 +"]
    assert trivial_terms(r"\frac{1 \cdot 0.1}{\sqrt{t/1 + 1}} \cdot 1^{i} \cdot 1") == [r"\cdot 1", r"1 \cdot", "/1", "1^{i}"]
    assert trivial_terms(r"T_0\cdott_{\mathrm{mul}}^{i} (x)^{1}") == ["^{1}", r"\cdotx (no such command)"]
    assert trivial_terms(r"0.01 + (0.1 - 0.01)\,h \cdot 10^{-5} + 100 \cdot 2^{i} - 0.5 t/10 t/100") == []


@pytest.mark.parametrize("name", list(R.SCHEDULES))
@pytest.mark.parametrize("horizon", [12, 1000])
def test_default_formulas_show_no_trivial_terms(name, horizon):
    sched = R.build(R.default_spec(name, horizon, 0.1))
    if isinstance(sched, S.ReduceLROnPlateau):
        assert trivial_terms(sched.latex) == []
        return
    assert trivial_terms(sched.latex) == [], sched.latex
    assert trivial_terms(sched.latex_symbolic) == [], sched.latex_symbolic


@pytest.mark.parametrize(
    "sched, numeric, symbolic",
    [
        (S.cosine(0.1, 100), r"\eta_t = 0.1\,\tfrac12\left(1 + \cos\frac{\pi \min(t, 100)}{100}\right)", r"(1 - \alpha)"),
        (S.cosine_annealing(0.1, 100), r"\eta_t = 0.1\,\tfrac12\left(1 + \cos\frac{\pi t}{100}\right)", r"\eta_{\min} +"),
        (S.polynomial(0.1, 10, 0.0), r"\eta_t = 0.1\left(1 - \frac{\min(t, 10)}{10}\right)", r"^{p} + \eta_{\mathrm{end}}"),
        (S.inverse_time(0.1, 1, 1.0), r"\eta_t = \frac{0.1}{1 + t}", r"k \cdot t/T"),
        (S.cyclic(0.0, 0.1, 10), r"\eta_t = 0.1\,h,", r"\eta_{\mathrm{base}} + "),
        (S.cosine_warm_restarts(0.1, 10, 1), r"T_i = 10,", r"T_i = T_0 \cdot T_{\mathrm{mult}}^{i}"),
        (S.warmup(S.cosine(0.1, 100), 10), r"\frac{t}{10} \cdot 0.1 & t < 10", r"\frac{t}{W}"),
    ],
)
def test_numeric_formulas_leave_out_neutral_terms_and_symbolic_ones_keep_them(sched, numeric, symbolic):
    assert numeric in sched.latex and trivial_terms(sched.latex) == []
    assert symbolic in sched.latex_symbolic
