"""Requests per second of `keitaro-node serve` for a small `POST /run` workflow.

The server runs in its own process (as users run it) with one workflow, Manual Trigger ->
Edit Fields with two expressions, and a token; a client in this process sends N requests of
one item each at concurrency c over one aiohttp session, and counts answers per second. The
per-workflow concurrency limit is raised above c so that no request is answered 429.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from .measure import Sample, summarize
from .servers import ROOT, child_env

TOKEN = "bench-serve-token"
WORKFLOW = {
    "name": "bench: edit fields",
    "nodes": [
        {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
        {
            "name": "Edit Fields",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "parameters": {
                "assignments": {
                    "assignments": [
                        {"id": "1", "name": "subid", "value": "={{ $json.subid }}", "type": "string"},
                        {"id": "2", "name": "payout", "value": "={{ $json.payout * 2 }}", "type": "number"},
                    ]
                },
                "options": {},
            },
        },
    ],
    "connections": {"Start": {"main": [[{"node": "Edit Fields", "type": "main", "index": 0}]]}},
    "settings": {"executionOrder": "v1"},
}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(folder: Path, port: int, concurrency: int) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "keitaro_node.cli", "serve", str(folder), "--port", str(port)]
    argv += ["--token", TOKEN, "--concurrency", str(concurrency)]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # one log line per request: not the thing measured here
        stdin=subprocess.DEVNULL,
        cwd=ROOT,
        env=child_env(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"keitaro-node serve exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("keitaro-node serve did not listen within 60 s")


async def _send(url: str, n: int, concurrency: int) -> tuple[float, int]:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    failed = 0
    next_index = 0
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal next_index, failed
            while next_index < n:
                index = next_index
                next_index += 1
                body = json.dumps([{"subid": f"s{index}", "payout": 1.5}])
                async with session.post(url, data=body, headers=headers) as answer:
                    await answer.read()
                    if answer.status != 200:
                        failed += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, failed


def measure(n: int, concurrency: list[int], repeat: int, log: Any) -> dict[str, Any]:
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "fields.json").write_text(json.dumps(WORKFLOW), "utf-8")
        process = _start(Path(folder), port, max(concurrency) + 1)
        try:
            url = f"http://127.0.0.1:{port}/run/fields"
            asyncio.run(_send(url, min(n, 200), max(concurrency)))  # warm up
            rows = []
            for c in concurrency:
                samples = []
                for _ in range(repeat):
                    cpu = time.process_time()
                    wall, failed = asyncio.run(_send(url, n, c))
                    samples.append(Sample(n, c, wall, time.process_time() - cpu, failed))
                summary = summarize(samples)
                log(f"serve c={c}: {summary.calls_per_s:.0f} requests/s")
                rows.append(summary.to_json())
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return {
        "workflow": "Manual Trigger -> Edit Fields (2 expressions), one item per request",
        "endpoint": "POST /run/fields with a token",
        "runs": rows,
    }
