"""/affiliate_networks: CRUD with archive, clone and restore."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import STR, Errors, Field, read_fields, require
from .config import API_BASE
from .entities import ID, copy_row, fetch, set_state
from .errors import NotFound
from .state import store_of
from .store import Row, Store, now
from .wire import body_object, ok, path_id

TABLE, MODEL = "affiliate_networks", "AffiliateNetwork"

FIELDS: dict[str, Field] = {
    "name": STR,
    "postback_url": STR,
    "offer_param": STR,
    "notes": STR,
    "template_name": STR,
}


def network_out(store: Store, row: Row) -> dict[str, Any]:
    offers = store.scalar(
        "SELECT COUNT(*) FROM offers WHERE affiliate_network_id = ? AND state != 'deleted'",
        (row["id"],),
    )
    return {
        "id": row["id"],
        "name": row["name"],
        "postback_url": row["postback_url"],
        "offer_param": row["offer_param"],
        "state": row["state"],
        "template_name": row["template_name"],
        "notes": row["notes"],
        "pull_api_options": row["pull_api_options"],
        "offers": offers,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _answer(store: Store, ident: int) -> web.Response:
    return ok(network_out(store, fetch(store, TABLE, MODEL, ident)))


async def list_all(request: web.Request) -> web.Response:
    store = store_of(request)
    rows = store.all(f"SELECT * FROM {TABLE} WHERE state != 'deleted' ORDER BY id")
    return ok([network_out(store, r) for r in rows])


async def create(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "name")
    values = read_fields(body, FIELDS, errors)
    errors.raise_if_any()
    ts = now()
    row = {
        "postback_url": "",
        "offer_param": "",
        "notes": "",
        "template_name": "",
        "pull_api_options": "",
        **values,
        "state": "active",
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
    values = read_fields(await body_object(request), FIELDS, errors)
    if "name" in values and not str(values["name"]).strip():
        errors.add("name", "Name is required")
    errors.raise_if_any()
    store.update(TABLE, ident, {**values, "updated_at": now()})
    return _answer(store, ident)


async def archive(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    if fetch(store, TABLE, MODEL, ident)["state"] == "deleted":
        raise NotFound(MODEL, ident)
    set_state(store, TABLE, ident, "deleted")
    return _answer(store, ident)


async def restore(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    if fetch(store, TABLE, MODEL, ident)["state"] == "deleted":
        set_state(store, TABLE, ident, "active")
    return _answer(store, ident)


async def clone(request: web.Request) -> web.Response:
    store = store_of(request)
    source = fetch(store, TABLE, MODEL, path_id(request), listed=True)
    return _answer(store, copy_row(store, TABLE, source, name=f"Copy of {source['name']}"))


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/affiliate_networks"
    return [
        web.get(base, list_all),
        web.post(base, create),
        web.get(f"{base}/{ID}", get),
        web.put(f"{base}/{ID}", update),
        web.delete(f"{base}/{ID}", archive),
        web.post(f"{base}/{ID}/restore", restore),
        web.post(f"{base}/{ID}/clone", clone),
    ]
