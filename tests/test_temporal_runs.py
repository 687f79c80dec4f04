"""Durable runs on a real Temporal dev server, workers and the sandbox tracker.

The README's workflow gives the same output through a worker as locally; a worker killed in
the middle of a create job leaves the rest to another and no stream twice; an execution's
history holds no API key; a schedule fires and runs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("temporalio", reason="the temporal extra is not installed")

from conftest import SECRET_KEY
from temporal.fixtures import (
    ROOT,
    WorkerThread,
    blobs,
    connection,
    temporal_server,
    tracker_get,
    worker_process,
    write_credentials,
)

from keitaro_node.cli import main
from keitaro_node.sandbox import Sandbox, SandboxConfig
from keitaro_node.temporal.client import RunRequest
from keitaro_node.temporal.devserver import DevServer
from keitaro_node.temporal.worker import WorkerSettings

__all__ = ["blobs", "temporal_server"]  # fixtures used by name

WORKFLOW = ROOT / "workflows" / "create_stream.json"
ITEMS = ROOT / "workflows" / "create_stream.items.json"


def _sandbox(latency_ms: float = 0.0) -> Sandbox:
    sandbox = Sandbox(SandboxConfig(api_key=SECRET_KEY, latency_ms=latency_ms))
    sandbox.start_in_thread()
    sandbox.seed_campaign("Demo campaign")
    return sandbox


def _printed(out: str, url: str) -> Any:
    """Printed items, with what differs between two trackers (address, clock) left out."""
    text = re.sub(r'"(updated_at|created_at)":\s*"[^"]*"', r'"\1": "T"', out)
    return json.loads(text.replace(url, "TRACKER"))


def test_the_readme_workflow_gives_the_same_output_through_a_worker(
    temporal_server: DevServer, blobs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, durable = _sandbox(), _sandbox()
    try:
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        local_creds = write_credentials(tmp_path / "a", local.url, SECRET_KEY)
        worker_creds = write_credentials(tmp_path / "b", durable.url, SECRET_KEY)
        argv = ["run", str(WORKFLOW), "--input", str(ITEMS)]
        assert main([*argv, "--credentials", str(local_creds)]) == 0
        expected = _printed(capsys.readouterr().out, local.url)

        queue = "readme"
        settings = WorkerSettings(connection(temporal_server, queue), credentials=worker_creds)
        with WorkerThread(settings):
            code = main([*argv, "--temporal", temporal_server.address, "--task-queue", queue])
            captured = capsys.readouterr()
            assert code == 0, captured.err
            assert _printed(captured.out, durable.url) == expected
            run_id = re.search(r"durable run (\S+) started", captured.err)
            assert run_id is not None

            # the history of the execution holds the credential's name, never its key
            history = asyncio.run(_history(temporal_server, run_id[1]))
            assert "Keitaro account" in history and "keitaroApi" in history
            assert SECRET_KEY not in history
            for blob in blobs.rglob("*"):
                if blob.is_file():
                    assert SECRET_KEY.encode() not in blob.read_bytes()

            assert main(["status", run_id[1], "--temporal", temporal_server.address]) == 0
            assert '"COMPLETED"' in capsys.readouterr().out
            assert main(["result", run_id[1], "--temporal", temporal_server.address]) == 0
            assert _printed(capsys.readouterr().out, durable.url) == expected
    finally:
        local.stop_thread()
        durable.stop_thread()


async def _history(server: DevServer, run_id: str) -> str:
    client = await connection(server, "readme").connect()
    history = await client.get_workflow_handle(run_id).fetch_history()
    return _readable(json.loads(history.to_json()))


def _readable(value: Any) -> str:
    """Every text of a history, payloads (base64 in its JSON) decoded."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, inner in node.items():
                if key == "data" and isinstance(inner, str):
                    parts.append(base64.b64decode(inner).decode("utf-8", "replace"))
                else:
                    walk(inner)
        elif isinstance(node, list):
            for inner in node:
                walk(inner)
        elif isinstance(node, str):
            parts.append(node)

    walk(value)
    return "\n".join(parts)


