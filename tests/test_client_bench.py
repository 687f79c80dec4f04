"""The client part of the benchmark runs end to end with a tiny N (no timing limits)."""

from __future__ import annotations

import json
import subprocess
import sys

from support import ROOT


def test_the_client_part_reports_positive_figures() -> None:
    done = subprocess.run(
        [
            sys.executable, "-m", "bench", "--parts", "client", "--client-n", "12",
            "--repeat", "1", "--latency-ms", "0", "--concurrency", "1,3", "--json", "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    [block] = results["client"]
    assert block["n"] == 12 and block["latency_ms"] == 0
    clients = [(r["client"], r["concurrency"]) for r in block["runs"]]
    assert clients == [
        ("raw aiohttp", 1),
        ("Keitaro client", 1),
        ("raw aiohttp", 3),
        ("Keitaro client", 3),
        ("workflow per call", 1),
    ]
    for run in block["runs"]:
        assert run["failed"] == 0 and run["calls_per_s"] > 0 and run["cpu_us_per_item"] > 0
    assert set(block["ratios"]["client_over_raw"]) == {"1", "3"}
    assert block["ratios"]["workflow_per_call_over_raw_c1"] > 0
    assert "5. One-off calls" in done.stderr
