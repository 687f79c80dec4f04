"""Scale: a paged export (Return All) of 10^4..10^6 rows, as rows per second and peak RSS.

The operation is found in ``keitaro-node describe --json``: the first with routing path
/clicks/log (else /report/build) paged with ``bodyOffset``. For each size a sandbox with
that many synthetic clicks runs in its own process; one ``first`` request makes it build
the dataset (timed separately), then each mode runs ``repeat`` times in a fresh child
process (bench.export_child), whose peak RSS is reported.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from . import servers
from .measure import process_cpu_s
from .servers import ROOT, ServerProcess, child_env
from .startup import cli_path

PREFERRED_PATHS = ("/clicks/log", "/report/build")
# Parameters an export needs beyond the operation's defaults, by routing path: the whole
# synthetic dataset lies in the 30 days ending 2026-01-31.
LOG_COLUMNS = [
    "datetime", "sub_id", "campaign", "stream", "offer", "landing", "ts", "country",
    "city", "device_type", "os", "browser", "ip", "referrer", "sub_id_1", "sub_id_2",
    "revenue", "cost", "is_lead", "is_sale", "is_bot",
]  # fmt: skip
PERIOD = {"dateFrom": "2026-01-01", "dateTo": "2026-01-31 23:59:59", "timezone": "UTC"}
EXTRA_PARAMETERS: dict[str, dict[str, Any]] = {
    "/clicks/log": {**PERIOD, "columns": LOG_COLUMNS},
    "/report/build": {**PERIOD, "dimensions": ["sub_id"], "measures": ["clicks", "revenue"]},
}


@dataclass
class ExportOperation:
    resource: str
    operation: str
    path: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.resource}.{self.operation} (POST {self.path})"


def find_operation() -> ExportOperation | None:
    done = subprocess.run(
        [cli_path(), "describe", "--json"],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        return None
    description = json.loads(done.stdout)
    found: dict[str, ExportOperation] = {}
    for resource in description.get("resources", []):
        for operation in resource.get("operations", []):
            routing = operation.get("routing") or {}
            path = routing.get("path")
            if path in PREFERRED_PATHS and routing.get("pagination") == "bodyOffset":
                found.setdefault(
                    path,
                    ExportOperation(
                        resource["name"],
                        operation["name"],
                        path,
                        dict(EXTRA_PARAMETERS.get(path, {})),
                    ),
                )
    for path in PREFERRED_PATHS:
        if path in found:
            return found[path]
    return None


def run_child(
    server: ServerProcess,
    operation: ExportOperation,
    mode: str,
    page_size: int,
    extra: dict[str, Any],
    timeout: float,
) -> dict[str, Any]:
    argv = [sys.executable, "-m", "bench.export_child", "--url", server.url]
    argv += ["--api-key", server.api_key, "--resource", operation.resource]
    argv += ["--operation", operation.operation, "--mode", mode]
    argv += ["--page-size", str(page_size)]
    argv += ["--params", json.dumps({**operation.parameters, **extra})]
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=child_env(),
            cwd=ROOT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"no result within {timeout:g} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": f"exit {done.returncode}: {tail[0]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _server_peak_mb(server: ServerProcess) -> float | None:
    try:
        with open(f"/proc/{server.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _with_server_cpu(server: ServerProcess, job: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``job`` and add the server process's CPU seconds over it."""
    before = process_cpu_s(server.pid)
    result = job()
    after = process_cpu_s(server.pid)
    if before is not None and after is not None:
        result["server_cpu_s"] = after - before
    return result


def _summary(rows: int, mode: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"rows": rows, "mode": mode, "error": runs[0].get("error", "failed")}
    wall = statistics.median(r["wall_s"] for r in good)
    exported = int(statistics.median(r["rows"] for r in good))
    return {
        "rows": rows,
        "mode": mode,
        "repeat": len(good),
        "exported_rows": exported,
        "wall_s": wall,
        "rows_per_s": statistics.median(r["rows"] / r["wall_s"] for r in good if r["wall_s"]),
        "cpu_us_per_row": statistics.median(r["cpu_s"] / max(1, r["rows"]) * 1e6 for r in good),
        "server_cpu_us_per_row": statistics.median(
            r.get("server_cpu_s", 0.0) / max(1, r["rows"]) * 1e6 for r in good
        ),
        "rss_after_imports_mb": statistics.median(r["rss_after_imports_mb"] for r in good),
        "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in good),
        "file_mb": statistics.median(r["file_mb"] for r in good),
    }


def measure(
    sizes: list[int],
    repeat: int,
    modes: list[str],
    page_size: int,
    extra: dict[str, Any],
    timeout: float = 3600,
    log: Any = None,
) -> dict[str, Any]:
    operation = find_operation()
    if operation is None:
        return {
            "available": False,
            "reason": "not available yet: no operation routed to /clicks/log or "
            "/report/build with bodyOffset paging in `keitaro-node describe --json`",
        }
    datasets: list[dict[str, Any]] = []
    exports: list[dict[str, Any]] = []
    for rows in sizes:
        server = servers.start_sandbox(0, clicks=rows, timeout=timeout)
        try:
            first = run_child(server, operation, "first", page_size, extra, timeout)
            datasets.append(
                {
                    "rows": rows,
                    "server_start_s": server.ready_s,
                    "first_request_s": first.get("wall_s"),
                    "error": first.get("error"),
                }
            )
            if log:
                log(f"scale: {rows} rows, dataset ready in {first.get('wall_s')} s")
            for mode in modes:
                runs = [
                    _with_server_cpu(
                        server,
                        partial(run_child, server, operation, mode, page_size, extra, timeout),
                    )
                    for _ in range(repeat)
                ]
                summary = _summary(rows, mode, runs)
                exports.append(summary)
                if log:
                    log(f"scale: {rows} rows, {mode}: {summary.get('rows_per_s', 'failed')}")
            datasets[-1]["server_peak_rss_mb"] = _server_peak_mb(server)
        finally:
            servers.stop(server)
    return {
        "available": True,
        "operation": operation.label,
        "page_size": page_size,
        "parameters": {**operation.parameters, **extra},
        "datasets": datasets,
        "exports": exports,
    }
