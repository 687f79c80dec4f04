"""Progress of a job on stderr: done/total, rate, ETA and failures so far.

Shown only on a terminal (and not with --quiet); tqdm draws it because it is small, widely
used, redraws at a bounded rate and computes rate and ETA itself. It is imported only when a
bar is shown, so runs without a terminal do not pay for it. Log lines (-v) are written above
the bar rather than through it.
"""

from __future__ import annotations

import contextlib
from typing import IO, Any, Protocol


class Progress(Protocol):
    def show(self, done: int, failed: int) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    def show(self, done: int, failed: int) -> None:
        pass

    def close(self) -> None:
        pass


class ProgressBar:
    """A tqdm bar counting what the job has done."""

    def __init__(self, total: int | None, stream: IO[str], unit: str = " items") -> None:
        from tqdm import tqdm
        from tqdm.contrib.logging import logging_redirect_tqdm

        self.failed = 0
        self.bar: Any = tqdm(
            total=total,
            unit=unit,
            file=stream,
            dynamic_ncols=True,
            mininterval=0.25,
            smoothing=0.1,
            leave=False,
        )
        self._logging = contextlib.ExitStack()
        self._logging.enter_context(logging_redirect_tqdm())

    def show(self, done: int, failed: int) -> None:
        if failed != self.failed:
            self.failed = failed
            self.bar.set_postfix_str(f"{failed} failed", refresh=False)
        if done != self.bar.n:
            self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self._logging.close()
        self.bar.close()


def progress_for(
    total: int | None, stream: IO[str], quiet: bool = False, unit: str = " items"
) -> Progress:
    """A bar when `stream` is a terminal and not quiet; else nothing."""
    if quiet or not stream.isatty():
        return NoProgress()
    return ProgressBar(total, stream, unit)
