"""One paginator for every paged endpoint, so that Return All cannot stop at page one.

Three shapes exist in the Admin API: limit/offset in the JSON body with `total` in the answer
(report build, click and conversion logs), limit/offset in the query answered by an array
(logs), and the same for campaign lists, where older trackers ignore the limits and answer
everything (so pages are de-duplicated by id). Records go to a sink page by page, which keeps
memory flat when the sink is a file.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from keitaro_node.runtime.errors import NodeApiError

from .answer_shape import describe
from .client import ApiRequest, ApiResponse
from .routing import Routing

Sink = Callable[[list[Any]], None]
Send = Callable[[ApiRequest], Awaitable[ApiResponse]]


@dataclass(slots=True)
class PagingResult:
    """What paging produced besides the records: the last answer's other fields, counts."""

    shell: dict[str, Any] = field(default_factory=dict)
    records: int = 0
    pages: int = 0
    attempts: int = 0
    total: int | None = None
    last: ApiResponse | None = None


class PageShapeError(NodeApiError):
    """A page whose answer holds no list of records; the node adds which operation it was."""


def records_of(answer: Any, path: str) -> list[Any]:
    """The records inside an answer: `answer[path]`, or the answer itself when it is a list."""
    if not path:
        if isinstance(answer, list):
            return answer
        raise PageShapeError(
            f"the tracker answered with {describe(answer)} where a list was expected",
            retryable=False,
        )
    if isinstance(answer, dict) and isinstance(answer.get(path), list):
        return list(answer[path])
    raise PageShapeError(
        f"the tracker answered with {describe(answer)} where an object with a '{path}' list "
        "was expected",
        retryable=False,
    )


async def fetch_pages(
    send: Send,
    request: ApiRequest,
    routing: Routing,
    params: dict[str, Any],
    page_size: int,
    sink: Sink,
) -> PagingResult:
    """Fetch one page (returnAll false: `limit` records) or all pages into `sink`."""
    return_all = bool(params.get("returnAll"))
    limit = int(params.get("limit") or 50)
    size = page_size if return_all else limit
    kind = routing.pagination
    result = PagingResult()
    seen_ids: set[Any] = set()
    previous_first: str | None = None
    offset = _start_offset(request, kind)
    while True:
        page_request = _page(request, kind, offset, size)
        response = await send(page_request)
        result.attempts += response.attempts
        result.pages += 1
        result.last = response
        records = records_of(response.data, routing.recordsPath)
        if isinstance(response.data, dict):
            result.shell = {k: v for k, v in response.data.items() if k != routing.recordsPath}
            total = response.data.get("total")
            result.total = (
                int(total)
                if isinstance(total, (int, float)) and not isinstance(total, bool)
                else None
            )
        fetched = len(records)
        if kind == "queryOffsetList":
            fresh = [r for r in records if _record_id(r) not in seen_ids]
            seen_ids.update(_record_id(r) for r in records)
            ignored_limit = fetched > size
            records = fresh
        else:
            ignored_limit = False
            first = json.dumps(records[0], sort_keys=True, default=str) if records else None
            if return_all and first is not None and first == previous_first:
                raise NodeApiError(
                    "the tracker returned the same page twice (it seems to ignore 'offset'); "
                    "stopped to avoid duplicates - use a narrower range instead of Return All",
                    description=f"{request.method} {request.path} at offset {offset}",
                    retryable=False,
                    attempts=result.attempts,
                )
            previous_first = first
        if not return_all:
            records = records[: limit - result.records]
        if records:
            sink(records)
            result.records += len(records)
        offset += fetched
        if not return_all:
            break
        if (
            fetched == 0
            or fetched < size
            or ignored_limit
            or (kind == "queryOffsetList" and not records)
        ):
            break
        if result.total is not None and offset >= result.total:
            break
    return result


def _start_offset(request: ApiRequest, kind: str | None) -> int:
    if kind == "bodyOffset" and isinstance(request.body, dict):
        value = request.body.get("offset", 0)
    else:
        value = (request.query or {}).get("offset", 0)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def _page(request: ApiRequest, kind: str | None, offset: int, size: int) -> ApiRequest:
    if kind == "bodyOffset":
        body = dict(request.body) if isinstance(request.body, dict) else {}
        body["limit"] = size
        body["offset"] = offset
        return dataclasses.replace(request, body=body, has_body=True)
    query = dict(request.query or {})
    query["limit"] = str(size)
    query["offset"] = str(offset)
    return dataclasses.replace(request, query=query)


def _record_id(record: Any) -> Any:
    if isinstance(record, dict) and "id" in record:
        return record["id"]
    return json.dumps(record, sort_keys=True, default=str)
