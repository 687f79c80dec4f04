"""Paged operations: `await` for the whole answer, or `async for` the records as pages arrive.

Both go through the node's one paginator (keitaro_node/keitaro/paging.py), so Return All
stops where the node stops and fails where it fails (a tracker that ignores `offset`).
Iterating keeps at most two pages in memory: the next page is asked for only once the
previous one has been handed over.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any

from keitaro_node.keitaro.client import ApiRequest, ApiResponse
from keitaro_node.keitaro.paging import fetch_pages

from .spec import OperationSpec

Send = Callable[[ApiRequest], Awaitable[ApiResponse]]
Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _End:
    error: BaseException | None = None


class Pages:
    """The records of a paged operation (reports, click and conversion logs, logs, campaigns).

    `await pages` gives the answer the node would put in its item's `data` (for reports the
    tracker's object with every row under `rows`); `async for record in pages` yields the
    records one by one while further pages are fetched, and then `pages.info` holds the
    answer's other fields (total, summary). Each await or iteration sends the requests again.
    """

    def __init__(
        self,
        spec: OperationSpec,
        params: dict[str, Any],
        request: ApiRequest,
        page_size: int,
        sender: Callable[[], Send],
        tasks: set[asyncio.Task[None]],
    ) -> None:
        self.spec = spec
        self._params = params
        self._request = request
        self._page_size = page_size
        self._sender = sender
        self._tasks = tasks
        # the last answer's fields besides the records (total, summary, meta), once all came
        self.info: dict[str, Any] = {}

    def __repr__(self) -> str:
        every = "all records" if self._params.get("returnAll") else "one page"
        return f"<Pages of {self.spec.title}: {self._request.method} {self._request.path}, {every}>"

    def __await__(self) -> Generator[Any, None, Any]:
        return self._collect().__await__()

    def __aiter__(self) -> AsyncIterator[Record]:
        return self._stream()

    async def _collect(self) -> Any:
        collected: list[Any] = []
        result = await fetch_pages(
            self._sender(),
            self._request,
            self.spec.routing,
            self._params,
            self._page_size,
            collected.extend,
        )
        self.info = dict(result.shell)
        path = self.spec.routing.recordsPath
        return {**result.shell, path: collected} if path else collected

    async def _stream(self) -> AsyncIterator[Record]:
        send = self._sender()
        queue: asyncio.Queue[list[Any] | _End] = asyncio.Queue(maxsize=1)
        buffer: list[Any] = []

        async def hand_over() -> None:
            if buffer:
                batch = buffer.copy()
                buffer.clear()
                await queue.put(batch)

        async def send_after_hand_over(request: ApiRequest) -> ApiResponse:
            await hand_over()  # waits while the reader still has a page to go through
            return await send(request)

        async def produce() -> None:
            try:
                result = await fetch_pages(
                    send_after_hand_over,
                    self._request,
                    self.spec.routing,
                    self._params,
                    self._page_size,
                    buffer.extend,
                )
                await hand_over()
                self.info = dict(result.shell)
            except Exception as exc:
                await queue.put(_End(exc))
                return
            await queue.put(_End())

        task = asyncio.create_task(produce(), name=f"pages of {self.spec.title}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            while True:
                batch = await queue.get()
                if isinstance(batch, _End):
                    if batch.error is not None:
                        raise batch.error
                    return
                for record in batch:
                    yield record if isinstance(record, dict) else {"value": record}
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
