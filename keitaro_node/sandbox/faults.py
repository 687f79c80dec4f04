"""Injected failures: what a client meets between itself and a real tracker.

A ``FaultPlan`` holds rules (method, path glob, mode, remaining times). The edge middleware
asks it for a rule on every API request and, when one matches, answers with the failure
instead of (or after) the normal handler. Rules may be added from other threads.

What each mode puts on the wire:

* ``latency`` (``ms``, default 1000): waits, then answers normally.
* ``status`` (``status`` default 500, ``retry_after``, ``body`` or ``text``): that status with
  ``{"error": ...}`` (or the given JSON/text) and an optional ``Retry-After`` header.
* ``reset`` (``after_handler``, default false): reads the request, optionally lets the
  handler run (the write happens), then aborts the TCP connection: no response at all.
* ``truncated`` (``after_handler`` default true, ``full_length`` default true): the handler's
  JSON cut in half. With ``full_length`` the full Content-Length is declared and the
  connection closed early (the client sees an incomplete payload); without it the half
  body is a complete response (the client sees malformed JSON).
* ``html``: 200 with the admin panel's HTML page (what a wrong base URL returns).
* ``cloudflare``: 403 Cloudflare "Error 1010" page with ``Server: cloudflare`` and ``CF-RAY``.
* ``plain_404`` (``text``): 404 text/plain ``Traffic\\Model\\<Model> #<id> not found``.
"""

from __future__ import annotations

import asyncio
import fnmatch
import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .pages import ADMIN_PAGE, cloudflare_page
from .wire import Handler

MODES = ("latency", "status", "reset", "truncated", "html", "cloudflare", "plain_404")

_MODELS = {
    "campaigns": "Campaign",
    "streams": "Stream",
    "landing_pages": "Landing",
    "offers": "Offer",
    "affiliate_networks": "AffiliateNetwork",
    "traffic_sources": "TrafficSource",
    "domains": "Domain",
    "groups": "Group",
    "users": "User",
}


@dataclass
class Fault:
    """One rule. ``times`` counts down on each use; -1 means forever."""

    mode: str
    path: str | None = None
    method: str | None = None
    times: int = 1
    options: dict[str, Any] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        if self.path is None:
            return True
        if "*" in self.path or "?" in self.path or "[" in self.path:
            return fnmatch.fnmatchcase(path, self.path)
        return path == self.path

    def describe(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "path": self.path,
            "method": self.method,
            "times": self.times,
            **self.options,
        }


class FaultPlan:
    """Thread-safe list of fault rules, first match wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        mode: str,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
        **options: Any,
    ) -> Fault:
        """Register a rule; raises ValueError on an unknown mode or bad options."""
        if mode not in MODES:
            raise ValueError(f"unknown fault mode {mode!r}; expected one of {', '.join(MODES)}")
        if not isinstance(times, int) or isinstance(times, bool) or times == 0 or times < -1:
            raise ValueError("times must be a positive integer or -1 (forever)")
        _check_options(mode, options)
        fault = Fault(mode, path, method.upper() if method else None, times, dict(options))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching rule, with one use consumed."""
        with self._lock:
            for i, fault in enumerate(self._faults):
                if fault.matches(method, path):
                    if fault.times > 0:
                        fault.times -= 1
                        if fault.times == 0:
                            del self._faults[i]
                    return fault
        return None

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.describe() for f in self._faults]


def _check_options(mode: str, options: dict[str, Any]) -> None:
    if mode == "latency":
        ms = options.get("ms", 1000)
        if isinstance(ms, bool) or not isinstance(ms, int | float) or ms < 0:
            raise ValueError("latency fault needs a non-negative number 'ms'")
    elif mode == "status":
        status = options.get("status", 500)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError("status fault needs an HTTP status code 'status'")
        retry = options.get("retry_after")
        if retry is not None and (isinstance(retry, bool) or not isinstance(retry, int | float)):
            raise ValueError("'retry_after' must be a number of seconds")
        if "text" in options and not isinstance(options["text"], str):
            raise ValueError("'text' must be a string")


