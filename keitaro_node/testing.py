"""`Sandbox`: the built-in Keitaro sandbox for your own tests, as `moto` is for AWS.

    with keitaro_node.Sandbox() as sb:            # in a thread of its own, for sync code
        keitaro_node.run_workflow_sync(workflow, items, credentials=sb.credentials)

    async with keitaro_node.Sandbox() as sb:      # in the running event loop
        stream = await sb.keitaro.stream.create(stream_data={...})
        assert sb.request_count("POST", "/streams") == 1

A thin wrapper over keitaro_node.sandbox.Sandbox: it starts the emulator on a free loopback
port and hands out what a test needs (URL, key, credentials, a client, request counters).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from keitaro_node.client.keitaro import Keitaro
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.sandbox import API_BASE, FaultPlan, SandboxConfig
from keitaro_node.sandbox import Sandbox as _Emulator


class Sandbox:
    """A sandbox tracker on 127.0.0.1 (a free port), started by `with` or `async with`.

    `api_key` and `latency_ms` are the usual settings; `config` takes any other
    SandboxConfig (the synthetic dataset's size and seed, a database file, ...).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        latency_ms: float | None = None,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        config = config or SandboxConfig()
        if api_key is not None:
            config.api_key = api_key
        if latency_ms is not None:
            config.latency_ms = latency_ms
        self.emulator = _Emulator(config, host, port)
        self._keitaro: Keitaro | None = None

    def __repr__(self) -> str:
        try:
            where = self.emulator.url
        except RuntimeError:
            where = "not running"
        return f"<keitaro_node.Sandbox {where}>"

    # ------------------------------------------------------------ start and stop

    def __enter__(self) -> Sandbox:
        self.emulator.start_in_thread()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.emulator.stop_thread()

    async def __aenter__(self) -> Sandbox:
        await self.emulator.start()
        try:
            self._keitaro = await self.client().__aenter__()
        except BaseException:
            await self.emulator.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        keitaro, self._keitaro = self._keitaro, None
        try:
            if keitaro is not None:
                await keitaro.__aexit__(exc_type, exc, tb)
        finally:
            await self.emulator.stop()

    # ------------------------------------------------------------ how to reach it

    @property
    def url(self) -> str:
        """The tracker's URL (what goes in the credentials' domain)."""
        return self.emulator.url

    @property
    def api_url(self) -> str:
        return self.emulator.api_url

    @property
    def api_key(self) -> str:
        return self.emulator.api_key

    @property
    def credentials(self) -> dict[str, Any]:
        """Credentials as a workflow run takes them: `{"keitaroApi": {domain, apiKey}}`."""
        return {"keitaroApi": {"domain": self.url, "apiKey": self.api_key}}

    def credential_store(self) -> CredentialStore:
        """The same credentials as a store that ignores the environment."""
        return CredentialStore(self.credentials, environ={})

    def client(self, **settings: Any) -> Keitaro:
        """A new client for this sandbox (not open yet: `async with sb.client() as kt:`).

        `settings` are the Keitaro client's keyword arguments (requests_per_second, ...).
        """
        return Keitaro(self.url, self.api_key, **settings)

    @property
    def keitaro(self) -> Keitaro:
        """The open client of `async with Sandbox() as sb` (sync users: `sb.client()`)."""
        if self._keitaro is None:
            raise RuntimeError(
                "sb.keitaro exists inside 'async with Sandbox() as sb'; with a thread-run "
                "sandbox open a client in your event loop: 'async with sb.client() as kt:'"
            )
        return self._keitaro

    # ------------------------------------------------------------ what happened there

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """API requests that reached the sandbox, by method and path (`/streams` or the full
        `/admin_api/v1/streams`); faulted ones included."""
        if path is not None and not path.startswith(API_BASE):
            path = API_BASE + path
        return self.emulator.request_count(method, path)

    @property
    def requests(self) -> int:
        """All API requests since the start or the last reset_counts()."""
        return self.emulator.request_count()

    def reset_counts(self) -> None:
        self.emulator.reset_counts()

    def stats(self) -> dict[str, Any]:
        return self.emulator.stats()

    @property
    def faults(self) -> FaultPlan:
        """Failures to inject (see keitaro_node/sandbox/README.md): 503s, resets, latency."""
        return self.emulator.faults

    def seed_campaign(self, name: str = "Demo campaign") -> dict[str, Any]:
        """A campaign created directly in the sandbox's store, as the API would answer it."""
        return self.emulator.seed_campaign(name)
