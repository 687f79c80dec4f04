"""A small HTTP server for the HTTP Request golden cases, on a fixed loopback port.

Real n8n was recorded against it (start it by hand: `python tests/golden/http_request/server.py`)
and tests/test_golden.py starts it again for our runs, so both sides met the same answers.
Everything it says is deterministic: no clock, no randomness (its Date header is fixed).

Routes:

    /echo                any method: what arrived - method, path, query pairs, the x-* headers,
                         content type and accept, and the body as parsed by its content type
    /json/object         {"id": 1, ...}             /json/array   [{...}, {...}]
    /json/scalars        ["a", 1, null]             /json/number  42
    /json/vendor         JSON as application/vnd.api+json (not detected as JSON by n8n)
    /json/broken         "{not json" as application/json
    /text                text/plain                 /html         text/html
    /file.png            image/png bytes            /empty        200, no body
    /status/{code}       that status, JSON {"message": ...}; ?text=1 for plain text
    /redirect/{n}        302 down to /redirect/0, which answers JSON; ?code=301|303|307|308
    /pages/query         ?page=N (1-3 have records, 4 is empty)
    /pages/next          ?cursor=N: {"items": [...], "next": URL or null}
    /pages/status        ?page=N: 200 for 1-2, 404 at 3
    /pages/body          POST {"offset": N}: 3 pages of 2 records, then []
    /pages/same          the same page whatever is asked
    /cookie              sets two cookies
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
from collections.abc import Callable
from typing import Any

from aiohttp import BodyPartReader, web

PORT = 47313
HOST = "127.0.0.1"
BASE = f"http://{HOST}:{PORT}"
FIXED_DATE = "Mon, 01 Jan 2024 00:00:00 GMT"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _json(data: Any, status: int = 200, content_type: str = "application/json") -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(data, separators=(",", ":")).encode(),
        content_type=content_type,
    )


async def _body(request: web.Request) -> Any:
    kind = request.content_type
    if not request.body_exists:
        return None
    if kind == "application/json":
        return {"json": await request.json()}
    if kind == "application/x-www-form-urlencoded":
        raw = (await request.read()).decode()
        from urllib.parse import parse_qsl

        return {"form": [list(p) for p in parse_qsl(raw, keep_blank_values=True)]}
    if kind == "multipart/form-data":
        parts = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            assert isinstance(part, BodyPartReader)
            data = await part.read()
            entry: dict[str, Any] = {"name": part.name}
            if part.filename is not None:
                entry["filename"] = part.filename
                entry["contentType"] = part.headers.get("Content-Type")
                entry["size"] = len(data)
                entry["hex"] = data[:16].hex()
            else:
                entry["value"] = data.decode()
            parts.append(entry)
        return {"multipart": parts}
    raw = await request.read()
    if kind.startswith("text/") or kind in ("application/xml",):
        return {"text": raw.decode()}
    return {"bytes": len(raw), "hex": raw[:16].hex()}


async def echo(request: web.Request) -> web.Response:
    # x-* headers with the case they arrived in (Lowercase Headers shows there)
    headers = {k: v for k, v in request.headers.items() if k.lower().startswith("x-")}
    headers["accept"] = request.headers.get("Accept", "")
    if request.body_exists:
        headers["content-type"] = request.content_type
    return _json(
        {
            "method": request.method,
            "path": request.path,
            "query": [[k, v] for k, v in request.query.items()],
            "headers": dict(sorted(headers.items())),
            "body": await _body(request),
        }
    )


async def status(request: web.Request) -> web.Response:
    code = int(request.match_info["code"])
    if request.query.get("text"):
        return web.Response(status=code, text=f"plain words for {code}")
    return _json({"message": f"the server says {code}", "code": code}, status=code)


async def redirect(request: web.Request) -> web.Response:
    n = int(request.match_info["n"])
    if n <= 0:
        return _json({"redirected": True, "method": request.method})
    code = int(request.query.get("code", "302"))
    query = f"?code={code}" if "code" in request.query else ""
    raise {301: web.HTTPMovedPermanently, 302: web.HTTPFound, 303: web.HTTPSeeOther}.get(
        code, web.HTTPTemporaryRedirect if code == 307 else web.HTTPPermanentRedirect
    )(f"/redirect/{n - 1}{query}")


async def pages_query(request: web.Request) -> web.Response:
    page = int(request.query.get("page", "1"))
    if page > 3:
        return _json([])
    return _json([{"page": page, "n": n} for n in (1, 2)])


async def pages_next(request: web.Request) -> web.Response:
    cursor = int(request.query.get("cursor", "1"))
    following = f"{BASE}/pages/next?cursor={cursor + 1}" if cursor < 3 else None
    return _json({"items": [cursor * 10, cursor * 10 + 1], "next": following})


async def pages_status(request: web.Request) -> web.Response:
    page = int(request.query.get("page", "1"))
    if page >= 3:
        return _json({"message": "no more pages"}, status=404)
    return _json({"page": page})


async def pages_body(request: web.Request) -> web.Response:
    body = await request.json() if request.body_exists else {}
    offset = int(body.get("offset", 0))
    if offset >= 6:
        return _json([])
    return _json([{"at": i} for i in range(offset, offset + 2)])


async def pages_same(request: web.Request) -> web.Response:
    return _json({"always": "the same"})


def _static(make: Callable[[], web.Response]) -> Callable[[web.Request], Any]:
    """A handler that answers a fresh copy of the same response every time."""

    async def handler(_request: web.Request) -> web.Response:
        return make()

    return handler


def make_app() -> web.Application:
    async def on_prepare(_request: web.Request, response: web.StreamResponse) -> None:
        response.headers["Date"] = FIXED_DATE
        response.headers["Server"] = "golden"
        # one connection per request, whatever the client asked: the answers' headers are
        # then the same for every client (n8n's closes its connections, ours keeps them)
        response.headers["Connection"] = "close"
        response.force_close()

    app = web.Application()
    app.on_response_prepare.append(on_prepare)
    r = app.router
    r.add_route("*", "/echo", echo)
    r.add_route("*", "/echo/{tail:.*}", echo)
    r.add_get("/json/object", _static(lambda: _json({"id": 1, "name": "one", "tags": ["a"]})))
    r.add_get("/json/array", _static(lambda: _json([{"id": 1}, {"id": 2}])))
    r.add_get("/json/scalars", _static(lambda: _json(["a", 1, None])))
    r.add_get("/json/number", _static(lambda: _json(42)))
    r.add_get(
        "/json/vendor",
        _static(lambda: _json({"id": 7}, content_type="application/vnd.api+json")),
    )
    r.add_get(
        "/json/broken",
        _static(lambda: web.Response(text="{not json", content_type="application/json")),
    )
    r.add_get("/text", _static(lambda: web.Response(text="plain text here")))
    r.add_get(
        "/html",
        _static(
            lambda: web.Response(text="<html><body>hi</body></html>", content_type="text/html")
        ),
    )
    r.add_get("/file.png", _static(lambda: web.Response(body=PNG, content_type="image/png")))
    r.add_get("/empty", _static(lambda: web.Response(status=200)))
    r.add_route("*", "/status/{code}", status)
    r.add_route("*", "/redirect/{n}", redirect)
    r.add_get("/pages/query", pages_query)
    r.add_get("/pages/next", pages_next)
    r.add_get("/pages/status", pages_status)
    r.add_post("/pages/body", pages_body)
    r.add_get("/pages/same", pages_same)
    r.add_get("/cookie", _cookie)
    return app


async def _cookie(_request: web.Request) -> web.Response:
    response = _json({"cookies": 2})
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    return response


class Running:
    """The server in a thread of its own (for tests); `stop()` ends it."""

    def __init__(self, port: int = PORT) -> None:
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="golden-http", daemon=True)
        self._runner: web.AppRunner | None = None
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the golden HTTP server did not start")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._runner = web.AppRunner(make_app(), access_log=None, handle_signals=False)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, HOST, self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        async def cleanup() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def start() -> Callable[[], None]:
    """Start the server in a thread; returns the function that stops it. When it already
    answers on its port (started by another test module, or by hand), that one is used."""
    if _answering():
        return lambda: None
    return Running().stop


def _answering() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1) as sock:
            sock.sendall(b"GET /json/object HTTP/1.0\r\n\r\n")
            return b'"name":"one"' in sock.recv(4096)
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description="the HTTP Request golden cases' server")
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    web.run_app(make_app(), host=HOST, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
