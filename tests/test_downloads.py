"""Downloads: the CSV holds exactly the arrays drawn, the HTML asks nothing of the network and plays,
the PNG is a PNG of the size asked for, and no page builds a file before its button is pressed."""

import importlib.util
import io
import re
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from lrcore.race import Lane, RaceConfig
from ui import downloads, figures, views

ROOT = Path(__file__).resolve().parents[1]
RACE, GALLERY, STEP = "app_pages/decay_race.py", "app_pages/schedule_gallery.py", "app_pages/what_is_a_step.py"

# 2,000 steps: every series is decimated, each on its own steps, so the rows are a union.
ONE_LANE = RaceConfig(lanes=(Lane("exponential"),), steps=2000, runs=20)
SEVERAL = RaceConfig(lanes=(Lane("constant"), Lane("step"), Lane("cosine", "Adam")), steps=2000, runs=20)
DIVERGING = RaceConfig(lr=0.3, steps=300, runs=20)  # above SGD's stability bound 0.2: every run leaves


@pytest.fixture(scope="module", autouse=True)
def _close_the_png_renderer():
    """The renderer keeps its Chromium between PNGs: closed with the module, not left to exit."""
    yield
    downloads._renderer.close()


@pytest.fixture(scope="module", params=[ONE_LANE, SEVERAL, DIVERGING], ids=["one lane", "three lanes", "diverging"])
def view(request):
    return views.compute_race_view(request.param)


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""])


def at_steps(frame: pd.DataFrame, column: str, steps) -> np.ndarray:
    return frame.set_index("step").loc[np.asarray(steps), column].to_numpy(dtype=np.float64)


# --------------------------------------------------------------------------- CSV


def test_race_csv_holds_every_drawn_array_exactly(view):
    table = read_csv(downloads.race_csv(view))
    assert list(table.columns) == downloads.RACE_COLUMNS
    assert list(dict.fromkeys(table["lane"])) == view.labels
    for lane in view.lanes:
        rows = table[table["lane"] == lane.label]
        drawn = [lane.loss_steps, lane.band_steps, lane.lr_steps] + ([lane.theory_steps] if lane.expected is not None else [])
        assert rows["step"].tolist() == sorted(set(np.concatenate(drawn).tolist()))  # each step once, in order
        np.testing.assert_array_equal(at_steps(rows, "mean_loss", lane.loss_steps), lane.mean)  # bit for bit
        np.testing.assert_array_equal(at_steps(rows, "band_10", lane.band_steps), lane.band[0])
        np.testing.assert_array_equal(at_steps(rows, "band_90", lane.band_steps), lane.band[1])
        np.testing.assert_array_equal(at_steps(rows, "learning_rate", lane.lr_steps), lane.lr)
        if lane.expected is None:
            assert rows["expected_loss"].isna().all()
        else:
            np.testing.assert_array_equal(at_steps(rows, "expected_loss", lane.theory_steps), lane.expected)
        # Nothing but what is drawn: a cell off a curve's steps is empty.
        for column, steps in (("mean_loss", lane.loss_steps), ("band_10", lane.band_steps), ("learning_rate", lane.lr_steps)):
            assert rows.loc[~rows["step"].isin(steps), column].isna().all()
        assert (rows["stability_bound"].isna().all() if lane.bound is None else (rows["stability_bound"] == lane.bound).all())
        assert rows["noise_floor"].isna().all() != figures._has_floor(lane)


def test_race_csv_is_what_the_chart_draws(view):
    """Each lane's mean and rate trace of the loss-and-rate figure, read back, is the CSV's column."""
    table = read_csv(downloads.race_csv(view))
    traces = figures.race_curves(view).spec["data"]
    for lane in view.lanes:
        rows = table[table["lane"] == lane.label]
        mean = next(t for t in traces if t.get("name", "").startswith(lane.label) and t.get("yaxis") == "y")
        rate = next(t for t in traces if t.get("yaxis") == "y2" and t.get("hovertemplate", "").endswith(f"<extra>{lane.label}</extra>"))
        for trace, column in ((mean, "mean_loss"), (rate, "learning_rate")):
            x, drawn = figures.decode(trace["x"]), figures.decode(trace["y"])
            csv = at_steps(rows, column, x.astype(int))
            shown = np.isfinite(drawn)  # gaps: a zero rate on the log axis, a mean gone to infinity
            assert shown.any()
            np.testing.assert_allclose(drawn[shown], csv[shown], rtol=1e-6)  # the wire is float32
            assert (~np.isfinite(csv[~shown]) | (csv[~shown] <= 0) | (np.abs(csv[~shown]) > 1e37)).all()


