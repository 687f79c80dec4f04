"""A minimal stand-in tracker: POST /admin_api/v1/streams answers a canned stream at once.

``python -m bench.standin --port 0 --api-key K --latency-ms X`` prints
``Keitaro stand-in: URL`` and ``API key: KEY`` and serves until SIGTERM. It reads the request
body but does not parse it, and answers a fixed stream with a fresh id, so the server's own
CPU cost stays small and constant: on a machine where client and server share the cores,
the numbers then describe the client. ``--latency-ms`` delays every answer (asyncio.sleep),
as a tracker farther away would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hmac
import itertools
import json
import signal
import time
from collections.abc import Sequence

from aiohttp import web

_STREAM = {
    "id": 0,
    "type": "regular",
    "name": "GB - Flow 1",
    "campaign_id": 1,
    "position": 1,
    "weight": 100,
    "action_options": {},
    "comments": "",
    "state": "active",
    "updated_at": "2026-01-31 12:00:00",
    "action_type": "http",
    "action_payload": "https://offer.example.com/gb?click={subid}",
    "schema": "landings",
    "collect_clicks": True,
    "filter_or": False,
    "filters": [
        {"id": 1, "stream_id": 0, "name": "country", "mode": "accept", "payload": ["GB"], "oid": "1"},
        {"id": 2, "stream_id": 0, "name": "device_type", "mode": "accept", "payload": ["mobile"], "oid": "2"},
        {"id": 3, "stream_id": 0, "name": "bot", "mode": "reject", "payload": None, "oid": "3"},
    ],
    "triggers": [],
    "landings": [],
    "offers": [
        {"id": 1, "stream_id": 0, "offer_id": 1, "state": "active", "share": 60,
         "created_at": "2026-01-31 12:00:00", "updated_at": "2026-01-31 12:00:00"},
        {"id": 2, "stream_id": 0, "offer_id": 6, "state": "active", "share": 40,
         "created_at": "2026-01-31 12:00:00", "updated_at": "2026-01-31 12:00:00"},
    ],
}  # fmt: skip

STREAMS = "/admin_api/v1/streams"


def _template() -> tuple[bytes, bytes]:
    text = json.dumps(_STREAM, separators=(",", ":")).replace('"id":0,', '"id":@@,', 1)
    head, tail = text.encode().split(b"@@")
    return head, tail


def create_app(api_key: str, latency_ms: float) -> web.Application:
    head, tail = _template()
    ids = itertools.count(1)
    delay = latency_ms / 1000
    expected = api_key.encode()
    arrivals: list[float] = []  # when each create came in (GET /__arrivals__ reads them)

    async def create_stream(request: web.Request) -> web.Response:
        arrivals.append(time.monotonic())
        await request.read()
        presented = request.headers.get("Api-Key", "").encode()
        if delay > 0:
            await asyncio.sleep(delay)
        if not hmac.compare_digest(presented, expected):
            return web.Response(
                status=401, body=b'{"error":"Invalid API key"}', content_type="application/json"
            )
        body = head + str(next(ids)).encode() + tail
        return web.Response(body=body, content_type="application/json")

    async def arrival_times(_request: web.Request) -> web.Response:
        return web.json_response({"arrivals": arrivals})

    app = web.Application()
    app.router.add_post(STREAMS, create_stream)
    app.router.add_get("/__arrivals__", arrival_times)
    return app


async def _serve(port: int, api_key: str, latency_ms: float) -> None:
    runner = web.AppRunner(create_app(api_key, latency_ms), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    bound = port
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            bound = int(address[1])
            break
    print(f"Keitaro stand-in: http://127.0.0.1:{bound}", flush=True)
    print(f"API key: {api_key}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.standin", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = any free port)")
    parser.add_argument("--api-key", default="bench-api-key")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay per answer")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.api_key, args.latency_ms))


if __name__ == "__main__":
    main()
