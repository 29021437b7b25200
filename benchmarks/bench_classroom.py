"""A class of N students on one server: the decay race against a bare page, same load.

    python benchmarks/bench_classroom.py [N ...]     (default: 1 10 20 40)

For each N, starts the app and the bare page (benchmarks/bare_page.py: one slider, one
small chart) the same way, and sends each N students (websocket sessions from one
process, see benchmarks/classroom.py) who open the default page with their own seed and
move the rate slider 5 times, 0.5 s apart. Prints, for both and as ratios: the median
and 95th percentile seconds per press, the server's CPU seconds per press (user +
system, first runs included), failures, the largest websocket frame, and the server's
peak memory. Targets at N = 40: median press and CPU per press <= 1.5x the bare page's,
no failures, memory < 1 GB, every frame < 1 MB.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.classroom import classroom  # noqa: E402
from tests import browser as B  # noqa: E402

HERE = Path(__file__).resolve().parent
APPS = {"race": (B.ROOT / "app.py", "learning rate lr₀"), "bare": (HERE / "bare_page.py", "value")}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100.0  # utime + stime, in clock ticks of 1/100 s


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(name: str, n: int) -> dict:
    script, label = APPS[name]
    with B.serve(script) as url:
        pid = url.pid
        cpu0 = _cpu_seconds(pid)
        start = time.monotonic()
        students = asyncio.run(classroom(url, n, label))
        wall = time.monotonic() - start
        cpu = _cpu_seconds(pid) - cpu0
        presses = [p for s in students for p in s.presses]
        return {
            "median": statistics.median(presses) if presses else float("nan"),
            "p95": statistics.quantiles(presses, n=20)[-1] if len(presses) >= 2 else float("nan"),
            "cpu": cpu / max(len(presses) + n, 1),
            "failures": sum(len(s.failures) for s in students),
            "examples": [f for s in students for f in s.failures][:3],
            "frame": max(s.largest_frame for s in students),
            "memory": _peak_rss_mb(pid),
            "wall": wall,
        }


def main(sizes: list[int]) -> None:
    print("students  page   median s   p95 s   CPU s/press  failures  largest frame  peak memory")
    for n in sizes:
        rows = {name: measure(name, n) for name in APPS}
        for name, r in rows.items():
            print(
                f"{n:8d}  {name:5s} {r['median']:9.3f} {r['p95']:7.3f} {r['cpu']:12.3f} {r['failures']:9d} "
                f"{r['frame'] / 1e6:11.3f} MB {r['memory']:9.0f} MB"
            )
            for example in r["examples"]:
                print(f"          failure: {example}")
        race, bare = rows["race"], rows["bare"]
        print(
            f"{n:8d}  ratio {race['median'] / bare['median']:9.2f}x {race['p95'] / bare['p95']:6.2f}x "
            f"{race['cpu'] / bare['cpu']:11.2f}x   (targets: median and CPU <= 1.5x, 0 failures, < 1 GB, frames < 1 MB)"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 20, 40])
