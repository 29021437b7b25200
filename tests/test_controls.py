"""The schedule editor (ui.controls): what it offers, where it says what is wrong, links.

Pages run in-process with Streamlit's AppTest, as in tests/test_pages.py.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lrcore import registry
from lrcore.schedules import formula
from lrcore.schedules.decay_function import MAX_SOURCE
from lrcore.schedules.formula import MAX_LENGTH
from ui import controls
from ui.text import plain

ROOT = Path(__file__).resolve().parents[1]
RACE, GALLERY = "app_pages/decay_race.py", "app_pages/schedule_gallery.py"


def page(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    at.query_params.update(query or {})
    return at.run()


def widget_keys(at: AppTest) -> set[str]:
    kinds = ("number_input", "slider", "toggle", "selectbox", "text_input", "text_area")
    return {w.key for kind in kinds for w in getattr(at, kind)}


def just_before(at: AppTest, element):
    """The element shown right before ``element`` in its block (AppTest keeps no parent links)."""

    def search(node):
        children = getattr(node, "children", None) or {}
        items = [children[k] for k in sorted(children)]
        for i, child in enumerate(items):
            if child is element:
                return items[i - 1] if i else None
            found = search(child)
            if found is not None:
                return found
        return None

    return search(at._tree)


# --------------------------------------------------------------------------- what is offered


def test_a_warmup_shows_one_warmup_steps_field():
    # The inner Keras cosine has its own warmup_target/warmup_steps; inside a warmup they
    # are fixed off by the registry, so the editor shows the wrapper's field only.
    at = page(GALLERY, {"show": "warmup"})
    assert not at.exception and not at.error
    warmups = sorted(k for k in widget_keys(at) if "warmup" in k.rsplit(".", 1)[-1])
    assert warmups == ["g.warmup.warmup_steps"]
    assert "g.warmup.schedule.decay_steps" in widget_keys(at)  # the inner cosine is still edited


def test_cyclic_and_reduce_on_plateau_run_in_the_race():
    # The race once fixed mode="min" for every schedule, which broke cyclic's own mode.
    cyclic = page(RACE, {"decay": "cyclic"})
    assert not cyclic.exception and not cyclic.error, [e.value for e in cyclic.error]
    assert cyclic.selectbox(key="d.mode").value == "triangular"  # cyclic's own mode is offered
    plateau = page(RACE, {"decay": "reduce_on_plateau"})
    assert not plateau.exception and not plateau.error, [e.value for e in plateau.error]
    assert "d.mode" not in widget_keys(plateau) and "d.factor" in widget_keys(plateau)


def _editor_fixing_a_schedules_own_parameter():
    from ui import controls, state

    controls.schedule_editor(state.Link("t"), "x", "cyclic", horizon=100, rate=0.1, fixed={"mode": "min"})


def test_fixed_may_set_only_parameters_that_mean_the_same_everywhere():
    at = AppTest.from_function(_editor_fixing_a_schedules_own_parameter).run()
    assert "fixed may only set steps_per_epoch; got mode" in at.exception[0].value
    assert registry.PAGE_SETTINGS == ("steps_per_epoch",)


# --------------------------------------------------------------------------- errors


def test_an_error_is_shown_as_plain_text_under_the_control_it_names():
    message = str(pytest.raises(ValueError, formula, "__import__('os')").value)
    at = page(GALLERY, {"show": "formula", "g.formula.expression": "__import__('os')"})
    assert [e.value for e in at.error] == [plain(message)]  # escaped: Markdown would eat the __
    assert "\\_\\_import\\_\\_" in at.error[0].value
    assert just_before(at, at.error[0]).key == "g.formula.expression"


def test_the_error_goes_where_err_param_says_not_where_the_first_word_points():
    # "expression: sqrt() takes 1 argument(s)" starts with "expression:", which no
    # parsing of the first word matched; the ParameterError's param does.
    at = page(GALLERY, {"show": "formula", "g.formula.expression": "sqrt(1, 2)"})
    assert len(at.error) == 1 and "takes 1 argument" in at.error[0].value
    assert just_before(at, at.error[0]).key == "g.formula.expression"
    bad_list = page(GALLERY, {"show": "piecewise_constant", "g.piecewise_constant.values": "0.1, 0.01"})
    assert "values must have one more entry" in bad_list.error[0].value
    assert just_before(bad_list, bad_list.error[0]).key == "g.piecewise_constant.values"


# --------------------------------------------------------------------------- links


def test_a_long_formula_survives_a_link_round_trip():
    # The link's text limit is the box's own (a pasted function's MAX_SOURCE), not a second number.
    long = "lr0 / (1 + 0.001 * step)" + " + 0 * step" * 34
    assert 300 < len(long) <= MAX_LENGTH
    at = page(GALLERY, {"show": "formula", "g.formula.expression": long})
    assert not at.warning and not at.error, [w.value for w in at.warning]
    assert at.text_area(key="g.formula.expression").value == long
    again = page(GALLERY, dict(at.query_params))
    assert again.query_params["g.formula.expression"] == long and not again.warning
    expression = next(p for p in registry.SCHEDULES["formula"].params if p.name == "expression")
    parse = controls._field(expression, "k", "lr0").parse
    assert parse("t" * MAX_SOURCE) == "t" * MAX_SOURCE
    with pytest.raises(ValueError, match=f"longer than {MAX_SOURCE} characters"):
        parse("t" * (MAX_SOURCE + 1))


PASTED = """def step_decay(epoch, lr):
    # the decay article's, with a floor on the rate
    initial_lrate = 0.1
    if epoch < 2:
        return initial_lrate
    elif epoch < 40:
        return initial_lrate * math.pow(0.5, math.floor((1 + epoch) / 10.0))
    return max(lr * 0.9, 1e-4)
