"""Which task queue a node's work goes to, and each tracker's budget across all workers.

Work that sends requests with a credential goes to that credential's own task queue,
`<queue>.tracker.<credential name>`: a credential names one tracker (or one service), and a
task queue is where Temporal can hold a rate for all workers together. Other work (nodes
without credentials) goes to the main queue with the workflows.

Temporal's task-queue rate limit counts activities, not requests; an activity here is one
chunk of at most `chunk` items. So a tracker with a budget of R requests a second has its
queue dispatch R / chunk activities a second to all workers together, and each activity sends
its items at no more than R a second and `concurrency` at once: over any stretch of a few
chunks, the tracker sees at most about R requests a second however many workers there are.
(A paged export is one item and many requests: it is paced by the node's own limit.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DEFAULT_QUEUE = "keitaro-node"
DEFAULT_CHUNK = 50


def tracker_queue(base: str, credential: str) -> str:
    return f"{base}.tracker.{credential}"


def credential_of(
    credential_refs: Mapping[str, str], credential_types: Iterable[str]
) -> tuple[str, str | None] | None:
    """The credential whose tracker a node's work uses: its first credential type, and the
    name the workflow gives it (None when it gives none)."""
    for type_name in credential_types:
        return type_name, credential_refs.get(type_name)
    return None


def served_name(type_name: str, reference: str | None, known: Iterable[str]) -> str:
    """The queue key of a credential as workers resolve it: the workflow's name for it when
    the workers know that name (a credentials file section, a --tracker), else its type (the
    values then come from the type's section or environment variables)."""
    if reference and reference in set(known):
        return reference
    return type_name


@dataclass(frozen=True)
class TrackerBudget:
    """What one tracker may take from all workers together."""

    credential: str
    requests_per_second: float | None = None
    concurrency: int | None = None
    chunk: int = DEFAULT_CHUNK

    def activities_per_second(self) -> float | None:
        if self.requests_per_second is None:
            return None
        return self.requests_per_second / max(1, self.chunk)

    def as_json(self) -> dict[str, object]:
        return {
            "credential": self.credential,
            "requestsPerSecond": self.requests_per_second,
            "concurrency": self.concurrency,
            "chunk": self.chunk,
        }


_BUDGET = re.compile(r"^(?P<name>[^=]+?)(?:=(?P<rps>[0-9.]+)(?:/(?P<conc>[0-9]+))?)?$")


def parse_budget(text: str, chunk: int = DEFAULT_CHUNK) -> TrackerBudget:
    """`NAME`, `NAME=RPS` or `NAME=RPS/CONCURRENCY` (the worker's --tracker option)."""
    match = _BUDGET.match(text.strip())
    if not match:
        raise ValueError(
            f"--tracker {text!r}: write NAME, NAME=REQUESTS_PER_SECOND or "
            "NAME=REQUESTS_PER_SECOND/CONCURRENCY (NAME: the credential's name or type)"
        )
    rps = float(match["rps"]) if match["rps"] else None
    if rps is not None and rps <= 0:
        raise ValueError(f"--tracker {text!r}: requests per second must be above 0")
    concurrency = int(match["conc"]) if match["conc"] else None
    if concurrency is not None and concurrency < 1:
        raise ValueError(f"--tracker {text!r}: concurrency must be at least 1")
    return TrackerBudget(match["name"].strip(), rps, concurrency, chunk)
