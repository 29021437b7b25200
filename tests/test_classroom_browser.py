"""Classroom mode in a real browser: lesson steps from their links, predict-then-reveal,
the keyboard while presenting, and the projector and phone layouts (screenshots saved under
``test-artifacts/screenshots/``). Skipped with the reason without Chromium, except in CI.
"""


import pytest

from tests import browser as B
from ui import lessons

pytestmark = pytest.mark.browser

B.require_chromium()

ARTIFACTS = B.ROOT / "test-artifacts" / "screenshots"
PATHS = {"race": "", "step": "what_is_a_step"}
# Each control of a lesson, as the widget that shows it (its key is its CSS class).
WIDGET = {
    "race": {c: f".st-key-{c}" for c in lessons.CONTROLS["race"]} | {"lanes": ".st-key-compare"},
    "step": {c: f".st-key-{c}" for c in lessons.CONTROLS["step"]} | {"experiment": '[data-testid="stExpander"]:has(.st-key-slr)'},
}
STEPS = [(lesson, i) for lesson in lessons.all_lessons().values() for i in range(len(lesson.steps))]
HIDDEN_JS = """sel => { const el = document.querySelector(sel); if (!el) return 'missing';
  const box = el.closest('[class*="st-key-lrlab_hidden"]');
  return box && getComputedStyle(box).display === 'none' ? 'hidden' : 'shown'; }"""


CHAIN_JS = """sel => [...document.querySelectorAll(sel)].map(e => { let p = e, chain = []; while (p) {
  const k = [...(p.classList || [])].filter(c => c.startsWith('st-key')); if (k.length) chain.push(k.join(' ')); p = p.parentElement; }
  return chain.join(' < '); })"""


def _url(server, lesson, i, present=False):
    query = "&".join(f"{k}={v}" for k, v in lessons.step_query(lesson, i, present).items())
    return f"{server}/{PATHS[lesson.steps[i].page]}?{query}"


def _open(chromium, url, width=1366, height=768, **context):
    ctx = chromium.new_context(viewport={"width": width, "height": height}, **context)
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(".st-key-lesson_next", timeout=90_000)
    # Drawn to the end: a chart, or the race held back until the class predicts.
    page.wait_for_selector('.lrlab-chart .main-svg, [data-testid="stAlert"]:has-text("Predict first")', timeout=90_000)
    B.wait_until_idle(page, quiet_ms=800)
    return page


def _chart(page, key, what):
    return page.evaluate(f"() => {{ const c = window.__lrlabCharts && window.__lrlabCharts.get('{key}'); return c ? c.{what} : null; }}")


@pytest.mark.parametrize("item", STEPS, ids=lambda it: f"{it[0].id}-{it[1] + 1}")
def test_each_step_opens_from_its_link_with_only_its_controls(server, chromium, item):
    lesson, i = item
    step = lesson.steps[i]
    page = _open(chromium, _url(server, lesson, i))
    try:
        assert page.locator('[data-testid="stException"]').count() == 0
        assert f"step {i + 1} of {len(lesson.steps)}" in page.locator(".st-key-lesson_next").locator("xpath=../../..").inner_text() or page.get_by_text(f"step {i + 1} of {len(lesson.steps)}").count()
        expected = {c: "shown" if c in step.controls else "hidden" for c in WIDGET[step.page]}
        # Each control settles shown or hidden (a rerun redraws the page for a moment).
        check = "m => Object.entries(m).every(([sel, want]) => (" + HIDDEN_JS + ")(sel) === want)"
        wanted = {WIDGET[step.page][c]: v for c, v in expected.items()}
        try:
            page.wait_for_function(check, arg=wanted, timeout=15_000, polling=200)
        except Exception:
            pass  # the assertions below say which control is wrong
        for control, selector in WIDGET[step.page].items():
            state = page.evaluate(HIDDEN_JS, selector)
            assert state != "missing", (control, selector)
            if expected[control] == "shown":
                assert state == "shown" and page.locator(selector).first.is_visible(), f"{control} should be shown"
            else:
                chain = page.evaluate(CHAIN_JS, selector)
                assert state == "hidden" and not page.locator(selector).first.is_visible(), f"{control} should be hidden: {chain}"
    finally:
        page.context.close()


def test_predict_then_reveal_hides_the_race_then_plays_it(server, chromium):
    lesson = lessons.all_lessons()["stability-bound"]
    page = _open(chromium, _url(server, lesson, 0))
    try:
        assert page.locator(".lrlab-chart").count() == 0
        assert page.get_by_text("Predict first").count() == 1
        page.locator('[data-testid="stRadio"] label').filter(has_text="yes").first.click()
        page.wait_for_selector(".lrlab-chart .main-svg", timeout=60_000)
        page.wait_for_function("() => window.__lrlabCharts && window.__lrlabCharts.get('plane') && window.__lrlabCharts.get('plane').frames.length > 0")
        page.wait_for_timeout(500)
        frames = _chart(page, "plane", "frames.length")
        assert _chart(page, "plane", "playing") or _chart(page, "plane", "frameIndex") < frames - 1, "the race did not start playing"
        verdict = page.locator('[data-testid="stAlert"]').filter(has_text="diverge").first.inner_text()
        assert ("Right." in verdict) or ("Not this time." in verdict)
        assert "%" in verdict or "none of its runs" in verdict
    finally:
        page.context.close()


