"""The one line every job ends with: items in, ok, failed, per output branch, time, request rate."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class JobSummary:
    """Counts of one job, filled in as items complete."""

    items_in: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    # "Node" or "Node: output" -> items that left the workflow there
    branches: dict[str, int] = field(default_factory=dict)
    requests: int | None = None
    interrupted: bool = False
    writes_done: int | None = None

    def line(self, wall_s: float) -> str:
        parts = [f"{self.items_in} item{'s' if self.items_in != 1 else ''} in"]
        parts.append(f"{self.ok} ok")
        parts.append(f"{self.failed} failed")
        if self.skipped:
            parts.append(f"{self.skipped} skipped (done in an earlier run)")
        text = ", ".join(parts)
        if self.branches:
            text += " (" + ", ".join(f"{k}: {v}" for k, v in self.branches.items()) + ")"
        text += f" in {_duration(wall_s)}"
        if self.requests is not None:
            rate = self.requests / wall_s if wall_s > 0 else 0.0
            text += f", {self.requests} requests ({rate:.1f}/s)"
        if self.interrupted:
            text = "interrupted: " + text
            if self.writes_done is not None:
                text += f"; {self.writes_done} writes were made before the stop"
        return text


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{rest:02d}s"
