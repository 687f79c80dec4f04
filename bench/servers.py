"""Server processes: the stand-in tracker or the real sandbox, each in a child process.

The child prints its URL on stdout once it listens; we wait for that line, keep draining its
output in a thread, and stop it with SIGTERM (then SIGKILL) by its own pid when done.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "bench-api-key"


class ServerFailed(RuntimeError):
    """The server process exited or did not print its URL in time."""


@dataclass
class ServerProcess:
    kind: str  # "stand-in" or "sandbox"
    url: str
    api_key: str
    latency_ms: float
    ready_s: float  # from spawn to "listening" (includes building a sandbox dataset)
    process: subprocess.Popen[str] = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def seed_campaign(self, name: str = "Benchmark campaign") -> int:
        """A campaign to create flows in (sandbox only; the stand-in accepts any id)."""
        if self.kind != "sandbox":
            return 1
        request = urllib.request.Request(
            f"{self.url}/__sandbox__/seed_campaign",
            data=json.dumps({"name": name}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(json.load(answer)["id"])


def child_env() -> dict[str, str]:
    """The environment for child processes: this checkout importable, unbuffered output."""
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _spawn(kind: str, argv: list[str], latency_ms: float, timeout: float) -> ServerProcess:
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
            env=child_env(),
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def drain() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=drain, name=f"{kind}-stdout", daemon=True).start()
        url = None
        deadline = started + timeout
        while url is None:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                line = None
            if line is None:
                process.kill()
                process.wait()
                errors.seek(0)
                tail = errors.read()[-2000:]
                raise ServerFailed(f"{kind} did not start (exit {process.returncode}): {tail}")
            if ": http" in line:
                url = line.split(": ", 1)[1].strip()
        ready = time.perf_counter() - started
    return ServerProcess(kind, url, API_KEY, latency_ms, ready, process)


def start_standin(latency_ms: float, timeout: float = 60) -> ServerProcess:
    argv = [sys.executable, "-m", "bench.standin", "--port", "0", "--api-key", API_KEY]
    argv += ["--latency-ms", str(latency_ms)]
    return _spawn("stand-in", argv, latency_ms, timeout)


def start_sandbox(
    latency_ms: float, clicks: int | None = None, timeout: float = 120
) -> ServerProcess:
    argv = [sys.executable, "-m", "keitaro_node.sandbox", "--port", "0", "--api-key", API_KEY]
    argv += ["--latency-ms", str(latency_ms)]
    argv += ["--today", "2026-01-31"]  # the export period in scale.py lies in January 2026
    if clicks is not None:
        argv += ["--clicks", str(clicks)]
    return _spawn("sandbox", argv, latency_ms, timeout)


def stop(server: ServerProcess) -> None:
    process = server.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running(kind: str, latency_ms: float, **options: Any) -> Iterator[ServerProcess]:
    """``with running("stand-in", 20) as server:`` - started here, stopped on the way out."""
    server = (
        start_sandbox(latency_ms, **options)
        if kind == "sandbox"
        else start_standin(latency_ms, **options)
    )
    try:
        yield server
    finally:
        stop(server)
