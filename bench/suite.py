"""The parts of the benchmark, each returning plain data for the report and the JSON."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import bulk, client_runs, node_runs, profiling, raw_client, scale, servers, startup
from . import serve as serve_bench
from .measure import Sample, Summary, loop_name, summarize
from .workload import input_items, stream_bodies

Log = Callable[[str], None]

PARTS = ("throughput", "overhead", "startup", "scale", "client", "serve", "bulk")


@dataclass
class Config:
    n: int = 2000
    concurrency: list[int] = field(default_factory=lambda: [1, 8, 32])
    latency_ms: list[float] = field(default_factory=lambda: [0.0, 20.0])
    repeat: int = 3
    parts: list[str] = field(default_factory=lambda: list(PARTS))
    profile: bool = False
    profile_out: str | None = None
    sandbox_check: bool = True
    startup_runs: int = 7
    scale_rows: list[int] = field(default_factory=lambda: [10_000, 100_000, 1_000_000])
    scale_modes: list[str] = field(default_factory=lambda: ["stream", "items"])
    page_size: int = 1000
    scale_params: dict[str, Any] = field(default_factory=dict)
    client_n: int = 500
    bulk_sizes: list[int] = field(default_factory=lambda: [10_000, 100_000, 1_000_000])


def machine() -> dict[str, Any]:
    import aiohttp

    cpus = os.cpu_count() or 1
    return {
        "cpus": cpus,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "aiohttp": aiohttp.__version__,
        "event_loop": loop_name(),
        "note": f"{cpus} CPU cores shared by the client and the server process",
        "load_average": _load_average(),
        "commit": _commit(),
    }


def _commit() -> str:
    """The checked-out commit (read-only ``git rev-parse``), or "unknown"."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=servers.ROOT,
            timeout=10,
            check=False,
        )
    except OSError:
        return "unknown"
    return done.stdout.strip() or "unknown"


def _load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


# ------------------------------------------------------------------ throughput


def _row(client: str, summary: Summary, **extra: Any) -> dict[str, Any]:
    return {"client": client, **summary.to_json(), **extra}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _warm_up(
    server: servers.ServerProcess, node: node_runs.NodeRunner, bodies: list[Any], c: int
) -> None:
    """One untimed run of each client: imports, caches, the server's first requests."""
    raw_client.run(server, bodies, c)
    node.run(c)


def throughput_at(config: Config, latency_ms: float, log: Log) -> dict[str, Any]:
    items = input_items(config.n)
    bodies = stream_bodies(items)
    with servers.running("stand-in", latency_ms) as server:
        node = node_runs.NodeRunner(server, items)
        raw_samples: dict[int, list[Sample]] = {c: [] for c in config.concurrency}
        node_samples: dict[int, list[Sample]] = {c: [] for c in config.concurrency}
        _warm_up(server, node, bodies, max(config.concurrency))
        for r in range(config.repeat):
            for c in config.concurrency:
                # raw and node take turns at going first, so drift hits both alike
                if r % 2 == 0:
                    raw_samples[c].append(raw_client.run(server, bodies, c))
                    node_samples[c].append(node.run(c))
                else:
                    node_samples[c].append(node.run(c))
                    raw_samples[c].append(raw_client.run(server, bodies, c))
                log(
                    f"throughput {latency_ms:g} ms, c={c}, run {r + 1}: "
                    f"raw {raw_samples[c][-1].calls_per_s:.0f}/s, "
                    f"node {node_samples[c][-1].calls_per_s:.0f}/s"
                )
        if 1 in node_samples:
            sequential = summarize(node_samples[1])
        else:
            sequential = summarize([node.run(1) for _ in range(config.repeat)])
    rows = []
    ratios: dict[str, Any] = {"node_over_raw": {}, "node_over_sequential": {}}
    for c in config.concurrency:
        raw = summarize(raw_samples[c])
        mine = summarize(node_samples[c])
        ratio = _ratio(mine.calls_per_s, raw.calls_per_s)
        speedup = _ratio(mine.calls_per_s, sequential.calls_per_s)
        ratios["node_over_raw"][str(c)] = ratio
        ratios["node_over_sequential"][str(c)] = speedup
        rows.append(_row("raw aiohttp", raw))
        rows.append(_row("node", mine, node_over_raw=ratio, node_over_sequential=speedup))
    rows.append(_row("node sequential", sequential))
    top = max(config.concurrency)
    ratios["max_concurrency"] = top
    ratios["node_max_over_sequential"] = ratios["node_over_sequential"][str(top)]
    return {
        "latency_ms": latency_ms,
        "server": "stand-in",
        "n": config.n,
        "sequential": "the same workflow with options.concurrency = 1: the node awaits each "
        "item's request before it starts the next, like the for-loop of a typical n8n node",
        "runs": rows,
        "ratios": ratios,
    }


