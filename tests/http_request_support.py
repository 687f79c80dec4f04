"""A service for the HTTP Request tests, on 127.0.0.1 in the test's event loop, that records
everything that reaches it; and builders for workflows with an HTTP Request node."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from support import chain, node

HTTP = "n8n-nodes-base.httpRequest"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def http_node(
    parameters: dict[str, Any],
    version: float = 4.2,
    credentials: dict[str, Any] | None = None,
    name: str = "HTTP",
    **settings: Any,
) -> dict[str, Any]:
    out = node(name, HTTP, {"options": {}, **parameters}, **settings)
    out["typeVersion"] = version
    if credentials:
        out["credentials"] = credentials
    return out


def http_workflow(parameters: dict[str, Any], **node_options: Any) -> dict[str, Any]:
    """Manual Trigger -> HTTP Request with these parameters."""
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"), http_node(parameters, **node_options)
    )


@dataclass
class Seen:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Service:
    """Records what reaches it; its routes answer as services do, and misbehave on request."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    digest_user: tuple[str, str] = ("digest-user", "digest-pass-5678")

    def count(self, path: str | None = None, method: str | None = None) -> int:
        return sum(
            1
            for s in self.seen
            if (path is None or s.path == path) and (method is None or s.method == method)
        )

    def last(self, path: str | None = None) -> Seen:
        return [s for s in self.seen if path is None or s.path == path][-1]

    def app(self) -> web.Application:
        @web.middleware
        async def record(request: web.Request, handler: Any) -> web.StreamResponse:
            body = await request.read()
            self.seen.append(
                Seen(
                    request.method,
                    request.path,
                    list(request.query.items()),
                    dict(request.headers),
                    body,
                    asyncio.get_running_loop().time(),
                )
            )
            response: web.StreamResponse = await handler(request)
            return response

        app = web.Application(middlewares=[record])
        r = app.router
        r.add_route("*", "/echo", self._echo)
        r.add_route("*", "/echo/{tail:.*}", self._echo)
        r.add_route("*", "/status/{code}", self._status)
        r.add_route("*", "/redirect", self._redirect)
        r.add_get("/slow", self._slow)
        r.add_get("/big", self._big)
        r.add_get("/file", self._file)
        r.add_get("/named-file", self._named_file)
        r.add_get("/text", self._text)
        r.add_get("/json", self._json)
        r.add_route("*", "/reset", self._reset)
        r.add_get("/digest", self._digest)
        r.add_get("/pages", self._pages)
        r.add_post("/pages", self._pages_body)
        r.add_get("/pages/header", self._pages_header)
        r.add_get("/pages/next", self._pages_next)
        r.add_get("/pages/status", self._pages_status)
        r.add_get("/pages/same", self._pages_same)
        r.add_get("/leak", self._leak)
        return app

    async def _echo(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "method": request.method,
                "path": request.path,
                "query": [[k, v] for k, v in request.query.items()],
                "headers": {k.lower(): v for k, v in request.headers.items()},
                "body": await _body(request),
            }
        )

    async def _status(self, request: web.Request) -> web.Response:
        code = int(request.match_info["code"])
        if "text" in request.query:
            return web.Response(status=code, text=request.query["text"])
        if "html" in request.query:
            return web.Response(
                status=code, text="<html><body>oops</body></html>", content_type="text/html"
            )
        headers = {}
        if "retry_after" in request.query:
            headers["Retry-After"] = request.query["retry_after"]
        return web.json_response(
            {"message": f"the service says {code}"}, status=code, headers=headers
        )

    async def _redirect(self, request: web.Request) -> web.Response:
        code = int(request.query.get("code", "302"))
        return web.Response(status=code, headers={"Location": request.query["to"]})

    async def _slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("ms", "1000")) / 1000)
        return web.json_response({"slow": True})

    async def _big(self, request: web.Request) -> web.StreamResponse:
        size = int(request.query.get("size", "100000"))
        response = web.StreamResponse()
        response.content_type = "text/plain"
        response.enable_chunked_encoding()
        await response.prepare(request)
        written = 0
        while written < size:
            await response.write(b"x" * 65536)
            written += 65536
        await response.write_eof()
        return response

    async def _file(self, request: web.Request) -> web.Response:
        return web.Response(body=PNG, content_type="image/png")

    async def _named_file(self, request: web.Request) -> web.Response:
        return web.Response(
            body=b"a,b\n1,2\n",
            content_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="report.csv"'},
        )

    async def _text(self, request: web.Request) -> web.Response:
        return web.Response(text=request.query.get("text", "some words"))

    async def _json(self, request: web.Request) -> web.Response:
        return web.Response(
            text=request.query.get("body", '{"a": 1}'), content_type="application/json"
        )

    async def _reset(self, request: web.Request) -> web.Response:
        """Reads the whole request, then drops the connection without a word."""
        await request.read()
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)

    async def _digest(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return web.Response(
                status=401,
                headers={
                    "WWW-Authenticate": 'Digest realm="tests", nonce="abc123", qop="auth", '
                    'algorithm=MD5, opaque="xyz"'
                },
            )
        fields = dict(
            (k.strip(), v.strip().strip('"'))
            for k, _, v in (p.partition("=") for p in header[7:].split(","))
        )
        user, password = self.digest_user
        ha1 = hashlib.md5(f"{user}:tests:{password}".encode()).hexdigest()
        ha2 = hashlib.md5(f"GET:{fields.get('uri', '')}".encode()).hexdigest()
        expected = hashlib.md5(
            f"{ha1}:{fields.get('nonce')}:{fields.get('nc')}:{fields.get('cnonce')}:"
            f"{fields.get('qop')}:{ha2}".encode()
        ).hexdigest()
        if fields.get("response") != expected or fields.get("username") != user:
            return web.Response(status=401, text="wrong digest")
        return web.json_response({"digest": "ok"})

    async def _pages(self, request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        last = int(request.query.get("last", "3"))
        if page > last:
            return web.json_response([])
        return web.json_response([{"page": page, "n": n} for n in (1, 2)])

    async def _pages_body(self, request: web.Request) -> web.Response:
        data = await request.json()
        offset = int(data.get("offset", 0))
        if offset >= 4:
            return web.json_response([])
        return web.json_response([{"at": offset}, {"at": offset + 1}])

    async def _pages_header(self, request: web.Request) -> web.Response:
        page = int(request.headers.get("X-Page", "1"))
        return web.json_response({"page": page, "more": page < 3})

    async def _pages_next(self, request: web.Request) -> web.Response:
        cursor = int(request.query.get("cursor", "1"))
        following = f"{self.url}/pages/next?cursor={cursor + 1}" if cursor < 3 else None
        return web.json_response({"items": [cursor], "next": following})

    async def _pages_status(self, request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        if page >= 3:
            return web.json_response({"done": True}, status=410)
        return web.json_response({"page": page})

    async def _pages_same(self, request: web.Request) -> web.Response:
        return web.json_response({"same": True})

    async def _leak(self, request: web.Request) -> web.Response:
        """Echoes every credential it was given, in the body and in a header."""
        given = request.headers.get("Authorization", "") + " " + request.query_string
        given += " " + " ".join(v for k, v in request.headers.items() if k.lower().startswith("x-"))
        return web.json_response({"given": given}, headers={"X-Echo": given.strip()[:200]})


async def _body(request: web.Request) -> Any:
    if not request.body_exists:
        return None
    kind = request.content_type
    if kind == "application/json":
        return {"json": json.loads(await request.read())}
    if kind == "application/x-www-form-urlencoded":
        raw = (await request.read()).decode()
        return {"form": [list(p) for p in parse_qsl(raw, keep_blank_values=True)]}
    if kind == "multipart/form-data":
        return {"multipart": _multipart(request.headers["Content-Type"], await request.read())}
    raw = await request.read()
    if kind.startswith("text/"):
        return {"text": raw.decode(), "contentType": kind}
    return {"bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest(), "contentType": kind}


def _multipart(content_type: str, raw: bytes) -> list[dict[str, Any]]:
    message = BytesParser(policy=policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    parts = []
    for part in message.iter_parts():
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        entry: dict[str, Any] = {"name": part.get_param("name", header="content-disposition")}
        if part.get_filename() is not None:
            entry.update(
                filename=part.get_filename(),
                contentType=part.get_content_type(),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        else:
            entry["value"] = data.decode()
        parts.append(entry)
    return parts


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[str]:
    """Serve `app` on 127.0.0.1 in this event loop; yields its base URL."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running_service() -> AsyncIterator[Service]:
    service = Service()
    async with serving(service.app()) as url:
        service.url = url
        yield service
