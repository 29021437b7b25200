"""The app in a real browser: Debian's Chromium, headless, driven by Playwright.

Skipped with the reason when Chromium or Playwright is missing, except under CI
(``LRLAB_REQUIRE_BROWSER=1``, set by ``.ci/run``), where a missing browser fails.
Screenshots of every page are saved under ``test-artifacts/screenshots/``.
"""

import os
import re
import time

import pytest

from tests import browser as B

pytestmark = pytest.mark.browser

_missing = B.chromium_missing()
if _missing and os.environ.get("LRLAB_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests are required here but cannot run: {_missing}")
if _missing:
    pytest.skip(_missing, allow_module_level=True)

ARTIFACTS = B.ROOT / "test-artifacts" / "screenshots"
PAGES = {"decay_race": "", "schedule_gallery": "schedule_gallery", "what_is_a_step": "what_is_a_step", "from_the_texts": "from_the_texts"}
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@pytest.fixture(scope="module")
def server():
    with B.serve() as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with B.browser() as b:
        yield b


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


def test_nothing_is_fetched_from_outside_the_machine(server, chromium):
    # A classroom may have no network: every page, icons and fonts included, comes from the server.
    page = chromium.new_page(viewport={"width": 1366, "height": 768})
    outside = []
    page.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:")) else outside.append(r.url))
    try:
        for name, path in PAGES.items():
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
