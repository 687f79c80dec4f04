"""Shared pieces of the transport tests: clients against the sandbox and a recording server."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from keitaro_node.keitaro.client import ApiRequest, ClientSettings, KeitaroClient
from keitaro_node.runtime.errors import NodeApiError
from keitaro_node.sandbox import Sandbox

API = "/admin_api/v1"
STREAMS = API + "/streams"
CAMPAIGNS = API + "/campaigns"
REPORT = API + "/report/build"

# Fast retries so that tests of the policy do not wait for production backoff.
FAST = {"backoff_initial": 0.01, "backoff_max": 0.05, "requests_per_second": 0.0}


@asynccontextmanager
async def client_for(
    tracker: Sandbox, api_key: str | None = None, **settings: Any
) -> AsyncIterator[KeitaroClient]:
    """A KeitaroClient on the sandbox's API with fast backoff unless told otherwise."""
    values = {**FAST, **settings}
    key = tracker.api_key if api_key is None else api_key
    async with KeitaroClient(tracker.api_url, key, ClientSettings(**values)) as client:
        yield client


async def failure(client: KeitaroClient, request: ApiRequest) -> NodeApiError:
    """The NodeApiError that `request` ends with (fails the test if it succeeds)."""
    try:
        response = await client.send(request)
    except NodeApiError as error:
        return error
    raise AssertionError(f"expected a failure, got HTTP {response.status}: {response.data!r}")


def get(path: str, **query: str) -> ApiRequest:
    return ApiRequest("GET", path, query=query or None)


def create_stream(body: dict[str, Any]) -> ApiRequest:
    """A create, as the node sends it: a POST that is not safe to repeat."""
    return ApiRequest("POST", "/streams", body=body, has_body=True, safe_to_repeat=False)


def report(body: dict[str, Any]) -> ApiRequest:
    """A read-only POST, as the node sends report builds: safe to repeat."""
    return ApiRequest("POST", "/report/build", body=body, has_body=True, safe_to_repeat=True)


def update_stream(stream_id: int, body: dict[str, Any]) -> ApiRequest:
    return ApiRequest("PUT", f"/streams/{stream_id}", body=body, has_body=True)


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the CA certificate that signed the server's
    cert: Path  # the server's certificate, for 127.0.0.1 and localhost
    key: Path
    other_ca: Path  # a CA that did not sign it


@dataclass
class Seen:
    """One request as the recording server saw it."""

    at: float
    method: str
    path: str
    headers: dict[str, str]
    peer_port: int


@dataclass
class Recorder:
    """A small HTTP server that records what reaches it: arrival times, headers, peers and
    how many requests were in flight at once. Its routes answer in the ways a tracker, or
    something in front of it, can."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def count(self, path: str | None = None) -> int:
        return sum(1 for s in self.seen if path is None or s.path == path)

    def app(self) -> web.Application:
        @web.middleware
        async def record(request: web.Request, handler: Any) -> web.StreamResponse:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            self.seen.append(
                Seen(
                    asyncio.get_running_loop().time(),
                    request.method,
                    request.path,
                    dict(request.headers),
                    int(peer[1]) if peer else 0,
                )
            )
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                response: web.StreamResponse = await handler(request)
                return response
            finally:
                self.in_flight -= 1

        app = web.Application(middlewares=[record])
        app.router.add_route("*", API + "/echo", self._echo)
        app.router.add_get(API + "/slow", self._slow)
        app.router.add_get(API + "/chunked", self._chunked)
        app.router.add_get(API + "/gzip", self._gzip)
        app.router.add_route("*", API + "/moved", self._moved)
        app.router.add_post(API + "/streams", self._create)
        return app

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"id": len(self.seen), **body})

    async def _echo(self, request: web.Request) -> web.Response:
        return web.json_response({"method": request.method, "query": dict(request.query)})

    async def _slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("ms", "100")) / 1000)
        return web.json_response({"slow": True})

    async def _chunked(self, request: web.Request) -> web.StreamResponse:
        """`size` bytes of a JSON array, streamed without a Content-Length."""
        size = int(request.query.get("size", "100000"))
        response = web.StreamResponse()
        response.content_type = "application/json"
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b"[")
        written = 1
        while written < size - 1:
            piece = b'"' + b"x" * 1000 + b'",'
            await response.write(piece)
            written += len(piece)
        await response.write(b'"end"]')
        await response.write_eof()
        return response

    async def _gzip(self, request: web.Request) -> web.Response:
        """A body that is small on the wire and large once decompressed."""
        size = int(request.query.get("size", "1000000"))
        raw = json.dumps({"rows": "0" * size}).encode()
        return web.Response(
            body=gzip.compress(raw),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )

    async def _moved(self, request: web.Request) -> web.Response:
        return web.Response(
            status=301,
            headers={"Location": "https://tracker.example.com" + API + "/echo"},
            text="Moved",
        )


@asynccontextmanager
async def serving(app: web.Application, **site: Any) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 in this event loop; yields its base URL (no trailing slash)."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0, **site)
    await tcp.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    scheme = "https" if site.get("ssl_context") is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def refused_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class Blackhole:
    """A listening socket whose accept queue is full: new connections hang in the handshake,
    so a client meets its connect timeout before anything is sent."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(0)
        self.port: int = self.server.getsockname()[1]
        self.fillers: list[socket.socket] = []
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with suppress(BlockingIOError):
                filler.connect(("127.0.0.1", self.port))
            self.fillers.append(filler)

    def close(self) -> None:
        for sock in [*self.fillers, self.server]:
            sock.close()
