"""`Keitaro`: every operation of the Keitaro node as a method, for one-off calls from Python.

    async with Keitaro("tracker.example.com", api_key) as kt:
        stream = await kt.stream.create(stream_data={...})

The methods (keitaro_node/client/generated.py) are generated from node_manifest.yaml. Each
call goes the way a workflow item goes through the node: the manifest's parameter checks,
the RequestBuilder (ids, body schemas, stream checks, the confirmation of destructive
operations), the node's transport (one session per `async with`, limits, retries that never
double a write) and its errors (NodeOperationError before sending, NodeApiError after), with
the key masked everywhere. Only the n8n item around the answer is left out: a call returns
the tracker's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import Any

from keitaro_node.keitaro.client import ApiRequest, ApiResponse, KeitaroClient
from keitaro_node.keitaro.connection import client_settings, normalize_base_url
from keitaro_node.keitaro.node import Sender
from keitaro_node.keitaro.outputs import Envelopes
from keitaro_node.keitaro.plugin import KEITARO_NODE
from keitaro_node.keitaro.resources import data_file
from keitaro_node.runtime.credentials import CredentialStore, CredentialValues
from keitaro_node.runtime.description import CredentialType, Parameter, load_credential_type
from keitaro_node.runtime.errors import NodeApiError, NodeError, NodeOperationError
from keitaro_node.runtime.items import BinaryData
from keitaro_node.runtime.parameters import ParameterValueError, coerce

from .generated import KeitaroResources
from .pages import Pages, Send
from .spec import Effect, OperationSpec, operation_spec

log = logging.getLogger("keitaro_node.client")

CREDENTIAL_TYPE = "keitaroApi"

CredentialsSource = CredentialStore | Mapping[str, Any] | str | os.PathLike[str] | None


@cache
def credential_type() -> CredentialType:
    return load_credential_type(data_file("credentials/keitaro_api.yaml"))


@cache
def _options_parameter() -> Parameter:
    for parameter in KEITARO_NODE.description.properties:
        if parameter.name == "options":
            return parameter
    raise LookupError("the Keitaro node has no options")  # pragma: no cover - manifest bug


def credential_store(source: CredentialsSource) -> CredentialStore:
    """A CredentialStore from a store, a mapping, a file path, or None (the environment)."""
    if isinstance(source, CredentialStore):
        return source
    if source is None:
        return CredentialStore()
    if isinstance(source, (str, os.PathLike)):
        return CredentialStore.from_file(Path(source))
    return CredentialStore(dict(source))


@dataclass(frozen=True)
class PreparedRequest:
    """The request an operation would send, with the key masked (what a dry run shows)."""

    resource: str
    operation: str
    effect: Effect
    method: str
    url: str
    headers: dict[str, str]
    body: Any = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "resource": self.resource,
            "operation": self.operation,
            "effect": self.effect,
            "method": self.method,
            "url": self.url,
            "headers": self.headers,
        }
        if self.body is not None:
            data["body"] = self.body
        if self.warnings:
            data["warnings"] = self.warnings
        return data


class Keitaro(KeitaroResources):
    """A client for one tracker. Use it as `async with Keitaro(domain, api_key) as kt:`.

    Every resource is an attribute (`kt.stream`, `kt.report`, ...) whose methods are the
    manifest's operations with snake_case parameters; `kt.call("stream", "create", ...)` is
    the same by name. Limits default to the node's (4 requests in flight, 25 per second);
    `strict_checks=False` sends stream mistakes trackers accept silently and logs them.
    """

    def __init__(
        self,
        domain: str,
        api_key: str,
        *,
        allow_unauthorized_certs: bool = False,
        ca_bundle: str | None = None,
        concurrency: int | None = None,
        requests_per_second: float | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        max_attempts: int | None = None,
        max_retry_time: float | None = None,
        max_response_size_mb: float | None = None,
        strict_checks: bool = True,
        page_size: int = 1000,
    ) -> None:
        credentials = CredentialValues(
            credential_type(),
            {
                "domain": domain,
                "apiKey": api_key,
                "allowUnauthorizedCerts": allow_unauthorized_certs,
                "caBundle": ca_bundle,
            },
        )
        given = {
            "concurrency": concurrency,
            "requestsPerSecond": requests_per_second,
            "timeout": timeout,
            "connectTimeout": connect_timeout,
            "maxAttempts": max_attempts,
            "maxRetryTime": max_retry_time,
            "maxResponseSize": max_response_size_mb,
            "pageSize": page_size,
        }
        try:
            options = coerce(
                _options_parameter(), {k: v for k, v in given.items() if v is not None}
            )
        except ParameterValueError as exc:
            raise NodeOperationError(str(exc)) from None
        self._credentials = credentials
        self._settings = client_settings(credentials, options)
        self._base_url = normalize_base_url(domain)
        self._auth = credentials.auth_headers()
        self._strict = strict_checks
        self._page_size = int(options.get("pageSize") or 1000)
        self._client: KeitaroClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        super().__init__(self)

    @classmethod
    def from_credentials(
        cls, credentials: CredentialsSource = None, name: str | None = None, **settings: Any
    ) -> Keitaro:
        """A client from a credentials file, mapping or store (None: KEITARO_DOMAIN and
        KEITARO_API_KEY); `name` picks one of several named credentials in it."""
        values = credential_store(credentials).get(credential_type(), name)
        for field_name, setting in (("timeout", "timeout"), ("connectTimeout", "connect_timeout")):
            value = values.get(field_name)
            if value not in (None, "") and setting not in settings:
                settings[setting] = value
        return cls(
            str(values.get("domain") or ""),
            values.reveal("apiKey"),
            allow_unauthorized_certs=bool(values.get("allowUnauthorizedCerts")),
            ca_bundle=values.get("caBundle") or None,
            **settings,
        )

    def __repr__(self) -> str:
        return f"Keitaro({self._base_url!r}, api_key=***)"

    @property
    def base_url(self) -> str:
        """The Admin API's base URL, `https://tracker.example.com/admin_api/v1`."""
        return self._base_url

    def _new_client(self) -> KeitaroClient:
        return KeitaroClient(
            self._base_url, self._credentials.reveal("apiKey"), self._settings, self._auth
        )

    async def __aenter__(self) -> Keitaro:
        if self._client is not None:
            raise RuntimeError("this Keitaro client is already open")
        client = self._new_client()
        await client.__aenter__()
        self._client = client
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for task in list(self._tasks):  # pages still being fetched for a reader that left
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        client, self._client = self._client, None
        if client is not None:
            await client.__aexit__(exc_type, exc, tb)

    def _open(self) -> KeitaroClient:
        if self._client is None:
            raise RuntimeError(
                "the Keitaro client is not open: use it as 'async with Keitaro(...) as kt:'"
            )
        return self._client

    # ------------------------------------------------------------ calls by name

    async def call(self, resource: str, operation: str, /, **params: Any) -> Any:
        """Run an operation by name (manifest or snake_case names); paged ones are collected."""
        spec = operation_spec(resource, operation)
        if spec.kind == "pages":
            return await self._pages(spec.resource, spec.name, params)
        if spec.kind == "download":
            return await self._download(spec.resource, spec.name, params)
        return await self._json(spec.resource, spec.name, params)

    def pages(self, resource: str, operation: str, /, **params: Any) -> Pages:
        """A paged operation by name, to await or to iterate (see Pages)."""
        spec = operation_spec(resource, operation)
        if spec.kind != "pages":
            raise NodeOperationError(f"{spec.title} does not page; use call()")
        return self._pages(spec.resource, spec.name, params)

    def prepare(self, resource: str, operation: str, /, **params: Any) -> PreparedRequest:
        """Check the parameters and build the request without sending it (a dry run).

        Raises NodeOperationError where sending would (bad ids, bodies, a destructive
        operation without confirm); the client need not be open.
        """
        spec = operation_spec(resource, operation)
        warnings: list[str] = []
        _params, request = spec.build(params, self._strict, warnings)
        client = self._client or self._new_client()
        shown = Envelopes(spec.operation, client).envelope(request, True, None)["request"]
        return PreparedRequest(
            resource=spec.resource,
            operation=spec.name,
            effect=spec.effect,
            method=request.method,
            url=shown["url"],
            headers=dict(shown["headers"]),
            body=request.body if request.has_body else None,
            warnings=warnings,
        )

    # ------------------------------------------------------------ what generated methods use

    def _build(
        self, spec: OperationSpec, values: Mapping[str, Any]
    ) -> tuple[dict[str, Any], ApiRequest]:
        warnings: list[str] = []
        params, request = spec.build(values, self._strict, warnings)
        for warning in warnings:
            log.warning("%s: sent despite: %s", spec.title, warning)
        return params, request

    def _sender(self, spec: OperationSpec, params: dict[str, Any]) -> Send:
        client = self._open()
        if spec.routing.handler is None:
            return client.send
        send = Sender(client, spec.routing, params, 0)  # the report dialect fallback
        return send

    async def _json(self, resource: str, operation: str, values: dict[str, Any]) -> Any:
        spec = operation_spec(resource, operation)
        params, request = self._build(spec, values)
        send = self._sender(spec, params)
        try:
            response = await send(request)
        except NodeError as exc:
            raise exc.with_context(node_name=spec.title) from None
        return response.data

    def _pages(self, resource: str, operation: str, values: dict[str, Any]) -> Pages:
        spec = operation_spec(resource, operation)
        params, request = self._build(spec, values)
        return Pages(
            spec,
            params,
            request,
            self._page_size,
            lambda: _named(self._sender(spec, params), spec.title),
            self._tasks,
        )

    async def _download(self, resource: str, operation: str, values: dict[str, Any]) -> BinaryData:
        spec = operation_spec(resource, operation)
        _params, request = self._build(spec, values)
        client = self._open()
        response: ApiResponse = await client.send(request)
        if not isinstance(response.data, bytes):
            raise NodeApiError(
                "the tracker answered with JSON where a file was expected",
                http_code=response.status,
                description=client.mask(str(response.data)[:200]),
                retryable=False,
                node_name=spec.title,
            )
        item = Envelopes(spec.operation, client).binary_item(request, response, 0, "data")
        assert item.binary is not None
        return item.binary["data"]


def _named(send: Send, title: str) -> Send:
    """`send` whose errors name the operation."""

    async def named(request: ApiRequest) -> ApiResponse:
        try:
            return await send(request)
        except NodeError as exc:
            raise exc.with_context(node_name=title) from None

    return named
