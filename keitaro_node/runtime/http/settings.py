"""Limits of one run against one service: the settings every HTTP transport of a run shares.

The defaults suit a server that does other work at the same time (a tracker serving live
traffic, a shop's API): a few requests at once, a modest rate, explicit timeouts, TLS
verification on, and a cap on one answer that a small VM can hold in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from keitaro_node import __version__

USER_AGENT = f"keitaro-node/{__version__} (+https://pypi.org/project/keitaro-node/)"

MB = 1024 * 1024
# One answer is held in memory whole and then decoded: a JSON answer of N bytes takes about
# 5 N of memory once parsed (measured: 32 MB of click-log JSON -> ~175 MB peak), so 32 MB
# keeps a single answer within what a 1 GB VM can spare. Large data comes in pages.
DEFAULT_MAX_RESPONSE_BYTES = 32 * MB


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Limits for one run against one service."""

    concurrency: int = 4
    requests_per_second: float = 25.0  # 0 turns the limit off
    timeout: float = 60.0
    connect_timeout: float = 10.0
    max_attempts: int = 4
    max_retry_time: float = 60.0
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    verify_tls: bool = True
    ca_bundle: str | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    user_agent: str = USER_AGENT
    # Idle pooled connections are dropped after this many seconds, before servers drop them
    # (Apache's default is 5 s): a write sent on a connection the server has just closed
    # would otherwise fail ambiguously.
    keepalive_timeout: float = 4.0


def size_text(n: int) -> str:
    """`12.5 MB`, `3.0 KB`, `100 bytes`."""
    if n >= MB:
        return f"{n / MB:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"
