"""``/__sandbox__/`` endpoints: faults, counters and seeding for out-of-process tests.

They are never counted or faulted themselves. On a loopback host they need no API key (only
this machine can reach them); on any other host (``SandboxConfig.control_needs_key``, set by
``Sandbox`` for such hosts) they need the same key as the API.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .campaign_model import seed_campaign
from .config import CONTROL_BASE
from .errors import BadRequest
from .state import FAULTS, STATS, store_of
from .wire import body_object, ok


async def add_fault(request: web.Request) -> web.Response:
    body = await body_object(request)
    options: dict[str, Any] = {
        k: v for k, v in body.items() if k not in {"mode", "path", "method", "times"}
    }
    mode = body.get("mode")
    if not isinstance(mode, str):
        raise BadRequest("'mode' is required")
    try:
        fault = request.app[FAULTS].add(
            mode,
            path=body.get("path"),
            method=body.get("method"),
            times=body.get("times", 1),
            **options,
        )
    except (ValueError, TypeError) as exc:
        raise BadRequest(str(exc)) from None
    return ok({"ok": True, "fault": fault.describe()})


async def list_faults(request: web.Request) -> web.Response:
    return ok(request.app[FAULTS].describe())


async def clear_faults(request: web.Request) -> web.Response:
    request.app[FAULTS].clear()
    return ok({"ok": True})


async def stats(request: web.Request) -> web.Response:
    return ok(request.app[STATS].snapshot())


async def reset_stats(request: web.Request) -> web.Response:
    request.app[STATS].reset()
    return ok({"ok": True})


async def seed(request: web.Request) -> web.Response:
    body = await body_object(request)
    name = body.get("name") or "Demo campaign"
    return ok(seed_campaign(store_of(request), str(name)))


def routes() -> list[web.RouteDef]:
    return [
        web.post(f"{CONTROL_BASE}/faults", add_fault),
        web.get(f"{CONTROL_BASE}/faults", list_faults),
        web.delete(f"{CONTROL_BASE}/faults", clear_faults),
        web.get(f"{CONTROL_BASE}/stats", stats),
        web.post(f"{CONTROL_BASE}/reset_stats", reset_stats),
        web.post(f"{CONTROL_BASE}/seed_campaign", seed),
    ]
