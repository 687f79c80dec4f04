"""The Keitaro node: each input item -> its operation's request(s) -> one output item.

Operations are data (node_manifest.yaml); this module interprets their routing. Every output
item has the same envelope: `{request: {url, method, headers (key masked)}, resource,
operation, success, data}`; with the option splitIntoItems, list answers become one item per
record instead, each paired with its input item.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from keitaro_node.runtime.description import NodeDescription, load_node_description
from keitaro_node.runtime.errors import NodeApiError, NodeError, NodeOperationError
from keitaro_node.runtime.http.dry_run import is_dry_run, shown_request
from keitaro_node.runtime.http.stats import run_stats
from keitaro_node.runtime.items import Item, PairedItem
from keitaro_node.runtime.node import ExecutionContext, NodeType

from .answer_shape import Shape, expected_shape, fits, wrong_shape
from .client import ApiRequest, ApiResponse, KeitaroClient
from .connection import client_settings, normalize_base_url
from .outputs import Envelopes, JsonLinesFile, output_path, record_items
from .paging import PageShapeError, fetch_pages, records_of
from .request_builder import RequestBuilder, report_dialect
from .resources import data_file
from .routing import Routing, routing_table

CREDENTIAL_TYPE = "keitaroApi"
_DIALECT_COMPLAINT = re.compile(r"dimension|measure", re.IGNORECASE)


class KeitaroNode(NodeType):
    """Node type `n8n-nodes-keitaro.keitaro` (also `keitaro`)."""

    type_names = ("n8n-nodes-keitaro.keitaro", "keitaro")

    @cached_property
    def description(self) -> NodeDescription:
        return load_node_description(data_file("node_manifest.yaml"))

    @cached_property
    def routes(self) -> dict[tuple[str, str], Routing]:
        return routing_table(self.description)

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Never: each item is one request (or one paged series of them)."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if not items:
            return [[]]
        resource = ctx.parameters.static_value("resource")
        name = ctx.parameters.static_value("operation")
        operation = self.description.operation(str(resource), str(name))
        if operation is None:
            ctx.get_parameters(0)  # raises the parameter error that explains what is unknown
            raise NodeOperationError(f"unknown operation '{name}' for resource '{resource}'")
        routing = self.routes[(operation.resource, operation.name)]
        credentials = ctx.get_credentials(CREDENTIAL_TYPE)
        base_url = normalize_base_url(str(credentials.get("domain") or ""))
        options: dict[str, Any] = ctx.parameters.static_value("options") or {}
        settings = client_settings(credentials, options)
        builder = RequestBuilder(
            operation, routing, strict=options.get("strictChecks", True) is not False
        )
        output_file = str(options.get("outputFile") or "").strip() if routing.pagination else ""
        api_key = credentials.reveal("apiKey")
        auth = credentials.auth_headers()  # as the credential type declares: Api-Key
        if is_dry_run(ctx.options):
            if output_file:
                _check_output_file(output_file, ctx.options, options)
            client = KeitaroClient(base_url, api_key, settings, auth)
            envelopes = Envelopes(operation, client)
            page_size = int(options.get("pageSize") or 1000)
            return [await _dry_run(ctx, items, builder, envelopes, routing, page_size)]
        sink_file = (
            JsonLinesFile(
                output_path(output_file, ctx.options),
                overwrite=options.get("overwriteOutputFile") is True,
            )
            if output_file
            else None
        )
        file_lock = asyncio.Lock()
        page_size = int(options.get("pageSize") or 1000)
        sent: dict[int, ApiRequest] = {}  # requests of items in flight, for error items
        shape = expected_shape(operation.name, routing)

        async with KeitaroClient(
            base_url, api_key, settings, auth, stats=run_stats(ctx.options)
        ) as client:
            envelopes = Envelopes(operation, client)

            async def handle(index: int, item: Item) -> Item:
                params = ctx.get_parameters(index)
                warnings: list[str] = []
                request = sent[index] = builder.build(params, warnings)
                if not routing.pagination and routing.handler is None:  # the common case
                    response = await client.send(request, item_index=index)
                    del sent[index]
                    return _single(
                        envelopes, routing, shape, request, response, params, index, warnings
                    )
                send = _Sender(client, routing, params, index)
                if routing.pagination:
                    if sink_file is not None:
                        async with file_lock:  # one item's pages at a time in the file
                            out = await _paged(
                                send,
                                request,
                                routing,
                                params,
                                page_size,
                                envelopes,
                                index,
                                sink_file,
                            )
                    else:
                        out = await _paged(
                            send, request, routing, params, page_size, envelopes, index, None
                        )
                else:
                    response = await send(request)
                    out = _single(
                        envelopes,
                        routing,
                        shape,
                        send.last_request or request,
                        response,
                        params,
                        index,
                        warnings,
                    )
                del sent[index]
                return out

            def error_item(index: int, item: Item, error: NodeError) -> Item:
                request = sent.pop(index, None) or ApiRequest(
                    method=routing.method, path=routing.path
                )
                return envelopes.error_item(request, index, error)

            try:
                out = await ctx.map_items(
                    items, handle, concurrency=settings.concurrency, error_item=error_item
                )
            except BaseException:
                if sink_file is not None:
                    sink_file.discard_if_empty()
                raise
            if sink_file is not None:
                sink_file.close()
        if options.get("splitIntoItems") and sink_file is None:
            out = _split(out, routing)
        return [out]


async def _dry_run(
    ctx: ExecutionContext,
    items: list[Item],
    builder: RequestBuilder,
    envelopes: Envelopes,
    routing: Routing,
    page_size: int,
) -> list[Item]:
    """Every item's request built and checked as for sending, output instead of sent (for
    paged operations, the first page's)."""

    async def handle(index: int, _item: Item) -> Item:
        warnings: list[str] = []
        params = ctx.get_parameters(index)
        request = builder.build(params, warnings)
        if routing.pagination:
            request = await _first_page(request, routing, params, page_size)
        envelope = envelopes.envelope(request, True, None)
        shown = envelope["request"]
        envelope["request"] = shown_request(
            request.method,
            shown["url"],
            shown["headers"],
            request.query,
            request.body if request.has_body else None,
        )
        envelope["dryRun"] = True
        metadata: dict[str, Any] = {"dryRun": True}
        if warnings:
            metadata["warnings"] = warnings
        return Item(json=envelope, paired_item=PairedItem(index), metadata=metadata)

    def error_item(index: int, _item: Item, error: NodeError) -> Item:
        failed = envelopes.error_item(ApiRequest(routing.method, routing.path), index, error)
        failed.json["dryRun"] = True
        return failed

    return await ctx.map_items(items, handle, error_item=error_item)