def test_keyboard_plays_steps_and_moves_through_the_lesson_while_presenting(server, chromium):
    lesson = lessons.all_lessons()["constant-vs-decay"]
    page = _open(chromium, _url(server, lesson, 1, present=True))
    try:
        page.wait_for_function("() => window.__lrlabCharts && window.__lrlabCharts.get('plane') && window.__lrlabCharts.get('plane').frames.length > 0")
        last = _chart(page, "plane", "frames.length") - 1
        assert _chart(page, "plane", "frameIndex") == last
        page.evaluate("() => document.activeElement && document.activeElement.blur()")  # nothing focused that takes keys
        page.keyboard.press("Space")
        page.wait_for_timeout(700)
        assert _chart(page, "plane", "playing"), "Space did not start the animation"
        page.keyboard.press("Space")  # pause
        page.wait_for_timeout(200)
        at = _chart(page, "plane", "frameIndex")
        assert 0 < at < last
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
        assert _chart(page, "plane", "frameIndex") == at + 1
        # The loss chart's step marker follows the plane's frame.
        step = int(_chart(page, "plane", "frames[" + str(at + 1) + "]"))
        x = page.evaluate("() => { const c = window.__lrlabCharts.get('curves'); return c.div.layout.shapes[c.div.layout.meta.marker.shape].x0; }")
        assert x == step
        # A focused slider gives its arrow keys to the animation.
        slider = page.locator('.st-key-lr input[type="range"]').first
        before = slider.input_value()
        slider.focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(300)
        assert _chart(page, "plane", "frameIndex") == at
        assert slider.input_value() == before
        # N: the next lesson step.
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("n")
        page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '3'", timeout=30_000)
    finally:
        page.context.close()


def test_presenting_at_1366x768_has_play_and_the_plane_above_the_fold_in_large_text(server, chromium):
    lesson = lessons.all_lessons()["constant-vs-decay"]
    page = _open(chromium, _url(server, lesson, 1, present=True))
    try:
        page.wait_for_selector(".lrlab-chart .main-svg")
        B.wait_until_idle(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "present_1366x768.png"))
        play = page.locator(".lrlab-chart .updatemenu-button").filter(has_text="Play").first.bounding_box()
        assert play and play["y"] + play["height"] <= 768, play
        plane = page.locator(".lrlab-chart").first.bounding_box()
        assert plane["y"] < 300
        size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('[data-testid=\"stCaptionContainer\"]')).fontSize)")
        assert size >= 20
        assert page.locator('[data-testid="stSidebar"][aria-expanded="true"]').count() == 0
    finally:
        page.context.close()


def test_the_race_on_a_phone_fits_and_a_swipe_on_a_chart_scrolls_the_page(server, chromium):
    lesson = lessons.all_lessons()["constant-vs-decay"]
    page = _open(chromium, _url(server, lesson, 1), width=390, height=844, has_touch=True, is_mobile=True, device_scale_factor=2)
    try:
        page.wait_for_selector(".lrlab-chart .main-svg")
        B.wait_until_idle(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone_390x844.png"))
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390 + 1
        assert page.evaluate("() => document.querySelector('.lrlab-chart')._fullLayout.dragmode") is False
        assert page.locator(".lrlab-touch-zoom").count() >= 1
    finally:
        page.context.close()


@pytest.mark.parametrize("clipboard", [True, False], ids=["clipboard", "no-clipboard"])
def test_share_copies_this_views_link_or_selects_it_and_draws_its_qr_code(server, chromium, clipboard):
    """The button copies the address bar; where the browser refuses (plain http from another
    machine), the link is shown selected for Ctrl+C. The QR code is of the same settings."""
    ctx = chromium.new_context(viewport={"width": 1366, "height": 768}, permissions=["clipboard-read", "clipboard-write"])
    if not clipboard:
        ctx.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
    page = ctx.new_page()
    try:
        page.goto(f"{server}/?lr=0.05")
        page.wait_for_selector(".lrlab-chart .main-svg", timeout=90_000)
        B.wait_until_idle(page)
        page.locator('[data-testid="stExpander"] summary').filter(has_text="Classroom").click()
        page.get_by_role("button", name="Share").click()
        qr = page.locator('[data-testid="stPopoverBody"] [data-testid="stImage"] img').first
        qr.wait_for(timeout=60_000)
        page.locator(".lrlab-copy button").click()
        url = page.url
        assert "lr=0.05" in url
        if clipboard:
            page.locator(".lrlab-copy .note").filter(has_text="Copied").wait_for()
            assert page.evaluate("() => navigator.clipboard.readText()") == url
        else:
            field = page.locator(".lrlab-copy input")
            field.wait_for(state="visible")
            assert field.input_value() == url
            assert field.evaluate("f => f.selectionEnd - f.selectionStart") == len(url)  # selected for Ctrl+C
        said = page.locator('[data-testid="stPopoverBody"] [data-testid="stCaptionContainer"]').first.inner_text()
        assert said.endswith("?" + url.split("?", 1)[1])  # the QR code's link says the same settings
        assert qr.bounding_box()["width"] >= 150  # drawn, large enough for a phone's camera
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"share_{'clipboard' if clipboard else 'fallback'}_1366x768.png"))
    finally:
        ctx.close()
