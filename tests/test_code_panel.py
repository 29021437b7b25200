"""The Code panel on the gallery and on "What is a step?": the exported code of what is on screen."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from lrcore import export, registry, schedules
from lrcore.global_step import StepConfig
from ui.code_panel import EXPANDER_LABEL

ROOT = Path(__file__).resolve().parents[1]


def page(path: str, query: dict | None = None, open_code: bool = True) -> AppTest:
    """The page, with every Code panel opened (as a click on each would: a rerun)."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    at.query_params.update(query or {})
    at.run()
    if open_code:
        for panel in at.expander:
            if panel.label == EXPANDER_LABEL:
                at.session_state[panel.key] = True
        at.run()
    return at


def codes(at: AppTest) -> list[str]:
    return [c.value.rstrip("\n") for c in at.code]


def test_gallery_shows_the_code_of_each_shown_schedule_with_its_numbers():
    at = page("app_pages/schedule_gallery.py", {"show": "step,one_cycle,reduce_on_plateau", "steps": "2000"})
    assert not at.exception, [e.value for e in at.exception]
    assert [e.label for e in at.expander].count(EXPANDER_LABEL) == 3
    shown = codes(at)
    for name in ("step", "one_cycle"):
        schedule = registry.build(registry.default(name, horizon=2000))
        for framework in ("pytorch", "keras", "optax"):
            assert export.code(schedule, framework, steps=2000).rstrip("\n") in shown, (name, framework)
    assert export.code(registry.build(registry.default("reduce_on_plateau")), "pytorch", steps=2000).rstrip("\n") in shown
    # where a framework cannot, the reason is said, not raised
    notes = " ".join(i.value for i in at.info)
    assert "TensorFlow 1 cannot run one\\_cycle" in notes or "TensorFlow 1 cannot run one_cycle" in notes
    assert "keras.callbacks.ReduceLROnPlateau" in notes.replace("\\", "")
    assert len(at.tabs) >= 12  # four tabs a panel


def test_a_closed_code_panel_builds_no_code_until_it_is_opened():
    """A first load pays for the panels' labels only: their code is built when one opens."""
    at = page("app_pages/schedule_gallery.py", {"show": "step,cosine"}, open_code=False)
    panels = [e for e in at.expander if e.label == EXPANDER_LABEL]
    framework_tabs = lambda: [t for t in at.tabs if t.label in export.LABELS.values()]  # noqa: E731
    assert len(panels) == 2 and not at.code and not framework_tabs()
    at.session_state[panels[1].key] = True
    at.run()
    cosine = registry.build(registry.default("cosine", horizon=1000))
    assert export.code(cosine, "pytorch", steps=1000).rstrip("\n") in codes(at)
    assert len(framework_tabs()) == 4 and not any("StepLR" in c for c in codes(at))  # only the opened one


def test_gallery_code_follows_an_edited_parameter():
    at = page("app_pages/schedule_gallery.py", {"show": "exponential"})
    at.number_input(key="g.exponential.decay_steps").set_value(250).run()
    assert not at.exception
    assert any("decay_steps=250" in c and "ExponentialDecay" in c for c in codes(at))


def test_what_is_a_step_exports_the_decay_in_question():
    at = page("app_pages/what_is_a_step.py")
    assert not at.exception, [e.value for e in at.exception]
    assert EXPANDER_LABEL in [e.label for e in at.expander]
    d = StepConfig()
    decay = schedules.exponential(d.initial_learning_rate, d.decay_steps, d.decay_rate, d.staircase)
    steps = d.sim_epochs * schedules.steps_per_epoch(d.n_examples, d.batch_size)
    shown = codes(at)
    tf1 = export.code(decay, "tf1", steps=steps)
    assert tf1.rstrip("\n") in shown and "optimizer.minimize(loss, global_step=global_step)" in tf1
    assert "decay_steps=100000" in tf1 and "decay_rate=0.96" in tf1
    assert export.code(decay, "keras", steps=steps).rstrip("\n") in shown
