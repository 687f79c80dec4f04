"""One-off calls from Python: the Keitaro client, and a one-item workflow per call.

The client (``async with Keitaro(...) as kt: await kt.stream.create(stream_data=body)``)
sends the very bodies the raw aiohttp baseline sends, through the node's checks, request
builder and transport, with one session for all calls. What is timed is the calls only:
opening the client, like opening the raw client's session, is inside the timed part for both.
The "workflow per call" line is what Python code had to do before the client existed: build
and run a Manual Trigger -> Keitaro workflow for each call (a session per call).
"""

from __future__ import annotations

import asyncio
from typing import Any

from .measure import Sample, timed_run
from .servers import ServerProcess


async def create_streams(
    url: str, api_key: str, bodies: list[dict[str, Any]], concurrency: int
) -> int:
    """Create every stream with the client, ``concurrency`` calls in flight; returns failures."""
    from keitaro_node import Keitaro

    failed = 0
    next_index = 0
    # requestsPerSecond 0: the default 25/s limit would be all we measure (as for the node)
    async with Keitaro(url, api_key, concurrency=concurrency, requests_per_second=0) as kt:

        async def worker() -> None:
            nonlocal failed, next_index
            while next_index < len(bodies):
                body = bodies[next_index]
                next_index += 1
                stream = await kt.stream.create(stream_data=body)
                if not isinstance(stream, dict) or "id" not in stream:
                    failed += 1

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return failed


async def workflow_per_call(url: str, api_key: str, bodies: list[dict[str, Any]]) -> int:
    """One run_workflow per stream, one after another; returns failures."""
    import keitaro_node

    credentials = {"keitaroApi": {"domain": url, "apiKey": api_key}}
    failed = 0
    for body in bodies:
        workflow = {
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "parameters": {}},
                {
                    "name": "Keitaro",
                    "type": "n8n-nodes-keitaro.keitaro",
                    "parameters": {
                        "resource": "stream",
                        "operation": "create",
                        "streamData": body,
                        "options": {"requestsPerSecond": 0},
                    },
                },
            ],
            "connections": {"Start": {"main": [[{"node": "Keitaro", "type": "main", "index": 0}]]}},
        }
        result = await keitaro_node.run_workflow(workflow, None, credentials)
        if not result.items or result.items[0].get("success") is not True:
            failed += 1
    return failed


def run(server: ServerProcess, bodies: list[dict[str, Any]], concurrency: int) -> Sample:
    return timed_run(
        lambda: create_streams(server.url, server.api_key, bodies, concurrency),
        len(bodies),
        concurrency,
        None,
        server.pid,
    )


def run_workflows(server: ServerProcess, bodies: list[dict[str, Any]]) -> Sample:
    return timed_run(
        lambda: workflow_per_call(server.url, server.api_key, bodies),
        len(bodies),
        1,
        None,
        server.pid,
    )