def sandbox_check(config: Config, log: Log) -> dict[str, Any]:
    """One line against the real sandbox: raw and node at the highest concurrency.

    The sandbox slows down as a campaign fills with flows, so every run creates its flows
    in a fresh campaign, and raw and node take turns at going first.
    """
    latency = config.latency_ms[0]
    c = max(config.concurrency)
    raw_samples: list[Sample] = []
    node_samples: list[Sample] = []
    with servers.running("sandbox", latency) as server:

        def raw_run() -> None:
            campaign = server.seed_campaign()
            raw_samples.append(
                raw_client.run(server, stream_bodies(input_items(config.n, campaign)), c)
            )

        def node_run() -> None:
            campaign = server.seed_campaign()
            node_samples.append(
                node_runs.NodeRunner(server, input_items(config.n, campaign)).run(c)
            )

        for r in range(config.repeat):
            for job in (raw_run, node_run) if r % 2 == 0 else (node_run, raw_run):
                job()
    raw, mine = summarize(raw_samples), summarize(node_samples)
    log(
        f"sandbox {latency:g} ms, c={c}: raw {raw.calls_per_s:.0f}/s, node {mine.calls_per_s:.0f}/s"
    )
    return {
        "latency_ms": latency,
        "server": "sandbox",
        "n": config.n,
        "concurrency": c,
        "runs": [_row("raw aiohttp", raw), _row("node", mine)],
        "node_over_raw": _ratio(mine.calls_per_s, raw.calls_per_s),
    }


# ------------------------------------------------------------------ overhead


def overhead(config: Config, log: Log) -> dict[str, Any]:
    """CPU time per item in this process, against a stand-in that answers at once."""
    items = input_items(config.n)
    bodies = stream_bodies(items)
    rows = []
    profile: dict[str, Any] | None = None
    with servers.running("stand-in", 0.0) as server:
        node = node_runs.NodeRunner(server, items)
        _warm_up(server, node, bodies, max(config.concurrency))
        edit = summarize([node_runs.edit_fields_only(items) for _ in range(config.repeat)])
        for c in config.concurrency:
            raw_samples: list[Sample] = []
            node_samples: list[Sample] = []
            for _ in range(config.repeat):
                raw_samples.append(raw_client.run(server, bodies, c))
                node_samples.append(node.run(c))
            raw, mine = summarize(raw_samples), summarize(node_samples)
            ours = mine.cpu_us_per_item - raw.cpu_us_per_item
            rows.append(
                {
                    "n": config.n,
                    "concurrency": c,
                    "repeat": config.repeat,
                    "raw_cpu_us_per_item": raw.cpu_us_per_item,
                    "node_cpu_us_per_item": mine.cpu_us_per_item,
                    "our_layers_cpu_us_per_item": ours,
                    "edit_fields_cpu_us_per_item": edit.cpu_us_per_item,
                    "keitaro_node_cpu_us_per_item": ours - edit.cpu_us_per_item,
                    "node_over_raw_cpu": _ratio(mine.cpu_us_per_item, raw.cpu_us_per_item),
                }
            )
            log(
                f"overhead c={c}: raw {raw.cpu_us_per_item:.0f} us/item, "
                f"node {mine.cpu_us_per_item:.0f} us/item"
            )
        if config.profile:
            profile = profiling.profile(
                node, bodies, max(config.concurrency), save_to=config.profile_out
            )
            profile["latency_ms"] = 0.0
            if config.profile_out:
                profile["stats_file"] = config.profile_out
    result: dict[str, Any] = {
        "latency_ms": 0.0,
        "server": "stand-in",
        "measure": "time.process_time() of the client process around the run, divided by N",
        "by_concurrency": rows,
    }
    if profile is not None:
        result["profile"] = profile
    return result


# ------------------------------------------------------------------ start-up


def startup_times(config: Config, log: Log) -> dict[str, Any]:
    runs = max(config.startup_runs, config.repeat)
    commands = startup.measure(runs)
    for entry in commands:
        log(f"startup {entry['command']}: {entry['median_s'] * 1000:.0f} ms")
    result: dict[str, Any] = {"commands": commands}
    if config.profile:
        result["import_profile"] = {
            "keitaro-node --help": startup.import_profile(startup.HELP_CODE),
            "keitaro-node describe": startup.import_profile(startup.DESCRIBE_CODE),
            "keitaro-node run --dry-run": startup.import_profile(startup.RUN_CODE),
        }
    return result


# ------------------------------------------------------------------ scale


def scale_export(config: Config, log: Log) -> dict[str, Any]:
    return scale.measure(
        config.scale_rows,
        config.repeat,
        config.scale_modes,
        config.page_size,
        config.scale_params,
        log=log,
    )


# ------------------------------------------------------------------ client


