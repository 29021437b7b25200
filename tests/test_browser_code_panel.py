"""The Code panel in Chromium at the projector's 1366x768: opened, a tab chosen, the file downloaded.

Screenshots go to ``test-artifacts/screenshots/code_panel_*.png``.
"""


import pytest

from lrcore import export, registry
from tests import browser as B

pytestmark = pytest.mark.browser

B.require_chromium()

ARTIFACTS = B.ROOT / "test-artifacts" / "screenshots"
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def _open_panel(page):
    panel = page.locator('[data-testid="stExpander"]').filter(has_text="Code: PyTorch").first
    panel.locator("summary").click()
    return panel


def test_gallery_code_panel_shows_each_framework_and_downloads_the_file(server, chromium, tmp_path):
    page = B.open_page(chromium, f"{server}/schedule_gallery?show=one_cycle", width=1366, height=768)
    try:
        page.wait_for_selector(".js-plotly-plot .main-svg")
        B.wait_until_idle(page)
        panel = _open_panel(page)
        panel.get_by_role("tab", name="Keras 3").click()
        code = panel.locator('[data-testid="stCode"]').filter(has_text="OneCycleSchedule").first
        code.wait_for()
        panel.get_by_role("tab", name="Keras 3").scroll_into_view_if_needed()
        page.mouse.wheel(0, 120)
        B.wait_until_idle(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "code_panel_gallery_keras.png"))
        assert "lr_schedule = OneCycleSchedule()" in code.inner_text()

        panel.get_by_role("tab", name="TensorFlow 1").click()
        note = panel.get_by_text("TensorFlow 1 cannot run one_cycle")
        note.wait_for()
        note.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "code_panel_gallery_tf1.png"))

        panel.get_by_role("tab", name="PyTorch").click()
        with page.expect_download() as download:
            panel.get_by_role("button", name="Download lr_one_cycle_pytorch.py").click()
        saved = tmp_path / "snippet.py"
        download.value.save_as(saved)
        schedule = registry.build(registry.default("one_cycle"))
        assert saved.read_text() == export.code(schedule, "pytorch", steps=1000)
        assert page.locator(ERRORS).count() == 0
    finally:
        page.close()


def test_what_is_a_step_code_panel(server, chromium):
    page = B.open_page(chromium, f"{server}/what_is_a_step", width=1366, height=768)
    try:
        page.wait_for_selector(".js-plotly-plot .main-svg")
        B.wait_until_idle(page)
        panel = _open_panel(page)
        panel.get_by_role("tab", name="TensorFlow 1").click()
        code = panel.locator('[data-testid="stCode"]').filter(has_text="exponential_decay").first
        code.wait_for()
        code.scroll_into_view_if_needed()
        B.wait_until_idle(page)
        page.screenshot(path=str(ARTIFACTS / "code_panel_step_tf1.png"))
        assert "global_step=global_step" in code.inner_text()
        assert page.locator(ERRORS).count() == 0
    finally:
        page.close()
