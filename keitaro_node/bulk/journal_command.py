"""`keitaro-node journal FILE`: what a job's journal holds, and a person's decisions on items
whose outcome is unknown (`--mark-done`: it happened; `--retry`: run it again on --resume)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from keitaro_node.runtime.journal import Entry, Journal, JournalError, iter_positions


@dataclass
class JournalCommand:
    path: Path
    workflow: str | None = None
    mark_done: str | None = None
    retry: str | None = None
    as_json: bool = False


def run_journal_command(command: JournalCommand, out: IO[str]) -> int:
    """List the journal, or record decisions; 0 when nothing waits for a decision, 1 when
    items do (so scripts can tell)."""
    if not command.path.is_file():
        raise JournalError(f"no journal at {command.path}")
    keys = Journal.workflows(command.path)
    if command.workflow is not None:
        if command.workflow not in keys:
            listed = ", ".join(repr(k) for k in keys) or "none"
            raise JournalError(
                f"{command.path} has no records of workflow {command.workflow!r} (it has: {listed})"
            )
        keys = [command.workflow]
    deciding = command.mark_done is not None or command.retry is not None
    if deciding and len(keys) != 1:
        raise JournalError(
            f"{command.path} holds several workflows ({', '.join(keys)}): name one with --workflow"
        )
    waiting = 0
    reports = []
    for key in keys:
        with Journal(command.path, key) as journal:
            if command.mark_done is not None:
                count = journal.resolve(list(iter_positions(command.mark_done)), "ok")
                print(f"{count} item(s) recorded as done; --resume will skip them", file=out)
            if command.retry is not None:
                count = journal.resolve(list(iter_positions(command.retry)), "failed")
                print(
                    f"{count} item(s) recorded as not done; --resume will run them again", file=out
                )
            unresolved = journal.unresolved()
            waiting += len(unresolved)
            reports.append((key, journal.counts(), unresolved))
    if command.as_json:
        data = [
            {
                "workflow": key,
                "counts": counts,
                "unresolved": [_entry_json(e) for e in unresolved],
            }
            for key, counts, unresolved in reports
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
    elif not deciding:
        for key, counts, unresolved in reports:
            print(_report(key, counts, unresolved), file=out)
    return 1 if waiting else 0


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "position": entry.position,
        "status": entry.status,
        "detail": entry.detail,
        "updatedAt": entry.updated_at,
    }


def _report(key: str, counts: dict[str, int], unresolved: list[Entry]) -> str:
    total = sum(counts.values())
    parts = [f"{counts.get(s, 0)} {s}" for s in ("ok", "failed", "started", "ambiguous")]
    lines = [f"workflow {key!r}: {total} item(s) recorded: " + ", ".join(parts)]
    if not unresolved:
        lines.append("  nothing waits for a decision")
        return "\n".join(lines)
    lines.append(
        f"  {len(unresolved)} item(s) whose outcome is unknown - check the tracker, then record "
        "what you found with --mark-done POSITIONS (it happened) or --retry POSITIONS (it did "
        "not; --resume runs it again):"
    )
    for entry in unresolved:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.updated_at))
        why = _why(entry)
        lines.append(f"    item {entry.position}: {entry.status} at {when}{why}")
    return "\n".join(lines)


def _why(entry: Entry) -> str:
    detail = entry.detail or {}
    if entry.status == "started":
        return " - a write was about to be sent when the job ended"
    error = detail.get("error")
    return f" - {error}" if error else ""
