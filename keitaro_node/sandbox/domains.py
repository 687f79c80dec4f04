"""/domains: bulk-style create (answers an array), check, archive and restore."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .coerce import BOOL, INT_N, STR, Errors, Field, enum, read_fields, require
from .config import API_BASE
from .crud import Resource
from .entities import ID
from .state import store_of
from .store import Row, Store, now
from .wire import body_object, ok, path_id

TABLE, MODEL = "domains", "Domain"
_NAME = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")

FIELDS: dict[str, Field] = {
    "name": STR,
    "is_ssl": BOOL,
    "default_campaign_id": INT_N,
    "state": enum("active", "deleted"),
    "wildcard": BOOL,
    "catch_not_found": BOOL,
    "notes": STR,
    "ssl_redirect": BOOL,
    "allow_indexing": BOOL,
}


def domain_out(store: Store, row: Row) -> dict[str, Any]:
    campaigns = store.scalar(
        "SELECT COUNT(*) FROM campaigns WHERE domain_id = ? AND state != 'deleted'", (row["id"],)
    )
    return {
        "id": row["id"],
        "name": row["name"],
        "is_ssl": bool(row["is_ssl"]),
        "network_status": row["network_status"],
        "default_campaign": row["default_campaign_id"] or 0,
        "default_campaign_id": row["default_campaign_id"] or 0,
        "state": row["state"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "wildcard": bool(row["wildcard"]),
        "catch_not_found": bool(row["catch_not_found"]),
        "notes": row["notes"],
        "campaigns_count": campaigns,
        "ssl_redirect": bool(row["ssl_redirect"]),
        "allow_indexing": bool(row["allow_indexing"]),
    }


def _names(raw: str, store: Store, errors: Errors, exclude: int = 0) -> list[str]:
    """Domain names from one string (several may be given, one per line or comma)."""
    names = [n.strip().lower() for n in re.split(r"[\n,]+", raw) if n.strip()]
    if not names:
        errors.add("name", "Name is required")
    for name in names:
        if not _NAME.match(name):
            errors.add("name", f"Domain '{name}' is invalid")
        elif (
            store.scalar(f"SELECT 1 FROM {TABLE} WHERE name = ? AND id != ?", (name, exclude))
            is not None
        ):
            errors.add("name", f"Domain '{name}' already exists")
    if len(set(names)) != len(names):
        errors.add("name", "Domain names repeat")
    return names


def _rename(store: Store, ident: int, values: dict[str, Any], errors: Errors) -> None:
    """A domain is renamed to one valid, unused name."""
    if "name" in values and "name" not in errors.fields:
        names = _names(values["name"] or "", store, errors, ident)
        if len(names) > 1:
            errors.add("name", "Only one domain name can be set")
        values["name"] = names[0] if names else ""


# Archiving answers 201 with the Domain, as the spec declares for this one.
DOMAINS = Resource(TABLE, MODEL, domain_out, FIELDS, check=_rename, archive_status=201)


async def create(request: web.Request) -> web.Response:
    """Answers an array of the created domains (the spec's bulk shape)."""
    store = store_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "name")
    values = read_fields(body, FIELDS, errors)
    names = (
        _names(values.pop("name", "") or "", store, errors) if "name" not in errors.fields else []
    )
    errors.raise_if_any()
    ts = now()
    ids = []
    with store.tx():
        for name in names:
            row = {
                "is_ssl": False,
                "network_status": "pending",
                "default_campaign_id": None,
                "state": "active",
                "wildcard": name.startswith("*."),
                "catch_not_found": False,
                "notes": "",
                "ssl_redirect": False,
                "allow_indexing": True,
                **values,
                "name": name,
                "created_at": ts,
                "updated_at": ts,
            }
            ids.append(store.insert(TABLE, row))
    return ok([DOMAINS.shown(store, i) for i in ids])


async def check(request: web.Request) -> web.Response:
    """Re-check DNS: in the sandbox every domain resolves to the tracker."""
    store = store_of(request)
    ident = path_id(request)
    DOMAINS.row(store, ident)
    store.update(TABLE, ident, {"network_status": "active", "updated_at": now()})
    return DOMAINS.answer(store, ident)


async def server_ips(request: web.Request) -> web.Response:
    """IPs domains should point at: the address this request arrived on."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    address = sockname[0] if isinstance(sockname, tuple) and sockname else "127.0.0.1"
    return ok([str(address)])


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/domains"
    return [
        web.get(base, DOMAINS.listing()),
        web.post(base, create),
        web.get(f"{base}/deleted", DOMAINS.listing(archived=True)),
        web.get(f"{base}/ip", server_ips),
        web.get(f"{base}/{ID}", DOMAINS.get),
        web.put(f"{base}/{ID}", DOMAINS.update),
        web.delete(f"{base}/{ID}", DOMAINS.archive),
        web.post(f"{base}/{ID}/restore", DOMAINS.restore),
        web.post(f"{base}/{ID}/check", check),
    ]
