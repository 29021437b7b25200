"""中文 for lrcore's errors: every ParameterError is a catalog template plus fields.

lrcore never translates: an error keeps its English template (marked ``N_``) and its fields,
``str(err)`` is the English message the other tests match, and ``ui.text.error_message``
fills the translated template with the same fields. These tests sweep bad parameters over
the registry (its controls' ranges and kinds), the exporters' refusals and the pasted
function's refusals, and check that each message is in the catalog, fills in Chinese with
the same fields, and leaves no English word in Chinese.
"""

from __future__ import annotations

import math
import re

import pytest

from lrcore import _checks as check
from lrcore import export, registry
from lrcore._text import N_, Message, say
from lrcore.registry import ParameterError
from tests.i18n_walk import english
from ui import i18n, text


def _bad_values(p) -> list:
    """Values a control could send, or a link could carry, that the factory should refuse."""
    out = [math.nan, math.inf, "?", True, None]
    if p.low is not None:
        out += [p.low - 1, p.low - 1e-9, -abs(p.low) - 1]
    if p.high is not None:
        out += [p.high + 1, p.high * 2 + 1, 2**60]
    if p.kind in ("ints", "floats"):
        out += [[], [3, 2, 1], [1.0, math.nan], 5]
    if p.kind in ("schedule", "schedules"):
        out += [5, {"name": "?"}, [{"name": "constant"}]]
    if p.kind == "text":
        out += ["", "?" * 3000]
    if p.kind in ("int", "optional_int"):
        out += [0.5, 1.5]
    return out


def _sweep() -> list[tuple[str, ParameterError]]:
    found = []
    for name in registry.SCHEDULES:
        base = registry.default(name)
        for p in registry.SCHEDULES[name].params:
            for value in _bad_values(p):
                try:
                    registry.build(base.replace(**{p.name: value}))
                except ParameterError as err:
                    found.append((f"{name}.{p.name}={value!r}"[:80], err))
    return found


SWEEP = _sweep()
REFUSALS = []
for _name in registry.SCHEDULES:
    for _framework in export.FRAMEWORKS:
        try:
            export.code(registry.default(_name).build(), _framework)
        except ParameterError as _err:
            REFUSALS.append((f"{_name}-{_framework}", _err))

FUNCTIONS = [
    "def d(epoch):\n    for i in x:\n        pass\n    return 0.1",
    "def d(epoch):\n    return 1 / 0",
    "def d(epoch):\n    return 1",
    "def d(epoch):\n    return math.log(-1.0)",
    "def d(epoch):\n    if epoch > 3:\n        y = 1.0\n    return y",
    "def d(epoch):\n    return max(1)",
    "def d(epoch):\n    global x\n    return 0.1",
    "def d(epoch):\n    return [0.1][0]",
    "def d(epoch, lr):\n    return lr * 1e30",
    "def d(epoch):\n    return -0.1",
    "def d(epoch, a, b):\n    return 0.1",
    "def d():\n    return 0.1",
    "def d(epoch):\n    return (",
    "import math",
    "0.1 * 0.5**",
    "0.1 * foo(epoch)",
    "0.1 * 'a'",
    "-0.1 + 0 * step",
    "",
]


def _function_errors() -> list[tuple[str, ParameterError]]:
    out = []
    for source in FUNCTIONS:
        try:
            registry.build(registry.default("formula").replace(expression=source))(range(200))
        except ParameterError as err:
            out.append((source[:40], err))
    return out


PASTED = _function_errors()


def _templates(err) -> list[str]:
    """The template of ``err`` and of every message inside it."""
    out = [err.template]
    for value in err.fields.values():
        if getattr(value, "template", None) is not None:
            out += _templates(value)
    return out


def _shape(message: str) -> list[tuple[str, str, str]]:
    import string

    return sorted((n, c or "", f or "") for _, n, f, c in string.Formatter().parse(message) if n)


def test_the_sweep_finds_errors_of_every_kind():
    codes = {err.code for _, err in SWEEP}
    assert len(SWEEP) > 500 and {"number", "finite", "range", "integer", "choice", "sequence", "increasing"} <= codes
    assert len(REFUSALS) >= 8 and len(PASTED) == len(FUNCTIONS)


@pytest.mark.parametrize("case, err", SWEEP + REFUSALS + PASTED, ids=[c for c, _ in SWEEP + REFUSALS + PASTED])
def test_every_error_is_a_translated_template_with_the_same_fields(case, err):
    zh = i18n.catalog("zh")
    assert str(err) == say(err)  # the English is the template filled, exactly
    for template in _templates(err):
        if not re.search(r"[A-Za-z]{3}", template):
            continue  # no words: nothing to translate
        assert template in zh, f"{case}: not in the catalog: {template!r}"
        assert _shape(zh[template]) == _shape(template), case
    with i18n.using("zh"):
        shown = text.said(err)
    assert shown != str(err) and re.search(r"[\u4e00-\u9fff]", shown), case


