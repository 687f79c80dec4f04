"""Journaled bulk jobs against the sandbox: a real `keitaro-node run --journal` process is
interrupted (Ctrl-C) or killed mid-job, then resumed; every stream must exist exactly once."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from support import ROOT, chain, node
from test_bulk_cli import SCRIPT, cli, keitaro_env, stream_job, summary_line

from keitaro_node.sandbox import Sandbox

API = "/admin_api/v1"


def rows_file(tmp_path: Path, campaign_id: int, count: int, prefix: str) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text(
        "".join(
            json.dumps({"campaign_id": campaign_id, "name": f"{prefix} {n}"}) + "\n"
            for n in range(count)
        )
    )
    return path


def stream_names(tracker: Sandbox, campaign_id: int) -> list[str]:
    request = urllib.request.Request(
        f"{tracker.url}{API}/campaigns/{campaign_id}/streams",
        headers={"Api-Key": tracker.api_key},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        streams: list[dict[str, Any]] = json.load(answer)
    return [s["name"] for s in streams]


def start_job(tracker: Sandbox, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=keitaro_env(tracker),
        cwd=ROOT,
    )


def wait_for_posts(tracker: Sandbox, count: int, job: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while tracker.request_count("POST") < count:
        assert job.poll() is None, "the job ended before it could be stopped"
        assert time.monotonic() < deadline, "the job sent too few requests"
        time.sleep(0.02)


def test_ctrl_c_stops_after_the_chunk_and_resume_creates_every_stream_once(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = rows_file(tmp_path, campaign_id, 60, "Ctrl-C")
    journal = tmp_path / "job.journal"
    args = ["run", str(stream_job(tmp_path)), "--input", str(rows), "--journal", str(journal)]
    tracker.faults.add("latency", path=f"{API}/streams", method="POST", ms=60)
    job = start_job(tracker, *args, "--chunk-size", "10", "--output", str(tmp_path / "a.json"))
    wait_for_posts(tracker, 15, job)
    job.send_signal(signal.SIGINT)
    _, stderr = job.communicate(timeout=60)
    assert job.returncode == 130, stderr
    line = summary_line(stderr)
    assert line.startswith("interrupted: ")
    assert "resume with the same command and --resume" in line
    first = len(json.loads((tmp_path / "a.json").read_text()))
    assert 10 <= first < 60 and first % 10 == 0  # whole chunks, the one in flight finished
    assert len(stream_names(tracker, campaign_id)) == first

    tracker.faults.clear()
    again = cli(tracker, *args, "--resume", "--output", str(tmp_path / "b.json"))
    assert again.returncode == 0, again.stderr
    assert f"{first} skipped (done in an earlier run)" in summary_line(again.stderr)
    assert len(json.loads((tmp_path / "b.json").read_text())) == 60 - first
    names = stream_names(tracker, campaign_id)
    assert sorted(names) == sorted(f"Ctrl-C {n}" for n in range(60))  # each exactly once


def test_a_killed_job_leaves_its_chunk_for_a_decision_and_sends_nothing_twice(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = rows_file(tmp_path, campaign_id, 40, "Kill")
    journal = tmp_path / "job.journal"
    args = ["run", str(stream_job(tmp_path)), "--input", str(rows), "--journal", str(journal)]
    tracker.faults.add("latency", path=f"{API}/streams", method="POST", ms=60)
    job = start_job(tracker, *args, "--chunk-size", "8", "-q")
    wait_for_posts(tracker, 12, job)
    job.kill()
    job.communicate(timeout=30)
    tracker.faults.clear()

    refused = cli(tracker, *args, "--resume")
    assert refused.returncode == 1
    assert "have an unknown outcome" in refused.stderr and "--mark-done" in refused.stderr
    created_before = set(stream_names(tracker, campaign_id))

    listed = cli(tracker, "journal", str(journal), "--json")
    assert listed.returncode == 1  # items wait for a decision
    (record,) = json.loads(listed.stdout)
    unknown = [e["position"] for e in record["unresolved"]]
    assert unknown and all(e["status"] == "started" for e in record["unresolved"])
    # a person checks the tracker: what exists happened, the rest is sent again
    happened = [p for p in unknown if f"Kill {p}" in created_before]
    missing = [p for p in unknown if f"Kill {p}" not in created_before]
    for flag, positions in (("--mark-done", happened), ("--retry", missing)):
        if positions:
            decided = cli(tracker, "journal", str(journal), flag, ",".join(map(str, positions)))
            assert f"{len(positions)} item(s) recorded as " in decided.stdout, decided.stderr
    assert cli(tracker, "journal", str(journal)).returncode == 0  # nothing waits any more

    resumed = cli(tracker, *args, "--resume", "--format", "summary")
    assert resumed.returncode == 0, resumed.stderr
    names = stream_names(tracker, campaign_id)
    assert sorted(names) == sorted(f"Kill {n}" for n in range(40))


def test_a_journal_with_records_needs_resume_and_the_same_input(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = rows_file(tmp_path, campaign_id, 3, "Same")
    journal = tmp_path / "job.journal"
    args = ["run", str(stream_job(tmp_path)), "--input", str(rows), "--journal", str(journal)]
    assert cli(tracker, *args).returncode == 0
    again = cli(tracker, *args)
    assert again.returncode == 1 and "add --resume to go on with that job" in again.stderr
    done = cli(tracker, *args, "--resume")
    assert done.returncode == 0 and "3 skipped" in summary_line(done.stderr)
    assert tracker.request_count("POST") == 3

    other = rows_file(tmp_path, campaign_id, 3, "Other")
    changed = cli(tracker, *args[:3], str(other), *args[4:], "--resume")
    assert changed.returncode == 1
    assert "input items 0, 1, 2 differ from the ones" in changed.stderr
    assert tracker.request_count("POST") == 3
    assert tracker.api_key not in (again.stderr + done.stderr + changed.stderr)
    assert tracker.api_key.encode() not in journal.read_bytes()


def test_a_workflow_that_needs_every_item_at_once_is_refused_with_a_journal(
    tracker: Sandbox, tmp_path: Path
) -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Sort", "n8n-nodes-base.sort", {"sortFieldsUi": {"sortField": [{"fieldName": "a"}]}}),
    )
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps(workflow))
    done = cli(tracker, "run", str(path), "--journal", str(tmp_path / "j"), stdin=None)
    assert done.returncode == 2
    assert "--journal runs the items in chunks, and 'Sort' need every item at once" in done.stderr
    assert not (tmp_path / "j").exists()
    assert tracker.request_count() == 0


def test_chunks_give_the_items_a_whole_run_gives(tracker: Sandbox, tmp_path: Path) -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node(
            "Double",
            "n8n-nodes-base.set",
            {
                "assignments": {
                    "assignments": [
                        {"name": "n", "type": "number", "value": "={{ $json.n * 2 }}"},
                        {"name": "tag", "type": "string", "value": "={{ 'row ' + $json.n }}"},
                    ]
                },
                "includeOtherFields": True,
            },
            typeVersion=3.4,
        ),
        node(
            "Big?",
            "n8n-nodes-base.if",
            {
                "conditions": {
                    "options": {"caseSensitive": True, "typeValidation": "strict"},
                    "combinator": "and",
                    "conditions": [
                        {
                            "leftValue": "={{ $json.n }}",
                            "rightValue": 20,
                            "operator": {"type": "number", "operation": "gt"},
                        }
                    ],
                }
            },
            typeVersion=2.2,
        ),
        node("Big", "n8n-nodes-base.noOp"),
    )
    path = tmp_path / "item_wise.json"
    path.write_text(json.dumps(workflow))
    rows = tmp_path / "rows.jsonl"
    rows.write_text("".join(json.dumps({"n": n}) + "\n" for n in range(25)))
    outputs = {}
    for label, extra in (("whole", []), ("chunked", ["--chunk-size", "4"])):
        done = cli(tracker, "run", str(path), "--input", str(rows), "--format", "jsonl", *extra)
        assert done.returncode == 0, done.stderr
        assert summary_line(done.stderr).startswith(
            "25 items in: 25 ok, 0 failed (Big? (output 1): 11, Big: 14)"
        )
        outputs[label] = [json.loads(line)["json"] for line in done.stdout.splitlines()]
    assert sorted(outputs["chunked"], key=json.dumps) == sorted(outputs["whole"], key=json.dumps)
    assert len(outputs["whole"]) == 25

    sort = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Sort", "n8n-nodes-base.sort", {"sortFieldsUi": {"sortField": [{"fieldName": "n"}]}}),
    )
    path.write_text(json.dumps(sort))
    refused = cli(tracker, "run", str(path), "--input", str(rows), "--chunk-size", "4")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "--chunk-size runs the items in chunks, and 'Sort' need every item" in refused.stderr
