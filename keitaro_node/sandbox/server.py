"""Running the sandbox: in the current event loop, in a background thread, or forever."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import errno
import ipaddress
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, TextIO, TypeVar

from aiohttp import web

from .app import create_app
from .campaign_model import seed_campaign
from .config import API_BASE, SandboxConfig
from .dataset import day_bounds
from .demo import Demo, seed_demo
from .faults import FaultPlan
from .state import FAULTS, STATS, STORE

T = TypeVar("T")


class SandboxStartError(RuntimeError):
    """The sandbox could not listen where it was asked to (``host``, ``port``, ``reason``)."""

    def __init__(self, host: str, port: int, reason: str, in_use: bool = False) -> None:
        super().__init__(f"cannot serve the sandbox on {host}:{port}: {reason}")
        self.host = host
        self.port = port
        self.reason = reason
        self.in_use = in_use


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Sandbox:
    """Runs the app on ``host`` (port 0 = pick a free one).

    Use ``async with Sandbox() as sb`` inside a running loop, or ``with Sandbox() as sb``
    (``start_in_thread``) from synchronous code; the thread owns its own event loop.
    """

    def __init__(
        self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        config = config or SandboxConfig()
        # fixed at creation: the dataset, logs and interval presets all count from this day
        pinned: dict[str, Any] = {"today": config.dataset_day()}
        if not is_loopback(host):
            # other machines can reach it: faults and counters are not for anyone to change
            pinned["control_needs_key"] = True
        self.config = dataclasses.replace(config, **pinned)
        self.today = self.config.dataset_day()
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
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            in_use = exc.errno == errno.EADDRINUSE
            reason = "the port is already in use" if in_use else (exc.strerror or str(exc))
            raise SandboxStartError(self.host, self.port, reason, in_use) from None
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

    def seed_demo(self) -> Demo | None:
        """Create the demo entities (campaign, flow, offer, ...) unless campaigns exist."""
        store = self.app[STORE]
        return self._call(lambda: seed_demo(store))

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


def connect_url(host: str, port: int) -> str:
    """The URL a client on this machine uses: a wildcard host is reached over loopback."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def describe_start(sandbox: Sandbox, demo: Demo | None, demo_wanted: bool) -> str:
    """What a person needs after starting a sandbox: where, which key, what is in it."""
    config = sandbox.config
    first, end = day_bounds(sandbox.today)
    start_day = datetime.fromtimestamp(first, UTC).date().isoformat()
    last_day = datetime.fromtimestamp(end - 1, UTC).date().isoformat()
    url = connect_url(sandbox.host, sandbox.port)
    lines = [f"Keitaro sandbox: {url}", f"API key: {sandbox.api_key}"]
    if demo is not None:
        lines.append(f"Demo data: {demo.describe()}")
    elif demo_wanted:
        lines.append("Demo data: not added (the database already holds campaigns)")
    else:
        lines.append("Demo data: none (--empty)")
    if config.dataset_clicks > 0:
        lines.append(
            f"Reports and logs: {config.dataset_clicks} synthetic clicks "
            f"from {start_day} to {last_day} (UTC)"
        )
    lines += [
        "Use it from another shell:",
        f"  export KEITARO_DOMAIN={url}",
        f"  export KEITARO_API_KEY={sandbox.api_key}",
        "Stop it with Ctrl+C.",
    ]
    return "\n".join(lines)


def serve(
    config: SandboxConfig,
    host: str = "127.0.0.1",
    port: int = 8765,
    demo: bool = True,
    out: TextIO | None = None,
) -> None:
    """Serve until interrupted, after printing the URL, the key and how to use them.

    Raises SandboxStartError when it cannot listen (a port in use, a wrong host).
    """
    stream = out or sys.stdout

    async def main() -> None:
        sandbox = Sandbox(config, host, port)
        await sandbox.start()
        seeded = sandbox.seed_demo() if demo else None
        print(describe_start(sandbox, seeded, demo), file=stream, flush=True)
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
