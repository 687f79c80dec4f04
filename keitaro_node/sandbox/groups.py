"""/groups: one list per kind (campaigns, offers, landings, domains)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import INT, STR, Errors, Field, enum, read_fields, require
from .config import API_BASE
from .entities import ID, fetch
from .errors import BadRequest
from .state import store_of
from .store import Row, Store
from .wire import body_object, ok, path_id

TABLE, MODEL = "groups", "Group"
TYPES = ("campaigns", "offers", "landings", "domains")
_MEMBERS = {"campaigns": "campaigns", "offers": "offers", "landings": "landings"}

FIELDS: dict[str, Field] = {"name": STR, "type": enum(*TYPES), "position": INT}


def group_out(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "position": row["position"], "type": row["type"]}


def _check_name(store: Store, name: str, kind: str, errors: Errors, exclude: int = 0) -> None:
    if not name.strip():
        errors.add("name", "Name is required")
    elif (
        store.scalar(
            f"SELECT 1 FROM {TABLE} WHERE name = ? AND type = ? AND id != ?", (name, kind, exclude)
        )
        is not None
    ):
        errors.add("name", "Group with this name already exists")


async def list_all(request: web.Request) -> web.Response:
    """``type`` defaults to campaigns (the spec calls it both required and defaulted)."""
    kind = request.query.get("type") or "campaigns"
    if kind not in TYPES:
        raise BadRequest(f"Unknown group type '{kind}'; expected one of {', '.join(TYPES)}")
    rows = store_of(request).all(
        f"SELECT * FROM {TABLE} WHERE type = ? ORDER BY position, id", (kind,)
    )
    return ok([group_out(r) for r in rows])


async def create(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "name", "type")
    values = read_fields(body, FIELDS, errors)
    if not errors:
        _check_name(store, values["name"], values["type"], errors)
    errors.raise_if_any()
    if "position" not in values:
        top = store.scalar(f"SELECT MAX(position) FROM {TABLE} WHERE type = ?", (values["type"],))
        values["position"] = int(top or 0) + 1
    ident = store.insert(TABLE, values)
    return ok(group_out(fetch(store, TABLE, MODEL, ident)))


async def update(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    current = fetch(store, TABLE, MODEL, ident)
    errors = Errors()
    values = read_fields(await body_object(request), FIELDS, errors)
    if not errors and ("name" in values or "type" in values):
        _check_name(
            store,
            str(values.get("name", current["name"]) or ""),
            str(values.get("type", current["type"])),
            errors,
            ident,
        )
    errors.raise_if_any()
    store.update(TABLE, ident, values)
    return ok(group_out(fetch(store, TABLE, MODEL, ident)))


async def delete(request: web.Request) -> web.Response:
    """Deletes the group (members keep existing, ungrouped) and answers it."""
    store = store_of(request)
    ident = path_id(request)
    row = fetch(store, TABLE, MODEL, ident)
    with store.tx():
        store.execute(f"DELETE FROM {TABLE} WHERE id = ?", (ident,))
        member_table = _MEMBERS.get(row["type"])
        if member_table:
            store.execute(f"UPDATE {member_table} SET group_id = NULL WHERE group_id = ?", (ident,))
    return ok(group_out(row))


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/groups"
    return [
        web.get(base, list_all),
        web.post(base, create),
        web.put(f"{base}/{ID}", update),
        web.delete(f"{base}/{ID}/delete", delete),
    ]
