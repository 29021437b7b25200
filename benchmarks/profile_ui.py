"""Where a slider press's time goes in the browser, race page against the bare page.

    python benchmarks/profile_ui.py [presses]

For each press, a Chrome trace (main thread of the page's renderer) and a V8 CPU profile
are recorded from the key press to the last change of the page. Printed, as medians
over the presses, in milliseconds:

- the press's total, and the server's part (the rerun request to the run's last
  websocket message, as Chromium's network stack saw them);
- the main thread's busy time by kind: JavaScript (split by source: plotly.js, Streamlit's
  bundle (React, its widgets), the chart host, other), style and layout, paint and
  compositing, garbage collection, and the rest;
- the page's DOM size afterwards.

JavaScript is attributed from the CPU profile's self time by script URL; the other
kinds are the trace events' self time on the main thread.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import browser as B  # noqa: E402

HERE = Path(__file__).resolve().parent
# The timeline's own events (the names DevTools' Performance panel sums), not Blink's
# finer ones, so that each kind is counted once.
CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute"]
KINDS = {
    "style/layout": ("UpdateLayoutTree", "Layout", "RecalculateStyles", "ParseAuthorStyleSheet", "HitTest", "IntersectionObserverController::computeIntersections"),
    "paint/composite": ("Paint", "PrePaint", "Layerize", "UpdateLayer", "UpdateLayerTree", "CompositeLayers", "Commit", "PaintImage", "Decode Image", "ScrollLayer"),
    "gc": ("MajorGC", "MinorGC", "BlinkGC.AtomicPhase"),
    "script": ("FunctionCall", "EvaluateScript", "v8.compile", "v8.compileModule", "v8.evaluateModule", "RunMicrotasks", "TimerFire", "FireAnimationFrame", "EventDispatch", "V8.Execute", "v8.run", "v8.callFunction", "ParseHTML", "XHRReadyStateChange", "v8.produceCache", "CacheScript", "ResizeObserver::BroadcastObservations", "FireIdleCallback", "V8.StackGuard"),
}


def _kind(name: str) -> str:
    for kind, names in KINDS.items():
        if name in names or (kind == "gc" and "GC" in name):
            return kind
    return "other"


def main_thread_self_times(trace) -> dict[str, float]:
    """Self time (ms) of the renderer main thread's trace events, summed by kind."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    mains = {(e["pid"], e["tid"]) for e in events if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    by_thread = defaultdict(list)
    for e in events:
        # The profiler's own span covers everything; it is not work.
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in mains and "dur" in e and not e["name"].startswith("CpuProfiler"):
            by_thread[(e["pid"], e["tid"])].append(e)
    totals: dict[str, float] = defaultdict(float)
    if not by_thread:
        return totals
    thread = max(by_thread, key=lambda k: sum(e["dur"] for e in by_thread[k]))  # the page's renderer
    stack: list[list] = []  # [end, kind, children's time, own duration]

    def close(item):
        end, kind, children, dur = item
        totals[kind] += (dur - children) / 1000

    for e in sorted(by_thread[thread], key=lambda e: (e["ts"], -e["dur"])):
        while stack and stack[-1][0] <= e["ts"]:
            close(stack.pop())
        if stack:
            stack[-1][2] += e["dur"]
        stack.append([e["ts"] + e["dur"], _kind(e["name"]), 0.0, e["dur"]])
    while stack:
        close(stack.pop())
    totals["busy"] = sum(v for k, v in totals.items())
    return totals


def _script_group(url: str) -> str | None:
    if not url:
        return None
    if "plotly" in url.lower() and ("/app/static/" in url or "PlotlyChart" in url):
        return "js: plotly.js"
    if url.startswith("blob:"):
        return "js: chart host"
    if "/static/js/" in url:
        return "js: Streamlit (React, widgets)"
    return "js: other"


