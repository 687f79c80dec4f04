"""One measured run (wall time, CPU time of this process) and medians over repetitions."""

from __future__ import annotations

import asyncio
import cProfile
import gc
import os
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
    server_cpu_s: float | None = None

    @property
    def calls_per_s(self) -> float:
        return self.n / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def cpu_us_per_item(self) -> float:
        return self.cpu_s / self.n * 1e6 if self.n else 0.0

    @property
    def server_cpu_us_per_item(self) -> float | None:
        if self.server_cpu_s is None or not self.n:
            return None
        return self.server_cpu_s / self.n * 1e6


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
    server_cpu_us_per_item: float | None = None
    spread: float = 0.0  # (max - min) / median of calls/s over the runs

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def summarize(samples: list[Sample]) -> Summary:
    first = samples[0]
    rates = [s.calls_per_s for s in samples]
    middle = statistics.median(rates)
    return Summary(
        n=first.n,
        concurrency=first.concurrency,
        repeat=len(samples),
        calls_per_s=middle,
        wall_s=statistics.median(s.wall_s for s in samples),
        cpu_us_per_item=statistics.median(s.cpu_us_per_item for s in samples),
        failed=max(s.failed for s in samples),
        runs_calls_per_s=[round(s.calls_per_s, 1) for s in samples],
        server_cpu_us_per_item=_median_or_none([s.server_cpu_us_per_item for s in samples]),
        spread=(max(rates) - min(rates)) / middle if middle else 0.0,
    )


def _median_or_none(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of another process so far (Linux /proc), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # after the command name: state is field 3, utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None


def use_loop(name: str) -> None:
    """``asyncio`` (the default loop) or ``uvloop`` for every measured run in this process."""
    global _loop_factory
    if name == "asyncio":
        _loop_factory = None
        return
    if name != "uvloop":
        raise ValueError(f"unknown event loop {name!r}")
    try:
        import uvloop
    except ImportError:
        raise ValueError("uvloop is not installed (pip install '.[speed]')") from None
    _loop_factory = uvloop.new_event_loop


def loop_name() -> str:
    return "asyncio (default loop)" if _loop_factory is None else "uvloop"


def timed_run(
    job: Callable[[], Awaitable[int]],
    n: int,
    concurrency: int,
    profiler: cProfile.Profile | None = None,
    server_pid: int | None = None,
) -> Sample:
    """Run ``job`` (returns how many calls failed) in a fresh event loop and time it.

    Wall time is perf_counter, CPU time is this process's process_time (user + system of
    every thread), both taken inside the loop around the awaited job only; a profiler, when
    given, is on for exactly that span. With ``server_pid`` the server's CPU seconds over
    the same span are recorded too (it runs on the same cores).
    """
    gc.collect()

    async def main() -> Sample:
        server0 = process_cpu_s(server_pid) if server_pid else None
        wall0, cpu0 = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        try:
            failed = await job()
        finally:
            if profiler is not None:
                profiler.disable()
        wall1, cpu1 = time.perf_counter(), time.process_time()
        server1 = process_cpu_s(server_pid) if server_pid else None
        server = server1 - server0 if server0 is not None and server1 is not None else None
        return Sample(n, concurrency, wall1 - wall0, cpu1 - cpu0, failed, server)

    with asyncio.Runner(loop_factory=_loop_factory) as runner:
        return runner.run(main())


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
