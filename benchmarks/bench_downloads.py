"""Downloads at the pages' defaults: how long each file takes to build, and what the buttons cost a rerun.

    python benchmarks/bench_downloads.py

1. Each builder, called as a press calls it (medians of repeats; the first PNG separately: it
   starts Chromium and parses plotly.js, later ones reuse that browser).
2. The race page's script time in AppTest, with its download buttons and with ``download_row``
   replaced by a no-op, interleaved in the same process: the default run and a learning-rate
   move (the fragment's rerun), medians.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from lrcore import registry  # noqa: E402
from lrcore.global_step import StepConfig  # noqa: E402
from lrcore.race import RaceConfig, race_marks  # noqa: E402
from ui import downloads, figures, views  # noqa: E402

REPEATS = 5


def seconds(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def builders() -> None:
    config = RaceConfig()
    view = views.compute_race_view(config)
    marks = race_marks(config.problem(), config.optimizers[0].build(), config.steps)
    race = {d.label: d.build for d in downloads.race_downloads(view, marks)}
    step = views.step_view(StepConfig())
    r = step.result
    step_items = downloads.step_downloads(
        [("a", r.sim_epochs, r.sim_excess[0]), ("b", r.sim_epochs, r.sim_excess[1])],
        [("a", r.sim_epochs[:-1], r.sim_rate[0])],
        [("smooth", step.curve_epochs, step.curve_continuous)],
        figures.loss_by_epoch([("a", r.sim_epochs, r.sim_excess[0], "#000", "solid")]),
        None,
        None,
    )
    rates = {n: views.schedule_rates(registry.default_spec(n, 1000, 0.1), 1000) for n in ["exponential", "inverse_time", "step", "cosine", "one_cycle"]}
    gallery = downloads.gallery_downloads(rates, 12, figures.schedule_curves([(n, np.arange(1000), r) for n, r in rates.items()]))
    print("build times at the defaults (median of", REPEATS, "presses):")
    for label in ("Curves (CSV)", "Animation (HTML)"):
        data = race[label]()
        print(f"  race  {label:<22} {seconds(race[label]) * 1000:8.1f} ms  {len(data) / 1e6:6.2f} MB")
    if downloads.png_unavailable():
        print("  PNG:", downloads.png_unavailable())
    else:
        start = time.perf_counter()
        data = race["Plane (PNG)"]()
        print(f"  race  Plane (PNG), first      {(time.perf_counter() - start) * 1000:8.1f} ms  {len(data) / 1e6:6.2f} MB  (starts Chromium)")
        for label in ("Plane (PNG)", "Loss and rates (PNG)"):
            data = race[label]()
            print(f"  race  {label:<22} {seconds(race[label]) * 1000:8.1f} ms  {len(data) / 1e6:6.2f} MB")
        print(f"  gallery {gallery[1].label:<20} {seconds(gallery[1].build) * 1000:8.1f} ms")
        print(f"  step  {step_items[1].label:<22} {seconds(step_items[1].build) * 1000:8.1f} ms")
    print(f"  gallery {gallery[0].label:<20} {seconds(gallery[0].build) * 1000:8.1f} ms  {len(gallery[0].build()) / 1e6:6.2f} MB")
    print(f"  step  {step_items[0].label:<22} {seconds(step_items[0].build) * 1000:8.1f} ms  {len(step_items[0].build()) / 1e6:6.2f} MB")
    downloads._renderer.close()


def script_time(repeats: int = 9) -> None:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    real = downloads.download_row
    inside: list[float] = []  # the buttons' own time in each run: robust to a busy machine

    def timed_row(items, key):
        start = time.perf_counter()
        real(items, key)
        inside.append(time.perf_counter() - start)

    runs = {"with buttons": ([], []), "without": ([], [])}
    for i in range(repeats):
        for name in (("with buttons", "without") if i % 2 else ("without", "with buttons")):
            downloads.download_row = timed_row if name == "with buttons" else (lambda items, key: None)
            at = AppTest.from_file(str(ROOT / "app_pages" / "decay_race.py"), default_timeout=120)
            start = time.perf_counter()
            at.run()
            first = time.perf_counter() - start
            start = time.perf_counter()
            at.slider(key="lr").set_value(0.101 + 0.001 * i).run()
            move = time.perf_counter() - start
            assert not at.exception
            runs[name][0].append(first)
            runs[name][1].append(move)
    downloads.download_row = real
    print(f"race page script time in AppTest (median of {repeats}, interleaved):")
    for name, (first, move) in runs.items():
        print(f"  {name:<13} default run {statistics.median(first) * 1000:7.1f} ms   rate move {statistics.median(move) * 1000:7.1f} ms")
    print(f"  the four buttons themselves: median {statistics.median(inside) * 1000:.2f} ms a run (max {max(inside) * 1000:.2f} ms)")


if __name__ == "__main__":
    builders()
    script_time()
