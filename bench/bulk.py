"""Bulk jobs: `keitaro-node run` over 10^4..10^6 JSON-lines items, wall time and peak memory.

The workflow is the README's (Manual Trigger -> Edit Fields -> Keitaro "stream: create")
with the limits off (concurrency 8, no requests-per-second cap), against the stand-in
tracker at 0 ms latency, so the figures describe keitaro-node itself. Each job runs as a
fresh `keitaro-node run` process; its peak RSS comes from the kernel (wait4's ru_maxrss),
and the time to its first output line is read from the output file as it grows.

For comparison the same workflow runs in-process (`run_workflow` on a list of items, the
way a Python caller would) on the smallest size: throughput of the streamed job should not
fall below that. Every size runs with `--chunk-size 1000` (input read and output written a
chunk at a time); sizes up to 10^5 also run whole, as n8n would, all items at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import servers
from .servers import ROOT, child_env
from .startup import cli_path

WORKFLOW = ROOT / "workflows" / "create_stream.json"
LIMITS = {"concurrency": 8, "requestsPerSecond": 0}
CHUNKED = "--output out.jsonl --chunk-size 1000"


def bench_workflow(folder: Path) -> Path:
    """The README's workflow with the node's limits off."""
    data = json.loads(WORKFLOW.read_text("utf-8"))
    for node in data["nodes"]:
        if node["type"].endswith("keitaro"):
            node["parameters"]["options"] = dict(LIMITS)
    path = folder / "create_stream.bench.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def write_items(path: Path, count: int) -> None:
    countries = ("GB", "DE", "FR", "US", "NL")
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            row = {
                "campaign_id": 1,
                "name": f"Flow {n}",
                "country": countries[n % len(countries)],
                "url": f"https://offer.example.com/?click={{subid}}&n={n}",
                "weight": 100,
            }
            out.write(json.dumps(row) + "\n")


def _first_line_at(path: Path, started: float, stop: threading.Event, seen: list[float]) -> None:
    while not stop.is_set():
        try:
            if path.stat().st_size > 0:
                seen.append(time.monotonic() - started)
                return
        except OSError:
            pass
        time.sleep(0.005)


def run_job(
    workflow: Path,
    items: Path,
    env: dict[str, str],
    output: Path | None,
    timeout: float,
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One `keitaro-node run` process: wall time, peak RSS, time to the first output line."""
    argv = [cli_path(), "run", str(workflow), "--input", str(items), "--quiet", *extra]
    if output is not None:
        argv += ["--output", str(output)]
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        text=True,
    )
    stop = threading.Event()
    seen: list[float] = []
    watcher = None
    if output is not None:
        watcher = threading.Thread(target=_first_line_at, args=(output, started, stop, seen))
        watcher.start()
    deadline = started + timeout
    status = None
    usage = None
    while status is None:
        pid, status_code, rusage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            status, usage = status_code, rusage
            break
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            stop.set()
            return {"error": f"no result within {timeout:g} s"}
        time.sleep(0.02)
    wall = time.monotonic() - started
    stop.set()
    if watcher is not None:
        watcher.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read() if process.stderr else ""
    summary = errors.strip().splitlines()[-1:] or [""]
    result: dict[str, Any] = {
        "wall_s": wall,
        "peak_rss_mb": usage.ru_maxrss / 1024 if usage else None,
        "cpu_s": (usage.ru_utime + usage.ru_stime) if usage else None,
        "exit": process.returncode,
        "summary": summary[0],
    }
    if seen:
        result["first_output_s"] = seen[0]
    if process.returncode != 0:
        result["error"] = f"exit {process.returncode}: {summary[0]}"
    return result


IN_PROCESS = """
import asyncio, json, sys, time, resource
from keitaro_node.app import run_workflow
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.workflow import load_workflow
workflow = load_workflow(sys.argv[1])
items = [Item(json=json.loads(line)) for line in open(sys.argv[2], encoding="utf-8")]
store = CredentialStore({"keitaroApi": {"domain": sys.argv[3], "apiKey": sys.argv[4]}}, environ={})
started = time.perf_counter()
result = asyncio.run(run_workflow(workflow, items, store))
wall = time.perf_counter() - started
done = sum(len(o) for o in result.outputs.get("Keitaro", [[]]))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall_s": wall, "items": done, "peak_rss_mb": peak}))
"""


def run_in_process(workflow: Path, items: Path, url: str, api_key: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(workflow), str(items), url, api_key],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(sizes: list[int], timeout: float = 7200, log: Any = None) -> dict[str, Any]:
    jobs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder_name, servers.running("stand-in", 0.0) as server:
        folder = Path(folder_name)
        workflow = bench_workflow(folder)
        env = {**child_env(), "KEITARO_DOMAIN": server.url, "KEITARO_API_KEY": server.api_key}
        smallest = min(sizes)
        for size in sizes:
            items = folder / f"items-{size}.jsonl"
            write_items(items, size)
            out_file = folder / "out.jsonl"
            outputs: list[tuple[str, Path | None, tuple[str, ...]]] = [
                (CHUNKED, out_file, ("--chunk-size", "1000"))
            ]
            if size <= 100_000:  # a whole run holds every item: kept to sizes that fit
                outputs.append(("--output out.jsonl", out_file, ()))
                outputs.append(("stdout (piped)", None, ()))
            for label, output, extra in outputs:
                if output is not None and output.exists():
                    output.unlink()
                result = run_job(workflow, items, env, output, timeout, extra)
                result.update(items=size, output=label)
                if "wall_s" in result and "error" not in result:
                    result["items_per_s"] = size / result["wall_s"]
                    result["us_per_item"] = result["wall_s"] / size * 1e6
                    if result.get("peak_rss_mb") is not None:
                        result["kb_per_item"] = result["peak_rss_mb"] * 1024 / size
                jobs.append(result)
                if log:
                    log(f"bulk: {size} items, {label}: {result.get('items_per_s', result)}")
            if size == smallest:
                in_process = run_in_process(workflow, items, server.url, server.api_key)
                if "wall_s" in in_process:
                    in_process["items_per_s"] = size / in_process["wall_s"]
                in_process["items"] = size
                if log:
                    log(f"bulk: {size} items in-process: {in_process.get('items_per_s')}")
            items.unlink()
    return {"jobs": jobs, "in_process": in_process, "limits": LIMITS}
