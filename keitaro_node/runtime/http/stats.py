"""Counts of the requests a run sends, kept by the transport for whoever runs the workflow.

A run that wants them puts a RequestStats into the engine options under `stats`
(`run_workflow(..., options={"stats": RequestStats()})`); every node that sends through the
transport passes it on, so the counts are those of the whole run, whichever nodes sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STATS_OPTION = "stats"


class RequestStats:
    """Attempts sent (each retry counts), those that got no acceptable answer, and writes."""

    __slots__ = ("failed", "requests", "writes")

    def __init__(self) -> None:
        self.requests = 0
        self.failed = 0
        # attempts of requests that change something and may not be repeated blindly (a
        # create's POST); PUT and DELETE mean the same when repeated and are not counted
        self.writes = 0

    def __repr__(self) -> str:
        return f"RequestStats(requests={self.requests}, failed={self.failed}, writes={self.writes})"


def run_stats(options: Mapping[str, Any]) -> RequestStats | None:
    """The run's RequestStats from engine options, when the caller asked for counts."""
    stats = options.get(STATS_OPTION)
    return stats if isinstance(stats, RequestStats) else None
