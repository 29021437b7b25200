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

    at = AppTest.from_file("../app_pages/schedule_gallery.py", default_timeout=180)
    at.query_params[i18n.KEY] = "zh"
    at.run()
    for panel in at.expander:  # the Code panels draw their tabs once opened
        if panel.key and panel.key.endswith(".open"):
            at.session_state[panel.key] = True
    at.run()
    shown = [e.value for e in at.info]
    assert "TensorFlow 1 不能把 one_cycle 作为调度运行：tf\\.compat\\.v1\\.train 没有单周期（1cycle）函数" in shown, shown


# --------------------------------------------------------------------------- the labs' errors
# The race, the labs and the theory raise ParameterError too: a setting out of range (a
# control, a link), a list a student typed, an optimizer or a problem the exact theory does
# not cover. Each case below must raise one; the same checks as the registry's sweep follow.


def _lab_cases() -> list[tuple[str, object]]:
    import numpy as np

    from lrcore import batch, families, optim, optimal, predict, race, theory, warmup
    from lrcore import schedules as S
    from lrcore.nets import NetConfig
    from lrcore.problems import LeastSquares, NoisyQuadratic, QuarticBowl
    from lrcore.simulate import simulate_many

    q, sgd, const = NoisyQuadratic(), optim.SGD(), S.constant(0.1)
    plateau = registry.build(registry.default("reduce_on_plateau"))
    heavy = optim.SGD(momentum=0.9)
    return [
        ("simulate.problem", lambda: simulate_many(object(), sgd, [const], 10)),
        ("simulate.optimizer", lambda: simulate_many(q, "SGD", [const], 10)),
        ("simulate.schedules-none", lambda: simulate_many(q, sgd, [], 10)),
        ("simulate.schedules[0]", lambda: simulate_many(q, sgd, [5], 10)),
        ("simulate.record_every", lambda: simulate_many(q, sgd, [const] * 5, 10**6, runs=10**4)),
        ("batch.batch_sizes-empty", lambda: batch.noise_floors(q, [], 0.1)),
        ("batch.batch_sizes-negative", lambda: batch.noise_floors(q, [1, -2], 0.1)),
        ("batch.steps-momentum", lambda: batch.steps_to_target(q, 0.1, [1, 2], optimizer=heavy)),
        ("batch.critical-momentum", lambda: batch.critical_batch(q, 0.1, heavy)),
        ("batch.noise_scale-problem", lambda: batch.noise_scale(object(), (1.0, 2.0))),
        ("batch.noise_scale-w", lambda: batch.noise_scale(q, (math.nan, 1.0))),
        ("theory.problem", lambda: theory.expected_loss(LeastSquares(), sgd, const, 10)),
        ("theory.optimizer", lambda: theory.expected_loss(q, optim.Adam(), const, 10)),
        ("theory.plateau", lambda: theory.expected_loss(q, sgd, plateau, 10)),
        ("theory.rates", lambda: theory.expected_loss(q, sgd, [0.1, 0.1], 10)),
        ("theory.optimal_constant_lr", lambda: theory.optimal_constant_lr(object())),
        ("warmup.bowl", lambda: warmup.warmup_race(problem=q)),
        ("warmup.adam", lambda: warmup.adam_warmup(optimizer=sgd)),
        ("predict.labels", lambda: predict.judge("lowest", "a", labels=["a", "b"], finals=[1.0], shares=[0.0])),
        ("predict.lowest", lambda: predict.judge("lowest", "c", labels=["a", "b"], finals=[1.0, 2.0], shares=[0.0, 0.0])),
        ("predict.diverges", lambda: predict.judge("diverges", "yes", labels=["a"], finals=[1.0], shares=[0.0])),
        ("families.families", lambda: families.fit_families(const, 10, families=["nope"])),
        ("families.target-shape", lambda: families.fit_families(np.ones(3), 10)),
        ("families.target-zero", lambda: families.fit_families(np.zeros(10), 10)),
        ("optimal.optimal", lambda: optimal.improvement(q, 10, const, optimal=5)),
        ("problems.start-number", lambda: NoisyQuadratic(start=5)),
        ("problems.start-three", lambda: NoisyQuadratic(start=(1, 2, 3))),
        ("problems.h-pair", lambda: QuarticBowl(h=(1.0,))),
        ("problems.noise-shape", lambda: q.standard_normals(2, 3, 0, noise=np.zeros((1, 1, 2)))),
        ("problems.least-squares-noise", lambda: LeastSquares().gradients(2, 3, 0, noise=np.zeros((2, 3, 2)))),
        ("race.lanes-none", lambda: race.parse_lanes("")),
        ("race.lanes-name", lambda: race.parse_lanes("nope")),
        ("race.lanes-optimizer", lambda: race.parse_lanes("step@nope")),
        ("race.config-lanes", lambda: race.RaceConfig(lanes=())),
        ("optim.preset", lambda: optim.preset("nope")),
        ("optim.hyper", lambda: optim.OptimizerSpec("SGD", (("nope", 1.0),)).build()),
        ("optim.dampening", lambda: optim.SGD(momentum=0.9, dampening=1.0)),
        ("optim.nesterov", lambda: optim.SGD(nesterov=True)),
        ("optim.betas", lambda: optim.Adam(betas=(0.9,))),
        ("nets.epochs", lambda: NetConfig(batch_size=1, epochs=10**5).check()),
        ("nets.plateau", lambda: NetConfig(decayed=registry.default("reduce_on_plateau")).check()),
    ]


