"""Progress of a job on stderr: done/total, rate, ETA and failures so far.

Shown only on a terminal (and not with --quiet); tqdm draws it because it is small, widely
used, redraws at a bounded rate and computes rate and ETA itself. It is imported only when a
bar is shown, so runs without a terminal do not pay for it.
"""

from __future__ import annotations

from typing import IO, Any, Protocol


class Progress(Protocol):
    def advance(self, ok: int, failed: int) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    def advance(self, ok: int, failed: int) -> None:
        pass

    def close(self) -> None:
        pass


class ProgressBar:
    """A tqdm bar counting input items through the workflow."""

    def __init__(self, total: int | None, stream: IO[str]) -> None:
        from tqdm import tqdm

        self.failed = 0
        self.bar: Any = tqdm(
            total=total,
            unit=" items",
            file=stream,
            dynamic_ncols=True,
            mininterval=0.25,
            smoothing=0.1,
            leave=False,
        )

    def advance(self, ok: int, failed: int) -> None:
        if failed:
            self.failed += failed
            self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)
        self.bar.update(ok + failed)

    def close(self) -> None:
        self.bar.close()


def progress_for(total: int | None, stream: IO[str], quiet: bool = False) -> Progress:
    """A bar when `stream` is a terminal and not quiet; else nothing."""
    if quiet or not stream.isatty():
        return NoProgress()
    return ProgressBar(total, stream)
