"""One measured run (wall time, CPU time of this process) and medians over repetitions."""

from __future__ import annotations

import asyncio
import cProfile
import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Sample:
    """One run of ``n`` calls at ``concurrency``: wall and CPU seconds, calls that failed."""

    n: int
    concurrency: int
    wall_s: float
    cpu_s: float
    failed: int = 0

    @property
    def calls_per_s(self) -> float:
        return self.n / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def cpu_us_per_item(self) -> float:
        return self.cpu_s / self.n * 1e6 if self.n else 0.0


@dataclass
class Summary:
    """Medians of several Samples of the same run."""

    n: int
    concurrency: int
    repeat: int
    calls_per_s: float
    wall_s: float
    cpu_us_per_item: float
    failed: int
    runs_calls_per_s: list[float]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def summarize(samples: list[Sample]) -> Summary:
    first = samples[0]
    return Summary(
        n=first.n,
        concurrency=first.concurrency,
        repeat=len(samples),
        calls_per_s=statistics.median(s.calls_per_s for s in samples),
        wall_s=statistics.median(s.wall_s for s in samples),
        cpu_us_per_item=statistics.median(s.cpu_us_per_item for s in samples),
        failed=max(s.failed for s in samples),
        runs_calls_per_s=[round(s.calls_per_s, 1) for s in samples],
    )


def timed_run(
    job: Callable[[], Awaitable[int]],
    n: int,
    concurrency: int,
    profiler: cProfile.Profile | None = None,
) -> Sample:
    """Run ``job`` (returns how many calls failed) in a fresh event loop and time it.

    Wall time is perf_counter, CPU time is this process's process_time (user + system of
    every thread), both taken inside the loop around the awaited job only; a profiler, when
    given, is on for exactly that span.
    """
    gc.collect()

    async def main() -> Sample:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        try:
            failed = await job()
        finally:
            if profiler is not None:
                profiler.disable()
        wall1, cpu1 = time.perf_counter(), time.process_time()
        return Sample(n, concurrency, wall1 - wall0, cpu1 - cpu0, failed)

    return asyncio.run(main())


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
