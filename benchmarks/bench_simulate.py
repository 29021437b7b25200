"""Simulator and theory speed, measured side by side in one run.

    python benchmarks/bench_simulate.py

Prints, with medians over interleaved repeats:
1. simulating 2 schedules x 256 runs x 2,000 steps of SGD, as a ratio to NumPy drawing
   that many Gaussian numbers (2 x 256 x 2,000 x 2): the floor for this work. Target <= 2x.
2. the exact expected-loss curve for 100,000 steps. Target <= 20 ms for SGD.
3. how simulation time grows with steps x runs: it must be linear (log-log slope ~ 1).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lrcore import optim, schedules, simulate_many, theory  # noqa: E402
from lrcore.problems import NoisyQuadratic  # noqa: E402

REPEATS = 15


def median_time(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def interleaved(fns, repeats=REPEATS):
    """Median times of several functions, run alternately so load affects all alike."""
    for fn in fns:
        fn()  # warm up
    times = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times]


def main() -> None:
    problem = NoisyQuadratic()
    race = [schedules.constant(0.1), schedules.exponential(0.1, 200, 0.5)]
    runs, steps = 256, 2000
    rng = np.random.default_rng(0)

    sim, draw = interleaved(
        [
            lambda: simulate_many(problem, optim.SGD(), race, steps, runs, seed=0),
            lambda: rng.standard_normal(len(race) * runs * steps * 2),
        ]
    )
    print("1. simulation vs drawing its Gaussian numbers (2 schedules x 256 runs x 2,000 steps, SGD)")
    print(f"   simulate_many: {sim * 1e3:7.1f} ms   standard_normal(2,048,000): {draw * 1e3:7.1f} ms")
    print(f"   ratio: {sim / draw:.2f}x   (target <= 2x)")

    print("\n2. exact expected loss, 100,000 steps (exponential decay)")
    long = schedules.exponential(0.1, 10_000, 0.5)
    for opt, target in [(optim.SGD(), " (target <= 20 ms)"), (optim.SGD(momentum=0.9), ""), (optim.SGD(momentum=0.9, nesterov=True), "")]:
        t = median_time(lambda: theory.expected_loss(problem, opt, long, 100_000), repeats=7)
        print(f"   {opt!r:70s} {t * 1e3:7.1f} ms{target}")

    print("\n3. growth with steps x runs (SGD, 2 schedules): time per step-run must not grow")
    print(f"   {'steps':>6} {'runs':>6} {'steps x runs':>13} {'time ms':>9} {'ns per step-run':>16}")
    grid = {"steps": [(1000, 256), (2000, 256), (4000, 256), (8000, 256)], "runs": [(2000, 128), (2000, 256), (2000, 512), (2000, 1024)]}
    slopes = {}
    for axis, sizes in grid.items():
        times = []
        for s, r in sizes:
            t = median_time(lambda: simulate_many(problem, optim.SGD(), race, s, r, seed=0), repeats=5)
            times.append(t)
            print(f"   {s:6d} {r:6d} {s * r:13,d} {t * 1e3:9.1f} {t / (s * r) * 1e9:16.1f}")
        x = [s if axis == "steps" else r for s, r in sizes]
        slopes[axis] = np.polyfit(np.log(x), np.log(times), 1)[0]
    print(
        f"   log-log slope: {slopes['steps']:.2f} in steps (runs fixed), {slopes['runs']:.2f} in runs "
        "(steps fixed); 1 = linear, below 1 = fixed per-step overhead being amortised"
    )


if __name__ == "__main__":
    main()
