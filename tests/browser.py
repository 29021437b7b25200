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


def require_chromium() -> None:
    """Skip the calling test module, with the reason, where Chromium cannot run; fail instead
    under CI (``LRLAB_REQUIRE_BROWSER=1``, set by ``.ci/run``)."""
    import pytest

    missing = chromium_missing()
    if missing and os.environ.get("LRLAB_REQUIRE_BROWSER") == "1":
        raise RuntimeError(f"browser tests are required here but cannot run: {missing}")
    if missing:
        pytest.skip(missing, allow_module_level=True)


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


def open_page(b, url: str, width: int = 1600, height: int = 1300, ready: str = "h1", record: bool = False):
    """Open ``url`` and wait until ``ready`` is shown and the page has settled.

    (Streamlit reports "notRunning" before its first run too, so the script state alone
    does not say the page is there.) ``record``: a ``recording_page``, for ``rerender_split``.
    """
    page = recording_page(b, width, height) if record else b.new_page(viewport={"width": width, "height": height})
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
    end = page.evaluate("window.__lastChange")
    page.last_window = (start, end)  # in the page's performance.now() milliseconds
    return (end - start) / 1000


# Installed before any page script runs (``page.add_init_script``): a mutation observer
# from the first node on.
RECORD_FROM_START = """(() => {
    window.__lastChange = performance.now();
    window.__observer = new MutationObserver(() => { window.__lastChange = performance.now(); });
    window.__observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})()"""


def recording_page(b, width: int = 1600, height: int = 1300):
    """A new page in a fresh context (a cold cache) that records from its first node on.

    ``page.ws_frames`` collects every websocket frame as Chromium's network stack saw it
    (``("in"|"out", seconds, bytes)``), off the page's main thread, so a busy page does
    not delay the times.
    """
    context = b.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.add_init_script(RECORD_FROM_START)
    frames: list[tuple[str, float, int]] = []
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameSent", lambda e: frames.append(("out", e["timestamp"], _frame_bytes(e))))
    cdp.on("Network.webSocketFrameReceived", lambda e: frames.append(("in", e["timestamp"], _frame_bytes(e))))
    page.ws_frames = frames
    page.cdp = cdp
    return page


def _frame_bytes(event: dict) -> int:
    frame = event["response"]
    data = frame.get("payloadData", "")
    return len(data) * 3 // 4 if frame.get("opcode") == 2 else len(data.encode())  # binary frames come base64'd


def first_load_time(b, url: str, charts: int, quiet_ms: float = 400, timeout: float = 90) -> float:
    """Seconds from navigation start to ``charts`` Plotly charts drawn and the page quiet.

    A fresh browser context each time, so nothing comes from the browser's cache. The
    time is that of the page's last change (performance.now() counts from navigation).
    """
    page = recording_page(b)
    try:
        page.goto(url)
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}"
            f" && document.querySelector('{APP}') && document.querySelector('{APP}').getAttribute('data-test-script-state') === 'notRunning'"
            f" && performance.now() - window.__lastChange > {quiet_ms}",
            timeout=timeout * 1000,
            polling=50,
        )
        return page.evaluate("window.__lastChange") / 1000
    finally:
        page.context.close()


def rerender_split(page, act, quiet_ms: float = 400, timeout: float = 90) -> dict:
    """``rerender_time`` split at the websocket, on a page opened with ``recording_page``.

    ``total``: press to the last change; ``server``: the rerun request leaving the
    browser to the run's last message arriving, as the network stack saw them (the
    script's run on the server, and the loopback); ``browser``: the rest (the press
    reaching the websocket, and drawing what arrived after the run). In seconds, and
    ``largest_message`` in bytes.
    """
    mark = len(page.ws_frames)
    total = rerender_time(page, act, quiet_ms, timeout)
    frames = page.ws_frames[mark:]
    sent = [t for kind, t, _ in frames if kind == "out"]
    received = [(t, n) for kind, t, n in frames if kind == "in" and sent and t >= sent[0]]
    if not received:
        return {"total": total, "server": float("nan"), "browser": float("nan"), "largest_message": 0}
    server = max(t for t, _ in received) - sent[0]
    return {"total": total, "server": server, "browser": total - server, "largest_message": max(n for _, n in received)}


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
