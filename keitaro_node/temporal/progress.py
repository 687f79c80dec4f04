"""What the items of one chunk did, recorded in Temporal before a write can leave.

A chunk activity marks each item `started` before the node's work on it begins, and waits
until Temporal has that mark (an acknowledged heartbeat, not the SDK's buffered one); when the
item's answer comes, the answer is recorded with the next heartbeat. Marks and answers wait
for one another in groups, so one heartbeat carries every mark made while the last was on its
way: a chunk of items at concurrency 4 costs about one round trip per wave of 4.

When a worker dies, Temporal starts the activity again on another worker with the last
heartbeat's details. Items with a recorded answer are not sent again (their answer is used);
items marked but unanswered may or may not have reached the tracker: they are reported as
ambiguous, never sent again; items never marked run as usual. A worker that lost its attempt
(Temporal gave the chunk to another) finds its marks refused and sends nothing more.

The details are the run journal's statuses for the items of one chunk: started, ok or failed
(answered), ambiguous (started, never answered).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

JsonDict = dict[str, Any]
Recorder = Callable[[JsonDict], Awaitable[None]]

FORMAT = 1


class AttemptLost(BaseException):
    """Temporal no longer takes this attempt's heartbeats: another attempt owns the chunk.

    A BaseException, as cancellation is: a node's per-item error handling must not turn it
    into an error item - the whole attempt stops."""


class ChunkProgress:
    """Started marks and answers of one chunk, kept in heartbeat details."""

    def __init__(
        self, record: Recorder, previous: Mapping[str, Any] | None, keepalive_s: float = 5.0
    ) -> None:
        self._record = record
        self.started: set[int] = set()
        self.done: dict[int, JsonDict] = {}
        self.ambiguous: set[int] = set()
        if previous and previous.get("format") == FORMAT:
            self.done = {int(k): v for k, v in previous.get("done", {}).items()}
            self.started = {int(i) for i in previous.get("started", [])} | set(self.done)
            self.ambiguous = set(self.started) - set(self.done)
        self._version = 0
        self._recorded = 0
        self._changed = asyncio.Event()
        self._settled = asyncio.Condition()
        self._failure: BaseException | None = None
        self._keepalive_s = keepalive_s
        self._task: asyncio.Task[None] | None = None

    # --- what the node's items do ------------------------------------------------------------

    def answer_of(self, index: int) -> JsonDict | None:
        """The recorded outcome of an item answered by an earlier attempt."""
        return self.done.get(index)

    async def before(self, index: int) -> None:
        """Mark the item started; return once Temporal has the mark."""
        self.started.add(index)
        await self._wait(self._touch())

    def answered(self, index: int, outcome: JsonDict) -> None:
        """Record an item's outcome (with the next heartbeat; nothing waits for it)."""
        self.done[index] = outcome
        self._touch()

    def details(self) -> JsonDict:
        return {
            "format": FORMAT,
            "started": sorted(self.started),
            "done": {str(k): v for k, v in self.done.items()},
        }

    # --- the heartbeats ------------------------------------------------------------------------

    async def __aenter__(self) -> ChunkProgress:
        self._task = asyncio.create_task(self._flush_loop())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _touch(self) -> int:
        self._version += 1
        self._changed.set()
        return self._version

    async def _wait(self, version: int) -> None:
        async with self._settled:
            await self._settled.wait_for(lambda: self._recorded >= version or self._failure)
        if self._failure is not None and self._recorded < version:
            raise AttemptLost(
                f"Temporal did not take this worker's progress ({self._failure}); another "
                "attempt owns the chunk, so this one sends nothing more"
            )

    async def _flush_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._keepalive_s):
                    await self._changed.wait()
            self._changed.clear()
            version = self._version
            try:
                await self._record(self.details())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failure = exc
            else:
                self._recorded = max(self._recorded, version)
            async with self._settled:
                self._settled.notify_all()
            if self._failure is not None:
                return
