"""The run journal: what each input item of a job did, kept in SQLite so re-runs are safe.

Each input item is known by its position in the input and a hash of its content, per workflow.
Before an item's first write leaves, it is marked `started`; when the item is through the
workflow it becomes `ok` (with what the service answered: ids of what was created), `failed`
(nothing was written, or the failure was certain) or `ambiguous` (a write was sent and no
answer came). A resumed job skips `ok` items, runs `failed` ones again, and stops on items left
`started` or `ambiguous`: a person decides about those, since sending them again could
duplicate a write.

SQLite in WAL mode with synchronous=NORMAL: a commit survives the process being killed (the
data is in the operating system's hands); only a power cut can lose the last commits.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Status = Literal["started", "ok", "failed", "ambiguous"]
STATUSES: tuple[Status, ...] = ("started", "ok", "failed", "ambiguous")
_SCHEMA_VERSION = "1"


class JournalError(ValueError):
    """The journal cannot be used as asked; the message says why and what to do."""


def content_hash(value: Any) -> str:
    """A stable hash of an item's JSON (keys sorted), to tell the same item from another."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Entry:
    """What the journal knows of one input item."""

    position: int
    content: str
    status: Status
    detail: dict[str, Any] | None
    updated_at: float


class Journal:
    """One journal file; several workflows may share it, each under its own key."""

    def __init__(self, path: str | Path, workflow_key: str, workflow_hash: str = "") -> None:
        self.path = Path(path)
        self.workflow = workflow_key
        self.workflow_hash = workflow_hash
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._create()
        except sqlite3.DatabaseError as exc:
            raise JournalError(
                f"{self.path} is not a journal this program can use: {exc}"
            ) from None
        self.changed_workflow = self._note_workflow()

    def _create(self) -> None:
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS workflows (
                workflow TEXT PRIMARY KEY, hash TEXT NOT NULL, first_seen REAL NOT NULL
            );
            CREATE TABLE IF NOT EXISTS items (
                workflow TEXT NOT NULL,
                position INTEGER NOT NULL,
                content TEXT NOT NULL,
                status TEXT NOT NULL,
                detail TEXT,
                updated_at REAL NOT NULL,
                PRIMARY KEY (workflow, position)
            );
            """
        )
        row = self.db.execute("SELECT value FROM journal_meta WHERE key='schema'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO journal_meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
        elif row[0] != _SCHEMA_VERSION:
            raise JournalError(
                f"{self.path} was written by another version of this program (schema {row[0]})"
            )

    def _note_workflow(self) -> bool:
        """Remember the workflow's hash; True when it differs from the one first recorded."""
        row = self.db.execute(
            "SELECT hash FROM workflows WHERE workflow=?", (self.workflow,)
        ).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO workflows VALUES (?, ?, ?)",
                (self.workflow, self.workflow_hash, time.time()),
            )
            return False
        return bool(self.workflow_hash) and row[0] != self.workflow_hash

    def close(self) -> None:
        self.db.close()

    @staticmethod
    def workflows(path: str | Path) -> list[str]:
        """The workflow keys a journal file holds records of (none for a missing file)."""
        file = Path(path)
        if not file.is_file():
            return []
        try:
            db = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
            try:
                rows = db.execute("SELECT workflow FROM workflows ORDER BY first_seen").fetchall()
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            raise JournalError(f"{file} is not a journal this program can use: {exc}") from None
        return [row[0] for row in rows]

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- reading ---------------------------------------------------------------------------

    def entries(self, positions: Sequence[int] | None = None) -> dict[int, Entry]:
        """Entries by position: all of this workflow's, or those of the positions given."""
        if positions is None:
            rows = self.db.execute(
                "SELECT position, content, status, detail, updated_at FROM items "
                "WHERE workflow=? ORDER BY position",
                (self.workflow,),
            ).fetchall()
        else:
            rows = []
            for start in range(0, len(positions), 500):
                part = list(positions[start : start + 500])
                marks = ",".join("?" * len(part))
                rows += self.db.execute(
                    "SELECT position, content, status, detail, updated_at FROM items "
                    f"WHERE workflow=? AND position IN ({marks})",
                    (self.workflow, *part),
                ).fetchall()
        return {row[0]: _entry(row) for row in rows}

    def unresolved(self) -> list[Entry]:
        """Items whose outcome is unknown: left `started` or recorded `ambiguous`."""
        rows = self.db.execute(
            "SELECT position, content, status, detail, updated_at FROM items "
            "WHERE workflow=? AND status IN ('started', 'ambiguous') ORDER BY position",
            (self.workflow,),
        ).fetchall()
        return [_entry(row) for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT status, COUNT(*) FROM items WHERE workflow=? GROUP BY status",
            (self.workflow,),
        ).fetchall()
        return {status: count for status, count in rows}

    # --- writing ---------------------------------------------------------------------------

    def mark_started(self, items: Iterable[tuple[int, str]]) -> None:
        """Record, in one commit, that these items are about to send writes."""
        now = time.time()
        with self._transaction():
            self.db.executemany(
                "INSERT INTO items (workflow, position, content, status, detail, updated_at) "
                "VALUES (?, ?, ?, 'started', NULL, ?) "
                "ON CONFLICT (workflow, position) DO UPDATE SET "
                "content=excluded.content, status='started', updated_at=excluded.updated_at",
                ((self.workflow, position, content, now) for position, content in items),
            )

    def finish(self, outcomes: Iterable[tuple[int, str, Status, dict[str, Any] | None]]) -> None:
        """Record final outcomes `(position, content hash, status, detail)` in one commit."""
        now = time.time()
        with self._transaction():
            self.db.executemany(
                "INSERT INTO items (workflow, position, content, status, detail, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (workflow, position) DO UPDATE SET content=excluded.content, "
                "status=excluded.status, detail=excluded.detail, updated_at=excluded.updated_at",
                (
                    (
                        self.workflow,
                        position,
                        content,
                        _checked(status),
                        None if detail is None else json.dumps(detail, ensure_ascii=False),
                        now,
                    )
                    for position, content, status, detail in outcomes
                ),
            )

    def resolve(self, positions: Iterable[int], status: Literal["ok", "failed"]) -> int:
        """A person's decision on unresolved items: `ok` (it happened) or `failed` (run again)."""
        wanted = list(positions)
        unresolved = {e.position for e in self.unresolved()}
        unknown = [p for p in wanted if p not in unresolved]
        if unknown:
            raise JournalError(
                f"items {_listed(unknown)} are not waiting for a decision "
                "(only items left 'started' or 'ambiguous' are)"
            )
        with self._transaction():
            self.db.executemany(
                "UPDATE items SET status=?, updated_at=? WHERE workflow=? AND position=?",
                ((status, time.time(), self.workflow, p) for p in wanted),
            )
        return len(wanted)

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *_rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _checked(status: str) -> str:
    if status not in STATUSES:
        raise JournalError(f"unknown journal status '{status}'")
    return status


def _entry(row: tuple[Any, ...]) -> Entry:
    detail = json.loads(row[3]) if row[3] else None
    return Entry(row[0], row[1], row[2], detail, row[4])


def _listed(positions: Sequence[int]) -> str:
    shown = ", ".join(str(p) for p in positions[:20])
    return shown + (f" and {len(positions) - 20} more" if len(positions) > 20 else "")


def iter_positions(text: str) -> Iterator[int]:
    """Positions written as `3,7,10-12` (for the command line)."""
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "-" in part:
            low, _, high = part.partition("-")
            if not (low.isdigit() and high.isdigit()) or int(low) > int(high):
                raise JournalError(f"'{part}' is not a range of item positions like 10-12")
            yield from range(int(low), int(high) + 1)
        elif part.isdigit():
            yield int(part)
        else:
            raise JournalError(f"'{part}' is not an item position")
