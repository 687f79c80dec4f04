"""Time to the first request: from starting `keitaro-node run` to its first request arriving.

A stand-in tracker (bench/standin.py's app) runs in a thread of this process and notes when
the first request arrives; the command runs as a fresh process on a one-item input. Both
times come from the same monotonic clock, so the figure is what a person waits before the
job starts working: interpreter start, imports, loading the workflow and the node, opening
the session.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from .servers import API_KEY, ROOT
from .standin import create_app
from .startup import _env, cli_path


class _Arrivals:
    """A stand-in tracker in a thread that records when each request arrives."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._serve, name="first-request", daemon=True)

    def __enter__(self) -> _Arrivals:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the stand-in did not start")
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        @web.middleware
        async def note(request: web.Request, handler: Any) -> web.StreamResponse:
            if self.first is None:
                self.first = time.monotonic()
            response: web.StreamResponse = await handler(request)
            return response

        app = create_app(API_KEY, 0.0)
        app.middlewares.append(note)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
        self.url = f"http://127.0.0.1:{port}"
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await runner.cleanup()


WORKFLOW = ROOT / "workflows" / "create_stream.json"


def time_to_first_request(runs: int) -> dict[str, Any]:
    """Median, min and max seconds from spawning `keitaro-node run` to its first request."""
    times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        items = Path(folder) / "one.json"
        items.write_text(json.dumps([{"campaign_id": 1, "name": "first"}]))
        argv = [cli_path(), "run", str(WORKFLOW), "--input", str(items), "--format", "summary"]
        for attempt in range(runs + 1):  # the first run warms the file caches
            with _Arrivals() as server:
                env = {**_env(), "KEITARO_DOMAIN": server.url, "KEITARO_API_KEY": API_KEY}
                started = time.monotonic()
                subprocess.run(argv, capture_output=True, env=env, cwd=ROOT, check=True)
                if server.first is None:
                    raise RuntimeError("keitaro-node run sent no request")
                if attempt:
                    times.append(server.first - started)
    return {
        "command": "keitaro-node run (to the first request)",
        "runs": runs,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
    }