def test_a_diverged_band_reads_back_as_infinity():
    view = views.compute_race_view(DIVERGING)
    table = read_csv(downloads.race_csv(view))
    assert view.lanes[0].diverged_share == 1
    assert np.isposinf(table["band_90"]).any()


def test_step_curves_csv_holds_its_three_charts():
    from lrcore.global_step import StepConfig

    view = views.step_view(StepConfig(runs=5))
    r = view.result
    loss = [("incremented", r.sim_epochs, r.sim_excess[0], "#000", "solid"), ("stuck", r.sim_epochs, r.sim_excess[1], "#000", "dash")]
    rate = [("incremented", r.sim_epochs[:-1], r.sim_rate[0])]
    stairs = [("smooth", view.curve_epochs, view.curve_continuous), ("staircase", view.curve_epochs, view.curve_staircase)]
    items = downloads.step_downloads(loss, rate, stairs, None, None, None)
    table = read_csv(items[0].build())
    assert list(table.columns) == ["chart", "curve", "epoch", "value"]
    for chart, name, x, y in [("excess loss", "stuck", r.sim_epochs, r.sim_excess[1]), ("learning rate", "incremented", r.sim_epochs[:-1], r.sim_rate[0]),
                              ("staircase or smooth", "staircase", view.curve_epochs, view.curve_staircase)]:  # fmt: skip
        rows = table[(table["chart"] == chart) & (table["curve"] == name)]
        np.testing.assert_array_equal(rows["epoch"], x)
        np.testing.assert_array_equal(rows["value"], y)
    assert len(table) == 2 * len(r.sim_epochs) + len(r.sim_epochs) - 1 + 2 * len(view.curve_epochs)


