"""`keitaro-node serve` as a process: SIGTERM lets a running execution finish, then exits 0."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from test_serve_helpers import manual, workflow

from keitaro_node.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(process: subprocess.Popen[str], port: int) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise AssertionError(
                f"the server exited early: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server did not listen")


def test_sigterm_finishes_the_running_execution_then_exits_0(
    tmp_path: Path, tracker: Sandbox
) -> None:
    slow = workflow(
        manual(),
        {
            "name": "Keitaro",
            "type": "n8n-nodes-keitaro.keitaro",
            "typeVersion": 1,
            "parameters": {
                "resource": "campaign",
                "operation": "getAll",
                "returnAll": False,
                "limit": 1,
            },
            "credentials": {"keitaroApi": {"id": "1", "name": "sandbox"}},
        },
    )
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "slow.json").write_text(json.dumps(slow), "utf-8")
    creds = tmp_path / "creds.json"
    creds.write_text(json.dumps({"keitaroApi": {"domain": tracker.url, "apiKey": tracker.api_key}}))
    creds.chmod(0o600)
    tracker.faults.add("latency", path="/admin_api/v1/campaigns*", ms=2000, times=-1)
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KEITARO_NODE_SERVE_TOKEN": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "keitaro_node.cli", "serve", str(folder), "--port", str(port),
         "--credentials", str(creds), "--shutdown-timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )  # fmt: skip
    try:
        _wait_listening(process, port)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/run/slow", data=b"[{}]", method="POST"
        )
        answers: list[tuple[int, object]] = []

        def call() -> None:
            with urllib.request.urlopen(request, timeout=120) as answer:
                answers.append((answer.status, json.load(answer)))

        caller = threading.Thread(target=call)
        caller.start()
        for _ in range(600):  # until the tracker has the request in hand
            if tracker.request_count():
                break
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        caller.join(timeout=120)
        code = process.wait(timeout=120)
        stderr = process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert answers and answers[0][0] == 200, stderr
    items = answers[0][1]
    assert isinstance(items, list) and items[0]["json"]["success"] is True
    assert code == 0, stderr
    events = [json.loads(line)["event"] for line in stderr.splitlines() if line.startswith("{")]
    assert events.index("stopping") < events.index("run.succeeded") < events.index("stopped")
