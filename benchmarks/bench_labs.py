"""The three labs' default computations, timed (medians over interleaved repeats).

    python benchmarks/bench_labs.py
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_labs.py
    python benchmarks/bench_labs.py --pages

Exact computations (closed forms and the exact recursion) target well under 100 ms;
the optimum (an L-BFGS-B search) and the simulations are listed for reference. SciPy's
bundled OpenBLAS starts threads for L-BFGS-B's tiny products: on a busy 2-core machine
that alone can cost several times the search itself, so the second line is worth comparing.
Prints CPU time too, which counts those threads' spinning.

Then each lab page's script time in-process (Streamlit's AppTest, which runs the page as
the server does, without a browser): the first run of a default (cold: lrcore's work
is computed) and the median of warm reruns (the cached view, redrawn), against the bare
page (benchmarks/bare_page.py: one slider, one small chart). ``--pages`` prints only this.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lrcore import batch, families, optim, optimal, schedules, warmup  # noqa: E402
from lrcore.problems import NoisyQuadratic  # noqa: E402

REPEATS = 7


def timed(fns: dict, repeats: int = REPEATS) -> dict:
    for fn in fns.values():
        fn()  # warm up
    wall = {k: [] for k in fns}
    cpu = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            w, c = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - w)
            cpu[name].append(time.process_time() - c)
    return {k: (float(np.median(wall[k])), float(np.median(cpu[k]))) for k in fns}


PAGES = {
    "bare page": Path(__file__).with_name("bare_page.py"),
    "lab: batch size": Path(__file__).resolve().parents[1] / "app_pages" / "lab_batch_size.py",
    "lab: warmup (the bowl)": Path(__file__).resolve().parents[1] / "app_pages" / "lab_warmup.py",
    "lab: warmup (Adam)": (Path(__file__).resolve().parents[1] / "app_pages" / "lab_warmup.py", {"case": "adam"}),
    "lab: warmup (quadratic)": (Path(__file__).resolve().parents[1] / "app_pages" / "lab_warmup.py", {"case": "quadratic"}),
    "lab: the best schedule": Path(__file__).resolve().parents[1] / "app_pages" / "lab_best_schedule.py",
}


def page_times(repeats: int = REPEATS) -> None:
    """Each page's script time at its defaults: cold (first run in this process) and warm (cached)."""
    from streamlit.testing.v1 import AppTest

    print("page script time at the defaults (AppTest, in-process; cold = first run, warm = median rerun)")
    for name, target in PAGES.items():
        path, query = target if isinstance(target, tuple) else (target, {})

        def run():
            at = AppTest.from_file(str(path), default_timeout=120)
            at.query_params.update(query)
            start = time.perf_counter()
            at.run()
            assert not at.exception, [e.message for e in at.exception]
            return time.perf_counter() - start

        cold = run()
        warm = float(np.median([run() for _ in range(repeats)]))
        print(f"   {name:30s} cold {cold * 1e3:8.1f} ms   warm {warm * 1e3:8.1f} ms")


def main() -> None:
    if "--pages" in sys.argv:
        page_times()
        return
    P, T = NoisyQuadratic(), 1000
    best = optimal.optimal_schedule(P, T)
    B = 2.0 ** np.arange(0, 13)
    exact = {
        "1. greedy_schedule (SGD, T = 1000)": lambda: optimal.greedy_schedule(P, T),
        "1. greedy_schedule (momentum 0.9)": lambda: optimal.greedy_schedule(P, T, optim.SGD(momentum=0.9)),
        "1. improvement (optimum given)": lambda: optimal.improvement(P, T, schedules.exponential(0.1, 100, 0.5), optimal=best),
        "1. above_bound + inverse_time_ratio": lambda: (optimal.above_bound(P, best, T), optimal.inverse_time_ratio(P, best, T)),
        "1. fit_families (7 families)": lambda: families.fit_families(best, T),
        "2. noise_floors (13 batch sizes x 4 rules)": lambda: batch.noise_floors(P, B, 0.05),
        "2. noise_floors, momentum 0.9": lambda: batch.noise_floors(P, B, 0.05, optim.SGD(momentum=0.9)),
        "2. steps_to_target (13 batch sizes)": lambda: batch.steps_to_target(P, 0.1, B),
        "2. steps_to_target under a schedule (13 B, 10k steps)": lambda: batch.steps_to_target(
            P, 0.1, B, schedule=schedules.exponential(0.1, 1000, 0.5), horizon=10_000
        ),
        "2. critical_batch": lambda: batch.critical_batch(P, 0.1),
        "3. quadratic_warmup (exact, 1000 steps)": lambda: warmup.quadratic_warmup(),
    }
    searched = {
        "1. optimal_schedule (SGD, T = 1000, 64 pieces)": lambda: optimal.optimal_schedule(P, T),
        "1. optimal_schedule (momentum 0.9)": lambda: optimal.optimal_schedule(P, T, optim.SGD(momentum=0.9)),
        "1. optimal_schedule (SGD, T = 100,000)": lambda: optimal.optimal_schedule(P, 100_000),
        "3. warmup_race (2 x 200 runs x 500 steps)": lambda: warmup.warmup_race(),
        "3. shortest_warmup (200 lengths, noise-free)": lambda: warmup.shortest_warmup(),
        "3. adam_warmup (3 x 200 runs x 4000 steps)": lambda: warmup.adam_warmup(),
    }
    from ui import lab_views  # a page's whole computation on a cache miss: what a new setting costs

    views = {
        "batch lab's view (defaults)": lambda: lab_views.batch_view(lab_views.BatchConfig()),
        "warmup lab's view: the bowl": lambda: lab_views.warmup_view(lab_views.WarmupConfig()),
        "warmup lab's view: the quadratic": lambda: lab_views.warmup_view(lab_views.WarmupConfig(case="quadratic", lr=0.15, warmup_steps=100, steps=1000)),
        "warmup lab's view: Adam (3 x 200 runs x 4000 steps)": lambda: lab_views.warmup_view(lab_views.WarmupConfig(case="adam", steps=4000)),
        "best-schedule lab's view (defaults)": lambda: lab_views.best_view(lab_views.BestConfig()),
        "best-schedule lab's view (momentum, T = 10,000)": lambda: lab_views.best_view(lab_views.BestConfig(opt="momentum", steps=10000)),
    }
    for title, fns, repeats in (
        ("exact (target well under 100 ms)", exact, REPEATS),
        ("searched or simulated", searched, 3),
        ("each lab page's computation on a cache miss (target: about 1 s)", views, 3),
    ):
        print(title)
        for name, (wall, cpu) in timed(fns, repeats).items():
            print(f"   {name:58s} {wall * 1e3:8.1f} ms wall {cpu * 1e3:8.1f} ms CPU")
    page_times()


if __name__ == "__main__":
    main()
