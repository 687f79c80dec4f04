"""Chunked and journaled jobs: input items run a chunk at a time, each item's outcome kept.

With `--chunk-size N` the input is read and run N items at a time, and each chunk's output is
written before the next is read, so memory stays flat however long the job. With
`--journal FILE` (chunks of 100 unless told) the items are chunked the same way. Before a chunk
runs its items are recorded `started`; when it ends, each becomes `ok`, `failed` or
`ambiguous` (a write was sent and no answer came). `--resume` skips `ok` items, runs `failed`
ones again, and refuses to start while items are `started` or `ambiguous`: only a person who
has looked at the tracker can say whether those writes happened (`keitaro-node journal FILE
--mark-done/--retry`). So a killed or interrupted job never sends a write twice.

Chunks are separate executions, as a Loop Over Items batch is in n8n: a workflow whose nodes
need every item at once (Sort, Aggregate, a Code node run once for all items, ...) would see
only a chunk, so it is refused with --chunk-size and --journal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keitaro_node.runtime.items import Item
from keitaro_node.runtime.journal import Journal, JournalError, Status, content_hash

DEFAULT_CHUNK = 100  # with --journal and no --chunk-size


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


def check_start(journal: Journal, resume: bool) -> None:
    """JournalError when the journal holds this workflow's records and `resume` is off, or
    when items wait for a decision."""
    counts = journal.counts()
    if counts and not resume:
        listed = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        raise JournalError(
            f"{journal.path} already has records of {journal.workflow} "
            f"({listed}): add --resume to go on with that job, or use another file"
        )
    waiting = journal.unresolved()
    if waiting:
        where = _listed([e.position for e in waiting])
        raise JournalError(
            f"input items {where} have an unknown outcome: their writes were sent, or about "
            "to be, when the earlier run ended. Check the tracker, then record what happened "
            f"with `keitaro-node journal {journal.path} --mark-done POSITIONS` (it happened) or "
            "`--retry POSITIONS` (send again), and resume"
        )


def pending_chunks(
    rows: Iterable[dict[str, Any]], size: int, journal: Journal | None
) -> Iterator[tuple[list[Pending], int]]:
    """The input read `size` rows at a time: each chunk's items still to run, and how many of
    its rows an earlier run finished. JournalError when a row differs from the one the journal
    recorded at its position (raised before that chunk runs)."""
    batch: list[tuple[int, dict[str, Any]]] = []
    for position, row in enumerate(rows):
        batch.append((position, row))
        if len(batch) >= size:
            yield _pending(batch, journal)
            batch = []
    if batch:
        yield _pending(batch, journal)


def _pending(
    batch: list[tuple[int, dict[str, Any]]], journal: Journal | None
) -> tuple[list[Pending], int]:
    if journal is None:
        return [Pending(position, "", Item(json=row)) for position, row in batch], 0
    entries = journal.entries([position for position, _ in batch])
    pending: list[Pending] = []
    skipped = 0
    differ: list[int] = []
    for position, row in batch:
        content = content_hash(row)
        entry = entries.get(position)
        if entry is not None and entry.content != content:
            differ.append(position)
        elif entry is not None and entry.status == "ok":
            skipped += 1
        else:
            pending.append(Pending(position, content, Item(json=row)))
    if differ:
        raise JournalError(
            f"input items {_listed(differ)} differ from the ones {journal.path} recorded at "
            "those positions: resume with the same input, in the same order"
        )
    return pending, skipped


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


def _listed(positions: Sequence[int]) -> str:
    shown = ", ".join(str(p) for p in positions[:20])
    return shown + (f" and {len(positions) - 20} more" if len(positions) > 20 else "")
