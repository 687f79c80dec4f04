"""What an operation's answer must look like at the top, and the error when it does not.

A tracker behind a misconfigured proxy, a wrong path or a wrong domain can answer a create with
a list of a million clicks; passed on, that list becomes "the created stream". The shape comes
from the manifest: an operation's routing may declare it (`answer: object | array | any`);
otherwise creates, gets and updates answer one object and getAll/getArchived a list. Paged
and binary operations are checked where their records and files are read.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from keitaro_node.runtime.errors import NodeApiError

from .client import ApiRequest
from .routing import Routing

Shape = Literal["object", "array"]

_ONE_OBJECT = frozenset({"create", "get", "update"})
_LIST = frozenset({"getAll", "getArchived"})


def expected_shape(operation: str, routing: Routing) -> Shape | None:
    """The top-level JSON type the operation answers with, or None when it varies."""
    if routing.binary or routing.pagination:
        return None
    if routing.answer is not None:
        return None if routing.answer == "any" else routing.answer
    if operation in _ONE_OBJECT:
        return "object"
    if operation in _LIST:
        return "array"
    return None


def fits(shape: Shape, data: Any) -> bool:
    return isinstance(data, dict) if shape == "object" else isinstance(data, list)


def describe(data: Any) -> str:
    """A short account of an answer for an error message: never the answer itself."""
    if isinstance(data, list):
        text = f"a list of {len(data):,} item{'s' if len(data) != 1 else ''}"
        first = data[0] if data else None
        if isinstance(first, dict):
            keys = list(first)[:6]
            more = ", ..." if len(first) > 6 else ""
            text += f" (the first with the fields {', '.join(keys)}{more})"
        return text
    if isinstance(data, dict):
        keys = list(data)[:6]
        more = ", ..." if len(data) > 6 else ""
        return f"an object with the fields {', '.join(keys)}{more}" if keys else "an empty object"
    if data is None or data == b"" or data == "":
        return "nothing"
    if isinstance(data, (bytes, bytearray)):
        return f"{len(data):,} bytes that are not JSON"
    text = json.dumps(data, ensure_ascii=False, default=str)
    return f"the value {text if len(text) <= 40 else text[:37] + '...'}"


def wrong_shape(
    resource: str, operation: str, shape: Shape, request: ApiRequest, data: Any, attempts: int
) -> NodeApiError:
    """The error for an answer that cannot be the operation's."""
    wanted = "one object" if shape == "object" else "a list"
    message = (
        f"{resource} {operation}: the tracker answered {request.method} {request.path} with "
        f"{describe(data)} where {wanted} was expected, so it is not output"
    )
    if request.safe_to_repeat:
        hint = "check the tracker's domain and that nothing between it and you rewrites answers"
    else:
        hint = (
            "the change may or may not have happened - look at the tracker before sending it "
            "again; check its domain and that nothing between it and you rewrites answers"
        )
    return NodeApiError(message, description=hint, retryable=False, attempts=attempts)
