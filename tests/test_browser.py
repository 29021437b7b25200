"""The app in a real browser: Debian's Chromium, headless, driven by Playwright.

Skipped with the reason when Chromium or Playwright is missing, except under CI
(``LRLAB_REQUIRE_BROWSER=1``, set by ``.ci/run``), where a missing browser fails.
Screenshots of every page are saved under ``test-artifacts/screenshots/``.
"""

import re
import time

import pytest

from tests import browser as B

pytestmark = pytest.mark.browser

B.require_chromium()

ARTIFACTS = B.ROOT / "test-artifacts" / "screenshots"
PAGES = {
    "decay_race": "",
    "schedule_gallery": "schedule_gallery",
    "what_is_a_step": "what_is_a_step",
    "texts_network": "texts_network",
    "from_the_texts": "from_the_texts",
}
LABS = {  # name: the lab's address, with a case where the lab has several
    "lab_batch_size": "lab_batch_size",
    "lab_warmup": "lab_warmup",
    "lab_warmup_quadratic": "lab_warmup?case=quadratic",
    "lab_warmup_adam": "lab_warmup?case=adam",
    "lab_best_schedule": "lab_best_schedule",
}
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@pytest.mark.parametrize("name", PAGES)
def test_every_page_loads_without_errors_and_is_photographed(server, chromium, name):
    page = B.open_page(chromium, f"{server}/{PAGES[name]}")
    if name != "from_the_texts":
        page.wait_for_selector(".js-plotly-plot .main-svg")
        B.wait_until_idle(page)
    try:
        assert page.locator(ERRORS).count() == 0
        assert page.locator("h1").first.inner_text().strip()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 20_000
    finally:
        page.close()


def test_the_labs_at_projector_size_show_their_charts_and_story_without_errors(server, chromium):
    # 1366x768, the projector: the first screen (what the room sees) and the whole page (a tall window).
    B.open_page(chromium, server).close()  # the app's navigation first, as a class arrives at the race
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, path in LABS.items():
        page = B.open_page(chromium, f"{server}/{path}", width=1366, height=768)
        try:
            page.wait_for_selector(".js-plotly-plot .main-svg")
            B.wait_until_idle(page)
            assert page.locator(ERRORS).count() == 0, name
            assert page.locator(".js-plotly-plot").count() == 2, name
            page.screenshot(path=str(ARTIFACTS / f"{name}_1366x768.png"))
            page.set_viewport_size({"width": 1366, "height": 2600})
            B.wait_until_idle(page)
            page.screenshot(path=str(ARTIFACTS / f"{name}_1366_whole.png"), full_page=True)
        finally:
            page.close()


def test_no_page_fetches_anything_from_outside_the_machine(server, chromium):
    # A classroom may have no network: every page, icons and fonts included, comes from the server.
    page = chromium.new_page(viewport={"width": 1366, "height": 768})
    outside = []
    page.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:")) else outside.append(r.url))
    try:
        for name, path in (PAGES | LABS).items():
            page.goto(f"{server}/{path}")
            page.wait_for_selector("h1", timeout=90_000)
            B.wait_until_idle(page)
        assert outside == []
    finally:
        page.close()


def test_moving_the_learning_rate_slider_rerenders_the_race(server, chromium):
    page = B.open_page(chromium, server)
    try:
        assert page.locator("text=(0.1) is stuck at its").count() == 1
        seconds = B.rerender_time(page, B.press_on_slider(page, "learning rate lr₀", "ArrowRight"))
        assert page.locator("text=(0.101) is stuck at its").count() == 1
        assert "lr=0.101" in page.url
        assert page.locator(ERRORS).count() == 0
        assert seconds < 30
    finally:
        page.close()


def test_pressing_play_advances_the_animation(server, chromium):
    page = B.open_page(chromium, server)
    try:
        page.wait_for_selector(".js-plotly-plot text.slider-label")
        label = page.locator(".js-plotly-plot text.slider-label", has_text="step").first
        assert label.text_content().strip() == "step 1000"  # it opens on the last frame
        page.locator(".js-plotly-plot .updatemenu-button", has_text="Play").first.click()
        seen = set()
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and len(seen) < 4:
            seen.add(int(re.sub(r"\D", "", label.text_content())))
            time.sleep(0.1)
        assert len(seen) >= 3, seen  # it went through several frames, in the browser
        assert min(seen) < 1000
    finally:
        page.close()