class _FirstPage(Exception):
    def __init__(self, request: ApiRequest) -> None:
        super().__init__()
        self.request = request


async def _first_page(
    request: ApiRequest, routing: Routing, params: dict[str, Any], page_size: int
) -> ApiRequest:
    """The first page's request, as the paginator makes it."""

    async def capture(page: ApiRequest) -> ApiResponse:
        raise _FirstPage(page)

    try:
        await fetch_pages(capture, request, routing, params, page_size, lambda _records: None)
    except _FirstPage as first:
        return first.request
    return request  # pragma: no cover - the paginator always asks for a first page


def _check_output_file(raw: str, run_options: Any, options: dict[str, Any]) -> None:
    """What opening the output file would refuse, without creating it."""
    path = output_path(raw, run_options)
    if path.is_dir():
        raise NodeOperationError(f"'Output File' {path} is a folder, not a file")
    if path.exists() and options.get("overwriteOutputFile") is not True:
        raise NodeOperationError(
            f"the output file {path} already exists; set the option 'Overwrite Output "
            "File' (overwriteOutputFile) to replace it, or choose another name"
        )


class _Sender:
    """Sends one item's requests; for reports, falls back to the older dialect when asked."""

    def __init__(
        self, client: KeitaroClient, routing: Routing, params: dict[str, Any], index: int
    ) -> None:
        self.client = client
        self.index = index
        self.fallback = (
            routing.handler == "report" and str(params.get("dialect") or "auto") == "auto"
        )
        self.old_dialect = False
        self.last_request: ApiRequest | None = None

    async def __call__(self, request: ApiRequest) -> ApiResponse:
        if self.old_dialect and isinstance(request.body, dict):
            request = _with_body(request, report_dialect(request.body, "grouping"))
        self.last_request = request
        try:
            return await self.client.send(request, item_index=self.index)
        except NodeApiError as exc:
            if not (self.fallback and not self.old_dialect and exc.http_code in (400, 406, 422)):
                raise
            if not _DIALECT_COMPLAINT.search(f"{exc.message} {exc.description}"):
                raise
            self.old_dialect = True  # an older tracker: grouping/metrics from now on
            return await self(request)


