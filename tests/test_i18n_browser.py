"""中文 in a real browser: every page at projector size, what a student reads, the language
kept across page switches and changed by the switch.

The AppTest walk (``tests/test_i18n.py``) reads what the script sends; this reads what
Chromium shows, text drawn by plotly.js and the components included. Screenshots of
every page in 中文 at 1366×768 are saved under ``test-artifacts/screenshots/zh/``.
"""

import shutil
import subprocess

import pytest

from tests import browser as B
from tests.i18n_walk import english

pytestmark = pytest.mark.browser

B.require_chromium()

ARTIFACTS = B.ROOT / "test-artifacts" / "screenshots" / "zh"
PAGES = ("", "schedule_gallery", "what_is_a_step", "texts_network", "from_the_texts", "lab_batch_size",
         "lab_warmup", "lab_best_schedule", "lessons")
# What the student reads: the page body and the sidebar, without code, formulas, the chart's
# own toolbar (plotly's, English tooltips shown on hover only), Streamlit's status widget and
# its Material icons (drawn from a ligature font: "share" is an icon's name, not a word shown).
READ = """() => {
  const out = [];
  for (const root of document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]')) {
    const copy = root.cloneNode(true);
    copy.querySelectorAll('pre, code, .katex, .modebar, [data-testid="stCode"], [data-testid="stIconMaterial"], style, script, svg title')
        .forEach(n => n.remove());
    out.push(copy.innerText);
    for (const t of root.querySelectorAll('.js-plotly-plot svg text')) out.push(t.textContent);
  }
  return out.join('\\n');
}"""


def _settle(page):
    if page.locator('[data-testid="stMain"] .js-plotly-plot').count():
        page.wait_for_selector(".js-plotly-plot .main-svg")
    B.wait_until_idle(page)


def test_a_chinese_font_is_installed():
    if not shutil.which("fc-list"):
        pytest.skip("fontconfig is not installed")
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no Chinese font: install fonts-noto-cjk (README, 'Run the app')"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p or "decay_race")
def test_every_page_in_chinese_at_projector_size_has_no_english_and_is_photographed(server, chromium, path):
    page = B.open_page(chromium, f"{server}/{path}?lang=zh", width=1366, height=768)
    try:
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = path or "decay_race"
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        page.screenshot(path=str(ARTIFACTS / f"{name}-full.png"), full_page=True)
        # No label wider than its box (a longer Chinese label must wrap, not spill).
        spill = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMain"] label, [data-testid="stMain"] button')]
            .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 2).map(e => e.innerText).slice(0, 10)""")
        assert not spill, f"labels overflow their boxes: {spill}"
        left = [(line[:80], english(line)) for line in page.evaluate(READ).splitlines() if english(line)]
        assert not left, f"{name} in zh shows English: {left[:8]}"
    finally:
        page.close()


def test_the_language_is_kept_across_page_switches_and_changed_by_the_switch(server, chromium):
    page = B.open_page(chromium, f"{server}/?lang=zh", width=1600, height=1000)
    try:
        _settle(page)
        assert "lang=zh" in page.url
        zh_title = page.locator("h1").first.inner_text()
        page.get_by_role("link", name="调度图集").first.click()  # the navigation, in Chinese
        page.wait_for_url("**/schedule_gallery**")
        _settle(page)
        assert "lang=zh" in page.url, page.url
        assert not english(page.locator("h1").first.inner_text())
        sidebar = page.locator('[data-testid="stSidebar"]')
        # At 1600 px the sidebar is open (initial state "auto"): the switch is its first control.
        sidebar.get_by_text("English", exact=True).click()
        page.wait_for_url("**lang=en**")
        _settle(page)
        assert page.locator("h1").first.inner_text().strip() == "Schedule gallery"
        page.get_by_role("link", name="The decay race").first.click()
        page.wait_for_url("**lang=en**")
        _settle(page)
        assert "lang=en" in page.url and zh_title  # the default language is written too
    finally:
        page.close()


def test_a_link_to_a_page_opens_it_with_the_switch_on_a_freshly_started_server(chromium):
    """The first request a new server gets may be a student's link to a page other than the
    race. Streamlit runs a file of a folder named ``pages/`` directly (its older multipage
    mode) until the entry point has run once, with no navigation and no language switch; the
    pages live in ``app_pages/`` so app.py always runs."""
    with B.serve() as fresh:
        page = B.open_page(chromium, f"{fresh}/what_is_a_step?lang=zh", width=1366, height=768)
        try:
            _settle(page)
            assert page.locator('[data-testid="stSidebarNav"]').count() == 0  # Streamlit's own page list
            assert page.get_by_text("中文", exact=True).count() == 1  # the switch, drawn by app.py
            assert page.locator("h1").first.inner_text().strip() == "什么是一步？"
        finally:
            page.close()
