"""Running the sandbox: in the current event loop, in a background thread, or forever."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from .app import create_app
from .campaign_model import seed_campaign
from .config import API_BASE, DEFAULT_API_KEY, SandboxConfig
from .faults import FaultPlan
from .state import FAULTS, STATS, STORE

T = TypeVar("T")


class Sandbox:
    """Runs the app on ``host`` (port 0 = pick a free one).

    Use ``async with Sandbox() as sb`` inside a running loop, or ``with Sandbox() as sb``
    (``start_in_thread``) from synchronous code; the thread owns its own event loop.
    """

    def __init__(
        self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self.port = port
        self.api_key = self.config.api_key
        self.app = create_app(self.config)
        self.faults: FaultPlan = self.app[FAULTS]
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        """Base URL of the tracker; the API lives at ``url + "/admin_api/v1"``."""
        if self._runner is None:
            raise RuntimeError("the sandbox is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + API_BASE

    # ------------------------------------------------------------ in the current loop

    async def start(self) -> None:
        if self._runner is not None:
            return
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        for address in runner.addresses:
            if isinstance(address, tuple) and len(address) >= 2:
                self.port = int(address[1])
                break
        self._runner = runner
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------ in a daemon thread

    def start_in_thread(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        thread = threading.Thread(target=run, name="keitaro-sandbox", daemon=True)
        self._thread = thread
        thread.start()
        ready.wait(60)
        if failure:
            self._thread = None
            raise failure[0]

    def stop_thread(self) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        self._thread = None

    def __enter__(self) -> Sandbox:
        self.start_in_thread()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_thread()

    # ------------------------------------------------------------ conveniences for tests

    def _call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the sandbox's loop thread when it runs in its own thread."""
        loop, thread = self._loop, self._thread
        if thread is None or loop is None or threading.current_thread() is thread:
            return fn()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(60)

    def seed_campaign(self, name: str = "Demo campaign") -> dict[str, Any]:
        """Create a campaign directly in the store and return it as the API would."""
        store = self.app[STORE]
        return self._call(lambda: seed_campaign(store, name))

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """Requests that reached the server (faulted ones included), by method and path."""
        return self.app[STATS].count(method, path)

    def reset_counts(self) -> None:
        self.app[STATS].reset()

    def peak_in_flight(self) -> int:
        """Most API requests handled at once since the last reset_counts()."""
        return self.app[STATS].peak_in_flight

    def stats(self) -> dict[str, Any]:
        return self.app[STATS].snapshot()


def serve(
    port: int,
    db_path: str | None = None,
    api_key: str = DEFAULT_API_KEY,
    host: str = "127.0.0.1",
    dataset_clicks: int = SandboxConfig.dataset_clicks,
    latency_ms: float = 0.0,
    seed: int = SandboxConfig.seed,
) -> None:
    """Serve until interrupted, after printing the URL and key (for humans and scripts)."""
    config = SandboxConfig(
        api_key=api_key,
        db_path=db_path,
        dataset_clicks=dataset_clicks,
        latency_ms=latency_ms,
        seed=seed,
    )

    async def main() -> None:
        sandbox = Sandbox(config, host, port)
        await sandbox.start()
        print(f"Keitaro sandbox: {sandbox.url}", flush=True)
        print(f"API key: {api_key}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await sandbox.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