def _single(
    envelopes: Envelopes,
    routing: Routing,
    shape: Shape | None,
    request: ApiRequest,
    response: ApiResponse,
    params: dict[str, Any],
    index: int,
    warnings: list[str],
) -> Item:
    """The output item of one request: the envelope, or a file for downloads.

    An answer whose shape cannot be the operation's fails the item instead of becoming its
    data (a list of clicks is not "the created stream").
    """
    if routing.binary and isinstance(response.data, bytes):
        prop = str(params.get("binaryPropertyName") or "data")
        return envelopes.binary_item(request, response, index, prop)
    if shape is not None and not fits(shape, response.data):
        operation = envelopes.operation
        raise wrong_shape(
            operation.resource, operation.name, shape, request, response.data, response.attempts
        )
    return envelopes.item(request, response.data, index, response.attempts, warnings)


def _with_body(request: ApiRequest, body: Any) -> ApiRequest:
    import dataclasses

    return dataclasses.replace(request, body=body)


async def _paged(
    send: _Sender,
    request: ApiRequest,
    routing: Routing,
    params: dict[str, Any],
    page_size: int,
    envelopes: Envelopes,
    index: int,
    sink_file: JsonLinesFile | None,
) -> Item:
    collected: list[Any] = []
    try:
        result = await fetch_pages(
            send,
            request,
            routing,
            params,
            page_size,
            sink_file.write if sink_file else collected.extend,
        )
    except PageShapeError as exc:
        operation = envelopes.operation
        last = send.last_request or request
        exc.message = (
            f"{operation.resource} {operation.name}: {last.method} {last.path}: {exc.message}"
        )
        exc.description = exc.description or (
            "check the tracker's domain and that nothing between it and you rewrites answers"
        )
        raise
    if sink_file is not None:
        data: Any = {
            "file": str(sink_file.path),
            "records": result.records,
            "pages": result.pages,
            "total": result.total,
        }
    elif routing.recordsPath:
        data = {**result.shell, routing.recordsPath: collected}
    else:
        data = collected
    return envelopes.item(send.last_request or request, data, index, result.attempts)


def _split(items: list[Item], routing: Routing) -> list[Item]:
    """Replace each envelope whose data is a list (or holds the records) by one item per record."""
    out: list[Item] = []
    for item in items:
        data = item.json.get("data") if item.error is None else None
        records: list[Any] | None = None
        if isinstance(data, list):
            records = data
        elif (
            isinstance(data, dict)
            and routing.recordsPath
            and isinstance(data.get(routing.recordsPath), list)
        ):
            records = records_of(data, routing.recordsPath)
        if records is None:
            out.append(item)
            continue
        pairs = item.pairs()
        index = pairs[0].item if pairs else 0
        attempts = int((item.metadata or {}).get("attempts", 1))
        out.extend(record_items(records, index, attempts))
    return out


# The Python client (keitaro_node/client) sends its one-off calls through the same sender.
Sender = _Sender
