"""/integrations: AV-scan key, IMKLO URL and Facebook cost integrations."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import BOOL, INT, STR, Errors, Field, read_fields, require
from .config import API_BASE
from .entities import ID, fetch
from .state import store_of
from .store import Row, Store, dump_json, load_json
from .wire import Handler, body_object, ok, path_id, required_query, success

TABLE, MODEL = "facebook_integrations", "FacebookIntegration"
PROXY_PROTOCOLS = ("http", "https", "socks5")

FIELDS: dict[str, Field] = {
    "name": STR,
    "ad_account_id": STR,
    "token": STR,
    "proxy_enabled": BOOL,
}


def _setting_routes(path: str, key: str) -> list[web.RouteDef]:
    async def read(request: web.Request) -> web.Response:
        return ok({key: store_of(request).setting(key)})

    async def write(request: web.Request) -> web.Response:
        """The new value comes as a query parameter, as the spec has it."""
        value = required_query(request, key)
        store_of(request).set_setting(key, value)
        return ok({key: value})

    return [web.get(path, read), web.put(path, write)]


def facebook_out(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "integration": "facebook",
        "name": row["name"],
        "ad_account_id": row["ad_account_id"],
        "token": row["token"],
        "proxy_enabled": bool(row["proxy_enabled"]),
        "proxy": load_json(row["proxy"], {}),
        "last_error": row["last_error"],
        "last_raw_error": row["last_raw_error"],
    }


def _proxy(body: dict[str, Any], errors: Errors) -> str | None:
    if "proxy" not in body:
        return None
    proxy = body["proxy"] or {}
    if not isinstance(proxy, dict):
        errors.add("proxy", "Proxy must be an object")
        return None
    if "protocol" in proxy and proxy["protocol"] not in PROXY_PROTOCOLS:
        errors.add("proxy", "Proxy protocol must be http, https or socks5")
    if "port" in proxy:
        read_fields({"port": proxy["port"]}, {"port": INT}, errors)
    return dump_json(proxy)


def _fetch(store: Store, ident: int) -> Row:
    return fetch(store, TABLE, MODEL, ident)


async def fb_list(request: web.Request) -> web.Response:
    rows = store_of(request).all(f"SELECT * FROM {TABLE} ORDER BY id")
    return ok({"data": [facebook_out(r) for r in rows]})


async def fb_create(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "name", "ad_account_id", "token")
    values = read_fields(body, FIELDS, errors)
    proxy = _proxy(body, errors)
    errors.raise_if_any()
    row = {
        "proxy_enabled": False,
        **values,
        "proxy": proxy or "{}",
        "last_error": "",
        "last_raw_error": "",
    }
    return ok(facebook_out(_fetch(store, store.insert(TABLE, row))))


async def fb_get(request: web.Request) -> web.Response:
    return ok({"data": facebook_out(_fetch(store_of(request), path_id(request)))})


async def fb_update(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    _fetch(store, ident)
    body = await body_object(request)
    errors = Errors()
    values = read_fields(body, FIELDS, errors)
    proxy = _proxy(body, errors)
    errors.raise_if_any()
    if proxy is not None:
        values["proxy"] = proxy
    store.update(TABLE, ident, values)
    return ok({"data": facebook_out(_fetch(store, ident))})


async def fb_delete(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    _fetch(store, ident)
    with store.tx():
        store.execute(f"DELETE FROM {TABLE} WHERE id = ?", (ident,))
        store.execute("DELETE FROM facebook_campaigns WHERE integration_id = ?", (ident,))
    return success()


async def fb_campaigns(request: web.Request) -> web.Response:
    """Bound campaigns as ``[{name, value}]`` options."""
    store = store_of(request)
    ident = path_id(request)
    _fetch(store, ident)
    rows = store.all(
        "SELECT c.name AS name, c.id AS value FROM facebook_campaigns f "
        "JOIN campaigns c ON c.id = f.campaign_id WHERE f.integration_id = ? ORDER BY c.id",
        (ident,),
    )
    return ok(rows)


async def _campaign_id(request: web.Request) -> int:
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "campaign_id")
    values = read_fields(body, {"campaign_id": INT}, errors)
    errors.raise_if_any()
    campaign_id = int(values["campaign_id"])
    fetch(store_of(request), "campaigns", "Campaign", campaign_id)
    return campaign_id


def _binding(sql: str) -> Handler:
    """Bind or unbind: ``sql`` runs with the integration's and the body's campaign's ids."""

    async def handler(request: web.Request) -> web.Response:
        store = store_of(request)
        ident = path_id(request)
        _fetch(store, ident)
        store.execute(sql, (ident, await _campaign_id(request)))
        return success()

    return handler


fb_bind = _binding(
    "INSERT OR IGNORE INTO facebook_campaigns (integration_id, campaign_id) VALUES (?, ?)"
)
fb_unbind = _binding("DELETE FROM facebook_campaigns WHERE integration_id = ? AND campaign_id = ?")


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/integrations"
    fb = f"{base}/facebook"
    return [
        *_setting_routes(f"{base}/avscan", "avscan_key"),
        *_setting_routes(f"{base}/imklo", "imklo_api_url"),
        web.get(fb, fb_list),
        web.post(fb, fb_create),
        web.get(f"{fb}/{ID}", fb_get),
        web.put(f"{fb}/{ID}", fb_update),
        web.delete(f"{fb}/{ID}", fb_delete),
        web.get(f"{fb}/{ID}/campaign", fb_campaigns),
        web.post(f"{fb}/{ID}/campaign", fb_bind),
        web.delete(f"{fb}/{ID}/campaign", fb_unbind),
    ]
