"""Wall-clock timing shared by the benchmarks and the Model Lab's measured tables."""
from __future__ import annotations

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