def test_a_shared_link_opens_the_page_it_describes(server, chromium):
    page = B.open_page(chromium, f"{server}/?lr=0.25&batch=4")
    try:
        assert page.locator("text=diverged").count() >= 1
        assert page.locator(ERRORS).count() == 0
    finally:
        page.close()


# Markdown that once came out changed: underscores, emphasis, math, colour, links, lists.
PLAIN = [
    "expression calls unknown function '__import__'; allowed: sqrt",
    "expression may not contain 't[1:fire:2]'",
    "**bold** _it_ `code` ~~gone~~ <b>b</b> &amp; # not a heading",
    "$x^2$ and $$y$$, :red[red] :material/home: :smile: :+1:",
    "[link](http://x) ![img](x.png) http://example.com x@y.com",
    "1. not a list",
    "- nor this",
    "> nor a quote",
    "| a | b |",
    "back\\slash \\n and a trailing one\\",
    "decay_steps a_b_c __x__ _lead trail_ é_é a*b*c",
    "two  spaces   kept",
    "line one\nline two",
]


def test_plain_text_reads_exactly_as_written_in_an_alert(chromium, tmp_path):
    import json

    script = tmp_path / "plain_alerts.py"
    script.write_text(
        "import json, sys\n"
        f"sys.path.insert(0, {str(B.ROOT)!r})\n"
        "import streamlit as st\n"
        "from ui.text import plain\n"
        f"for i, s in enumerate(json.loads({json.dumps(PLAIN)!r})):\n"
        "    with st.container(key=f'case{i}'):\n"
        "        st.error(plain(s))\n"
    )
    with B.serve(script) as url:
        page = B.open_page(chromium, url, ready='[data-testid="stAlertContentError"]')
        try:
            for i, text in enumerate(PLAIN):
                shown = page.locator(f'.st-key-case{i} [data-testid="stAlertContentError"] [data-testid="stMarkdownContainer"]')
                assert shown.inner_text().replace("\xa0", " ") == text
        finally:
            page.close()


def test_a_formula_error_in_the_gallery_keeps_its_underscores(server, chromium):
    page = B.open_page(chromium, f"{server}/schedule_gallery?show=formula&g.formula.expression=__import__('os')")
    try:
        message = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
        assert "unknown function '__import__'" in message
    finally:
        page.close()


# --------------------------------------------------------------------------- the chart host (ui/charts.py)

GRAPHS = ".lrlab-chart.js-plotly-plot"
# What each graph shows: every trace's y values as they came over the wire.
FINGERPRINT = f"""() => [...document.querySelectorAll('{GRAPHS}')].map(gd => gd.data.map(t => t.y && t.y.bdata ? t.y.bdata : JSON.stringify(t.y)).join('|'))"""


