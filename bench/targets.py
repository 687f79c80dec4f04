"""The performance targets, checked against one run's results (None: not measured)."""

from __future__ import annotations

from typing import Any


def _throughput(results: dict[str, Any], latency: float) -> dict[str, Any] | None:
    blocks = results.get("throughput", [])
    for block in blocks if isinstance(blocks, list) else []:
        if block["latency_ms"] == latency:
            found: dict[str, Any] = block
            return found
    return None


def _check(
    name: str, value: float | None, limit: float, at_least: bool, unit: str = ""
) -> dict[str, Any]:
    holds = None if value is None else (value >= limit if at_least else value < limit)
    return {
        "target": name,
        "value": value,
        "limit": limit,
        "unit": unit,
        "holds": holds,
    }


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for latency, floor in ((20.0, 0.95), (0.0, 0.8)):
        block = _throughput(results, latency)
        for c in (8, 32):
            value = None
            if block is not None:
                value = block["ratios"]["node_over_raw"].get(str(c))
            checks.append(
                _check(f"{latency:g} ms: node/raw at c={c} >= {floor}", value, floor, True)
            )
    block = _throughput(results, 20.0)
    speedup = block["ratios"]["node_over_sequential"].get("8") if block else None
    checks.append(_check("20 ms: node(c=8) >= 6x sequential", speedup, 6.0, True, "x"))
    commands = {c["command"]: c for c in results.get("startup", {}).get("commands", [])}
    exports = results.get("scale", {}).get("exports", [])
    help_cmd = commands.get("keitaro-node --help")
    checks.append(
        _check(
            "keitaro-node --help < 0.3 s (median)",
            help_cmd["median_s"] if help_cmd else None,
            0.3,
            False,
            "s",
        )
    )
    help_fast = commands.get("keitaro-node --help")
    checks.append(
        _check(
            "keitaro-node --help < 0.1 s (median)",
            help_fast["median_s"] if help_fast else None,
            0.1,
            False,
            "s",
        )
    )
    first = commands.get("keitaro-node run (to the first request)")
    checks.append(
        _check(
            "keitaro-node run: first request < 0.15 s after start (median)",
            first["median_s"] if first else None,
            0.15,
            False,
            "s",
        )
    )
    imp = commands.get('python -c "import keitaro_node"')
    checks.append(
        _check(
            "import keitaro_node < 0.15 s (median, whole process)",
            imp["median_s"] if imp else None,
            0.15,
            False,
            "s",
        )
    )
    peak = None
    for export in exports:
        if export["rows"] == 1_000_000 and export["mode"] == "stream" and "error" not in export:
            peak = export["peak_rss_mb"]
    checks.append(
        _check("export 10^6 rows (outputFile) peak RSS < 300 MB", peak, 300.0, False, "MB")
    )
    bulk = results.get("bulk", {})
    jobs = bulk.get("jobs", []) if isinstance(bulk, dict) else []

    def job(items: int, output: str) -> dict[str, Any] | None:
        for entry in jobs:
            if entry["items"] == items and entry["output"] == output and "error" not in entry:
                found: dict[str, Any] = entry
                return found
        return None

    million = job(1_000_000, "--output out.jsonl --chunk-size 1000")
    checks.append(
        _check(
            "bulk 10^6 items, --chunk-size 1000, to out.jsonl: peak RSS < 200 MB",
            million["peak_rss_mb"] if million else None,
            200.0,
            False,
            "MB",
        )
    )
    checks.append(
        _check(
            "bulk 10^6 items: first output line < 2 s",
            million.get("first_output_s") if million else None,
            2.0,
            False,
            "s",
        )
    )
    inside = bulk.get("in_process", {}) if isinstance(bulk, dict) else {}
    ratio = None
    if million and inside.get("items_per_s"):
        ratio = million["items_per_s"] / inside["items_per_s"]
    checks.append(_check("bulk 10^6 items/s >= 0.9x in-process 10^4", ratio, 0.9, True, "x"))
    stdout_job = job(100_000, "stdout (piped)")
    checks.append(
        _check(
            "bulk 10^5 items to stdout: peak RSS < 300 MB",
            stdout_job["peak_rss_mb"] if stdout_job else None,
            300.0,
            False,
            "MB",
        )
    )
    return checks
