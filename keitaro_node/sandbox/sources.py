"""/traffic_sources: CRUD and clone; DELETE removes the source for good."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import BOOL, FLOAT, LIST, STR, Errors, Field, enum, read_fields, require
from .config import API_BASE
from .entities import ID, copy_row, fetch
from .state import store_of
from .store import Row, Store, dump_json, load_json, now
from .stream_model import number
from .wire import body_object, empty, ok, path_id

TABLE, MODEL = "traffic_sources", "TrafficSource"
POSTBACK_STATUSES = ("lead", "sale", "rejected", "rebill")

FIELDS: dict[str, Field] = {
    "name": STR,
    "postback_url": STR,
    "postback_statuses": LIST,
    "template_name": STR,
    "accept_parameters": BOOL,
    "parameters": Field("json", nullable=True),
    "notes": STR,
    "state": enum("active", "disabled"),
    "traffic_loss": FLOAT,
    "update_in_campaigns": STR,
}


def source_out(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "postback_url": row["postback_url"],
        "postback_statuses": load_json(row["postback_statuses"], []),
        "template_name": row["template_name"],
        "accept_parameters": bool(row["accept_parameters"]),
        "parameters": load_json(row["parameters"], {}),
        "notes": row["notes"],
        "state": row["state"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "traffic_loss": number(row["traffic_loss"]),
        "update_in_campaigns": row["update_in_campaigns"],
    }


def _values(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    values = read_fields(body, FIELDS, errors)
    statuses = values.get("postback_statuses")
    if statuses is not None and any(s not in POSTBACK_STATUSES for s in statuses):
        errors.add("postback_statuses", "Postback statuses must be lead, sale, rejected, rebill")
    params = values.get("parameters")
    if params is not None and not isinstance(params, dict | list):
        errors.add("parameters", "Parameters must be an object")
    for key in ("postback_statuses", "parameters"):
        if key in values:
            values[key] = dump_json(values[key] or ({} if key == "parameters" else []))
    return values


def _answer(store: Store, ident: int) -> web.Response:
    return ok(source_out(fetch(store, TABLE, MODEL, ident)))


async def list_all(request: web.Request) -> web.Response:
    rows = store_of(request).all(f"SELECT * FROM {TABLE} ORDER BY id")
    return ok([source_out(r) for r in rows])


async def create(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "name")
    values = _values(body, errors)
    errors.raise_if_any()
    ts = now()
    row = {
        "postback_url": "",
        "postback_statuses": "[]",
        "template_name": "",
        "accept_parameters": False,
        "parameters": "{}",
        "notes": "",
        "state": "active",
        "traffic_loss": 0.0,
        "update_in_campaigns": "",
        **values,
        "created_at": ts,
        "updated_at": ts,
    }
    return _answer(store, store.insert(TABLE, row))


async def get(request: web.Request) -> web.Response:
    return _answer(store_of(request), path_id(request))


async def update(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    fetch(store, TABLE, MODEL, ident)
    errors = Errors()
    values = _values(await body_object(request), errors)
    if "name" in values and not str(values["name"]).strip():
        errors.add("name", "Name is required")
    errors.raise_if_any()
    store.update(TABLE, ident, {**values, "updated_at": now()})
    return _answer(store, ident)


async def delete(request: web.Request) -> web.Response:
    """Deletes for good; the spec declares no body, so none is sent."""
    store = store_of(request)
    ident = path_id(request)
    fetch(store, TABLE, MODEL, ident)
    with store.tx():
        store.execute(f"DELETE FROM {TABLE} WHERE id = ?", (ident,))
        store.execute(
            "UPDATE campaigns SET traffic_source_id = NULL WHERE traffic_source_id = ?", (ident,)
        )
    return empty()


async def clone(request: web.Request) -> web.Response:
    store = store_of(request)
    source = fetch(store, TABLE, MODEL, path_id(request))
    return _answer(store, copy_row(store, TABLE, source, name=f"Copy of {source['name']}"))


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/traffic_sources"
    return [
        web.get(base, list_all),
        web.post(base, create),
        web.get(f"{base}/{ID}", get),
        web.put(f"{base}/{ID}", update),
        web.delete(f"{base}/{ID}", delete),
        web.post(f"{base}/{ID}/clone", clone),
    ]
