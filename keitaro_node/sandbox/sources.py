"""/traffic_sources: CRUD and clone; DELETE removes the source for good."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import BOOL, FLOAT, LIST, STR, Errors, Field, enum
from .config import API_BASE
from .crud import Resource
from .entities import ID
from .state import store_of
from .store import Row, dump_json, load_json
from .stream_model import number
from .wire import empty, path_id

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


def _refine(values: dict[str, Any], errors: Errors) -> None:
    statuses = values.get("postback_statuses")
    if statuses is not None and any(s not in POSTBACK_STATUSES for s in statuses):
        errors.add("postback_statuses", "Postback statuses must be lead, sale, rejected, rebill")
    params = values.get("parameters")
    if params is not None and not isinstance(params, dict | list):
        errors.add("parameters", "Parameters must be an object")
    for key in ("postback_statuses", "parameters"):
        if key in values:
            values[key] = dump_json(values[key] or ({} if key == "parameters" else []))


SOURCES = Resource(
    TABLE,
    MODEL,
    lambda _store, row: source_out(row),
    FIELDS,
    _refine,
    defaults={
        "postback_url": "",
        "postback_statuses": "[]",
        "template_name": "",
        "accept_parameters": False,
        "parameters": "{}",
        "notes": "",
        "state": "active",
        "traffic_loss": 0.0,
        "update_in_campaigns": "",
    },
    archives=False,
)


async def delete(request: web.Request) -> web.Response:
    """Deletes for good; the spec declares no body, so none is sent."""
    store = store_of(request)
    ident = path_id(request)
    SOURCES.row(store, ident)
    with store.tx():
        store.execute(f"DELETE FROM {TABLE} WHERE id = ?", (ident,))
        store.execute(
            "UPDATE campaigns SET traffic_source_id = NULL WHERE traffic_source_id = ?", (ident,)
        )
    return empty()


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/traffic_sources"
    return [
        web.get(base, SOURCES.listing()),
        web.post(base, SOURCES.create),
        web.get(f"{base}/{ID}", SOURCES.get),
        web.put(f"{base}/{ID}", SOURCES.update),
        web.delete(f"{base}/{ID}", delete),
        web.post(f"{base}/{ID}/clone", SOURCES.clone),
    ]
