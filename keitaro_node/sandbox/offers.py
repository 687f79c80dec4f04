"""/offers: CRUD, archive (DELETE .../archive), clone, restore and the file API."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import (
    BOOL,
    FLOAT,
    INT_N,
    JSON,
    LIST,
    OBJ,
    STR,
    Errors,
    Field,
    enum,
    read_fields,
    require,
)
from .config import API_BASE
from .entities import ID, copy_row, fetch, set_state
from .errors import NotFound
from .files import copy_files, file_routes, folder_name, import_archive
from .state import store_of
from .store import Row, Store, dump_json, load_json, now
from .stream_model import number
from .wire import body_object, ok, path_id

TABLE, MODEL, OWNER = "offers", "Offer", "offer"

FIELDS: dict[str, Field] = {
    "name": STR,
    "group_id": INT_N,
    "offer_type": enum("local", "external", "preloaded", "action"),
    "action_type": STR,
    "action_payload": JSON,
    "action_options": OBJ,
    "affiliate_network_id": INT_N,
    "payout_value": FLOAT,
    "payout_currency": STR,
    "payout_type": enum("CPA", "CPC"),
    "state": enum("active", "disabled", "deleted"),
    "payout_auto": BOOL,
    "payout_upsell": BOOL,
    "country": LIST,
    "notes": STR,
    "archive": STR,
    "conversion_cap_enabled": BOOL,
    "daily_cap": FLOAT,
    "conversion_timezone": STR,
    "alternative_offer_id": INT_N,
}

_DEFAULTS: dict[str, Any] = {
    "offer_type": "external",
    "action_type": "http",
    "action_payload": '""',
    "action_options": "{}",
    "group_id": None,
    "affiliate_network_id": None,
    "payout_value": 0.0,
    "payout_currency": "USD",
    "payout_type": "CPA",
    "payout_auto": False,
    "payout_upsell": False,
    "country": "[]",
    "notes": "",
    "state": "active",
    "archive": "",
    "conversion_cap_enabled": False,
    "daily_cap": 0.0,
    "conversion_timezone": "UTC",
    "alternative_offer_id": None,
}


def offer_out(store: Store, row: Row) -> dict[str, Any]:
    network = store.scalar(
        "SELECT name FROM affiliate_networks WHERE id = ?", (row["affiliate_network_id"] or 0,)
    )
    local = row["offer_type"] == "local"
    folder = folder_name(OWNER, row["id"])
    return {
        "id": row["id"],
        "name": row["name"],
        "group_id": row["group_id"] or 0,
        "offer_type": row["offer_type"],
        "action_type": row["action_type"],
        "action_payload": load_json(row["action_payload"], ""),
        "action_options": load_json(row["action_options"], {}),
        "affiliate_network_id": row["affiliate_network_id"] or 0,
        "affiliate_network": network or "",
        "payout_value": number(row["payout_value"]),
        "payout_currency": row["payout_currency"],
        "payout_type": row["payout_type"],
        "payout_auto": bool(row["payout_auto"]),
        "payout_upsell": bool(row["payout_upsell"]),
        "state": row["state"],
        "country": load_json(row["country"], []),
        "notes": row["notes"],
        "archive": row["archive"],
        "local_path": f"lander/{folder}" if local else "",
        "preview_path": f"/lander/{folder}/index.html" if local else "",
        "conversion_cap_enabled": bool(row["conversion_cap_enabled"]),
        "daily_cap": number(row["daily_cap"]),
        "conversion_timezone": row["conversion_timezone"],
        "alternative_offer_id": row["alternative_offer_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _values(body: dict[str, Any], errors: Errors) -> dict[str, Any]:
    values = read_fields(body, FIELDS, errors)
    country = values.get("country")
    if country is not None and not all(isinstance(c, str) for c in country):
        errors.add("country", "Country must be an array of strings")
    for key in ("action_payload", "action_options", "country"):
        if key in values:
            value = values[key]
            values[key] = dump_json(value if value is not None else [] if key == "country" else "")
    return values


async def list_all(request: web.Request) -> web.Response:
    store = store_of(request)
    rows = store.all(f"SELECT * FROM {TABLE} WHERE state != 'deleted' ORDER BY id")
    return ok([offer_out(store, r) for r in rows])


async def deleted(request: web.Request) -> web.Response:
    store = store_of(request)
    rows = store.all(f"SELECT * FROM {TABLE} WHERE state = 'deleted' ORDER BY id")
    return ok([offer_out(store, r) for r in rows])


async def create(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "name")
    values = _values(body, errors)
    errors.raise_if_any()
    archive = values.pop("archive", "")
    ts = now()
    with store.tx():
        ident = store.insert(TABLE, {**_DEFAULTS, **values, "created_at": ts, "updated_at": ts})
        if archive:
            import_archive(store, OWNER, ident, archive)
    return ok(offer_out(store, fetch(store, TABLE, MODEL, ident)))


async def get(request: web.Request) -> web.Response:
    store = store_of(request)
    return ok(offer_out(store, fetch(store, TABLE, MODEL, path_id(request))))


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
    return ok(offer_out(store, fetch(store, TABLE, MODEL, ident)))


async def archive(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    if fetch(store, TABLE, MODEL, ident)["state"] == "deleted":
        raise NotFound(MODEL, ident)
    set_state(store, TABLE, ident, "deleted")
    return ok(offer_out(store, fetch(store, TABLE, MODEL, ident)))


async def restore(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    if fetch(store, TABLE, MODEL, ident)["state"] == "deleted":
        set_state(store, TABLE, ident, "active")
    return ok(offer_out(store, fetch(store, TABLE, MODEL, ident)))


async def clone(request: web.Request) -> web.Response:
    """Answers the clone as an Offer object, the spec's shape."""
    store = store_of(request)
    source = fetch(store, TABLE, MODEL, path_id(request), listed=True)
    with store.tx():
        ident = copy_row(store, TABLE, source, name=f"Copy of {source['name']}")
        copy_files(store, OWNER, source["id"], ident)
    return ok(offer_out(store, fetch(store, TABLE, MODEL, ident)))


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/offers"
    return [
        web.get(base, list_all),
        web.post(base, create),
        web.get(f"{base}/deleted", deleted),
        web.get(f"{base}/{ID}", get),
        web.put(f"{base}/{ID}", update),
        web.delete(f"{base}/{ID}/archive", archive),
        web.post(f"{base}/{ID}/restore", restore),
        web.post(f"{base}/{ID}/clone", clone),
        *file_routes(base, OWNER, TABLE, MODEL),
    ]
