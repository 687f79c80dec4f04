"""/landing_pages: CRUD, archive, clone (a PUT, as in the spec) and the file API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .coerce import JSON, OBJ, STR, Errors, Field, enum
from .config import API_BASE
from .crud import Resource
from .entities import ID
from .files import file_routes, folder_name
from .store import Row, Store, dump_json, load_json

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
        "preview_path": f"/lander/{folder}/index.html" if local else _preview(payload),
    }


def _preview(payload: Any) -> str:
    """The page a non-local landing shows: its URL when the payload is one; always text."""
    return payload if isinstance(payload, str) else ""


def _refine(values: dict[str, Any], errors: Errors) -> None:
    if "url" in values:
        values.setdefault("action_payload", values.pop("url"))
    for key in ("action_payload", "action_options"):
        if key in values:
            values[key] = dump_json(values[key] if values[key] is not None else "")


def _defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """A landing is local unless told otherwise; its action follows its type."""
    kind = values.get("landing_type", "local")
    return {
        "landing_type": kind,
        "action_type": "local_file" if kind == "local" else "http",
        "action_payload": '""',
        "action_options": "{}",
        "group_id": None,
        "notes": "",
        "state": "active",
        "archive": "",
    }


def _starter(row: Row) -> list[tuple[str, bytes]]:
    """A new local landing without an archive gets a page that links to the offer."""
    if row["landing_type"] != "local":
        return []
    return [("index.html", _STARTER_PAGE.format(name=row["name"]).encode())]


LANDINGS = Resource(
    TABLE,
    MODEL,
    landing_out,
    FIELDS,
    _refine,
    defaults=_defaults,
    owner=OWNER,
    starter=_starter,
)


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/landing_pages"
    return [
        web.get(base, LANDINGS.listing()),
        web.post(base, LANDINGS.create),
        web.get(f"{base}/{ID}", LANDINGS.get),
        web.put(f"{base}/{ID}", LANDINGS.update),
        web.delete(f"{base}/{ID}", LANDINGS.archive),
        web.put(f"{base}/{ID}/clone", LANDINGS.clone),
        *file_routes(base, OWNER, TABLE, MODEL),
    ]
