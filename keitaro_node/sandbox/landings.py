"""/landing_pages: CRUD, archive, clone (a PUT, as in the spec) and the file API."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import JSON, OBJ, STR, Errors, Field, enum, read_fields, require
from .config import API_BASE
from .entities import ID, copy_row, fetch, set_state
from .errors import NotFound
from .files import copy_files, file_routes, folder_name, import_archive, put_file
from .state import store_of
from .store import Row, Store, dump_json, load_json, now
from .wire import body_object, ok, path_id

TABLE, MODEL, OWNER = "landings", "Landing", "landing"

FIELDS: dict[str, Field] = {
    "name": STR,
    "landing_type": enum("local", "external", "preloaded", "action"),
    "action_type": enum("local_file", "http", "curl", "status404", "show_text", "show_html"),
    "action_payload": JSON,
    "action_options": OBJ,
    "group_id": Field("int", nullable=True),
    "state": enum("active", "disabled", "deleted"),
    "url": STR,
    "notes": STR,
    "archive": STR,
}

_STARTER_PAGE = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{name}</title></head>
<body><h1>{name}</h1><a href="{{offer}}">Continue</a></body>
</html>
"""


def landing_out(store: Store, row: Row) -> dict[str, Any]:
    local = row["landing_type"] == "local"
    folder = folder_name(OWNER, row["id"])
    offers = store.scalar(
        "SELECT COUNT(DISTINCT so.offer_id) FROM stream_landings sl "
        "JOIN stream_offers so ON so.stream_id = sl.stream_id WHERE sl.landing_id = ?",
        (row["id"],),
    )
    payload = load_json(row["action_payload"], "")
    return {
        "id": row["id"],
        "landing_type": row["landing_type"],
        "action_type": row["action_type"],
        "action_payload": payload,
        "action_options": load_json(row["action_options"], {}),
        "name": row["name"],
        "group_id": row["group_id"] or 0,
        "offer_count": offers,
        "notes": row["notes"],
        "state": row["state"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "archive": row["archive"],
        "local_path": f"lander/{folder}" if local else "",
        "preview_path": f"/lander/{folder}/index.html" if local else (payload or ""),
    }


def _values(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    values = read_fields(body, FIELDS, errors)
    if "url" in values:
        values.setdefault("action_payload", values["url"])
    values.pop("url", None)
    for key in ("action_payload", "action_options"):
        if key in values:
            values[key] = dump_json(values[key] if values[key] is not None else "")
    return values


async def list_all(request: web.Request) -> web.Response:
    store = store_of(request)
    rows = store.all(f"SELECT * FROM {TABLE} WHERE state != 'deleted' ORDER BY id")
    return ok([landing_out(store, r) for r in rows])


async def create(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "name")
    values = _values(body, errors)
    errors.raise_if_any()
    archive = values.pop("archive", "")
    ts = now()
    kind = values.get("landing_type", "local")
    row = {
        "landing_type": kind,
        "action_type": "local_file" if kind == "local" else "http",
        "action_payload": '""',
        "action_options": "{}",
        "group_id": None,
        "notes": "",
        "state": "active",
        "archive": "",
        **values,
        "created_at": ts,
        "updated_at": ts,
    }
    with store.tx():
        ident = store.insert(TABLE, row)
        if archive:
            import_archive(store, OWNER, ident, archive)
        elif kind == "local":
            page = _STARTER_PAGE.format(name=row["name"]).encode()
            put_file(store, OWNER, ident, "index.html", page)
    return ok(landing_out(store, fetch(store, TABLE, MODEL, ident)))


async def get(request: web.Request) -> web.Response:
    store = store_of(request)
    return ok(landing_out(store, fetch(store, TABLE, MODEL, path_id(request))))


async def update(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    fetch(store, TABLE, MODEL, ident)
    body = await body_object(request)
    errors = Errors()
    values = _values(body, errors)
    if "name" in values and not str(values["name"]).strip():
        errors.add("name", "Name is required")
    errors.raise_if_any()
    archive = values.pop("archive", "")
    values["updated_at"] = now()
    with store.tx():
        store.update(TABLE, ident, values)
        if archive:
            import_archive(store, OWNER, ident, archive)
    return ok(landing_out(store, fetch(store, TABLE, MODEL, ident)))


async def archive(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    if fetch(store, TABLE, MODEL, ident)["state"] == "deleted":
        raise NotFound(MODEL, ident)
    set_state(store, TABLE, ident, "deleted")
    return ok(landing_out(store, fetch(store, TABLE, MODEL, ident)))


async def clone(request: web.Request) -> web.Response:
    store = store_of(request)
    source = fetch(store, TABLE, MODEL, path_id(request), listed=True)
    with store.tx():
        ident = copy_row(store, TABLE, source, name=f"Copy of {source['name']}")
        copy_files(store, OWNER, source["id"], ident)
    return ok(landing_out(store, fetch(store, TABLE, MODEL, ident)))


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/landing_pages"
    return [
        web.get(base, list_all),
        web.post(base, create),
        web.get(f"{base}/{ID}", get),
        web.put(f"{base}/{ID}", update),
        web.delete(f"{base}/{ID}", archive),
        web.put(f"{base}/{ID}/clone", clone),
        *file_routes(base, OWNER, TABLE, MODEL),
    ]
