"""The workflow server's life: load and check the folder, listen, fire schedules, reload, and
stop gracefully (no new requests, running executions finish within a bound, then exit).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import signal
from pathlib import Path

from aiohttp import web

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.plugins import PluginHost

from .app import ServerState, make_app
from .config import ServeConfig
from .executions import Executions, Secrets
from .logs import EventLog
from .registry import load_folder


class StartError(Exception):
    """The server cannot start as configured; the message says what to change."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WorkflowServer:
    def __init__(
        self,
        config: ServeConfig,
        host: PluginHost | None = None,
        credentials: CredentialStore | None = None,
        log: EventLog | None = None,
    ) -> None:
        if host is None:
            from keitaro_node.app import plugin_host

            host = plugin_host()
        self.config = config
        self.host = host
        self.credentials = credentials or CredentialStore()
        self.log = log or EventLog()
        self.state: ServerState | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._reloader: asyncio.Task[None] | None = None
        self.port: int | None = None

    @property
    def url(self) -> str:
        host = self.config.host
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    async def start(self) -> None:
        config = self.config
        if not config.token and not is_loopback(config.host):
            raise StartError(
                f"--host {config.host} lets other machines reach the server: give an API token "
                "(--token or KEITARO_NODE_SERVE_TOKEN) or keep the default 127.0.0.1"
            )
        if not config.folder.is_dir():
            raise StartError(f"no such folder: {config.folder}")
        loaded = load_folder(config.folder, self.host)
        if loaded.problems and not config.skip_broken:
            raise StartError(
                "these workflow files cannot be served (fix them, or pass --skip-broken to "
                "serve the others):\n  " + "\n  ".join(loaded.problems)
            )
        for problem in loaded.problems:
            self.log.write("workflow.skipped", problem=problem)
        output_dir = config.output_dir or Path.cwd()
        executions = Executions(
            self.host,
            self.credentials,
            {"outputDir": str(output_dir), "allowOutputOutside": False},
            config.concurrency,
            self.log,
            Secrets.gather(self.host, self.credentials, config.token),
        )
        state = ServerState(config, self.host, self.credentials, executions, self.log)
        state.serve(loaded.workflows)
        self.state = state
        self._runner = web.AppRunner(
            make_app(state), handle_signals=False, access_log=None, shutdown_timeout=5.0
        )
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, config.host, config.port)
        try:
            await self._site.start()
        except OSError as exc:
            await self._runner.cleanup()
            raise StartError(
                f"cannot listen on {config.host}:{config.port}: {exc.strerror}"
            ) from None
        self.port = self._site.port
        state.scheduler.start(list(loaded.workflows.values()))
        if config.reload:
            self._reloader = asyncio.get_running_loop().create_task(self._watch())
        self.log.write(
            "listening",
            url=self.url,
            folder=str(config.folder),
            workflows=sorted(loaded.workflows),
            token=bool(config.token),
        )

    async def stop(self) -> int:
        """Stop gracefully; 0 when every running execution finished, 1 when some were cut."""
        state = self.state
        if state is None or self._runner is None:
            return 0
        state.stopping = True
        state.executions.stop_accepting()
        if self._reloader is not None:
            self._reloader.cancel()
        await state.scheduler.stop()
        if self._site is not None:
            await self._site.stop()  # no new connections
        running = state.executions.active
        self.log.write("stopping", running=running, wait_s=self.config.shutdown_timeout)
        cancelled = await state.executions.drain(self.config.shutdown_timeout)
        await self._runner.cleanup()  # answers of finished runs go out; idle connections close
        self.log.write("stopped", finished=running - cancelled, cancelled=cancelled)
        self.state = None
        return 0 if cancelled == 0 else 1

    async def serve_until_signal(self) -> int:
        await self.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not POSIX
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        return await self.stop()

    # --- reload ---------------------------------------------------------------------------

    def _fingerprint(self) -> dict[str, tuple[float, int]]:
        out: dict[str, tuple[float, int]] = {}
        for path in self.config.folder.glob("*.json"):
            try:
                info = path.stat()
            except OSError:
                continue
            out[path.name] = (info.st_mtime, info.st_size)
        return out

    async def _watch(self) -> None:
        seen = self._fingerprint()
        while True:
            await asyncio.sleep(self.config.reload_interval)
            now = self._fingerprint()
            if now != seen:
                seen = now
                await self.reload()

    async def reload(self) -> bool:
        """Load the folder again; keep serving the old set when a file is broken."""
        state = self.state
        if state is None:
            return False
        loaded = load_folder(self.config.folder, self.host)
        if loaded.problems and not self.config.skip_broken:
            self.log.write("reload.refused", problems=loaded.problems, kept=sorted(state.workflows))
            return False
        for problem in loaded.problems:
            self.log.write("workflow.skipped", problem=problem)
        await state.scheduler.stop()
        state.serve(loaded.workflows)
        state.scheduler.start(list(loaded.workflows.values()))
        self.log.write("reloaded", workflows=sorted(loaded.workflows))
        return True


def token_from_env(given: str | None) -> str | None:
    return given or os.environ.get("KEITARO_NODE_SERVE_TOKEN") or None
