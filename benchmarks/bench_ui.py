"""Slider-to-rendered latency of the decay race against a bare page, side by side.

    python benchmarks/bench_ui.py [presses]

Starts both apps, opens each in headless Chromium (Debian's /usr/bin/chromium), and
times, for each key press on a slider, the span from the press to the last change the
rerun makes to the page (script finished and the DOM quiet for 400 ms). Presses
alternate between the two pages so machine load affects both alike. Each press moves
the slider to a value not seen before, so the race's cache never answers it.
Target: the race's median within 1.5x the bare page's.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import browser as B  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(presses: int = 15) -> None:
    missing = B.chromium_missing()
    if missing:
        sys.exit(f"cannot run: {missing}")
    with B.serve(B.ROOT / "app.py") as race_url, B.serve(HERE / "bare_page.py") as bare_url, B.browser() as browser:
        race = B.open_page(browser, race_url, ready=".js-plotly-plot .main-svg")
        bare = B.open_page(browser, bare_url, ready=".js-plotly-plot .main-svg")
        race_press = B.press_on_slider(race, "learning rate lr₀", "ArrowRight")
        bare_press = B.press_on_slider(bare, "value", "ArrowRight")
        for press, page in ((race_press, race), (bare_press, bare)):  # warm up both
            B.rerender_time(page, press)
        times = {"race": [], "bare": []}
        for _ in range(presses):
            times["race"].append(B.rerender_time(race, race_press))
            times["bare"].append(B.rerender_time(bare, bare_press))
    race_ms = [t * 1e3 for t in times["race"]]
    bare_ms = [t * 1e3 for t in times["bare"]]
    print(f"slider key press -> page re-rendered, {presses} presses each, alternating")
    print(f"  {'page':<32}{'median ms':>10}{'p10':>8}{'p90':>8}")
    for name, ms in (("decay race (lr slider)", race_ms), ("bare page (1 slider, 1 chart)", bare_ms)):
        q = statistics.quantiles(ms, n=10)
        print(f"  {name:<32}{statistics.median(ms):>10.0f}{q[0]:>8.0f}{q[-1]:>8.0f}")
    ratio = statistics.median(race_ms) / statistics.median(bare_ms)
    print(f"  ratio of medians: {ratio:.2f}x   (target <= 1.5x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
