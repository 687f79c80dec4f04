"""Reading requests and writing JSON responses the way the tracker does."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .coerce import to_int
from .errors import BadRequest

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def ok(data: Any, status: int = 200) -> web.Response:
    """JSON answer; creates answer 200 too, as the tracker does."""
    return web.Response(text=dumps(data), status=status, content_type="application/json")


def error(status: int, message: str) -> web.Response:
    return ok({"error": message}, status)


def empty(status: int = 200) -> web.Response:
    """A response with no body, for operations the spec declares without content."""
    return web.Response(status=status)


def success() -> web.Response:
    return ok({"success": True})


async def body_json(request: web.Request) -> Any:
    """Parsed JSON body, or None when the body is empty."""
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"Invalid JSON in request body: {exc}") from None


async def body_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object; an empty body counts as ``{}``."""
    data = await body_json(request)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadRequest("Request body must be a JSON object")
    return data


def path_id(request: web.Request, name: str = "id") -> int:
    return int(request.match_info[name])


def query_int(request: web.Request, name: str, default: int | None = None) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return to_int(raw)
    except ValueError:
        raise BadRequest(f"Param '{name}' must be an integer") from None


def query_flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "").lower() in {"1", "true", "yes", "on"}


def required_query(request: web.Request, name: str) -> str:
    value = request.query.get(name)
    if value is None or value == "":
        raise BadRequest(f"Param '{name}' is required")
    return value
