"""Driving the app in Debian's headless Chromium: a server, a browser, and timings.

Shared by ``tests/test_browser.py`` and ``benchmarks/bench_ui.py``. Playwright drives
``/usr/bin/chromium`` (its own browser download cannot work offline).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LRLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return f"Chromium not found at {CHROMIUM} (install Debian's package: apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerURL(str):
    """A running server's URL; ``pid`` is its process (benchmarks read its CPU and memory)."""

    pid: int


@contextlib.contextmanager
def serve(script: str | Path = ROOT / "app.py", timeout: float = 60.0):
    """Run ``streamlit run script`` on a free port; yield its URL (a :class:`ServerURL`).

    The server's output goes to a temporary file, never a pipe that nobody reads (a
    busy server would fill it and stall).
    """
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = ServerURL(f"http://127.0.0.1:{port}")
    url.pid = proc.pid
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"streamlit did not start:\n{log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextlib.contextmanager
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


APP = '[data-testid="stApp"]'
WATCH_MUTATIONS = """() => {
    window.__lastChange = performance.now();
    if (!window.__observer) {
        window.__observer = new MutationObserver(() => { window.__lastChange = performance.now(); });
        window.__observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    }
}"""


def wait_until_idle(page, quiet_ms: float = 400, timeout: float = 90) -> None:
    """Wait for the script run to end and the page to stop changing for ``quiet_ms``."""
    page.wait_for_function(
        f"document.querySelector('{APP}') && document.querySelector('{APP}').getAttribute('data-test-script-state') === 'notRunning'",
        timeout=timeout * 1000,
    )
    page.evaluate(WATCH_MUTATIONS)
    page.wait_for_function(f"performance.now() - window.__lastChange > {quiet_ms}", timeout=timeout * 1000, polling=50)


def open_page(b, url: str, width: int = 1600, height: int = 1300, ready: str = "h1"):
    """Open ``url`` and wait until ``ready`` is shown and the page has settled.

    (Streamlit reports "notRunning" before its first run too, so the script state alone
    does not say the page is there.)
    """
    page = b.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_selector(ready, timeout=90_000)
    wait_until_idle(page, quiet_ms=800)
    return page


def rerender_time(page, act, quiet_ms: float = 400, timeout: float = 90) -> float:
    """Seconds from ``act()`` (e.g. a key press) to the last change of the page it caused.

    The page has finished re-rendering once the script has run and the DOM (figures
    included) has not changed for ``quiet_ms``; the time is that of the last change.
    """
    page.evaluate(WATCH_MUTATIONS)
    start = page.evaluate("performance.now()")
    act()
    page.wait_for_function(
        f"document.querySelector('{APP}').getAttribute('data-test-script-state') === 'running' || window.__lastChange > {start}",
        timeout=timeout * 1000,
        polling=10,
    )
    wait_until_idle(page, quiet_ms, timeout)
    return (page.evaluate("window.__lastChange") - start) / 1000


def slider(page, label: str):
    """The range input of the Streamlit slider labelled ``label``."""
    return page.locator(f'[data-testid="stSlider"] input[type="range"][aria-label="{label}"]')


def press_on_slider(page, label: str, key: str = "ArrowRight"):
    """A function that focuses the slider labelled ``label`` and presses ``key``."""
    thumb = slider(page, label)

    def act():
        thumb.focus()
        page.keyboard.press(key)

    return act
