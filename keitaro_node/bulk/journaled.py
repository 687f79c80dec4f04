"""Journaled jobs: input items run in chunks, each item's outcome kept, so a re-run is safe.

With `--journal FILE`, the items are handed to the workflow a chunk at a time. Before a chunk
runs its items are recorded `started`; when it ends, each becomes `ok`, `failed` or
`ambiguous` (a write was sent and no answer came). `--resume` skips `ok` items, runs `failed`
ones again, and refuses to start while items are `started` or `ambiguous`: only a person who
has looked at the tracker can say whether those writes happened (`keitaro-node journal FILE
--mark-done/--retry`). So a killed or interrupted job never sends a write twice.

Chunks are separate executions, as a Loop Over Items batch is in n8n: a workflow whose nodes
need every item at once (Sort, Aggregate, a Code node run once for all items, ...) would see
only a chunk, so it is refused with --journal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keitaro_node.runtime.items import Item
from keitaro_node.runtime.journal import Entry, Journal, JournalError, Status, content_hash

DEFAULT_CHUNK = 100


@dataclass(frozen=True, slots=True)
class Pending:
    """An input item still to run: its position in the input and its content hash."""

    position: int
    content: str
    item: Item


def open_journal(path: Path, workflow_path: Path) -> Journal:
    """The journal for this workflow file (keyed by its name, its content hashed)."""
    text = workflow_path.read_text("utf-8")
    return Journal(path, workflow_path.name, content_hash(json.loads(text)))


def items_to_run(
    journal: Journal, items: Sequence[Item], resume: bool
) -> tuple[list[Pending], int]:
    """The items this run must send, and how many an earlier run finished (skipped).

    JournalError when the journal already holds this workflow's records and `resume` is off,
    when an item differs from the one recorded at its position, or when items wait for a
    decision.
    """
    entries = journal.entries()
    if entries and not resume:
        raise JournalError(
            f"{journal.path} already has records of {journal.workflow} "
            f"({_counts(entries)}): add --resume to go on with that job, or use another file"
        )
    pending: list[Pending] = []
    skipped = 0
    differ: list[int] = []
    waiting: list[Entry] = []
    for position, item in enumerate(items):
        content = content_hash(item.json)
        entry = entries.get(position)
        if entry is not None and entry.content != content:
            differ.append(position)
        elif entry is not None and entry.status == "ok":
            skipped += 1
        elif entry is not None and entry.status in ("started", "ambiguous"):
            waiting.append(entry)
        else:
            pending.append(Pending(position, content, item))
    if differ:
        raise JournalError(
            f"input items {_listed(differ)} differ from the ones {journal.path} recorded at "
            "those positions: resume with the same input, in the same order"
        )
    if waiting:
        where = _listed([e.position for e in waiting])
        raise JournalError(
            f"input items {where} have an unknown outcome: their writes were sent, or about "
            "to be, when the earlier run ended. Check the tracker, then record what happened "
            f"with `keitaro-node journal {journal.path} --mark-done POSITIONS` (it happened) or "
            "`--retry POSITIONS` (send again), and resume"
        )
    return pending, skipped


def chunks(pending: Sequence[Pending], size: int) -> Iterator[Sequence[Pending]]:
    for start in range(0, len(pending), max(1, size)):
        yield pending[start : start + size]


def gathering_nodes(plan_nodes: dict[str, Any]) -> list[str]:
    """Nodes a chunked run would give only part of the items to."""
    return [name for name, planned in plan_nodes.items() if planned.gathers_all_items]


def outcome_of(errors: Sequence[BaseException | None]) -> tuple[Status, dict[str, Any] | None]:
    """An input item's outcome from the errors of the items it led to (None: no error)."""
    found = [e for e in errors if e is not None]
    if not found:
        return "ok", None
    unsure = [e for e in found if getattr(e, "ambiguous", False)]
    first = unsure[0] if unsure else found[0]
    return ("ambiguous" if unsure else "failed"), {"error": str(first)[:500]}


def _counts(entries: dict[int, Entry]) -> str:
    counts: dict[str, int] = {}
    for entry in entries.values():
        counts[entry.status] = counts.get(entry.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def _listed(positions: Sequence[int]) -> str:
    shown = ", ".join(str(p) for p in positions[:20])
    return shown + (f" and {len(positions) - 20} more" if len(positions) > 20 else "")