def js_self_times(profile: dict) -> dict[str, float]:
    """Self time (ms) of the CPU profile's samples by script; a native function (a DOM
    call, say) counts for the script that called it."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", ())}
    group_of: dict[int, str] = {}

    def group(node_id: int) -> str:
        if node_id not in group_of:
            frame = nodes[node_id]["callFrame"]
            name = frame.get("functionName", "")
            if name in ("(idle)", "(program)", "(garbage collector)", "(root)"):
                group_of[node_id] = name
            else:
                found = _script_group(frame.get("url", ""))
                group_of[node_id] = found or (group(parent[node_id]) if node_id in parent else "js: other")
        return group_of[node_id]

    totals: dict[str, float] = defaultdict(float)
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"]):
        g = group(node_id)
        totals["js: other" if g == "(root)" else g] += delta / 1000
    return totals


def _clock_offset(trace) -> float:
    """Trace microseconds minus the page's performance.now() milliseconds x 1000."""
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    for e in events:
        message = (e.get("args", {}).get("data") or {}).get("message", "")
        if e.get("name") == "TimeStamp" and message.startswith("lrlab@"):
            return e["ts"] - float(message[6:]) * 1000
    raise RuntimeError("the clock mark is missing from the trace")


def _window(trace, profile, start_us: float, end_us: float):
    """The trace events and profile samples between the press and the last change."""
    events = [e for e in trace["traceEvents"] if e.get("ph") != "X" or start_us <= e["ts"] < end_us]
    t, samples, deltas = profile["startTime"], [], []
    for node, delta in zip(profile["samples"], profile["timeDeltas"]):
        t += delta
        if start_us <= t < end_us:
            samples.append(node)
            deltas.append(delta)
    return {"traceEvents": events}, {**profile, "samples": samples, "timeDeltas": deltas}


def profile_press(browser, page, press) -> dict[str, float]:
    cdp = page.cdp
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    browser.start_tracing(page=page, categories=CATEGORIES)
    cdp.send("Profiler.start")
    split = B.rerender_split(page, press)
    page.evaluate("console.timeStamp('lrlab@' + performance.now())")
    profile = cdp.send("Profiler.stop")["profile"]
    trace = json.loads(browser.stop_tracing())
    offset = _clock_offset(trace)
    start, end = (t * 1000 + offset for t in page.last_window)
    trace, profile = _window(trace, profile, start, end)
    row = {"total": split["total"] * 1e3, "server": split["server"] * 1e3}
    row.update(main_thread_self_times(trace))
    row.update(js_self_times(profile))
    row["dom nodes"] = page.evaluate("document.getElementsByTagName('*').length")
    return row


def main(presses: int = 8) -> None:
    missing = B.chromium_missing()
    if missing:
        sys.exit(f"cannot run: {missing}")
    rows = {"race": [], "bare": []}
    with B.serve(B.ROOT / "app.py") as race_url, B.serve(HERE / "bare_page.py") as bare_url, B.browser() as browser:
        pages = {
            "race": B.open_page(browser, race_url, ready=".js-plotly-plot .main-svg", record=True),
            "bare": B.open_page(browser, bare_url, ready=".js-plotly-plot .main-svg", record=True),
        }
        press = {
            "race": B.press_on_slider(pages["race"], "learning rate lr₀", "ArrowRight"),
            "bare": B.press_on_slider(pages["bare"], "value", "ArrowRight"),
        }
        for name in rows:
            B.rerender_split(pages[name], press[name])  # warm up
        for _ in range(presses):
            for name in rows:
                rows[name].append(profile_press(browser, pages[name], press[name]))
    keys = ["total", "server", "busy", "script", "js: plotly.js", "js: Streamlit (React, widgets)", "js: chart host",
            "js: other", "style/layout", "paint/composite", "gc", "other", "dom nodes"]  # fmt: skip
    print(f"one slider press, medians over {presses} presses (ms; main thread self time by kind)")
    print(f"  {'':<34}{'race':>8}{'bare':>8}")
    for key in keys:
        values = [statistics.median([r.get(key, 0.0) for r in rows[name]]) for name in ("race", "bare")]
        print(f"  {key:<34}{values[0]:>8.0f}{values[1]:>8.0f}")
    print("  (busy: the main thread's trace events from press to picture, by kind below; script is the")
    print("   time running JavaScript, which the js: rows split by script from the CPU profile's samples)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
