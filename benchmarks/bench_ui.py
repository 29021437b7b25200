"""The decay race against a bare page, side by side: slider-to-picture and first load.

    python benchmarks/bench_ui.py [presses] [loads]

Starts both apps and drives them in headless Chromium (Debian's /usr/bin/chromium).

1. Slider to picture: for each key press on a slider, the span from the press to the
   last change the rerun makes to the page (script finished and the DOM quiet for
   400 ms). Presses alternate between the two pages so machine load affects both alike;
   each press moves the slider to a value not seen before, so the race's cache never
   answers it. Each press is also split at the websocket: "server" is the rerun request
   to the run's last message (the script on the server), "browser" the last message to
   the last change (drawing it).
2. First load: navigation start to every chart drawn and the page quiet, each load in a
   fresh browser context (a cold cache), alternating between the pages.

The bare page is benchmarks/bare_page.py: one st.slider and one small st.plotly_chart.
Target: the race within 1.5x the bare page on both.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import browser as B  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGES = ("race", "bare")
LABELS = {"race": "decay race", "bare": "bare page (1 slider, 1 chart)"}
CHARTS = {"race": 2, "bare": 1}


def _row(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10) if len(ms) > 1 else [ms[0]] * 9
    return f"{statistics.median(ms):>8.0f}{q[0]:>6.0f}{q[-1]:>6.0f}"


def main(presses: int = 15, loads: int = 5) -> None:
    missing = B.chromium_missing()
    if missing:
        sys.exit(f"cannot run: {missing}")
    with B.serve(B.ROOT / "app.py") as race_url, B.serve(HERE / "bare_page.py") as bare_url, B.browser() as browser:
        urls = {"race": race_url, "bare": bare_url}
        for name in PAGES:  # the servers' first runs (imports, caches) are not a first load
            B.first_load_time(browser, urls[name], CHARTS[name])
        load = {name: [] for name in PAGES}
        for _ in range(loads):
            for name in PAGES:
                load[name].append(B.first_load_time(browser, urls[name], CHARTS[name]) * 1e3)

        pages = {name: B.open_page(browser, urls[name], ready=".js-plotly-plot .main-svg", record=True) for name in PAGES}
        press = {
            "race": B.press_on_slider(pages["race"], "learning rate lr₀", "ArrowRight"),
            "bare": B.press_on_slider(pages["bare"], "value", "ArrowRight"),
        }
        for name in PAGES:  # warm up both
            B.rerender_split(pages[name], press[name])
        split = {name: [] for name in PAGES}
        for _ in range(presses):
            for name in PAGES:
                split[name].append(B.rerender_split(pages[name], press[name]))

    def ms(name, part):
        return [s[part] * 1e3 for s in split[name]]

    print(f"slider key press -> picture, {presses} presses each, alternating (ms: median p10 p90)")
    print(f"  {'page':<32}{'total':>20}{'server':>20}{'browser':>20}{'largest ws msg':>16}")
    for name in PAGES:
        largest = max(s["largest_message"] for s in split[name])
        print(
            f"  {LABELS[name]:<32}{_row(name, ms(name, 'total')):>20}{_row(name, ms(name, 'server')):>20}"
            f"{_row(name, ms(name, 'browser')):>20}{largest / 1e3:>13.0f} kB"
        )
    for part in ("total", "server", "browser"):
        ratio = statistics.median(ms("race", part)) / statistics.median(ms("bare", part))
        print(f"  ratio of medians, {part:<8} {ratio:.2f}x" + ("   (target <= 1.5x)" if part == "total" else ""))
    print(f"first load, navigation start -> charts drawn and quiet, {loads} loads each, cold cache, alternating")
    print(f"  {'page':<32}{'median':>8}{'p10':>6}{'p90':>6}")
    for name in PAGES:
        print(f"  {LABELS[name]:<32}{_row(name, load[name])}")
    ratio = statistics.median(load["race"]) / statistics.median(load["bare"])
    print(f"  ratio of medians: {ratio:.2f}x   (target <= 1.5x)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