def client_at(config: Config, latency_ms: float, log: Log) -> dict[str, Any]:
    """One-off calls: the Keitaro client and raw aiohttp, taking turns, against one stand-in."""
    n = config.client_n
    bodies = stream_bodies(input_items(n))
    raw_samples: dict[int, list[Sample]] = {c: [] for c in config.concurrency}
    client_samples: dict[int, list[Sample]] = {c: [] for c in config.concurrency}
    workflow_samples: list[Sample] = []
    with servers.running("stand-in", latency_ms) as server:
        top = max(config.concurrency)
        raw_client.run(server, bodies, top)  # warm-up: imports, caches, first connections
        client_runs.run(server, bodies, top)
        client_runs.run_workflows(server, bodies[:10])
        for r in range(config.repeat):
            for c in config.concurrency:
                jobs = [
                    lambda c=c: raw_samples[c].append(raw_client.run(server, bodies, c)),
                    lambda c=c: client_samples[c].append(client_runs.run(server, bodies, c)),
                ]
                for job in jobs if r % 2 == 0 else jobs[::-1]:
                    job()
                log(
                    f"client {latency_ms:g} ms, c={c}, run {r + 1}: "
                    f"raw {raw_samples[c][-1].calls_per_s:.0f}/s, "
                    f"client {client_samples[c][-1].calls_per_s:.0f}/s"
                )
            workflow_samples.append(client_runs.run_workflows(server, bodies))
    rows = []
    ratios: dict[str, Any] = {"client_over_raw": {}, "client_extra_cpu_us_per_call": {}}
    raw_by_c: dict[int, Summary] = {}
    for c in config.concurrency:
        raw = raw_by_c[c] = summarize(raw_samples[c])
        mine = summarize(client_samples[c])
        ratio = _ratio(mine.calls_per_s, raw.calls_per_s)
        extra = round(mine.cpu_us_per_item - raw.cpu_us_per_item, 1)
        ratios["client_over_raw"][str(c)] = ratio
        ratios["client_extra_cpu_us_per_call"][str(c)] = extra
        rows.append(_row("raw aiohttp", raw))
        rows.append(_row("Keitaro client", mine, over_raw=ratio, extra_cpu_us=extra))
    workflows = summarize(workflow_samples)
    low = min(config.concurrency)
    over = _ratio(workflows.calls_per_s, raw_by_c[low].calls_per_s) if low == 1 else None
    ratios["workflow_per_call_over_raw_c1"] = over
    rows.append(_row("workflow per call", workflows, over_raw=over))
    return {
        "latency_ms": latency_ms,
        "server": "stand-in",
        "n": n,
        "workflow_per_call": "a Manual Trigger -> Keitaro workflow run for each call, one "
        "after another (a session per call): one-off calls before the client existed",
        "runs": rows,
        "ratios": ratios,
    }


# ------------------------------------------------------------------ all


def _guarded(part: str, log: Log, job: Callable[[], Any]) -> Any:
    """Run one part; a failure becomes ``{"error": ...}`` so the other parts still report."""
    try:
        return job()
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}"
        log(f"{part} failed: {text}")
        traceback.print_exc(file=sys.stderr)
        return {"error": text}


def run_all(config: Config, log: Log) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "config": {
            "n": config.n,
            "concurrency": config.concurrency,
            "latency_ms": config.latency_ms,
            "repeat": config.repeat,
            "parts": config.parts,
            "scale_rows": config.scale_rows,
            "page_size": config.page_size,
            "client_n": config.client_n,
            "bulk_sizes": config.bulk_sizes,
            "command": " ".join(["python -m bench", *sys.argv[1:]]),
        },
    }
    if "throughput" in config.parts:
        results["throughput"] = _guarded(
            "throughput", log, lambda: [throughput_at(config, ms, log) for ms in config.latency_ms]
        )
        if config.sandbox_check and isinstance(results["throughput"], list):
            results["sandbox"] = _guarded("sandbox", log, lambda: sandbox_check(config, log))
    if "overhead" in config.parts:
        results["overhead"] = _guarded("overhead", log, lambda: overhead(config, log))
    if "startup" in config.parts:
        results["startup"] = _guarded("startup", log, lambda: startup_times(config, log))
    if "scale" in config.parts:
        results["scale"] = _guarded("scale", log, lambda: scale_export(config, log))
    if "client" in config.parts:
        results["client"] = _guarded(
            "client", log, lambda: [client_at(config, ms, log) for ms in config.latency_ms]
        )
    if "bulk" in config.parts:
        results["bulk"] = _guarded("bulk", log, lambda: bulk.measure(config.bulk_sizes, log=log))
    if "serve" in config.parts:
        results["serve"] = _guarded(
            "serve",
            log,
            lambda: serve_bench.measure(config.n, config.concurrency, config.repeat, log),
        )
    return results