def _as_given(err) -> set[str]:
    """The words of the fields that are values and names (``nan``, ``'torch'``, a schedule's
    name, the list of allowed names): they stay as the code spells them in every language."""
    out = set()
    for value in err.fields.values():
        if getattr(value, "template", None) is not None:
            out |= _as_given(value)
        elif value is not None:
            out |= set(english(repr(value))) | set(english(str(value)))
    return out


@pytest.mark.parametrize("case, err", SWEEP + REFUSALS, ids=[c for c, _ in SWEEP + REFUSALS])
def test_a_parameter_error_or_a_refusal_in_chinese_has_no_english_words(case, err):
    with i18n.using("zh"):
        shown = text.said(err)
        assert text.error_message(err)  # what st.error shows: the same text, escaped
    left = [w for w in english(shown) if w not in _as_given(err)]
    assert not left, f"{case}: {left} in {shown!r}"


@pytest.mark.parametrize("case, err", PASTED, ids=[c for c, _ in PASTED])
def test_a_pasted_functions_refusal_in_chinese_has_no_english_words_but_the_code_quoted(case, err):
    def words(e):
        with i18n.using("zh"):
            own = english(re.sub(r"\{[^}]*\}", " ", i18n._(e.template)))
        return own + [w for v in e.fields.values() if getattr(v, "template", None) is not None for w in words(v)]

    assert not words(err), case


def test_the_english_stays_as_it_was_and_chinese_keeps_names_and_values():
    with pytest.raises(ParameterError) as caught:
        registry.build(registry.default("exponential").replace(decay_steps=0))
    err = caught.value
    assert str(err) == "decay_steps must be >= 1e-06; got 0.0"
    assert (err.param, err.code, err.value, err.low) == ("decay_steps", "range", 0.0, 1e-06)
    with i18n.using("zh"):
        assert text.said(err) == "decay_steps 必须 >= 1e-06；实际为 0.0"
    with i18n.using("en"):
        assert text.said(err) == str(err)
        assert text.error_message(err) == text.plain(str(err))


def test_an_export_refusal_translates_its_frame_and_its_reason():
    with pytest.raises(ParameterError) as caught:
        export.code(registry.default("one_cycle").build(), "tf1")
    err = caught.value
    assert str(err) == "TensorFlow 1 cannot run one_cycle as a schedule: tf.compat.v1.train has no one-cycle function"
    assert isinstance(err.fields["reason"], Message)
    with i18n.using("zh"):
        assert text.said(err) == "TensorFlow 1 不能把 one_cycle 作为调度运行：tf.compat.v1.train 没有单周期（1cycle）函数"


def test_an_error_inside_an_error_is_translated_at_both_levels():
    inner = check.ParameterError("gamma", N_("{name} must be <= {high:g}; got {value!r}"), value=2.0, high=1.0)
    outer = check.fail("schedule", N_("TensorFlow 1 cannot run {schedule} as a schedule: {reason}"), schedule="step", reason=inner)
    assert str(outer) == "TensorFlow 1 cannot run step as a schedule: gamma must be <= 1; got 2.0"
    with i18n.using("zh"):
        assert text.said(outer) == "TensorFlow 1 不能把 step 作为调度运行：gamma 必须 <= 1；实际为 2.0"


def test_a_finished_message_stays_as_written():
    """An f-string made before (a value's repr may hold braces) is its own message, not a template."""
    err = check.fail("params", "params must be a mapping; got {'a': 1}")
    assert str(err) == "params must be a mapping; got {'a': 1}" and err.template is None
    with i18n.using("zh"):
        assert text.said(err) == str(err)
    plain = ValueError("not ours")
    with i18n.using("zh"):
        assert text.said(plain) == "not ours"


def test_the_gallerys_code_panel_shows_the_tf1_refusal_in_chinese():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../pages/schedule_gallery.py", default_timeout=180)
    at.query_params[i18n.KEY] = "zh"
    at.run()
    for panel in at.expander:  # the Code panels draw their tabs once opened
        if panel.key and panel.key.endswith(".open"):
            at.session_state[panel.key] = True
    at.run()
    shown = [e.value for e in at.info]
    assert "TensorFlow 1 不能把 one_cycle 作为调度运行：tf\\.compat\\.v1\\.train 没有单周期（1cycle）函数" in shown, shown
