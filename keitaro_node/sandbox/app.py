"""The aiohttp application: routing, authentication and error shapes.

Two middlewares wrap every handler. ``edge`` (outermost) counts API requests, adds the
configured latency and applies injected faults. ``api`` checks the key, turns router misses
into the tracker's 400 "does not match any route", and maps exceptions to error bodies.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiohttp import web

from . import (
    botlist,
    campaigns,
    catalogues,
    clicklog,
    control,
    costs,
    domains,
    faults,
    groups,
    integrations,
    landings,
    logs,
    networks,
    offers,
    reports,
    sources,
    streams,
    users,
)
from .config import API_BASE, CONTROL_BASE, SandboxConfig
from .dataset import Dataset
from .errors import ApiError, Invalid
from .faults import FaultPlan
from .pages import ADMIN_PAGE
from .state import CONFIG, DATASET, FAULTS, STATS, STORE
from .stats import RequestStats
from .store import Store
from .wire import Handler, error, ok

log = logging.getLogger("keitaro_node.sandbox")

_CONTROL_PREFIX = CONTROL_BASE + "/"
_API_PREFIX = "/admin_api/"


@web.middleware
async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    if path.startswith(_CONTROL_PREFIX):
        return await handler(request)
    app = request.app
    stats = app[STATS]
    stats.hit(request.method, path)
    try:
        latency = app[CONFIG].latency_ms
        if latency > 0:
            await asyncio.sleep(latency / 1000)
        fault = app[FAULTS].take(request.method, path)
        if fault is None:
            return await handler(request)
        return await faults.apply(fault, request, handler)
    finally:
        stats.done()


def _presented_key(request: web.Request) -> str | None:
    key = request.headers.get("Api-Key")
    if key is not None:
        return key
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return None


def _key_matches(request: web.Request, expected: str) -> bool:
    key = _presented_key(request)
    return key is not None and hmac.compare_digest(key.encode(), expected.encode())


def _route_miss(request: web.Request) -> web.Response:
    path = request.path
    if path.startswith(API_BASE + "/"):
        path = path[len(API_BASE) :]
    return error(400, f"URL '{request.method} {path}' does not match any route")


@web.middleware
async def api(request: web.Request, handler: Handler) -> web.StreamResponse:
    path = request.path
    missed = request.match_info.http_exception is not None
    config = request.app[CONFIG]
    if path.startswith(_CONTROL_PREFIX):
        if config.control_needs_key and not _key_matches(request, config.api_key):
            return error(401, "Invalid API key (sandbox control endpoints need it on this host)")
        if missed:
            return error(404, f"No sandbox control endpoint {request.method} {path}")
        return await _guarded(request, handler)
    if not path.startswith(_API_PREFIX):
        # Outside the API a tracker serves its admin panel: a 200 HTML page.
        return web.Response(text=ADMIN_PAGE, content_type="text/html")
    if not _key_matches(request, config.api_key):
        return error(401, "Invalid API key")
    if missed:
        return _route_miss(request)
    return await _guarded(request, handler)


async def _guarded(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error(exc.status, exc.message)
    except Invalid as exc:
        return ok(exc.fields, request.app[CONFIG].validation_status)
    except web.HTTPException:
        raise
    except Exception as exc:
        log.exception("sandbox handler failed: %s %s", request.method, request.path)
        return ok({"error": f"Internal error: {type(exc).__name__}", "stacktrace": None}, 500)


ROUTE_MODULES = (
    control,
    campaigns,
    costs,
    streams,
    catalogues,
    landings,
    offers,
    networks,
    sources,
    domains,
    groups,
    users,
    reports,
    clicklog,
    botlist,
    logs,
    integrations,
)


def create_app(config: SandboxConfig | None = None) -> web.Application:
    """A fresh sandbox application with its own store, fault plan and counters."""
    config = config or SandboxConfig()
    if config.validation_status not in (406, 422):
        raise ValueError("validation_status must be 406 or 422")
    app = web.Application(middlewares=[edge, api], client_max_size=64 * 1024 * 1024)
    app[CONFIG] = config
    store = Store(config.db_path)
    today = config.dataset_day()
    users.ensure_admin(store)
    logs.seed_logs(store, config.seed, today, config.log_lines)
    app[STORE] = store
    app[DATASET] = Dataset(store, config.seed, config.dataset_clicks, today)
    app[FAULTS] = FaultPlan()
    app[STATS] = RequestStats()
    for module in ROUTE_MODULES:
        app.router.add_routes(module.routes())

    async def close_store(app: web.Application) -> None:
        app[STORE].close()

    app.on_cleanup.append(close_store)
    return app
