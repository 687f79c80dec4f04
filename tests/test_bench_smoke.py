"""The benchmark runs end to end with a tiny N and reports positive figures (no timing limits)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from support import ROOT


def bench(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args, "--json", "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results: dict[str, Any] = json.loads(done.stdout)
    return results


def test_throughput_and_overhead_with_tiny_n() -> None:
    results = bench(
        "--n", "20", "--repeat", "1", "--latency-ms", "0", "--concurrency", "1,4",
        "--parts", "throughput,overhead", "--profile",
    )  # fmt: skip
    assert results["config"]["n"] == 20
    assert results["machine"]["cpus"] >= 1

    [block] = results["throughput"]
    assert block["latency_ms"] == 0 and block["n"] == 20
    clients = {(r["client"], r["concurrency"]) for r in block["runs"]}
    assert clients == {
        ("raw aiohttp", 1),
        ("node", 1),
        ("raw aiohttp", 4),
        ("node", 4),
        ("node sequential", 1),
    }
    for run in block["runs"]:
        assert run["n"] == 20 and run["repeat"] == 1 and run["failed"] == 0
        assert run["calls_per_s"] > 0 and run["wall_s"] > 0 and run["cpu_us_per_item"] > 0
    ratios = block["ratios"]
    assert set(ratios["node_over_raw"]) == {"1", "4"}
    assert all(v > 0 for v in ratios["node_over_raw"].values())
    assert ratios["node_max_over_sequential"] > 0

    sandbox = results["sandbox"]
    assert sandbox["server"] == "sandbox" and sandbox["concurrency"] == 4
    assert all(r["failed"] == 0 and r["calls_per_s"] > 0 for r in sandbox["runs"])

    rows = results["overhead"]["by_concurrency"]
    assert [r["concurrency"] for r in rows] == [1, 4]
    for row in rows:
        assert row["raw_cpu_us_per_item"] > 0 and row["node_cpu_us_per_item"] > 0
        assert row["edit_fields_cpu_us_per_item"] > 0

    profile = results["overhead"]["profile"]
    assert profile["n"] == 20 and profile["concurrency"] == 4
    assert len(profile["by_cumulative"]) > 0 and len(profile["by_tottime"]) > 0
    assert any(a["area"].startswith("keitaro_node/") for a in profile["by_area"])

    names = {t["target"] for t in results["targets"]}
    assert any("node/raw" in name for name in names)
    assert "throughput" in results and "startup" not in results


def test_unknown_part_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--parts", "nothing"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown part" in done.stderr