def test_a_killed_worker_leaves_its_chunk_to_another_and_no_stream_is_created_twice(
    temporal_server: DevServer, blobs: Path, tmp_path: Path
) -> None:
    tracker = _sandbox(latency_ms=25)
    env = {
        "KEITARO_DOMAIN": tracker.url,
        "KEITARO_API_KEY": SECRET_KEY,
        "KEITARO_NODE_BLOBS": str(blobs),
    }
    queue = "kill"
    log = tmp_path / "workers.log"
    first = worker_process(temporal_server, queue, env, log, "--chunk-size", "100")
    second = None
    try:
        data = json.loads(WORKFLOW.read_text())
        for node in data["nodes"]:
            if node["type"] == "n8n-nodes-keitaro.keitaro":
                node["onError"] = "continueRegularOutput"  # an unknown outcome is reported
        names = [f"Flow {n:03d}" for n in range(500)]
        items = [{"json": {"campaign_id": 1, "name": name, "country": "GB"}} for name in names]
        request = RunRequest(data, items, parallel_chunks=2, heartbeat_timeout_s=3)
        request_json = request.as_json()
        run_id = asyncio.run(_start(temporal_server, queue, request_json))

        # kill the worker once the tracker has a good part of the streams, but not all
        deadline = time.monotonic() + 120
        while len(_streams(tracker)) < 120:
            assert time.monotonic() < deadline, "the run did not start creating streams"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        created_before = len(_streams(tracker))
        assert created_before < 500
        second = worker_process(temporal_server, queue, env, log, "--chunk-size", "100")
        answer = asyncio.run(_result(temporal_server, queue, run_id))
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
    try:
        assert "error" not in answer, answer.get("error")
        final = answer["final"]
        assert len(final) == 500
        created = [s["name"] for s in _streams(tracker)]
        assert len(created) == len(set(created)), "a stream was created twice"
        ambiguous = set(answer.get("ambiguous", {}).get("Keitaro", []))
        for index, item in enumerate(final):
            name = f"GB - {names[index]}"
            if item["json"].get("success"):
                assert created.count(name) == 1
            else:  # only items whose answer was lost are not retried, and they are listed
                assert index in ambiguous, item["json"]
                assert "may or may not" in json.dumps(item["json"])
        assert len(created) >= 500 - len(ambiguous)
        assert len(ambiguous) <= 20  # at most the requests in flight when the worker died
    finally:
        tracker.stop_thread()


async def _start(server: DevServer, queue: str, request: dict[str, Any]) -> str:
    client = await connection(server, queue).connect()
    handle = await client.start_workflow(
        "keitaro-node.run", request, id=f"kill-{time.time_ns()}", task_queue=queue
    )
    return handle.id


async def _result(server: DevServer, queue: str, run_id: str) -> dict[str, Any]:
    client = await connection(server, queue).connect()
    answer: dict[str, Any] = await client.get_workflow_handle(run_id).result()
    return answer


def _streams(tracker: Sandbox) -> list[dict[str, Any]]:
    streams: list[dict[str, Any]] = tracker_get(tracker.url, SECRET_KEY, "/campaigns/1/streams")
    return [s for s in streams if str(s.get("name", "")).startswith("GB - Flow")]


def test_a_schedule_fires_and_its_run_completes(
    temporal_server: DevServer, blobs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = tmp_path / "scheduled.json"
    workflow.write_text(
        json.dumps(
            {
                "name": "Scheduled fields",
                "nodes": [
                    {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1,
                     "position": [0, 0], "parameters": {}},
                    {"name": "Fields", "type": "n8n-nodes-base.set", "typeVersion": 3.4,
                     "position": [200, 0], "parameters": {"mode": "manual", "assignments": {
                         "assignments": [{"id": "1", "name": "greeting", "value": "hello",
                                          "type": "string"}]}, "options": {}}},
                ],
                "connections": {"Start": {"main": [[{"node": "Fields", "type": "main",
                                                     "index": 0}]]}},
                "settings": {"executionOrder": "v1"},
            }
        )
    )  # fmt: skip
    queue = "schedules"
    address = temporal_server.address
    with WorkerThread(WorkerSettings(connection(temporal_server, queue))):
        argv = ["schedule", str(workflow), "--every", "2s", "--id", "every-two-seconds"]
        assert main([*argv, "--temporal", address, "--task-queue", queue]) == 0
        assert "every-two-seconds" in capsys.readouterr().out
        answer = asyncio.run(_first_scheduled_run(temporal_server, "every-two-seconds"))
    assert answer["final"][0]["json"] == {"greeting": "hello"}


async def _first_scheduled_run(server: DevServer, schedule_id: str) -> dict[str, Any]:
    client = await connection(server, "schedules").connect()
    handle = client.get_schedule_handle(schedule_id)
    try:
        for _ in range(300):
            description = await handle.describe()
            actions = description.info.recent_actions
            if actions:
                started = actions[0].action
                run_id = getattr(started, "workflow_id", None)
                assert run_id is not None
                answer: dict[str, Any] = await client.get_workflow_handle(run_id).result()
                return answer
            await asyncio.sleep(0.1)
        raise AssertionError("the schedule did not fire in 30 s")
    finally:
        await handle.delete()
