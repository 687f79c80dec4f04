"""HTTP Request (`n8n-nodes-base.httpRequest`, versions 3, 4, 4.1 and 4.2) on the runtime's
transport.

Each input item becomes one request (or one series of pages) and its answer becomes output
items as n8n makes them (http_request_response.py). The request is built as n8n builds it
(http_request_build.py); it is sent through the transport every node of this project shares:
one session per run, bounded concurrency and rate, an explicit timeout, a cap on one answer,
credentials never carried to another host on a redirect, and secrets masked in every text and
output. A request whose fate is unknown after a failure (the connection broke after a POST
was sent) is never sent again, by Retry On Fail either.

Versions 1 and 2 read their parameters in another format and are refused when the node runs,
before anything is sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from functools import cache, cached_property
from typing import Any

import aiohttp

from ..description import CredentialType, NodeDescription, parse_node_description
from ..errors import NodeApiError, NodeError, NodeOperationError
from ..http.auth import RequestAuth, request_auth
from ..http.dry_run import is_dry_run, shown_request
from ..http.encoding import FilePart, query_pairs, with_query
from ..http.retry import IDEMPOTENT_METHODS, Outcome
from ..http.secrets import SecretMask
from ..http.settings import MB, HttpSettings
from ..http.stats import run_stats
from ..http.transport import Redirects, SendOptions, Transport, Wording
from ..items import Item, PairedItem
from ..node import ExecutionContext, ItemsFailed, NodeType
from ..parameters import ParameterResolver
from ..scope import SCOPE_NAMES
from .http_request_build import Prepared, build_request
from .http_request_description import GENERIC_TYPES, VERSIONS, description_data
from .http_request_errors import reworded, status_error
from .http_request_pagination import Pagination, fetch_pages
from .http_request_response import ResponseOptions, items_of

log = logging.getLogger("keitaro_node.runtime.nodes.http_request")

DEFAULT_TIMEOUT_MS = 300_000  # n8n's when the Timeout option is not set
HTTP_WORDING = Wording()
_OAUTH = ("oAuth1Api", "oAuth2Api")


@cache
def _description(version: float) -> NodeDescription:
    return parse_node_description(description_data(version), source="HTTP Request description")


class HttpRequest(NodeType):
    """n8n's HTTP Request node."""

    type_names = ("n8n-nodes-base.httpRequest", "httpRequest")

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Never: each item is its own request (or paged series); batching only paces them."""
        return False

    @cached_property
    def description(self) -> NodeDescription:
        return _description(VERSIONS[-1])

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        version = _version(ctx.type_version)
        if not items:
            return [[]]
        raw = _raw_parameters(ctx)
        given = raw.get("options")
        options_raw: dict[str, Any] = given if isinstance(given, dict) else {}
        pagination = Pagination.read(options_raw.get("pagination"))
        plain = {**raw, "options": {k: v for k, v in options_raw.items() if k != "pagination"}}
        resolver = ParameterResolver(
            _description(version), plain, SCOPE_NAMES, node_name=ctx.node_name, type_version=version
        )
        run = _Run(ctx, items, resolver, version, pagination)
        return [await run.all()]


def _version(value: float) -> float:
    if value in VERSIONS:
        return value
    listed = ", ".join(f"{v:g}" for v in VERSIONS)
    old = value < 3
    raise NodeOperationError(
        f"typeVersion {value:g} of n8n-nodes-base.httpRequest is not supported (this node "
        f"implements {listed})",
        description=(
            "versions 1 and 2 keep their parameters in another format: replace the node with a "
            "new HTTP Request node in n8n and export the workflow again"
            if old
            else "export the workflow from an n8n that saves one of these versions"
        ),
    )


def _raw_parameters(ctx: ExecutionContext) -> dict[str, Any]:
    """The node's parameters as the workflow file has them (pagination needs them unevaluated)."""
    raw = ctx.scope_factory(0).get("$parameter") if callable(ctx.scope_factory) else None
    if not isinstance(raw, Mapping):
        raise NodeOperationError("the HTTP Request node cannot read its parameters")
    return dict(raw)


