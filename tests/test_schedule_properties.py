"""Hypothesis properties that hold for every schedule and every valid parameter set."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcore import schedules as S

rates = st.floats(1e-6, 10.0)
fractions = st.floats(0.0, 1.0)
positive_fraction = st.floats(1e-3, 1.0)
lengths = st.integers(1, 5000)
steps = st.lists(st.integers(0, 10**7), min_size=1, max_size=40)


@st.composite
def increasing_ints(draw, n, low=1, high=100_000):
    values = draw(st.lists(st.integers(low, high), min_size=n, max_size=n, unique=True))
    return sorted(values)


@st.composite
def one_cycle_args(draw):
    total = draw(st.integers(10, 5000))
    three = draw(st.booleans())
    hi = (total + 1) / (2 * total) if three else 1.0
    pct = draw(st.floats(1.5 / total, hi - 1.5 / total))
    return S.one_cycle(
        draw(rates), total, pct, draw(st.sampled_from(["cos", "linear"])),
        draw(st.floats(1.0, 100.0)), draw(st.floats(1.0, 1e5)), three,
    )  # fmt: skip


@st.composite
def piecewise(draw):
    n = draw(st.integers(1, 5))
    return S.piecewise_constant(
        draw(increasing_ints(n)), draw(st.lists(rates, min_size=n + 1, max_size=n + 1)), draw(st.booleans())
    )


@st.composite
def cyclic_args(draw):
    base = draw(rates)
    return S.cyclic(
        base, base + draw(rates), draw(lengths), draw(st.none() | lengths),
        draw(st.sampled_from(["triangular", "triangular2", "exp_range"])), draw(st.floats(0.9, 1.0)),
    )  # fmt: skip


BASE = {
    "constant": st.builds(S.constant, rates),
    "exponential": st.builds(S.exponential, rates, lengths, positive_fraction, st.booleans()),
    "inverse_time": st.builds(S.inverse_time, rates, lengths, st.floats(0.0, 100.0), st.booleans()),
    "inverse_sqrt": st.builds(S.inverse_sqrt, rates, st.floats(0.0, 10.0), lengths, st.floats(1e-3, 100.0)),
    "piecewise_constant": piecewise(),
    "polynomial": st.builds(S.polynomial, rates, lengths, st.floats(0.0, 10.0), st.floats(0.1, 10.0), st.booleans()),
    "cosine": st.builds(S.cosine, rates, lengths, fractions, st.none() | rates, st.integers(0, 5000)),
    "cosine_restarts": st.builds(S.cosine_restarts, rates, lengths, st.floats(1.0, 4.0), fractions, fractions),
    "step": st.builds(S.step, rates, lengths, fractions),
    "multi_step": st.builds(S.multi_step, rates, st.integers(1, 4).flatmap(increasing_ints), fractions),
    "linear": st.builds(S.linear, rates, positive_fraction, fractions, st.integers(0, 5000)),
    "cosine_annealing": st.builds(S.cosine_annealing, rates, lengths, st.floats(0.0, 10.0)),
    "cosine_warm_restarts": st.builds(S.cosine_warm_restarts, rates, lengths, st.integers(1, 4), st.floats(0.0, 10.0)),
    "one_cycle": one_cycle_args(),
    "cyclic": cyclic_args(),
    "formula": st.builds(
        S.formula,
        st.sampled_from(["lr0 / (1 + 0.5 * epoch)", "lr0 * 0.9 ** epoch", "lr0 / sqrt(1 + step)", "max(lr0 * (1 - t / 1e4), 0)"]),
        st.integers(1, 100),
        rates,
    ),
    # A pasted Keras def that does not read lr: evaluated over all epochs at once.
    "formula (def)": st.builds(
        S.formula,
        st.sampled_from([
            "def step_decay(epoch):\n    return lr0 * math.pow(0.5, math.floor((1 + epoch) / 10.0))",
            "def f(epoch, lr):\n    if epoch < 5:\n        return lr0\n    elif epoch < 50:\n        return lr0 * 0.1\n    return max(lr0 * math.exp(-epoch / 100), 1e-6)",
            "def f(epoch):\n    return lr0 / math.sqrt(1 + epoch) if epoch % 2 == 0 else lr0 * 0.5 ** (epoch / 1000)",
        ]),
        st.integers(1, 100),
        rates,
    ),
}  # fmt: skip
simple = st.one_of(*BASE.values())
ALL = {
    **BASE,
    "warmup": st.builds(S.warmup, simple, st.integers(0, 5000), st.floats(0.0, 1.0)),
    "join": st.integers(2, 3).flatmap(
        lambda n: st.builds(S.join, st.lists(simple, min_size=n, max_size=n), increasing_ints(n - 1))
    ),
    "per_epoch": st.builds(S.per_epoch, simple, st.integers(1, 1000)),
}


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_rates_are_finite_and_non_negative_up_to_ten_million_steps(name, data):
    sched = data.draw(ALL[name])
    t = np.array(data.draw(steps) + [0, 1, 10**6, 10**7 - 1, 10**7])
    lr = sched(t)
    assert lr.dtype == np.float64 and lr.shape == t.shape
    assert np.all(np.isfinite(lr)), (sched, t[~np.isfinite(lr)])
    assert np.all(lr >= 0), (sched, t[lr < 0])


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_vectorised_call_equals_element_wise_calls(name, data):
    sched = data.draw(ALL[name])
    t = np.array(data.draw(steps))
    np.testing.assert_array_equal(sched(t), [sched(int(k)) for k in t])


MONOTONE = {
    "exponential": st.builds(S.exponential, rates, lengths, positive_fraction, st.booleans()),
    "inverse_time": BASE["inverse_time"],
    "inverse_sqrt": BASE["inverse_sqrt"],
    "polynomial": rates.flatmap(
        lambda lr: st.builds(S.polynomial, st.just(lr), lengths, st.floats(0.0, lr), st.floats(0.1, 10.0))
    ),
    "cosine": st.builds(S.cosine, rates, lengths, fractions),
    "step": BASE["step"],
    "multi_step": BASE["multi_step"],
    "linear": positive_fraction.flatmap(
        lambda f: st.builds(S.linear, rates, st.just(f), st.floats(0.0, f), st.integers(0, 5000))
    ),
    "one_cycle-after-peak": st.builds(lambda lr: S.one_cycle(lr, 1000, 0.25), rates),
}


@pytest.mark.parametrize("name", MONOTONE)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_monotone_decays_never_increase(name, data):
    sched = data.draw(MONOTONE[name])
    t = np.arange(0, 20_000) if name != "one_cycle-after-peak" else np.arange(249, 1200)
    lr = sched(t)
    assert np.all(np.diff(lr) <= 1e-15 * lr[:-1]), sched


@settings(max_examples=60, deadline=None)
@given(first=simple, second=simple, boundary=st.integers(1, 5000))
def test_join_switches_pieces_at_the_boundary_and_restarts_the_clock(first, second, boundary):
    joined = S.join([first, second], [boundary])
    t = np.arange(boundary + 200)
    lr = joined(t)
    np.testing.assert_array_equal(lr[:boundary], first(t[:boundary]))
    np.testing.assert_array_equal(lr[boundary:], second(t[boundary:] - boundary))


@settings(max_examples=60, deadline=None)
@given(lr0=rates, decay_steps=lengths, rate=positive_fraction, boundary=st.integers(1, 5000))
def test_a_schedule_joined_with_its_own_continuation_is_unchanged(lr0, decay_steps, rate, boundary):
    # exponential(lr0, T, r)(b + t) = exponential(lr0 * r**(b/T), T, r)(t): the join must
    # restart the second piece's clock at the boundary, or the curve jumps there.
    whole = S.exponential(lr0, decay_steps, rate)
    rest = S.exponential(lr0 * rate ** (boundary / decay_steps), decay_steps, rate)
    t = np.arange(boundary + 500)
    np.testing.assert_allclose(S.join([whole, rest], [boundary])(t), whole(t), rtol=1e-12, atol=1e-15 * lr0)


@settings(max_examples=60, deadline=None)
@given(inner=simple, warmup_steps=st.integers(1, 3000), start=st.floats(0.0, 1.0))
def test_warmup_ramp_is_linear_and_lands_on_the_schedules_first_rate(inner, warmup_steps, start):
    sched = S.warmup(inner, warmup_steps, start)
    t = np.arange(warmup_steps + 100)
    lr = sched(t)
    ramp = lr[: warmup_steps + 1]
    peak = inner(0)
    # each ramp step (including the last, onto the schedule) rises by the same amount
    np.testing.assert_allclose(np.diff(ramp), (peak - start) / warmup_steps, atol=1e-12 * max(peak, start, 1e-300))
    assert lr[0] == pytest.approx(start) and lr[warmup_steps] == peak
    np.testing.assert_array_equal(lr[warmup_steps:], inner(t[warmup_steps:] - warmup_steps))
