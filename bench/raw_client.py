"""The baseline: plain aiohttp, one shared ClientSession, ``concurrency`` workers.

This is the least a Python client can do for the same job: serialize each body, POST it,
read and parse the JSON answer. No validation, no retries, no items.
"""

from __future__ import annotations

import asyncio
import cProfile
from typing import Any

import aiohttp

from .measure import Sample, timed_run
from .servers import ServerProcess
from .workload import STREAMS_PATH


async def create_streams(
    url: str, api_key: str, bodies: list[dict[str, Any]], concurrency: int
) -> int:
    """POST every body with at most ``concurrency`` in flight; returns how many failed."""
    failed = 0
    next_index = 0
    target = url + STREAMS_PATH
    headers = {"Api-Key": api_key, "Accept": "application/json"}
    async with aiohttp.ClientSession(headers=headers) as session:

        async def worker() -> None:
            nonlocal failed, next_index
            while next_index < len(bodies):
                body = bodies[next_index]
                next_index += 1
                async with session.post(target, json=body) as response:
                    data = await response.json()
                    if response.status != 200 or not isinstance(data, dict) or "id" not in data:
                        failed += 1

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return failed


def run(
    server: ServerProcess,
    bodies: list[dict[str, Any]],
    concurrency: int,
    profiler: cProfile.Profile | None = None,
) -> Sample:
    return timed_run(
        lambda: create_streams(server.url, server.api_key, bodies, concurrency),
        len(bodies),
        concurrency,
        profiler,
        server.pid,
    )