def _is_local(url: str) -> bool:
    """Served by this machine: the app on 127.0.0.1, or made in the page (blob:, data:)."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob") or parsed.hostname == "127.0.0.1"


def test_a_slider_move_updates_both_charts_in_place(server, chromium):
    page = B.open_page(chromium, server, ready=".js-plotly-plot .main-svg")
    try:
        assert page.locator(GRAPHS).count() == 2
        page.evaluate(f"window.__before = [...document.querySelectorAll('{GRAPHS}')].map(gd => [gd, gd.querySelector('.main-svg')])")
        before = page.evaluate(FINGERPRINT)
        B.rerender_time(page, B.press_on_slider(page, "learning rate lr₀", "ArrowRight"))
        assert page.locator("text=(0.101) is stuck at its").count() == 1
        # The same graph divs, holding the same SVG: Plotly.react, not a remount or a newPlot.
        same = page.evaluate(
            f"[...document.querySelectorAll('{GRAPHS}')].map((gd, i) => gd === window.__before[i][0] && gd.querySelector('.main-svg') === window.__before[i][1])"
        )
        assert same == [True, True]
        after = page.evaluate(FINGERPRINT)
        assert len(after) == 2 and all(a != b for a, b in zip(after, before))  # both show the new run
        assert page.locator(ERRORS).count() == 0
    finally:
        page.close()


def test_play_pause_and_the_scrubber_work_after_an_update(server, chromium):
    page = B.open_page(chromium, server, ready=".js-plotly-plot text.slider-label")
    try:
        plane = page.locator(GRAPHS).first
        page.evaluate(f"window.__frame = document.querySelector('{GRAPHS}')._transitionData._frames[0]")
        B.rerender_time(page, B.press_on_slider(page, "learning rate lr₀", "ArrowRight"))
        # The new run's frames replaced the old ones.
        assert page.evaluate(f"document.querySelector('{GRAPHS}')._transitionData._frames[0] !== window.__frame")
        assert page.evaluate(f"document.querySelector('{GRAPHS}')._transitionData._frames.length") > 1
        label = plane.locator("text.slider-label", has_text="step")
        assert label.text_content().strip() == "step 1000"
        moving = f"() => {{ const gd = document.querySelector('{GRAPHS}'); return gd.data[gd.data.length - 1].x.bdata }}"
        shown = page.evaluate(moving)
        plane.locator(".updatemenu-button", has_text="Play").click()
        seen = set()
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and len(seen) < 4:
            seen.add(int(re.sub(r"\D", "", label.text_content())))
            time.sleep(0.1)
        assert len(seen) >= 3 and min(seen) < 1000, seen  # it went through several frames
        plane.locator(".updatemenu-button", has_text="Pause").click()
        time.sleep(0.5)
        paused = label.text_content()
        time.sleep(1.0)
        assert label.text_content() == paused and paused != "step 1000"
        assert page.evaluate(moving) != shown  # the run's head moved with the frames
        # The scrubber: a click at its left end jumps to the first frame.
        rail = plane.locator(".slider-rail-rect").first
        box = rail.bounding_box()
        page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
        page.wait_for_function(
            f"document.querySelector('{GRAPHS}').querySelector('text.slider-label').textContent.trim() === 'step 0'", timeout=5000
        )
    finally:
        page.close()


def test_charts_fit_their_column_honour_the_config_and_reset_on_double_click(server, chromium):
    page = B.open_page(chromium, server, ready=".js-plotly-plot .main-svg")
    try:
        widths = "() => [...document.querySelectorAll('.lrlab-chart')].map(gd => [Math.round(gd.closest('[data-testid=stColumn]').getBoundingClientRect().width), gd._fullLayout.width, gd._fullLayout.height])"
        wide = page.evaluate(widths)
        assert all(abs(column - width) <= 1 for column, width, _ in wide), wide
        assert wide[0][2] == 660  # the plane's layout height
        assert page.locator(".lrlab-chart .modebar").count() == 0  # displayModeBar: False
        page.set_viewport_size({"width": 1200, "height": 1300})
        page.wait_for_function(f"({widths})().every(([c, w]) => Math.abs(c - w) <= 1) && ({widths})()[0][1] < {wide[0][1] - 50}", timeout=10_000)
        # Zoom, then a double click on the plot area resets the axes (doubleClick: "reset").
        initial = page.evaluate(f"document.querySelector('{GRAPHS}')._fullLayout.xaxis.range.slice()")
        page.evaluate(f"Plotly.relayout(document.querySelector('{GRAPHS}'), {{'xaxis.range': [0, 1]}})")
        drag = page.locator(f"{GRAPHS} .nsewdrag").first
        drag.dblclick()
        page.wait_for_function(
            f"Math.abs(document.querySelector('{GRAPHS}')._fullLayout.xaxis.range[0] - {initial[0]}) < 1e-6", timeout=5000
        )
    finally:
        page.close()


def test_nothing_is_fetched_from_outside_the_machine(server, chromium):
    page = chromium.new_page(viewport={"width": 1600, "height": 1300})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    try:
        page.goto(server)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
        B.wait_until_idle(page)
        B.rerender_time(page, B.press_on_slider(page, "learning rate lr₀", "ArrowRight"))
        page.locator(".updatemenu-button", has_text="Play").first.click()
        time.sleep(1)
        page.goto(f"{server}/schedule_gallery")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
        B.wait_until_idle(page)
        assert any("/app/static/plotly-" in url for url in requests)  # plotly.js, served by the app
        outside = [url for url in requests if not _is_local(url)]
        assert not outside, outside
    finally:
        page.close()


def test_no_websocket_message_reaches_a_megabyte_at_a_hundred_thousand_steps(server, chromium):
    page = chromium.new_page(viewport={"width": 1600, "height": 1300})
    sizes: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: sizes.append(len(payload))))
    try:
        page.goto(f"{server}/?steps=100000&runs=100")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90_000)
        B.wait_until_idle(page)
        B.rerender_time(page, B.press_on_slider(page, "learning rate lr₀", "ArrowRight"))
        assert page.locator(ERRORS).count() == 0
        assert max(sizes) > 100_000  # the figures came this way...
        assert max(sizes) < 1_000_000, max(sizes)  # ...and plotly.js (4.8 MB) did not
    finally:
        page.close()


def test_an_update_during_play_stops_the_old_animation(server, chromium):
    page = B.open_page(chromium, server, ready=".js-plotly-plot text.slider-label")
    try:
        plane = page.locator(GRAPHS).first
        label = plane.locator("text.slider-label", has_text="step")
        plane.locator(".updatemenu-button", has_text="Play").click()
        page.wait_for_function(f"!document.querySelector('{GRAPHS} text.slider-label').textContent.includes('1000')", timeout=5000)
        B.press_on_slider(page, "learning rate lr₀", "ArrowRight")()
        page.wait_for_selector("text=(0.101) is stuck at its", timeout=30_000)
        page.wait_for_function(
            f"document.querySelector('{B.APP}').getAttribute('data-test-script-state') === 'notRunning'", timeout=30_000
        )
        time.sleep(0.5)
        seen = set()
        for _ in range(12):  # the old run's frames would go on moving the scrubber
            seen.add(label.text_content())
            time.sleep(0.1)
        assert seen == {"step 1000"}, seen  # the new figure, on its last frame, at rest
    finally:
        page.close()


PASTED_DEF = """def step_decay(epoch, lr):
    # the decay article's step decay, then a gentle exponential tail
    initial_lrate = 0.1
    if epoch < 30:
        return initial_lrate * math.pow(0.5, math.floor((1 + epoch) / 10.0))
    return lr * math.exp(-0.05)"""


def test_a_def_pasted_into_the_gallery_box_is_drawn_and_shown_as_code(server, chromium):
    page = B.open_page(chromium, f"{server}/schedule_gallery?show=formula&x=epochs", width=1366, height=768)
    try:
        page.wait_for_selector(".js-plotly-plot .main-svg")
        box = page.locator("textarea").first  # the only text area: the formula box
        box.fill(PASTED_DEF)  # what a paste leaves in the box
        box.press("Control+Enter")  # a text area applies on Ctrl+Enter (or on leaving it)
        page.wait_for_selector('[data-testid="stCode"]')
        B.wait_until_idle(page)
        assert page.locator(ERRORS).count() == 0
        assert "initial_lrate * math.pow(0.5" in page.locator('[data-testid="stCode"]').first.inner_text()
        assert "g.formula.expression=def+step_decay" in page.url or "g.formula.expression=def%20step_decay" in page.url
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "gallery_pasted_def_plot.png"))
        box.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "gallery_pasted_def_box.png"))
        page.locator('[data-testid="stCode"]').first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "gallery_pasted_def_code.png"))
        # a loop pasted instead is refused under the box, with its line, underscores intact
        box.fill("def my_decay(epoch):\n    for i in range(epoch):\n        pass\n    return 0.1")
        box.press("Control+Enter")
        page.wait_for_selector('[data-testid="stAlertContentError"]')
        message = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
        assert "expression, line 2: may not contain a for loop" in message
        page.locator('[data-testid="stAlertContentError"]').first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "gallery_pasted_def_error.png"))
    finally:
        page.close()
