"""Wall-clock timing shared by the benchmarks and the Model Lab's measured tables."""
from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Callable


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls, after one warm-up call (first calls pay for allocation and
    kernel selection)."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_parser(area: str, description: str, threads: int = 0) -> argparse.ArgumentParser:
    """The options every timing benchmark shares: --repeats and --threads (add the area's own after)."""
    parser = argparse.ArgumentParser(prog=f"python -m aigc_demo.bench {area}", description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=threads, help="torch CPU threads (0 = torch's default)")
    return parser


def use_threads(threads: int) -> str:
    """Set torch's CPU threads (0 keeps torch's default); returns the machine line a benchmark prints first."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    return f"machine: {os.cpu_count()} CPUs, torch {torch.__version__}, {torch.get_num_threads()} threads"
