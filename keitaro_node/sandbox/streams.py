"""HTTP handlers for /streams (flows)."""

from __future__ import annotations

from aiohttp import web

from .config import API_BASE
from .errors import NotFound
from .state import store_of
from .stream_model import get_stream, load_streams, set_state, write_stream
from .wire import body_object, ok, path_id, query_int, required_query

_ID = r"{id:\d{1,18}}"


async def create(request: web.Request) -> web.Response:
    store = store_of(request)
    stream_id = write_stream(store, await body_object(request))
    return ok(get_stream(store, stream_id))


async def get(request: web.Request) -> web.Response:
    return ok(get_stream(store_of(request), path_id(request)))


async def update(request: web.Request) -> web.Response:
    store = store_of(request)
    stream_id = path_id(request)
    write_stream(store, await body_object(request), stream_id)
    return ok(get_stream(store, stream_id))


async def archive(request: web.Request) -> web.Response:
    """Archives and answers the Stream (the spec's shape); a second delete is a 404."""
    store = store_of(request)
    stream_id = path_id(request)
    if store.scalar("SELECT state FROM streams WHERE id = ?", (stream_id,)) in (None, "deleted"):
        raise NotFound("Stream", stream_id)
    return ok(set_state(store, stream_id, "deleted"))


async def restore(request: web.Request) -> web.Response:
    store = store_of(request)
    stream_id = path_id(request)
    current = get_stream(store, stream_id)
    if current["state"] != "deleted":
        return ok(current)
    return ok(set_state(store, stream_id, "active"))


async def enable(request: web.Request) -> web.Response:
    return ok(set_state(store_of(request), path_id(request), "active"))


async def disable(request: web.Request) -> web.Response:
    store = store_of(request)
    stream_id = path_id(request)
    current = get_stream(store, stream_id)
    if current["state"] == "deleted":
        return ok(current)
    return ok(set_state(store, stream_id, "disabled"))


async def deleted(request: web.Request) -> web.Response:
    return ok(load_streams(store_of(request), "state = 'deleted'"))


async def search(request: web.Request) -> web.Response:
    """Flows whose name, payload, comments or filter payloads contain ``query``."""
    needle = required_query(request, "query")
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    like = "LIKE ? ESCAPE '\\'"
    where = (
        f"state != 'deleted' AND (name {like} OR action_payload {like} OR comments {like} "
        f"OR id IN (SELECT stream_id FROM stream_filters WHERE payload {like}))"
    )
    return ok(load_streams(store_of(request), where, (pattern,) * 4))


async def events(request: web.Request) -> web.Response:
    """Monitoring events as ``{total, items}`` (``limit`` + ``page``); reading marks them read."""
    store = store_of(request)
    stream_id = path_id(request)
    get_stream(store, stream_id)
    limit = query_int(request, "limit", 20) or 20
    page = max(query_int(request, "page", 1) or 1, 1)
    total = store.scalar("SELECT COUNT(*) FROM stream_events WHERE stream_id = ?", (stream_id,))
    rows = store.all(
        "SELECT * FROM stream_events WHERE stream_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
        (stream_id, limit, (page - 1) * limit),
    )
    store.execute("UPDATE stream_events SET is_read = 1 WHERE stream_id = ?", (stream_id,))
    items = [
        {
            "id": r["id"],
            "stream_id": r["stream_id"],
            "datetime": r["datetime"],
            "event": r["event"],
            "message": r["message"],
            "is_read": bool(r["is_read"]),
        }
        for r in rows
    ]
    return ok({"total": total, "items": items})


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/streams"
    return [
        web.post(base, create),
        web.get(f"{base}/deleted", deleted),
        web.get(f"{base}/search", search),
        web.get(f"{base}/{_ID}", get),
        web.put(f"{base}/{_ID}", update),
        web.delete(f"{base}/{_ID}", archive),
        web.post(f"{base}/{_ID}/restore", restore),
        web.post(f"{base}/{_ID}/enable", enable),
        web.post(f"{base}/{_ID}/disable", disable),
        web.get(f"{base}/{_ID}/events", events),
    ]
