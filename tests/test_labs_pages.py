"""The three labs, run in-process with AppTest: defaults, every value of every control, links, errors."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_charts import figures
from tests.test_pages import ROOT, clean, page, shown

BATCH, WARMUP, BEST = "app_pages/lab_batch_size.py", "app_pages/lab_warmup.py", "app_pages/lab_best_schedule.py"
LABS = [BATCH, WARMUP, BEST]


def _options(path: str, key: str, base: dict | None = None) -> list[str]:
    """Every value a link may give ``key``, as the link writes them: the refusal of a bad one lists them."""
    at = page(path, (base or {}) | {key: "not-an-option"})
    (warning,) = [w.value for w in at.warning if f"`{key}=" in w.value]
    listed = re.search(r"must be one of (.*)\. Using the default", warning).group(1)
    return listed.split(", ")


@pytest.mark.parametrize("path", LABS)
def test_every_lab_runs_at_its_defaults_with_its_figures_and_story(path):
    at = page(path)
    clean(at)
    assert not at.warning
    assert at.title and len(figures(at)) == 2
    assert at.query_params == {"lang": "en"}  # nothing differs from the defaults; the language is always said


def test_the_labs_are_in_the_navigation_after_the_four_pages():
    source = (ROOT / "app.py").read_text()
    order = [source.index(p) for p in ("from_the_texts.py", BATCH, WARMUP, BEST)]
    assert order == sorted(order)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    for path in LABS:
        at.switch_page(path).run()
        clean(at)


# --------------------------------------------------------------------------- every control

QUICK = [  # one value of each control: it must change what is shown
    (BATCH, {"lr": "0.1"}), (BATCH, {"b0": "4"}), (BATCH, {"target": "0.001"}), (BATCH, {"under": "cosine"}),
    (BATCH, {"kappa": "50"}), (BATCH, {"sigma": "2"}), (BATCH, {"noise": "curvature"}), (BATCH, {"pair": "2x1000-4x500"}),
    (BATCH, {"rule": "linear"}), (BATCH, {"under": "exponential", "horizon": "1000"}),
    (WARMUP, {"case": "quadratic"}), (WARMUP, {"case": "adam"}), (WARMUP, {"b.lr": "0.05"}), (WARMUP, {"b.warmup": "5"}),
    (WARMUP, {"b.steps": "200"}), (WARMUP, {"case": "quadratic", "q.lr": "0.25"}), (WARMUP, {"case": "quadratic", "q.warmup": "10"}),
    (WARMUP, {"case": "quadratic", "q.steps": "500"}), (WARMUP, {"case": "adam", "a.lr": "0.01"}),
    (WARMUP, {"case": "adam", "a.beta2": "0.99"}), (WARMUP, {"case": "adam", "a.short": "50"}), (WARMUP, {"runs": "50"}), (WARMUP, {"seed": "3"}),
    (BEST, {"steps": "500"}), (BEST, {"opt": "momentum"}), (BEST, {"opt": "nesterov", "momentum": "0.5"}), (BEST, {"yours": "cosine"}),
    (BEST, {"y.decay_rate": "0.8"}), (BEST, {"kappa": "20"}), (BEST, {"sigma": "0.5"}), (BEST, {"batch": "16"}), (BEST, {"noise": "curvature"}),
]  # fmt: skip


@pytest.mark.parametrize("path, query", QUICK, ids=[f"{p.split('_', 1)[1][:-3]}-{'&'.join(f'{k}={v}' for k, v in q.items())}" for p, q in QUICK])
def test_each_control_changes_what_is_shown_and_stays_in_the_link(path, query):
    base = {"case": query["case"]} if "case" in query and len(query) > 1 else {}
    at = page(path, query)
    clean(at)
    assert not at.warning, [w.value for w in at.warning]
    assert {k: at.query_params[k] for k in query} == query
    assert shown(at) != shown(page(path, base))


def test_moving_a_widget_writes_the_link():
    at = page(BATCH)
    at.select_slider(key="target").set_value(0.003).run()
    at.selectbox(key="under").set_value("cosine").run()
    clean(at)
    assert at.query_params == {"target": "0.003", "under": "cosine", "lang": "en"}  # the language: every link says it


def _sweep(path: str, keys: list[str], base: dict | None = None) -> None:
    for key in keys:
        options = _options(path, key, base)
        assert len(options) >= 2, (key, options)
        for option in options:
            at = page(path, (base or {}) | {key: str(option)})
            clean(at)
            assert not at.warning, (key, option, [w.value for w in at.warning])
            assert len(figures(at)) == 2, (key, option)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path, keys, base",
    [
        (BATCH, ["lr", "b0", "target", "kappa", "noise", "rule"], None),
        (BATCH, ["under"], None),
        (BATCH, ["pair"], None),
        (BATCH, ["horizon"], {"under": "step"}),
        (WARMUP, ["case", "b.lr", "b.warmup", "b.steps", "runs"], None),
        (WARMUP, ["q.lr", "q.warmup", "q.steps"], {"case": "quadratic"}),
        (WARMUP, ["a.lr", "a.beta2", "a.short"], {"case": "adam"}),
        (BEST, ["steps", "opt", "kappa", "batch", "noise"], None),
        (BEST, ["yours"], None),
    ],
    ids=["batch", "batch-schedules", "batch-pairs", "batch-horizon", "warmup-bowl", "warmup-quadratic", "warmup-adam", "best", "best-yours"],
)
def test_every_value_of_every_control_runs_cleanly(path, keys, base):
    _sweep(path, keys, base)


# --------------------------------------------------------------------------- links

LINKS = [
    (BATCH, {"lr": "0.1", "b0": "2", "target": "0.003", "under": "cosine", "s.alpha": "0.1", "kappa": "20", "pair": "1x2000-4x500", "rule": "sqrt"}),
    (WARMUP, {"case": "adam", "a.lr": "0.03", "a.beta2": "0.99", "a.short": "10", "runs": "100", "seed": "4"}),
    (WARMUP, {"case": "quadratic", "q.lr": "0.21", "q.warmup": "200"}),
    (BEST, {"steps": "2000", "opt": "momentum", "momentum": "0.8", "yours": "step", "y.gamma": "0.25", "batch": "4"}),
]


@pytest.mark.parametrize("path, query", LINKS, ids=["batch", "warmup-adam", "warmup-quadratic", "best"])
def test_a_link_restores_the_lab_exactly(path, query):
    at = page(path, query)
    clean(at)
    assert not at.warning, [w.value for w in at.warning]
    assert {k: at.query_params[k] for k in query} == query
    again = page(path, dict(at.query_params))
    assert shown(again) == shown(at)


@pytest.mark.parametrize(
    "path, query, name",
    [(BATCH, {"lr": "7"}, "lr"), (BATCH, {"under": "banana"}, "under"), (BATCH, {"pair": "3x3-1x9"}, "pair"),
     (WARMUP, {"case": "nope"}, "case"), (WARMUP, {"b.lr": "abc"}, "b.lr"), (BEST, {"steps": "7"}, "steps"), (BEST, {"opt": "Adam"}, "opt")],
)  # fmt: skip
def test_a_malformed_link_warns_by_name_and_falls_back(path, query, name):
    at = page(path, query)
    assert not at.exception
    assert any(f"`{name}=" in w.value for w in at.warning), [w.value for w in at.warning]
    assert shown(at) == shown(page(path))


def test_a_bad_schedule_parameter_is_a_message_not_a_traceback():
    at = page(BEST, {"yours": "piecewise_constant", "y.values": "0.1, 0.01"})
    assert not at.exception
    assert any("values must have one more entry than boundaries" in e.value.replace("\\", "") for e in at.error)


# --------------------------------------------------------------------------- into the race


def _race_links(at: AppTest) -> list[dict]:
    """The race links a lab drew (as Markdown when the page runs alone, see ui.state.page_link)."""
    out = []
    for m in at.markdown:
        for url in re.findall(r"\]\((/decay_race\?[^)]*)\)", m.value):
            out.append(dict(parse_qsl(urlsplit(url).query)))
    return out


def test_the_batch_labs_two_races_see_the_same_examples_and_open_cleanly():
    at = page(BATCH, {"pair": "1x2000-4x500", "rule": "linear"})
    first, second = _race_links(at)
    assert int(first["batch"]) * int(first["steps"]) == int(second["batch"]) * int(second["steps"]) == 2000
    assert float(second["lr"]) == pytest.approx(4 * float(first["lr"]))  # the linear rule, k = 4
    for query in (first, second):
        race = page("app_pages/decay_race.py", query)
        clean(race)
        assert not race.warning


def test_the_best_labs_race_link_opens_a_lane_with_the_optimums_rates():
    from ui import figures as F

    at = page(BEST)
    (query,) = _race_links(at)
    race = page("app_pages/decay_race.py", query)
    clean(race)
    assert not race.warning
    curves = figures(race)[1]
    rate = next(t for t in curves["data"] if t.get("yaxis") == "y2" and "rate %{y" in t.get("hovertemplate", ""))
    from lrcore import optimal
    from ui import lab_views
    import numpy as np

    config = lab_views.BestConfig()
    best = optimal.optimal_schedule(config.problem(), config.steps)(np.arange(config.steps))
    x, y = F.decode(rate["x"]).astype(int), F.decode(rate["y"])
    np.testing.assert_allclose(y, np.minimum(best, lab_views.RACE_LR_MAX)[x], rtol=1e-5)  # float32 on the wire
