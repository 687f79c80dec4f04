"""How a workflow server is set up (the `serve` command's options, for Python callers too)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 5678  # n8n's port, so URLs copied from n8n keep working
DEFAULT_MAX_BODY = 16 * 1024 * 1024  # n8n's default payload limit (16 MiB)
DEFAULT_CONCURRENCY = 4
DEFAULT_SHUTDOWN_TIMEOUT = 30.0


@dataclass
class ServeConfig:
    folder: Path
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token: str | None = None
    max_body: int = DEFAULT_MAX_BODY
    concurrency: int = DEFAULT_CONCURRENCY  # executions at once per workflow
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    public_url: str | None = None  # base of webhookUrl; default: from the request
    output_dir: Path | None = None
    skip_broken: bool = False
    reload: bool = False
    reload_interval: float = 2.0