def _config_cases() -> list[tuple[str, object]]:
    """Every numeric setting of the race, its problems, the optimizers and the labs, out of range."""
    import dataclasses

    from lrcore import optim, race
    from lrcore.nets import NetConfig
    from lrcore.problems import LeastSquares, NoisyQuadratic, QuarticBowl
    from ui import lab_views

    small = dict(steps=20, runs=2)
    builds = {
        "RaceConfig": lambda **kw: race.run_race(race.RaceConfig(**{**small, **kw})),
        "NoisyQuadratic": NoisyQuadratic,
        "LeastSquares": LeastSquares,
        "QuarticBowl": QuarticBowl,
        "SGD": optim.SGD,
        "Adagrad": optim.Adagrad,
        "RMSprop": optim.RMSprop,
        "Adam": optim.Adam,
        "NetConfig": lambda **kw: NetConfig(**kw).check(),
        "BatchConfig": lambda **kw: lab_views.batch_view(lab_views.BatchConfig(**kw)),
        "WarmupConfig": lambda **kw: lab_views.warmup_view(lab_views.WarmupConfig(**{"runs": 2, **kw})),
    }
    classes = {
        "RaceConfig": race.RaceConfig, "NoisyQuadratic": NoisyQuadratic, "LeastSquares": LeastSquares,
        "QuarticBowl": QuarticBowl, "SGD": optim.SGD, "Adagrad": optim.Adagrad, "RMSprop": optim.RMSprop,
        "Adam": optim.Adam, "NetConfig": NetConfig, "BatchConfig": lab_views.BatchConfig, "WarmupConfig": lab_views.WarmupConfig,
    }  # fmt: skip
    out = []
    for label, cls in classes.items():
        for f in dataclasses.fields(cls):
            if not f.init or isinstance(f.default, bool) or not isinstance(f.default, (int, float)):
                continue
            for value in (-1, math.nan, "?"):
                out.append((f"{label}.{f.name}={value!r}", lambda b=builds[label], k=f.name, v=value: b(**{k: v})))
    return out


def _raised(cases) -> list[tuple[str, ParameterError]]:
    """The ParameterErrors the cases raise (a value no control or link can send, such as a
    string for a race's rate, may fail otherwise: not a message a student reads)."""
    out = []
    for case, make in cases:
        try:
            make()
        except ParameterError as err:
            out.append((case, err))
        except (TypeError, ValueError):
            pass
    return out


LAB_CASES = _lab_cases()
LABS = _raised(LAB_CASES)
CONFIGS = _raised(_config_cases())


def test_every_lab_case_raises_a_parameter_error():
    assert [case for case, _ in LAB_CASES] == [case for case, _ in LABS]
    assert len(CONFIGS) > 60 and len({err.param for _, err in CONFIGS}) > 25


@pytest.mark.parametrize("case, err", LABS + CONFIGS, ids=[c for c, _ in LABS + CONFIGS])
def test_a_labs_error_is_a_translated_template_with_no_english_words_in_chinese(case, err):
    test_every_error_is_a_translated_template_with_the_same_fields(case, err)
    test_a_parameter_error_or_a_refusal_in_chinese_has_no_english_words(case, err)


def test_a_converted_error_keeps_its_english():
    from lrcore import batch, optim
    from lrcore.problems import NoisyQuadratic
    from lrcore.simulate import simulate_many
    from lrcore import schedules as S

    q = NoisyQuadratic()
    with pytest.raises(ParameterError) as caught:
        batch.critical_batch(q, 0.1, optim.SGD(momentum=0.9))
    assert str(caught.value) == (
        "optimizer must be plain SGD (no momentum, no weight decay) for the critical batch size: only then is a "
        "constant rate's expected loss one exponential per direction; pass a schedule for the exact recursion; "
        f"got {optim.SGD(momentum=0.9)!r}"
    )
    with pytest.raises(ParameterError) as caught:
        simulate_many(q, optim.SGD(), [S.constant(0.1)] * 5, 10**6, runs=10**4)
    assert str(caught.value) == (
        "record_every must be larger: 5 schedule(s) × 10000 runs × 1000001 recorded steps exceeds 40,000,000 positions"
    )
    with i18n.using("zh"):
        assert text.said(caught.value) == "record_every 必须更大：5 个调度 × 10000 次运行 × 1000001 个记录的步数超过了 40,000,000 个位置"


def test_a_list_controls_refusal_and_a_links_reason_read_in_chinese():
    """The list parser's reason (under a list control) and lrcore's reason (in a link's warning)."""
    from ui import lanes, state

    with i18n.using("zh"):
        for raw in ("", "1, x", "1, 2.5", "-3"):
            try:
                state.number_list(0, 10, whole=True)(raw)
            except ValueError as reason:
                err = ParameterError("milestones", "{name} {error}", error=reason)
                shown = text.said(err)
                assert shown.startswith("milestones ") and not english(shown.removeprefix("milestones ")), shown
            else:
                raise AssertionError(raw)
        with pytest.raises(ValueError) as caught:
            lanes._one([("step", "SGD"), ("step", "Adam")], 1, "SGD", "optimizer")
        assert not english(str(caught.value).replace("SGD", "")), str(caught.value)
    from lrcore import race

    with pytest.raises(ParameterError) as caught:
        race.parse_lanes("nope")
    with i18n.using("zh"):
        reason = text.said(caught.value).removeprefix("lanes ")
    assert reason.startswith("必须") and "nope" in reason
