"""The run journal: outcomes per input item survive the process, and unknown outcomes wait."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from keitaro_node.runtime.journal import (
    Journal,
    JournalError,
    content_hash,
    iter_positions,
)


def test_content_hash_ignores_key_order_and_tells_values_apart() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": "1"})


def test_outcomes_are_kept_per_workflow(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    with Journal(path, "wf-a", "h1") as journal:
        journal.mark_started([(0, "c0"), (1, "c1"), (2, "c2")])
        journal.finish([(0, "c0", "ok", {"created": [11]}), (1, "c1", "failed", {"error": "x"})])
    with Journal(path, "wf-a", "h1") as again, Journal(path, "wf-b") as other:
        entries = again.entries()
        assert {p: e.status for p, e in entries.items()} == {0: "ok", 1: "failed", 2: "started"}
        assert entries[0].detail == {"created": [11]}
        assert [e.position for e in again.unresolved()] == [2]
        assert again.counts() == {"ok": 1, "failed": 1, "started": 1}
        assert not again.changed_workflow
        assert other.entries() == {}


def test_a_changed_workflow_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "job.journal"
    Journal(path, "wf", "h1").close()
    with Journal(path, "wf", "h2") as journal:
        assert journal.changed_workflow


def test_a_person_resolves_unknown_outcomes(tmp_path: Path) -> None:
    with Journal(tmp_path / "j", "wf") as journal:
        journal.mark_started([(0, "a"), (1, "b")])
        journal.finish([(1, "b", "ambiguous", {"error": "no answer"})])
        with pytest.raises(JournalError, match="items 5 are not waiting"):
            journal.resolve([5], "ok")
        assert journal.resolve([0], "ok") == 1
        assert journal.resolve([1], "failed") == 1
        assert journal.unresolved() == []
        assert {p: e.status for p, e in journal.entries().items()} == {0: "ok", 1: "failed"}


def _start_then_die(path: str) -> None:
    journal = Journal(path, "wf")
    journal.mark_started([(7, "h")])
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_started_mark_survives_the_process_being_killed(tmp_path: Path) -> None:
    path = tmp_path / "j"
    process = multiprocessing.get_context("spawn").Process(
        target=_start_then_die, args=(str(path),)
    )
    process.start()
    process.join()
    assert process.exitcode == -signal.SIGKILL
    with Journal(path, "wf") as journal:
        assert [(e.position, e.status) for e in journal.unresolved()] == [(7, "started")]


def test_a_file_that_is_not_a_journal(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not SQLite" * 100)
    with pytest.raises(JournalError, match="not a journal"):
        Journal(path, "wf")


def test_positions_from_the_command_line() -> None:
    assert list(iter_positions("3, 7,10-12")) == [3, 7, 10, 11, 12]
    with pytest.raises(JournalError, match="not a range"):
        list(iter_positions("5-2"))
    with pytest.raises(JournalError, match="not an item position"):
        list(iter_positions("x"))
