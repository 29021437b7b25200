"""User formulas: the decay article's DecayFunction, typed by a student."""

import numpy as np
import pytest

from lrcore._checks import ParameterError
from lrcore.schedules import formula, inverse_time, per_epoch


def test_formula_equals_the_built_in_it_spells_out():
    t = np.arange(500)
    typed = formula("lr0 / (1 + 0.5 * epoch)", steps_per_epoch=12, lr0=0.1)
    built = per_epoch(inverse_time(0.1, 1, 0.5), 12)
    np.testing.assert_allclose(typed(t), built(t), rtol=1e-15)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0.1 * 0.5 ** (step // 100)", lambda t: 0.1 * 0.5 ** (t // 100)),
        ("0.1 * 0.5 ^ (t // 100)", lambda t: 0.1 * 0.5 ** (t // 100)),  # ^ reads as power
        ("lr0 / sqrt(1 + step)", lambda t: 0.1 / np.sqrt(1 + t)),
        ("where(step < 50, lr0 * step / 50, lr0)", lambda t: np.where(t < 50, 0.1 * t / 50, 0.1)),
        ("max(lr0 * cos(pi * step / 2000), 0)", lambda t: np.maximum(0.1 * np.cos(np.pi * t / 2000), 0)),
        ("lr0 * exp(-step / 300) + 1e-4", lambda t: 0.1 * np.exp(-t / 300) + 1e-4),
    ],
)
def test_formula_evaluates_vectorised(text, expected):
    t = np.arange(1000)
    np.testing.assert_allclose(formula(text, lr0=0.1)(t), expected(t.astype(float)), rtol=1e-14)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "expression must be"),
        ("0.1 *", "not a valid formula"),
        ("__import__('os')", "unknown function"),
        ("lr0.real", "may not contain"),
        ("x * 2", "unknown name 'x'"),
        ("sqrt(1, 2)", "takes 1 argument"),
        ("'0.1'", "only contain numbers"),
        ("-lr0", "rate -0.1 at step 0"),
        ("lr0 * (100 - step)", "at step 101"),
        ("1 / step", "at step 0"),
    ],
)
def test_bad_formulas_raise_a_parameter_error_saying_what_is_wrong(text, message):
    with pytest.raises(ParameterError, match="^expression") as err:
        formula(text, lr0=0.1)(np.arange(200))
    assert message in str(err.value)
    assert err.value.param == "expression"  # the UI shows it under the formula's box


def test_formula_latex_reads_like_the_math():
    assert formula("lr0 / (1 + 0.5 * epoch)", 12).latex == r"\eta_t = \frac{0.1}{1 + 0.5 \cdot \lfloor t/12 \rfloor}"
    assert formula("lr0 / sqrt(step + 1)").latex_symbolic == r"\eta_t = \frac{\eta_0}{\sqrt{t + 1}}"
    assert formula("(lr0 - 0.01) * 0.9 ** epoch").latex == r"\eta_t = \left(0.1 - 0.01\right) \cdot {0.9}^{t}"


@pytest.mark.parametrize(
    "text, message",
    [("1" + "0" * 400, "too large for a float"), ("+".join(["t"] * 1000), "at most 500 characters")],
)
def test_formulas_that_would_crash_the_evaluator_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        formula(text)


def test_comparisons_keep_their_parentheses_in_latex():
    assert formula("0.1 * (t < 5)").latex == r"\eta_t = 0.1 \cdot \left(t < 5\right)"
