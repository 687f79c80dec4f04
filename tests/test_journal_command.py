"""`keitaro-node journal FILE`: what waits for a decision, and decisions recorded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from keitaro_node.runtime.journal import Journal

SCRIPT = Path(sys.executable).parent / "keitaro-node"


def journal_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), "journal", *args], capture_output=True, text=True)


def _journal(path: Path) -> None:
    with Journal(path, "create_stream.json", "h") as journal:
        journal.mark_started([(0, "a"), (1, "b"), (2, "c"), (3, "d")])
        journal.finish(
            [
                (0, "a", "ok", {"wrote": [{"id": 11}]}),
                (1, "b", "failed", {"error": "HTTP 422: name is taken"}),
                (3, "d", "ambiguous", {"error": "no answer within 30 s"}),
            ]
        )


def test_items_whose_outcome_is_unknown_are_listed_and_wait(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    _journal(path)
    done = journal_cli(str(path))
    assert done.returncode == 1, done.stderr
    assert "workflow 'create_stream.json': 4 item(s) recorded: 1 ok, 1 failed, 1 started" in (
        done.stdout
    )
    assert "item 2: started at" in done.stdout
    assert "item 3: ambiguous at" in done.stdout and "no answer within 30 s" in done.stdout
    listed = json.loads(journal_cli(str(path), "--json").stdout)
    assert [e["position"] for e in listed[0]["unresolved"]] == [2, 3]


def test_decisions_are_recorded_and_only_for_waiting_items(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    _journal(path)
    refused = journal_cli(str(path), "--mark-done", "1")
    assert refused.returncode == 2
    assert "items 1 are not waiting for a decision" in refused.stderr
    assert journal_cli(str(path), "--mark-done", "2").returncode == 1  # item 3 still waits
    done = journal_cli(str(path), "--retry", "3")
    assert done.returncode == 0
    assert "1 item(s) recorded as not done; --resume will run them again" in done.stdout
    with Journal(path, "create_stream.json") as journal:
        statuses = {p: e.status for p, e in journal.entries().items()}
    assert statuses == {0: "ok", 1: "failed", 2: "ok", 3: "failed"}


def test_a_missing_journal_or_workflow_is_named(tmp_path: Path) -> None:
    done = journal_cli(str(tmp_path / "none.journal"))
    assert done.returncode == 2 and "no journal at" in done.stderr
    path = tmp_path / "job.journal"
    _journal(path)
    done = journal_cli(str(path), "--workflow", "other.json")
    assert done.returncode == 2
    assert "has no records of workflow 'other.json' (it has: 'create_stream.json')" in done.stderr
