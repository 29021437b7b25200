"""Every page, run in-process with Streamlit's AppTest.

Each page must run at its defaults, change what it shows when any main control moves,
survive malformed links with a warning naming the parameter, show a ValueError as a
message, and restore itself exactly from its own link.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lrcore.race import RaceConfig
from tests.apptest_charts import figures, payloads
from ui.sources import SOURCES

ROOT = Path(__file__).resolve().parents[1]
RACE, GALLERY, STEP, TEXTS = "app_pages/decay_race.py", "app_pages/schedule_gallery.py", "app_pages/what_is_a_step.py", "app_pages/from_the_texts.py"
NET = "app_pages/texts_network.py"


def page(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    at.query_params.update(query or {})
    return at.run()


def shown(at: AppTest) -> tuple:
    """What a student sees: the text and every figure."""
    text = tuple(m.value for m in at.markdown) + tuple(m.value for m in at.caption) + tuple(m.value for m in at.latex)
    charts = tuple(payloads(at))
    tables = tuple(str(d.value) for d in at.dataframe)
    return text + charts + tables


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# --------------------------------------------------------------------------- defaults


def test_app_routes_to_the_race_by_default():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    clean(at)
    assert at.title[0].value == "The decay race"


@pytest.mark.parametrize("path", [RACE, GALLERY, STEP, NET, TEXTS, "app_pages/lab_batch_size.py", "app_pages/lab_warmup.py", "app_pages/lab_best_schedule.py"])
def test_every_page_runs_at_its_defaults(path):
    at = page(path) if path != TEXTS else AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run().switch_page(TEXTS).run()
    clean(at)
    assert not at.warning
    assert at.title


def test_race_defaults_tell_the_story():
    at = page(RACE)
    story = " ".join(m.value for m in at.markdown)
    assert "noise floor" in story and "0.0763" in story and "lower" in story
    assert len(figures(at)) == 2  # the plane, the curves
    ruler = next(m.value for m in at.markdown if "stability bound" in m.value)
    assert "stability bound 0.2" in ruler and "fastest without noise 0.182" in ruler  # the slider's marks are the theory


# --------------------------------------------------------------------------- controls change what is shown

RACE_CONTROLS = [
    ("slider", "lr", 0.15),
    ("selectbox", "decay", "cosine"),
    ("number_input", "d.decay_steps", 300),
    ("slider", "d.decay_rate", 0.8),
    ("toggle", "d.staircase", True),
    ("selectbox", "opt", "Adam"),
    ("selectbox", "opt", "momentum"),
    ("select_slider", "batch", 16),
    ("slider", "sigma", 2.0),
    ("radio", "noise", "curvature"),
    ("select_slider", "kappa", 50),
    ("slider", "angle", 30),
    ("toggle", "scale", True),
    ("select_slider", "steps", 500),
    ("select_slider", "runs", 50),
    ("number_input", "seed", 7),
]


def test_one_click_sets_the_best_constant_rate_for_this_race():
    from lrcore import theory

    at = page(RACE)
    at.button(key="use_best").click().run()
    clean(at)
    best = theory.best_constant_rate(RaceConfig().problem(), 1000)
    assert at.slider(key="lr").value == pytest.approx(round(best, 3))
    assert at.query_params["lr"] == f"{round(best, 3):g}"


def test_the_best_rate_is_the_optimizers_own_and_off_without_theory():
    from lrcore import optim, theory

    momentum = page(RACE, {"opt": "momentum"})
    best = theory.best_constant_rate(RaceConfig().problem(), 1000, optim.SGD(momentum=0.9))
    button = momentum.button(key="use_best")
    assert button.label == f"Best rate {best:.2g}" and best < 0.001 and button.disabled  # below the slider's range
    assert "outside the slider's range" in button.help
    assert page(RACE, {"opt": "Adam"}).button(key="use_best").disabled


GALLERY_CONTROLS = [
    ("multiselect", "show", ["step", "cyclic", "reduce_on_plateau"]),
    ("select_slider", "steps", 5000),
    ("number_input", "n", 600),
    ("number_input", "batch", 32),
    ("radio", "x", "epochs"),
    ("toggle", "log", True),
    ("number_input", "g.exponential.decay_steps", 250),
    ("slider", "g.exponential.decay_rate", 0.9),
    ("toggle", "g.exponential.staircase", True),
    ("text_input", "at", "0, 5, 50"),
]


def test_gallery_reaches_every_schedule_with_every_parameter():
    from lrcore import registry

    at = page(GALLERY, {"show": ",".join(registry.SCHEDULES)})
    clean(at)
    keys = {w.key for kind in ("number_input", "slider", "toggle", "selectbox", "text_input", "text_area") for w in getattr(at, kind)}
    for name, entry in registry.SCHEDULES.items():
        for p in entry.params:
            key = f"g.{name}.{p.name}"
            if p.kind == "schedules":
                key += ".n"
            assert key in keys, key
    assert len(at.latex) >= len(registry.SCHEDULES)


def test_gallery_checks_a_schedule_against_torch_on_request():
    at = page(GALLERY, {"show": "one_cycle"})
    at.toggle(key="torch.one_cycle").set_value(True).run()
    clean(at)
    assert any("max |ours − torch| = 0" in s.value for s in at.success)


STEP_CONTROLS = [
    ("slider", "n", 2400),
    ("select_slider", "batch", 50),
    ("toggle", "drop", True),  # on 1,250 examples: 13 steps per epoch become 12
    ("number_input", "lr0", 0.5),
    ("number_input", "ds", 24),
    ("number_input", "dr", 0.5),
    ("toggle", "stair", True),
    ("toggle", "forget", True),
    ("number_input", "slr", 0.05),
    ("number_input", "sep", 10),
    ("number_input", "sdec", 2),
    ("number_input", "sruns", 11),
]


# Each a few epochs' training: the defaults' 100 epochs are trained once per process (cached).
NET_CONTROLS = [
    ("number_input", "n", 600),
    ("select_slider", "batch", 50),
    ("number_input", "epochs", 20),
    ("slider", "noise", 0.3),
    ("number_input", "seeds", 2),
    ("number_input", "seed", 3),
    ("number_input", "lr", 0.5),
    ("selectbox", "decay", "cosine"),
    ("number_input", "d.decay_steps", 120),
    ("toggle", "d.staircase", False),
]
NET_START = {"epochs": "10"}

CONTROLS = (
    [(RACE, *c) for c in RACE_CONTROLS] + [(GALLERY, *c) for c in GALLERY_CONTROLS] + [(STEP, *c) for c in STEP_CONTROLS]
    + [(NET, *c) for c in NET_CONTROLS]
)  # fmt: skip
STARTS = {(STEP, "drop"): {"n": "1250"}} | {(NET, c[1]): NET_START for c in NET_CONTROLS}  # drop_last only matters when a batch is partial


@pytest.mark.parametrize("path, kind, key, value", CONTROLS, ids=[f"{c[0].split('/')[1][:-3]}-{c[2]}" for c in CONTROLS])
def test_each_main_control_changes_what_is_shown(path, kind, key, value):
    at = page(path, STARTS.get((path, key)))
    before = shown(at)
    widget = getattr(at, kind)(key=key)
    (widget.input(value) if kind == "text_input" else widget.set_value(value)).run()
    clean(at)
    assert shown(at) != before


def test_step_page_reproduces_the_answers_table_and_the_forgotten_increment():
    at = page(STEP)
    table = at.dataframe[0].value
    assert list(table["global_step"][:3]) == [0, 1, 2]
    assert round(table["learning rate"][1], 7) == 0.9999996  # the answer printed 0.9999996423721313
    assert at.metric[0].value == "12"
    at.toggle(key="forget").set_value(True).run()
    table = at.dataframe[0].value
    assert set(table["global_step"]) == {0} and set(table["learning rate"]) == {1.0}


@pytest.mark.parametrize("n, epoch", [(1200, "8,334"), (1000, "10,001")])
def test_step_page_names_the_epoch_of_the_keras_examples_first_drop(n, epoch):
    # Update 100,000 (counted from 0) falls in epoch 100000 // steps_per_epoch + 1: with 12
    # steps per epoch that is epoch 8,334 (updates 99,996-100,007), not 8,335.
    at = page(STEP, {"n": str(n)})
    keras = next(m.value for m in at.markdown if "first drops at step 100,000" in m.value)
    assert f"epoch {epoch}:" in keras


# --------------------------------------------------------------------------- links

MALFORMED = [
    (RACE, {"lr": "abc"}, "lr"),
    (RACE, {"lr": "5"}, "lr"),
    (RACE, {"lr": ""}, "lr"),
    (RACE, {"steps": "7"}, "steps"),
    (RACE, {"decay": "banana"}, "decay"),
    (RACE, {"d.decay_steps": "-3"}, "d.decay_steps"),
    (RACE, {"batch": "3"}, "batch"),
    (RACE, {"opt": "SGDX"}, "opt"),
    (RACE, {"seed": "1.5"}, "seed"),
    (RACE, {"scale": "maybe"}, "scale"),
    (RACE, {"nonsense": "1"}, "nonsense"),
    (GALLERY, {"show": "nope"}, "show"),
    (GALLERY, {"steps": "abc"}, "steps"),
    (GALLERY, {"g.exponential.decay_rate": "2"}, "g.exponential.decay_rate"),
    (GALLERY, {"x": "weeks"}, "x"),
    (GALLERY, {"at": "a, b"}, "at"),
    (STEP, {"n": "-5"}, "n"),
    (STEP, {"batch": "7"}, "batch"),
    (STEP, {"ds": "0"}, "ds"),
    (STEP, {"forget": "maybe"}, "forget"),
    (NET, {"noise": "0.9"}, "noise"),
    (NET, {"batch": "7"}, "batch"),
    (NET, {"decay": "reduce_on_plateau"}, "decay"),
]


@pytest.mark.parametrize("path, query, name", MALFORMED, ids=[f"{p.split('/')[1][:-3]}-{n}={list(q.values())[0]}" for p, q, n in MALFORMED])
def test_malformed_link_warns_names_the_parameter_and_falls_back(path, query, name):
    reference = page(path)
    at = page(path, query)
    assert not at.exception
    assert any(f"`{name}=" in w.value for w in at.warning), [w.value for w in at.warning]
    assert shown(at) == shown(reference)  # the setting fell back to its default


LINKS = [
    (RACE, {"lr": "0.15", "decay": "cosine", "d.decay_steps": "400", "batch": "16", "opt": "momentum", "momentum": "0.5"}),
    (RACE, {"decay": "warmup", "d.schedule": "step", "d.schedule.gamma": "0.25", "d.warmup_steps": "50"}),
    (GALLERY, {"show": "step,cosine,join", "x": "epochs", "g.step.gamma": "0.25", "g.join.schedules.1": "cosine_annealing"}),
    (STEP, {"n": "2400", "batch": "50", "forget": "1", "stair": "1"}),
    (NET, {"epochs": "8", "seeds": "3", "lr": "0.5", "decay": "step", "d.gamma": "0.25"}),
]


@pytest.mark.parametrize("path, query", LINKS, ids=["race", "race-nested", "gallery", "step", "net"])
def test_a_link_restores_the_page_exactly(path, query):
    at = page(path, query)
    clean(at)
    assert not at.warning
    assert {k: at.query_params[k] for k in query} == query  # the URL still says it
    again = page(path, dict(at.query_params))
    assert shown(again) == shown(at)


def test_moving_a_control_writes_it_into_the_link():
    at = page(RACE)
    at.slider(key="lr").set_value(0.12).run()
    at.select_slider(key="batch").set_value(8).run()
    # only what differs from the defaults, and the language (every link says it, issue 14)
    assert at.query_params == {"lr": "0.12", "batch": "8", "lang": "en"}


@pytest.mark.parametrize(
    "item",
    [item for source in SOURCES for item in source.items],
    ids=[item.title[:40] for source in SOURCES for item in source.items],
)
def test_every_link_from_the_texts_opens_its_page_cleanly(item):
    at = page(item.page, item.query)
    clean(at)
    assert not at.warning


@pytest.mark.parametrize(
    "item",
    [item for source in SOURCES for item in source.items if item.page == GALLERY and item.query.get("show") != "constant"],
    ids=lambda item: item.title[:40],
)
def test_every_gallery_link_from_the_texts_shows_the_schedule_changing(item):
    # A link whose view ends before the schedule's first drop would show a flat line.
    at = page(GALLERY, item.query)
    spec = figures(at)[0]
    from ui.figures import decode

    rates = decode(spec["data"][0]["y"])
    assert np.ptp(rates[np.isfinite(rates)]) > 0, item.title


def test_from_the_texts_lists_every_item_with_a_link():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run().switch_page(TEXTS).run()
    clean(at)
    links = at.get("page_link")
    assert len(links) == sum(len(s.items) for s in SOURCES)


# --------------------------------------------------------------------------- errors are messages


@pytest.mark.parametrize(
    "path, query, message",
    [
        (RACE, {"decay": "piecewise_constant", "d.values": "0.1, 0.01"}, "values must have one more entry than boundaries"),
        (RACE, {"decay": "one_cycle", "d.pct_start": "0.001"}, "pct_start must leave every phase"),
        (GALLERY, {"show": "formula", "g.formula.expression": "lr0 *"}, "expression is not a valid formula"),
        (GALLERY, {"show": "formula", "g.formula.expression": "lr0 * (100 - step)"}, "at step 101"),
        (STEP, {"n": "500", "batch": "1000", "drop": "1"}, "batch_size must be <= n_examples"),
        (NET, {"batch": "1"}, "epochs must be at most 16"),
    ],
)
def test_a_value_error_is_shown_as_a_message_not_a_traceback(path, query, message):
    at = page(path, query)
    assert not at.exception
    shown = [e.value.replace("\\", "") for e in at.error]  # as read: Markdown escapes removed
    assert any(message in text for text in shown), shown


# --------------------------------------------------------------------------- payload and start-up


def test_figures_stay_under_a_megabyte_at_a_hundred_thousand_steps():
    at = page(RACE, {"steps": "100000", "runs": "100"})
    clean(at)
    sizes = [len(p.encode()) for p in payloads(at)]
    assert max(sizes) < 1_000_000, sizes
    gallery = page(GALLERY, {"steps": "100000", "show": "exponential,cosine_restarts,cyclic,one_cycle"})
    assert max(len(p.encode()) for p in payloads(gallery)) < 1_000_000


def test_the_animation_is_built_of_bounded_frames_that_need_no_server():
    # (That it plays in a real browser is tests/test_browser.py's Play test.)
    at = page(RACE)
    plane = figures(at)[0]
    assert 1 < len(plane["frames"]) <= 60
    play = plane["layout"]["updatemenus"][0]["buttons"][0]
    assert play["method"] == "animate" and play["args"][1]["frame"]["redraw"] is False
    assert all(step["args"][1]["frame"]["redraw"] is False for step in plane["layout"]["sliders"][0]["steps"])


def test_starting_the_app_does_not_import_torch():
    code = (
        "import sys; from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'app.py')!r}, default_timeout=120).run()\n"
        "assert not at.exception\n"
        f"at.switch_page({GALLERY!r}).run()\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


# --------------------------------------------------------------------------- every optimizer, every schedule


@pytest.mark.slow
@pytest.mark.parametrize("opt", ["SGD", "momentum", "nesterov", "Adagrad", "RMSprop", "Adam", "AdamW"])
def test_the_race_runs_cleanly_for_every_schedule_in_the_picker(opt):
    from lrcore import registry

    for name in registry.SCHEDULES:
        if name == "constant":
            continue
        at = page(RACE, {"opt": opt, "decay": name})
        clean(at)
        assert not at.warning, (opt, name, [w.value for w in at.warning])
        assert len(figures(at)) == 2, (opt, name)


# --------------------------------------------------------------------------- lanes

LANE_LINKS = {
    "schedules": ({"lanes": "constant,inverse_time,step,exponential,inverse_sqrt"}, ["Constant rate", "Time-based (inverse time) decay", "Step decay (halve every N)", "Exponential decay", "k/√t decay"]),
    "optimizers": ({"lanes": "exponential@SGD,exponential@momentum,exponential@Adam"}, ["Exponential decay · SGD", "Exponential decay · Momentum", "Exponential decay · Adam"]),
}


@pytest.mark.parametrize("mode", LANE_LINKS)
def test_a_lanes_link_draws_and_names_every_lane_with_its_final_loss(mode):
    from lrcore.race import parse_lanes, run_race, Lane
    from lrcore import registry
    from lrcore.optim import OptimizerSpec
    from ui import words

    query, names = LANE_LINKS[mode]
    at = page(RACE, query)
    clean(at)
    assert not at.warning
    curves = figures(at)[1]
    legend = [t["name"] for t in curves["data"] if t.get("showlegend") and t.get("legendrank", 99) < 20]
    assert [n.split(" (mean")[0] for n in legend] == names
    table = at.dataframe[0].value
    assert list(table["lane"]) == names
    # the final losses shown are the race's own
    pairs = parse_lanes(query["lanes"])
    cfg = RaceConfig(lanes=tuple(Lane(registry.default(n, 1000, 0.1), OptimizerSpec(o)) for n, o in pairs))
    for lane, shown in zip(run_race(cfg), table["final loss"]):
        assert shown.split(" ")[0] == words.number(lane.final if lane.has_theory else lane.final_measured)
    assert at.query_params["lanes"] == query["lanes"]  # the link still says it


def test_switching_the_comparison_gives_the_modes_default_lanes():
    at = page(RACE)
    at.radio(key="compare").set_value("optimizers").run()
    clean(at)
    assert at.multiselect(key="lanes").value == ["SGD", "momentum", "Adagrad", "RMSprop", "Adam"]
    at.radio(key="compare").set_value("schedules").run()
    clean(at)
    assert at.multiselect(key="lanes").value == ["constant", "inverse_time", "step", "exponential", "inverse_sqrt"]


# --------------------------------------------------------------------------- the texts' network


def test_network_page_says_what_its_numbers_show_and_that_torch_agrees():
    from lrcore import nets

    at = page(NET)
    clean(at)
    outcome = nets.outcome(nets.train(nets.NetConfig()))  # the page's default training, retrained here
    story = " ".join(m.value for m in at.markdown)
    assert outcome.direction == "lower" and "ends **lower than every constant seed**" in story
    assert f"{outcome.decayed_final[1]:.3f} (seeds from {outcome.decayed_final[0]:.3f}" in story
    (check,) = at.success  # green only when torch's rate is lrcore's at every update (within nets.RATE_AGREES)
    assert "lrcore's schedule" in check.value and "at all 1,200 updates of both lanes" in check.value
    (chart,) = figures(at)
    assert len(chart["data"]) == 2 * 2 * 3 + 3  # loss and accuracy: band edges and mean per lane; two rates and lrcore's


@pytest.mark.parametrize("button, first_change", [("answer", "never changed its rate"), ("right_units", "first changed its rate at update 12 (epoch 2)")])
def test_network_presets_give_the_answers_settings(button, first_change):
    at = page(NET)
    at.button(key=button).click().run()
    clean(at)
    assert at.number_input(key="lr").value == 0.01
    assert at.number_input(key="d.decay_steps").value == (100000 if button == "answer" else 12)
    story = " ".join(m.value for m in at.markdown)
    assert first_change in story
    assert ("identical, step for step" in story) == (button == "answer")
    assert at.query_params["lr"] == "0.01"
