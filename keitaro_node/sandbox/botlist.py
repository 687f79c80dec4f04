"""/botlist: the custom bot IP list, exchanged as one newline-joined string."""

from __future__ import annotations

import ipaddress
import re

from aiohttp import web

from .config import API_BASE
from .errors import Invalid
from .state import store_of
from .store import Store
from .wire import body_object, empty, ok


def _valid(token: str) -> bool:
    try:
        if "-" in token:
            low, high = token.split("-", 1)
            ipaddress.ip_address(low.strip())
            ipaddress.ip_address(high.strip())
        elif "/" in token:
            ipaddress.ip_network(token, strict=False)
        else:
            ipaddress.ip_address(token)
    except ValueError:
        return False
    return True


async def _entries(request: web.Request) -> list[str]:
    """IPs, ranges (a-b) and CIDR blocks from ``{"value": "..."}``, newline/comma separated."""
    body = await body_object(request)
    value = body.get("value")
    if not isinstance(value, str):
        raise Invalid.one("value", "Value is required")
    tokens = [t.strip() for t in re.split(r"[\n,\r]+", value) if t.strip()]
    bad = [t for t in tokens if not _valid(t)]
    if bad:
        raise Invalid({"value": [f"'{t}' is not an IP address, range or CIDR block" for t in bad]})
    return list(dict.fromkeys(tokens))


def _count(store: Store) -> web.Response:
    return ok({"count": store.scalar("SELECT COUNT(*) FROM botlist")})


async def get(request: web.Request) -> web.Response:
    rows = store_of(request).all("SELECT ip FROM botlist ORDER BY rowid")
    return ok({"value": "\n".join(r["ip"] for r in rows)})


async def replace(request: web.Request) -> web.Response:
    """Replaces the list; answers the number of entries it now holds."""
    store = store_of(request)
    entries = await _entries(request)
    with store.tx():
        store.execute("DELETE FROM botlist")
        store.executemany("INSERT INTO botlist (ip) VALUES (?)", [(e,) for e in entries])
    return _count(store)


async def add(request: web.Request) -> web.Response:
    store = store_of(request)
    entries = await _entries(request)
    store.executemany("INSERT OR IGNORE INTO botlist (ip) VALUES (?)", [(e,) for e in entries])
    return _count(store)


async def exclude(request: web.Request) -> web.Response:
    store = store_of(request)
    entries = await _entries(request)
    store.executemany("DELETE FROM botlist WHERE ip = ?", [(e,) for e in entries])
    return _count(store)


async def clear(request: web.Request) -> web.Response:
    store_of(request).execute("DELETE FROM botlist")
    return empty()


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/botlist"
    return [
        web.get(base, get),
        web.put(base, replace),
        web.delete(base, clear),
        web.post(f"{base}/add", add),
        web.post(f"{base}/exclude", exclude),
    ]