class _Many(Item):
    """Several output items for one input item (a JSON array, pages), until they are laid out."""

    __slots__ = ("items",)

    def __init__(self, items: list[Item]) -> None:
        super().__init__()
        self.items = items


class _Run:
    """One execution of the node: its transport, its credential, its items."""

    def __init__(
        self,
        ctx: ExecutionContext,
        items: list[Item],
        resolver: ParameterResolver,
        version: float,
        pagination: Pagination | None,
    ) -> None:
        self.ctx = ctx
        self.items = items
        self.resolver = resolver
        self.version = version
        self.pagination = pagination
        self.auth: RequestAuth | None = None
        self.mask = SecretMask()

    def _options(self) -> dict[str, Any]:
        """The options of the first item: what shapes the session (limits, TLS, batching)."""
        static = self.resolver.static_value("options")
        if isinstance(static, dict):
            return static
        try:
            options = self.resolver.resolve(0, self.ctx.scope_factory).get("options")
        except NodeError:
            return {}
        return options if isinstance(options, dict) else {}

    def _settings(self, options: dict[str, Any]) -> HttpSettings:
        timeout_ms = _number(options.get("timeout"), "Timeout") or DEFAULT_TIMEOUT_MS
        batch = _batching(options)
        concurrency = _number(options.get("concurrency"), "Concurrency")
        rate = _number(options.get("requestsPerSecond"), "Requests per Second")
        size = _number(options.get("maxResponseSize"), "Max Response Size (MB)")
        defaults = HttpSettings()
        return HttpSettings(
            concurrency=int(concurrency or (min(batch[0], 100) if batch else defaults.concurrency)),
            requests_per_second=(
                rate if rate is not None else (0.0 if batch else defaults.requests_per_second)
            ),
            timeout=timeout_ms / 1000,
            connect_timeout=min(defaults.connect_timeout, timeout_ms / 1000),
            max_attempts=1,  # retries are the node's Retry On Fail, as in n8n
            verify_tls=options.get("allowUnauthorizedCerts") is not True,
            max_response_bytes=int(size * MB) if size else defaults.max_response_bytes,
        )

    def _authenticate(self) -> None:
        authentication = self.resolver.static_value("authentication") or "none"
        if self.resolver.static_value("provideSslCertificates") is True:
            raise NodeOperationError(
                "SSL client certificates (the SSL Certificates setting) are not supported here",
                description="turn the setting off, or reach the service without a client "
                "certificate",
            )
        if authentication == "none":
            return
        ctx = self.ctx
        if authentication == "genericCredentialType":
            name = str(self.resolver.static_value("genericAuthType") or "")
            if name in _OAUTH:
                raise NodeOperationError(
                    f"{name} credentials are not supported by this HTTP Request node",
                    description="use Header Auth or Bearer Auth with a token you obtained",
                )
            if name not in GENERIC_TYPES:
                listed = ", ".join(GENERIC_TYPES)
                raise NodeOperationError(
                    f"unknown generic credential type {name!r}", description=f"use one of {listed}"
                )
        else:
            name = str(self.resolver.static_value("nodeCredentialType") or "")
            if name in _OAUTH or name.lower().endswith(("oauth2api", "oauth1api")):
                raise NodeOperationError(
                    f"{name} is an OAuth credential type; OAuth is not supported by this HTTP "
                    "Request node",
                    description="use Header Auth or Bearer Auth with a token you obtained",
                )
        credential_type: CredentialType | None = ctx.credential_types.get(name)
        if credential_type is None:
            installed = ", ".join(sorted(ctx.credential_types)) or "none"
            raise NodeOperationError(
                f"the credential type {name!r} is not installed here",
                description=f"installed credential types: {installed}; a generic credential "
                "type (Header Auth, Bearer Auth, Query Auth, Basic Auth) reaches most services",
            )
        values = ctx.credentials_store.get(credential_type, ctx.credential_refs.get(name))
        self.auth = request_auth(values)
        self.mask = self.auth.mask

    async def all(self) -> list[Item]:
        ctx = self.ctx
        options = self._options()
        self._authenticate()
        settings = self._settings(options)
        if is_dry_run(ctx.options):
            return await self._dry_run(settings)
        batch = _batching(options)
        transport = Transport(
            settings,
            headers={"User-Agent": settings.user_agent},
            mask=self.mask,
            wording=HTTP_WORDING,
            status_error=self._status_error,
            logger=log,
            stats=run_stats(ctx.options),
        )
        started: dict[str, float] = {}

        async def handle(index: int, item: Item) -> Item:
            params = self.resolver.resolve(index, ctx.scope_factory)
            item_options: dict[str, Any] = params.get("options") or {}
            response = ResponseOptions.read(item_options, params.get("contentType") == "raw")
            request = build_request(params, item, index, self.version, self.auth, response.accept)
            send = self._sender(transport, request, item_options, response, index)
            if batch:  # batch k starts k intervals after the first request
                size, interval = batch
                now = asyncio.get_running_loop().time()
                first = started.setdefault("at", now)
                wait = first + (index // size) * interval / 1000 - now
                if wait > 0:
                    await asyncio.sleep(wait)
            try:
                if self.pagination is None:
                    outcomes = [await send(request)]
                else:
                    outcomes = await fetch_pages(
                        send,
                        request,
                        self.pagination,
                        ctx.scope_factory(index),
                        response,
                        self.version,
                        lambda outcome: self._page_error(outcome, request.method),
                        self._public(request),
                    )
            except NodeError as error:
                raise reworded(error) from None
            out: list[Item] = []
            for outcome in outcomes:
                out += items_of(outcome, response, item, index, self.mask, request.url)
            return _Many(out)

        async with transport:
            try:
                results = await ctx.map_items(self.items, handle, concurrency=settings.concurrency)
            except ItemsFailed as failed:
                raise ItemsFailed(failed.error, _laid_out(failed.completed)) from None
        return _laid_out(results)

    async def _dry_run(self, settings: HttpSettings) -> list[Item]:
        """Each item's request (the first page's, when paging) built and shown, not sent."""
        ctx = self.ctx

        def handle(index: int, item: Item) -> Item:
            params = self.resolver.resolve(index, ctx.scope_factory)
            item_options: dict[str, Any] = params.get("options") or {}
            response = ResponseOptions.read(item_options, params.get("contentType") == "raw")
            request = build_request(params, item, index, self.version, self.auth, response.accept)
            headers = {"User-Agent": settings.user_agent, **self._public(request)["headers"]}
            url = with_query(request.url, query_pairs(request.query, request.array_format))
            shown = shown_request(
                request.method,
                self.mask(url),
                headers,
                self.mask.data(dict(request.query)),
                self.mask.data(_shown_body(request.body_kind, request.body)),
            )
            return Item(
                json={"dryRun": True, "request": shown},
                paired_item=PairedItem(index),
                metadata={"dryRun": True},
            )

        return await ctx.map_each(self.items, handle)

    def _sender(
        self,
        transport: Transport,
        first: Prepared,
        options: dict[str, Any],
        response: ResponseOptions,
        index: int,
    ) -> Any:
        follow, max_redirects = _redirects(options, self.version)
        credential_headers = self.auth.header_names if self.auth else frozenset()
        auth = self.auth
        send_options = SendOptions(
            redirects=Redirects(max_redirects, credential_headers) if follow else None,
            any_status=response.never_error or self.pagination is not None,
            middlewares=(
                (aiohttp.DigestAuthMiddleware(*auth.digest),)
                if auth is not None and auth.digest
                else None
            ),
            proxy=str(options.get("proxy") or "") or None,
            timeout=(_number(options.get("timeout"), "Timeout") or DEFAULT_TIMEOUT_MS) / 1000,
        )

        async def send(request: Prepared) -> Outcome:
            url, payload, headers = request.encode()
            return await transport.send(
                request.method,
                url,
                None,
                payload,
                headers,
                request.method in IDEMPOTENT_METHODS,
                _Label(self.mask, request.method, url, index),
                send_options,
            )

        return send

    def _status_error(
        self, outcome: Outcome, method: str, url: str, attempts: int, safe: bool
    ) -> NodeApiError:
        error = status_error(outcome, method, url, attempts, safe)
        error.message = self.mask(error.message)
        if error.description:
            error.description = self.mask(error.description)
        return error

    def _page_error(self, outcome: Outcome, method: str) -> NodeApiError:
        return self._status_error(outcome, method, "", 1, method in IDEMPOTENT_METHODS)

    def _public(self, request: Prepared) -> dict[str, Any]:
        """`$request` in pagination expressions: the request with its secrets masked."""
        public: dict[str, Any] = self.mask.data(
            {
                "method": request.method,
                "url": request.url,
                "qs": dict(request.query),
                "headers": {
                    k: ("***" if self.auth and k.lower() in self.auth.header_names else v)
                    for k, v in request.headers.items()
                },
                "body": request.body if isinstance(request.body, (dict, str)) else None,
            }
        )
        return public


class _Label:
    """`POST https://host/path [item 3]` for log lines (masked), built only when written."""

    __slots__ = ("index", "mask", "method", "url")

    def __init__(self, mask: SecretMask, method: str, url: str, index: int) -> None:
        self.mask = mask
        self.method = method
        self.url = url
        self.index = index

    def __str__(self) -> str:
        return self.mask(f"{self.method} {self.url} [item {self.index}]")


def _shown_body(kind: str | None, body: Any) -> Any:
    """A body as a dry run shows it: data as data, files and bytes by name and size."""
    if body is None or kind is None:
        return None
    if kind == "bytes":
        return {"bytes": len(body) if isinstance(body, (bytes, bytearray)) else 0}
    if kind == "multipart":
        pairs = body.items() if isinstance(body, dict) else body
        return [[name, _shown_part(value)] for name, value in pairs]
    return body


def _shown_part(value: Any) -> Any:
    if isinstance(value, list):
        return [_shown_part(v) for v in value]
    if isinstance(value, FilePart):
        return {"file": value.file_name, "mimeType": value.content_type, "bytes": len(value.data)}
    return value


def _laid_out(results: list[Item]) -> list[Item]:
    out: list[Item] = []
    for result in results:
        if isinstance(result, _Many):
            out += result.items
        else:
            out.append(result)
    return out


def _redirects(options: dict[str, Any], version: float) -> tuple[bool, int]:
    """Whether to follow redirects, and how many: from version 4 by default, as n8n."""
    redirect = options.get("redirect")
    settings = redirect.get("redirect") if isinstance(redirect, dict) else None
    settings = settings if isinstance(settings, dict) else {}
    by_default = version >= 4 and redirect is None
    follow = bool(settings.get("followRedirects")) or by_default
    most = _number(settings.get("maxRedirects"), "Max Redirects") or 21
    return follow, int(most)


def _batching(options: dict[str, Any]) -> tuple[int, float] | None:
    """(items per batch, milliseconds between batches), or None without pauses."""
    batching = options.get("batching")
    batch = batching.get("batch") if isinstance(batching, dict) else None
    if not isinstance(batch, dict):
        return None
    size = _number(batch.get("batchSize"), "Items per Batch") or 0
    interval = _number(batch.get("batchInterval"), "Batch Interval (ms)") or 0
    if interval <= 0:
        return None
    return (int(size) if size > 0 else 1), interval


def _number(value: Any, label: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise NodeOperationError(f"the option '{label}' must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise NodeOperationError(f"the option '{label}' must be a number, got {value!r}") from None
