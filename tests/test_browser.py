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