"""


def test_a_pasted_def_goes_into_the_box_and_survives_a_link_round_trip():
    at = page(GALLERY, {"show": "formula"})
    at.text_area(key="g.formula.expression").set_value(PASTED).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.query_params["g.formula.expression"] == PASTED  # every line, indentation and comment kept
    assert any(c.value.strip() == PASTED.strip() and c.language == "python" for c in at.code)  # the code itself
    assert any(r"\mathrm{step\_decay}(e,\ \eta_{e-1})" in l.value for l in at.latex)
    again = page(GALLERY, dict(at.query_params))
    assert not again.warning and not again.error and again.text_area(key="g.formula.expression").value == PASTED
    shown = [line for line in again.dataframe[0].value["Your own formula"]]  # the table: steps 0, 1, 10, 100, 999
    built = formula(PASTED, steps_per_epoch=12, lr0=0.1)
    assert shown == pytest.approx(list(built([0, 1, 10, 100, 999])), rel=1e-15)


def test_a_pasted_def_with_a_loop_is_refused_under_the_box_saying_the_line():
    looped = "def f(epoch):\n    for i in range(epoch):\n        pass\n    return 0.1\n"
    at = page(GALLERY, {"show": "formula", "g.formula.expression": looped})
    assert len(at.error) == 1 and "line 2" in at.error[0].value and "a for loop" in at.error[0].value
    assert just_before(at, at.error[0]).key == "g.formula.expression"


def test_the_race_runs_a_pasted_recurrence_against_the_constant_rate():
    source = "def decay(epoch, lr):\n    return lr if epoch < 5 else lr * 0.8\n"
    at = page(RACE, {"decay": "formula", "d.expression": source})
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.query_params["d.expression"] == source
    assert any(c.value.strip() == source.strip() for c in at.code)


# --------------------------------------------------------------------------- sliders


def on_grid(value: float, p: registry.Param) -> bool:
    k = (value - p.low) / p.step
    return abs(k - round(k)) < 1e-9 and p.low <= value <= p.high


SLIDERS = [(e.name, p) for e in registry.SCHEDULES.values() for p in e.params if p.kind == "float" and p.step]


@pytest.mark.parametrize("name, p", SLIDERS, ids=[f"{n}.{p.name}" for n, p in SLIDERS])
def test_every_slider_has_a_grid_its_ends_and_default_lie_on(name, p):
    assert on_grid(p.low, p) and on_grid(p.high, p) and on_grid(p.default, p)
    assert (p.high - p.low) / p.step <= 10_001  # a slider a student can still move


def test_the_texts_values_are_on_the_sliders_grid():
    params = {(e.name, p.name): p for e in registry.SCHEDULES.values() for p in e.params}
    decay_rate = params["exponential", "decay_rate"]
    assert on_grid(0.9, decay_rate) and on_grid(0.96, decay_rate) and on_grid(0.5, decay_rate)
    assert on_grid(0.5, params["step", "gamma"]) and on_grid(0.1, params["multi_step", "gamma"])
    assert on_grid(0.5, params["inverse_time", "decay_rate"]) and on_grid(0.3, params["one_cycle", "pct_start"])


def test_a_slider_steps_by_its_grid_and_reads_back_on_it():
    at = page(GALLERY, {"show": "exponential"})
    slider = at.slider(key="g.exponential.decay_rate")
    assert slider.proto.step == 0.01 and slider.proto.format == "%.2f"
    slider.set_value(0.96).run()
    assert any("0.96^{" in m.value for m in at.latex)
    assert controls.decimals(0.01) == 2 and controls.decimals(0.001) == 3 and controls.decimals(0.5) == 1
    assert round(0.9000000000000001, controls.decimals(0.01)) == 0.9
