"""The one line every job ends with: items in, ok, failed, per branch end, time, request rate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class JobSummary:
    """Counts of one job, filled in as items complete.

    An input item is `ok` when everything it led to left the workflow without an error,
    `failed` when something it led to failed, and without output when it left nowhere (a
    Filter dropped it, or the run stopped before it).
    """

    items_in: int = 0
    ok: int = 0
    failed: int = 0
    no_output: int = 0
    skipped: int = 0
    # "Node" or "Node (output 1)" -> items that left the workflow there
    branches: dict[str, int] = field(default_factory=dict)
    requests: int | None = None
    writes: int | None = None
    dry_run: bool = False
    stopped_at: str | None = None
    interrupted: bool = False
    hint: str | None = None

    def add_items(self, count: int, outcomes: Iterable[tuple[int, bool]]) -> None:
        """`count` input items done, with (input position, failed) of every item they led to
        at a branch end."""
        failed: dict[int, bool] = {}
        for position, bad in outcomes:
            failed[position] = failed.get(position, False) or bad
        self.items_in += count
        bad_count = sum(failed.values())
        self.failed += bad_count
        self.ok += len(failed) - bad_count
        self.no_output += count - len(failed)

    def add_branch(self, label: str, count: int) -> None:
        self.branches[label] = self.branches.get(label, 0) + count

    def line(self, wall_s: float) -> str:
        parts = [f"{self.ok} ok", f"{self.failed} failed"]
        if self.no_output:
            what = "not run or without output" if self.stopped_at else "without output"
            parts.append(f"{self.no_output} {what}")
        if self.skipped:
            parts.append(f"{self.skipped} skipped (done in an earlier run)")
        plural = "s" if self.items_in != 1 else ""
        text = f"{self.items_in} item{plural} in: " + ", ".join(parts)
        if self.branches:
            text += " (" + ", ".join(f"{k}: {v}" for k, v in self.branches.items()) + ")"
        text += f" in {_duration(wall_s)}"
        if self.requests is not None:
            rate = self.requests / wall_s if wall_s > 0 else 0.0
            text += f", {self.requests} request{'s' if self.requests != 1 else ''} ({rate:.1f}/s)"
        if self.dry_run:
            text = "dry run, nothing sent: " + text
        if self.stopped_at:
            text = f"stopped at '{self.stopped_at}': " + text
        if self.interrupted:
            text = "interrupted: " + text
            if self.writes is not None:
                text += f"; {self.writes} write(s) were sent before the stop"
        if self.hint:
            text += f". {self.hint}"
        return text


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{rest:02d}s"
