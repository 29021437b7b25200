"""The texts' network: how long the page's default training takes, with 1 and 2 torch threads.

    python benchmarks/bench_nets.py [repeats]

The default is 8 seeds x 2 lanes x 1,200 updates (100 epochs of 12 steps), each update a
batched forward and backward pass, two optimizer and scheduler steps and a full-data
evaluation. Target: under 10 s on the 2-core machine (the issue's budget). Prints the median
wall and CPU time of interleaved repeats, and the per-update cost.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lrcore import nets  # noqa: E402


def main(repeats: int = 3) -> None:
    config = nets.NetConfig()
    nets.train(replace(config, epochs=1))  # import torch and warm up outside the timing
    times: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    for _ in range(repeats):
        for threads in times:
            nets.THREADS = threads
            wall, cpu = time.perf_counter(), time.process_time()
            nets.train(config)
            times[threads].append((time.perf_counter() - wall, time.process_time() - cpu))
    nets.THREADS = 1
    for threads, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{threads} thread{'s' if threads > 1 else ' '}: default training {wall:5.2f} s wall, {cpu:5.2f} s CPU, "
              f"{1e3 * wall / config.steps:.2f} ms per update ({2 * config.seeds} networks)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