def not_found_text(path: str) -> str:
    """Plain-text 404 in the recent tracker's wording, guessed from the request path."""
    parts = [p for p in path.split("/") if p]
    model, ident = "Campaign", "1001"
    for i, part in enumerate(parts):
        if part in _MODELS:
            model = _MODELS[part]
            if i + 1 < len(parts) and parts[i + 1].isdigit():
                ident = parts[i + 1]
            break
    return f"Traffic\\Model\\{model} #{ident} not found"


def _abort(request: web.Request) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


async def apply(fault: Fault, request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer ``request`` the way ``fault`` says."""
    opts = fault.options
    if fault.mode == "latency":
        await asyncio.sleep(float(opts.get("ms", 1000)) / 1000)
        return await handler(request)
    if fault.mode == "status":
        return _status_response(opts)
    if fault.mode == "reset":
        await request.read()
        if opts.get("after_handler", False):
            await _run_quietly(request, handler)
        _abort(request)
        # Nothing reaches the client: writing to the aborted transport fails quietly.
        return web.Response(status=500)
    if fault.mode == "truncated":
        return await _truncated(request, handler, opts)
    if fault.mode == "html":
        return web.Response(text=ADMIN_PAGE, content_type="text/html")
    if fault.mode == "cloudflare":
        ray = f"{secrets.token_hex(8)}-FRA"
        host = request.host.split(":")[0]
        return web.Response(
            status=403,
            text=cloudflare_page(ray, host),
            content_type="text/html",
            headers={"Server": "cloudflare", "CF-RAY": ray},
        )
    # plain_404
    text = opts.get("text") or not_found_text(request.path)
    return web.Response(status=404, text=str(text), content_type="text/plain")


def _status_response(opts: dict[str, Any]) -> web.Response:
    status = int(opts.get("status", 500))
    headers: dict[str, str] = {}
    retry = opts.get("retry_after")
    if retry is not None:
        headers["Retry-After"] = str(int(retry)) if float(retry).is_integer() else str(retry)
    if "text" in opts:
        return web.Response(
            status=status, text=str(opts["text"]), content_type="text/plain", headers=headers
        )
    body = opts.get("body", {"error": _reason(status)})
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        headers=headers,
    )


def _reason(status: int) -> str:
    reasons = {
        429: "Too many requests",
        500: "Internal server error",
        502: "Bad gateway",
        503: "Service temporarily unavailable",
        504: "Gateway timeout",
    }
    return reasons.get(status, f"HTTP {status}")


async def _run_quietly(request: web.Request, handler: Handler) -> web.StreamResponse | None:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        return exc
    except Exception:
        return None


_CANNED = b'{"rows":[{"campaign_id":1,"clicks":100},{"campaign_id":2,"clicks":50}],"total":2}'


async def _truncated(
    request: web.Request, handler: Handler, opts: dict[str, Any]
) -> web.StreamResponse:
    """Half of a JSON body.

    With ``full_length`` (default) the full Content-Length is declared and the connection
    is closed after half of it, so the client sees an incomplete payload. Without it the
    half body is a complete HTTP response, so the client sees malformed JSON.
    """
    full = _CANNED
    if opts.get("after_handler", True):
        response = await _run_quietly(request, handler)
        body = getattr(response, "body", None)
        if isinstance(body, bytes) and len(body) >= 8:
            full = body
    else:
        await request.read()
    cut = full[: len(full) // 2]
    if not opts.get("full_length", True):
        return web.Response(body=cut, content_type="application/json")
    response = web.StreamResponse(status=200)
    response.content_type = "application/json"
    response.content_length = len(full)
    response.force_close()
    await response.prepare(request)
    await response.write(cut)
    transport = request.transport
    if transport is not None:
        transport.close()
    return response