def test_rates_csv_is_every_step_of_every_schedule():
    rates = {"exponential": 0.1 * 0.96 ** (np.arange(50) / 7), "step": np.repeat([0.1, 0.01], 25)}
    table = read_csv(downloads.rates_csv(rates, steps_per_epoch=12))
    np.testing.assert_array_equal(table["step"], np.arange(50))
    np.testing.assert_array_equal(table["epoch"], np.arange(50) // 12)
    assert list(table.columns) == ["step", "epoch", "lr_exponential", "lr_step"]  # a schedule called "step" keeps the steps
    for name, r in rates.items():
        np.testing.assert_array_equal(table[f"lr_{name}"], r)


# --------------------------------------------------------------------------- HTML


def test_animation_html_is_self_contained():
    view = views.compute_race_view(RaceConfig(steps=200, runs=20))
    html = downloads.animation_html(figures.race_plane(view)).decode()
    assert re.search(r"<script[^>]+src=", html) is None  # every script inline
    from plotly.offline import get_plotlyjs

    bundle = get_plotlyjs()  # the installed package's plotly.min.js, as it is
    assert bundle in html
    page = html.replace(bundle, "")  # (the bundle's own code names Plotly's site, for links it is not asked to draw)
    assert re.search(r"https?://", page) is None, re.findall(r".{40}https?://.{40}", page)
    assert "<title>Learning-Rate Decay Lab</title>" in page and page.count("charset") == 1
    assert "addFrames" in html and html.count('"name":"') >= len(view.frame_steps)
    assert "\\u25b6 Play" in html  # the Play button (JSON escapes the ▶)


def test_a_download_is_built_in_the_language_it_was_offered_in():
    """Streamlit builds a file on press, on a thread of its own, outside the run that offered
    it: the file still speaks the language the buttons did."""
    from ui import i18n

    view = views.compute_race_view(RaceConfig(steps=200, runs=20))
    with i18n.using("zh"):
        items = downloads.race_downloads(view)
    assert items[1].label == "动画（HTML）"
    html = items[1].build().decode()  # pressed later, with no language set
    assert "<title>学习率衰减实验室</title>" in html and "\\u64ad\\u653e" in html  # 播放, JSON-escaped
    assert "<title>Learning-Rate Decay Lab</title>" in downloads.race_downloads(view)[1].build().decode()


# --------------------------------------------------------------------------- PNG

_no_png = downloads.png_unavailable()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_unavailable_says_why(monkeypatch):
    monkeypatch.setattr(downloads, "CHROMIUM", "/nonexistent/chromium")
    why = downloads.png_unavailable()
    assert "/nonexistent/chromium" in why and "Chromium" in why
    with pytest.raises(RuntimeError, match="not installed at /nonexistent/chromium"):
        downloads.figure_png({"data": [], "layout": {}})
    item = downloads.png_download("Plane (PNG)", {"data": []}, "plane.png")
    assert item.unavailable == why and item.help == why


def test_a_still_has_no_controls_or_frames():
    view = views.compute_race_view(RaceConfig(steps=200, runs=20))
    fig = figures.race_plane(view)
    spec = downloads.still(fig)
    assert "frames" not in spec and "sliders" not in spec["layout"] and "updatemenus" not in spec["layout"]
    assert spec["layout"]["margin"]["b"] == 60
    assert "frames" in fig.spec and "sliders" in fig.spec["layout"]  # the page's own figure is untouched


@pytest.mark.skipif(importlib.util.find_spec("kaleido") is None, reason="kaleido is not installed (pip install -r requirements.txt)")
def test_a_browser_that_will_not_start_is_reported_plainly(monkeypatch):
    monkeypatch.setattr(downloads, "CHROMIUM", "/bin/false")  # runs, and exits at once
    monkeypatch.setattr(downloads, "_renderer", downloads._Renderer())
    with pytest.raises(RuntimeError, match="Chromium at /bin/false could not draw the figure: The browser seemed to close") as err:
        downloads.figure_png({"data": [], "layout": {}}, 320, 200, 1)
    assert "choreo_get_chrome" not in str(err.value)  # no advice to download a browser


@pytest.mark.browser
@pytest.mark.skipif(_no_png is not None, reason=str(_no_png))
def test_png_is_a_png_of_the_projectors_size():
    view = views.compute_race_view(RaceConfig(steps=200, runs=20))
    assert png_size(downloads.figure_png(figures.race_plane(view))) == (1920, 1080)
    assert png_size(downloads.figure_png(figures.race_curves(view), width=1280, height=720)) == (1280, 720)


@pytest.mark.browser
@pytest.mark.skipif(_no_png is not None, reason=str(_no_png))
def test_png_draws_chinese_text_with_glyphs_not_boxes():
    """Five CJK characters against five characters no font has (each drawn as the same empty box):
    without a CJK font both titles would be five identical boxes and the pictures identical."""

    def picture(title: str) -> bytes:
        return downloads.figure_png({"data": [], "layout": {"title": {"text": title, "font": {"size": 60}}}}, 640, 360, 1)

    chinese, boxes = picture("学习率衰减"), picture("\U000f0000" * 5)
    assert chinese != boxes
    assert picture("学习率衰减") == chinese  # the same text draws the same picture: the difference is the glyphs


# --------------------------------------------------------------------------- the buttons on the pages


@pytest.fixture
def spy(monkeypatch):
    """Counts every builder call, and keeps what each download button was given as its data."""
    calls = {}
    for name in ("race_csv", "curves_csv", "rates_csv", "animation_html", "figure_png"):
        original = getattr(downloads, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls[_name] = calls.get(_name, 0) + 1
            return b"png" if _name == "figure_png" else _original(*args, **kwargs)

        monkeypatch.setattr(downloads, name, counted)
    buttons = {}
    original_button = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        buttons[kwargs["key"]] = (label, data, kwargs)
        return original_button(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return calls, buttons


PAGES = {
    RACE: ["Curves (CSV)", "Animation (HTML)", "Plane (PNG)", "Loss and rates (PNG)"],
    GALLERY: ["Every step (CSV)", "The curves (PNG)"],
    STEP: ["Curves (CSV)", "Training loss (PNG)", "Training rate (PNG)", "Staircase or smooth (PNG)"],
}
MOVES = {RACE: ("slider", "lr", 0.15), GALLERY: ("select_slider", "steps", 500), STEP: ("select_slider", "batch", 50)}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_has_its_buttons_and_a_slider_move_builds_nothing(spy, path):
    calls, buttons = spy
    at = AppTest.from_file(str(ROOT / path), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    rows = [b for b in at.download_button if not b.label.endswith(".py")]  # the Code panels' files are theirs
    assert [b.label for b in rows] == PAGES[path]
    assert all(not b.disabled for b in rows) == (_no_png is None)
    kind, key, value = MOVES[path]
    getattr(at, kind)(key=key).set_value(value).run()
    assert not at.exception
    assert [b.label for b in at.download_button if not b.label.endswith(".py")] == PAGES[path]
    assert calls == {}  # two runs, a slider move between: no file built
    assert all(callable(data) for _, data, _ in buttons.values())  # each button holds a builder, not bytes
    for label, data, kwargs in buttons.values():  # pressing one builds its file, and only it
        before = sum(calls.values())
        out = data()
        assert isinstance(out, bytes) and out
        assert sum(calls.values()) == before + 1, label
        assert kwargs["on_click"] == "ignore"  # a download does not rerun the page


def test_race_csv_button_builds_the_curves_of_the_rate_on_screen(spy):
    calls, buttons = spy
    at = AppTest.from_file(str(ROOT / RACE), default_timeout=120).run()
    at.slider(key="lr").set_value(0.15).run()
    table = read_csv(buttons["download.race.0"][1]())
    constant = table[table["lane"] == table["lane"].iloc[0]]
    assert set(constant["learning_rate"].dropna()) == {0.15}


# --------------------------------------------------------------------------- offline, in Chromium

import os  # noqa: E402

from tests import browser as B  # noqa: E402

_no_browser = B.chromium_missing()
if _no_browser and os.environ.get("LRLAB_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests are required here but cannot run: {_no_browser}")
ARTIFACTS = B.ROOT / "test-artifacts" / "screenshots"


@pytest.mark.browser
@pytest.mark.skipif(_no_browser is not None, reason=str(_no_browser))
def test_animation_html_plays_offline_in_chromium(tmp_path):
    """Opened from disk with every non-file request refused: it draws, ▶ Play advances the frames,
    the runs move, and it never asked for anything."""
    view = views.compute_race_view(RaceConfig())
    path = tmp_path / "decay_race_animation.html"
    path.write_bytes(downloads.animation_html(figures.race_plane(view)))
    asked = []
    with B.browser() as b:
        context = b.new_context(viewport={"width": 1366, "height": 768})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else (asked.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(("file://", "data:", "blob:")) else asked.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_function(
            f"(gd => gd && gd._transitionData && gd._transitionData._frames.length === {len(view.frame_steps)})"
            "(document.querySelector('.js-plotly-plot'))",
            timeout=30_000,
        )
        page.evaluate(
            """() => { const gd = document.querySelector('.js-plotly-plot');
            window.gd = gd; window.played = [];
            window.moving = gd._transitionData._frames[0].traces[0];
            window.opening = Array.from(gd._fullData[window.moving].x);  // the drawn numbers
            gd.on('plotly_animatingframe', e => window.played.push(e.name)); }"""
        )
        page.locator(".updatemenu-button", has_text="Play").click()
        page.wait_for_function("window.played.length >= 6", timeout=30_000)
        played = page.evaluate("window.played")
        moved = page.evaluate("JSON.stringify(Array.from(gd._fullData[window.moving].x)) !== JSON.stringify(window.opening)")
        toolbar = page.evaluate("Array.from(document.querySelectorAll('.modebar-btn')).map(b => b.getAttribute('data-title'))")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "download_animation_playing.png"))
        context.close()
    steps = [str(int(s)) for s in view.frame_steps]
    assert played == steps[: len(played)]  # from the first frame on, in order
    assert moved  # the cloud of runs is drawn where the frames put it
    assert asked == []
    assert "Download plot as a PNG" in toolbar and not [t for t in toolbar if "Share" in t]  # nothing that uploads


def _net_log(path: Path) -> tuple[dict, set[str]]:
    """Chromium's net log: how many events of each kind, and every URL a request was started for."""
    import collections
    import json

    log = json.loads(path.read_text())
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    assert {"DNS_TRANSACTION_ATTEMPT", "TCP_CONNECT_ATTEMPT", "UDP_BYTES_SENT", "URL_REQUEST_START_JOB"} <= set(names.values())
    counts = collections.Counter(names[e["type"]] for e in log["events"])
    urls = {e["params"]["url"] for e in log["events"] if names[e["type"]] == "URL_REQUEST_START_JOB" and "url" in e.get("params", {})}
    return counts, urls


CDNS = ("cdn.plot.ly", "cdnjs.cloudflare.com", "mathjax", "jsdelivr", "unpkg")


@pytest.mark.browser
@pytest.mark.skipif(_no_png is not None, reason=str(_no_png))
def test_png_export_asks_nothing_of_the_network(monkeypatch, tmp_path):
    """Chromium's own net log, while it draws: no DNS query sent, no TCP connection tried, nothing
    fetched from a CDN. The same log with Kaleido's defaults (MathJax from a CDN, Chromium as it
    comes) shows both, so the log would have seen ours."""
    import kaleido

    ours = tmp_path / "ours.json"
    monkeypatch.setattr(downloads, "OFFLINE_FLAGS", (*downloads.OFFLINE_FLAGS, f"--log-net-log={ours}"))
    renderer = downloads._Renderer()
    monkeypatch.setattr(downloads, "_renderer", renderer)
    view = views.compute_race_view(RaceConfig(steps=200, runs=20))
    try:
        assert png_size(downloads.figure_png(figures.race_curves(view), 960, 540)) == (960, 540)
        assert png_size(downloads.figure_png({"data": [], "layout": {"title": {"text": "学习率"}}}, 640, 360)) == (640, 360)
    finally:
        renderer.close()
    counts, urls = _net_log(ours)
    assert counts["DNS_TRANSACTION_ATTEMPT"] == 0 and counts["TCP_CONNECT_ATTEMPT"] == 0 and counts["UDP_BYTES_SENT"] == 0, counts
    assert not [u for u in urls if any(cdn in u for cdn in CDNS)], urls

    theirs = tmp_path / "theirs.json"
    monkeypatch.setattr(downloads, "OFFLINE_FLAGS", (f"--log-net-log={theirs}",))
    kaleido.calc_fig_sync(
        {"data": [], "layout": {}}, opts=dict(format="png", width=320, height=200),
        kopts=dict(path=downloads.CHROMIUM, browser_cls=downloads._offline_chromium(), plotlyjs=str(downloads.PLOTLY_JS)),
    )  # fmt: skip
    counts, urls = _net_log(theirs)
    assert counts["DNS_TRANSACTION_ATTEMPT"] > 0
    assert any("cdnjs.cloudflare.com" in u for u in urls), urls


@pytest.mark.browser
@pytest.mark.skipif(_no_browser is not None, reason=str(_no_browser))
def test_the_buttons_deliver_their_files_in_the_app(tmp_path):
    """In the served app (Streamlit's deferred downloads), at 1366 x 768: each page's buttons are
    photographed where they sit, and a press delivers a file that is what it says."""
    pages = {"": "decay_race", "schedule_gallery": "schedule_gallery", "what_is_a_step": "what_is_a_step"}
    files = {}
    with B.serve() as url, B.browser() as b:
        context = b.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
        for path, name in pages.items():
            page = context.new_page()
            page.goto(f"{url}/{path}")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
            B.wait_until_idle(page)
            buttons = page.locator('[data-testid="stDownloadButton"]').filter(has_not_text=".py")  # not the Code panels'
            assert buttons.count() == len(PAGES[{"": RACE, "schedule_gallery": GALLERY, "what_is_a_step": STEP}[path]])
            buttons.first.scroll_into_view_if_needed()
            page.mouse.wheel(0, 250)  # the buttons and what is above them
            page.wait_for_timeout(300)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"downloads_{name}.png"))
            wanted = ["Curves (CSV)", "Animation (HTML)", "Plane (PNG)"] if name == "decay_race" else [PAGES[{"schedule_gallery": GALLERY, "what_is_a_step": STEP}[path]][0]]
            for label in wanted:
                with page.expect_download(timeout=120_000) as info:
                    page.get_by_role("button", name=label).click()  # (each button has a hidden, zero-width twin)
                target = tmp_path / info.value.suggested_filename
                info.value.save_as(target)
                files[(name, label)] = target
            assert page.locator('[data-testid="stException"]').count() == 0
            page.close()
        context.close()
    race_csv = read_csv(files["decay_race", "Curves (CSV)"].read_bytes())
    assert list(race_csv.columns) == downloads.RACE_COLUMNS and set(race_csv["lane"]) == {"Constant rate", "Exponential decay"}
    assert files["decay_race", "Animation (HTML)"].read_text().count("Plotly.addFrames") == 1
    assert png_size(files["decay_race", "Plane (PNG)"].read_bytes()) == (1920, 1080) if _no_png is None else True
    assert "lr_exponential" in read_csv(files["schedule_gallery", "Every step (CSV)"].read_bytes()).columns
    assert set(read_csv(files["what_is_a_step", "Curves (CSV)"].read_bytes())["chart"]) == {"excess loss", "learning rate", "staircase or smooth"}


def test_without_chromium_the_png_buttons_are_off_and_say_why(monkeypatch):
    monkeypatch.setattr(downloads, "CHROMIUM", "/nonexistent/chromium")
    at = AppTest.from_file(str(ROOT / STEP), default_timeout=120).run()
    assert not at.exception
    state = {b.label: b.disabled for b in at.download_button if not b.label.endswith(".py")}
    assert state == {"Curves (CSV)": False, "Training loss (PNG)": True, "Training rate (PNG)": True, "Staircase or smooth (PNG)": True}
    assert [c.value for c in at.caption if "/nonexistent/chromium" in c.value] == [downloads.png_unavailable()]  # said once
