"""`keitaro-node run`: every run of every node, and how far a failed run got."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from support import ROOT

SCRIPT = Path(sys.executable).parent / "keitaro-node"
DEMO = ROOT / "workflows" / "create_stream.json"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=60, env=clean, cwd=ROOT
    )


def items_file(tmp_path: Path, items: list[dict[str, Any]]) -> str:
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items))
    return str(path)


def test_all_nodes_prints_every_run_of_every_node(tmp_path: Path) -> None:
    items = items_file(tmp_path, [{"name": "A", "campaign_id": 1}, {"name": "B", "campaign_id": 1}])
    done = cli("run", str(DEMO), "--input", items, "--sandbox", "--all-nodes")
    assert done.returncode == 0, done.stderr
    runs = json.loads(done.stdout)["runs"]
    assert list(runs) == ["Manual Trigger", "Build Stream", "Keitaro"]
    (keitaro_run,) = runs["Keitaro"]  # one run, one output, two items
    assert [i["json"]["data"]["name"] for i in keitaro_run[0]] == ["ALL - A", "ALL - B"]


def test_a_failed_run_prints_how_far_it_got(tmp_path: Path) -> None:
    # the second stream names a campaign the tracker does not have
    items = items_file(
        tmp_path, [{"name": "ok", "campaign_id": 1}, {"name": "lost", "campaign_id": 987654}]
    )
    stopping = json.loads(DEMO.read_text())
    del stopping["nodes"][2]["onError"]  # the example goes on past failed items; this one stops
    demo = tmp_path / "stops.json"
    demo.write_text(json.dumps(stopping))
    plain = cli("run", str(demo), "--input", items, "--sandbox")
    assert plain.returncode == 1
    assert [i["json"]["data"]["name"] for i in json.loads(plain.stdout)] == ["ALL - ok"]
    assert "error: node 'Keitaro' failed: item 1:" in plain.stderr
    assert "ran before the stop: 'Manual Trigger' (2 items), 'Build Stream' (2 items)" in (
        plain.stderr
    )
    assert "'Keitaro' completed 1 item(s) before it stopped" in plain.stderr
    done = cli("run", str(demo), "--input", items, "--sandbox", "--all-nodes")
    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert list(out["runs"]) == ["Manual Trigger", "Build Stream"]
    assert [i["json"]["stream"]["name"] for i in out["runs"]["Build Stream"][0][0]] == [
        "ALL - ok",
        "ALL - lost",
    ]
    failed = out["failed"]
    assert failed["node"] == "Keitaro" and failed["error"]["itemIndex"] == 1
    assert [i["json"]["data"]["name"] for i in failed["completed"]] == ["ALL - ok"]
    assert "error: node 'Keitaro' failed: item 1:" in done.stderr
    assert "completed 1 item(s) before it stopped" in done.stderr
    assert "sandbox-api-key" not in done.stdout + done.stderr


def test_a_workflow_that_cannot_run_is_refused_before_anything_runs(tmp_path: Path) -> None:
    workflow = json.loads(DEMO.read_text())
    workflow["nodes"][1]["typeVersion"] = 4
    workflow["nodes"][2]["parameters"]["streamDta"] = "={{ $json.stream }}"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(workflow))
    done = cli("run", str(path), "--sandbox")
    assert done.returncode == 1 and done.stdout == ""
    assert "the workflow cannot run (2 problems):" in done.stderr
    assert "node 'Build Stream': typeVersion 4 of n8n-nodes-base.set" in done.stderr
    assert "unknown parameter 'streamDta' - did you mean 'streamData'?" in done.stderr


def test_the_run_limit_is_an_option(tmp_path: Path) -> None:
    loop = {
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1},
            {"name": "A", "type": "n8n-nodes-base.noOp", "typeVersion": 1},
        ],
        "connections": {
            "Start": {"main": [[{"node": "A", "type": "main", "index": 0}]]},
            "A": {"main": [[{"node": "A", "type": "main", "index": 0}]]},
        },
        "settings": {"executionOrder": "v1"},
    }
    path = tmp_path / "loop.json"
    path.write_text(json.dumps(loop))
    done = cli("run", str(path), "--max-node-runs", "7", "--all-nodes")
    assert done.returncode == 1
    assert "limit is 7 runs per node" in done.stderr
    assert len(json.loads(done.stdout)["runs"]["A"]) == 7
