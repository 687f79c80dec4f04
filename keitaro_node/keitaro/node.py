"""The Keitaro node: each input item -> its operation's request -> one output item.

Operations are data (node_manifest.yaml); this module interprets their routing generically.
Every output item has the same envelope:
`{request: {url, method, headers (key masked)}, resource, operation, success, data}`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from keitaro_node.runtime.description import NodeDescription, Operation, load_node_description
from keitaro_node.runtime.errors import NodeError, NodeOperationError
from keitaro_node.runtime.items import BinaryData, Item, PairedItem
from keitaro_node.runtime.node import ExecutionContext, NodeType

from .body_checks import BodyProblem, check_body
from .client import ApiRequest, ApiResponse, KeitaroClient
from .connection import client_settings, normalize_base_url
from .resources import data_file
from .routing import Routing, routing_table

CREDENTIAL_TYPE = "keitaroApi"


class KeitaroNode(NodeType):
    """Node type `n8n-nodes-keitaro.keitaro` (also `keitaro`)."""

    type_names = ("n8n-nodes-keitaro.keitaro", "keitaro")

    @cached_property
    def description(self) -> NodeDescription:
        return load_node_description(data_file("node_manifest.yaml"))

    @cached_property
    def routes(self) -> dict[tuple[str, str], Routing]:
        return routing_table(self.description)

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if not items:
            return [[]]
        resource = ctx.parameters.static_value("resource")
        operation_name = ctx.parameters.static_value("operation")
        operation = self.description.operation(str(resource), str(operation_name))
        if operation is None:
            # An unknown value fails parameter checks first; this guards descriptions without it.
            raise NodeOperationError(
                f"unknown operation '{operation_name}' for resource '{resource}'"
            )
        routing = self.routes[(operation.resource, operation.name)]
        credentials = ctx.get_credentials(CREDENTIAL_TYPE)
        base_url = normalize_base_url(str(credentials.get("domain") or ""))
        options = ctx.parameters.static_value("options") or {}
        settings = client_settings(credentials, options)
        call = _Call(operation, routing)

        sent: dict[int, ApiRequest] = {}  # requests of items in flight, for error items

        async with KeitaroClient(base_url, credentials.reveal("apiKey"), settings) as client:

            async def handle(index: int, item: Item) -> Item:
                params = ctx.get_parameters(index)
                request = sent[index] = call.request(params)
                response = await client.send(request, item_index=index)
                del sent[index]
                return call.output(client, request, response, index)

            def error_item(index: int, item: Item, error: NodeError) -> Item:
                return call.error_output(client, index, error, sent.pop(index, None))

            out = await ctx.map_items(
                items, handle, concurrency=settings.concurrency, error_item=error_item
            )
        return [out]


class _Call:
    """Builds requests and output items for one operation."""

    def __init__(self, operation: Operation, routing: Routing) -> None:
        self.operation = operation
        self.routing = routing
        self.labels = {p.name: p.label for p in operation.parameters}

    def request(self, params: dict[str, Any]) -> ApiRequest:
        routing = self.routing
        if routing.confirm and params.get("confirm") is not True:
            raise NodeOperationError(
                f"{self.operation.action or self.operation.displayName} would {routing.confirm}. "
                "Nothing was sent; set 'Confirm' (confirm) to true to do it"
            )
        path = routing.path
        for name in routing.path_parameters:
            path = path.replace("{" + name + "}", self._path_value(name, params.get(name)))
        query = {
            key: _query_text(params[p])
            for key, p in routing.query.items()
            if params.get(p) not in (None, "")
        }
        body: Any = None
        has_body = False
        if routing.body is not None:
            body = params.get(routing.body)
            has_body = True
        if routing.bodyFields:
            body = dict(body) if isinstance(body, dict) else {}
            for key, name in routing.bodyFields.items():
                if params.get(name) is not None:
                    body[key] = params[name]
            has_body = True
        if routing.bodySchema is not None:
            try:
                check_body(routing.bodySchema, body)
            except BodyProblem as exc:
                label = self.labels.get(routing.body or "", "the request body")
                raise NodeOperationError(
                    f"{label} is not a valid {self.operation.resource} {_verb(self.operation)}: {exc}"
                ) from None
        return ApiRequest(
            method=routing.method,
            path=path,
            query=query or None,
            body=body,
            safe_to_repeat=routing.safe_to_repeat,
            binary=routing.binary,
            has_body=has_body,
        )

    def _path_value(self, name: str, value: Any) -> str:
        label = self.labels.get(name, f"'{name}'")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise NodeOperationError(f"{label} must be a whole number of at least 1, got {value!r}")
        return str(value)

    def _envelope(self, client: KeitaroClient, request: ApiRequest, url: str) -> dict[str, Any]:
        return {
            "request": {
                "url": client.mask(url),
                "method": request.method,
                "headers": client.masked_headers(request.has_body),
            },
            "resource": self.operation.resource,
            "operation": self.operation.name,
        }

    def output(
        self, client: KeitaroClient, request: ApiRequest, response: ApiResponse, index: int
    ) -> Item:
        url = response.url + ("?" + urlencode(request.query) if request.query else "")
        envelope = self._envelope(client, request, url)
        envelope["success"] = True
        binary = None
        if isinstance(response.data, bytes):
            name = f"{self.operation.resource}-{index}.zip"
            binary = {
                "data": BinaryData(
                    response.data, response.content_type or "application/octet-stream", name
                )
            }
            envelope["data"] = {"fileName": name, "bytes": len(response.data)}
        else:
            envelope["data"] = response.data
        return Item(
            json=envelope,
            binary=binary,
            paired_item=PairedItem(index),
            metadata={"attempts": response.attempts},
        )

    def error_output(
        self, client: KeitaroClient, index: int, error: NodeError, request: ApiRequest | None
    ) -> Item:
        if request is None:  # the item failed before its request was built
            request = ApiRequest(method=self.routing.method, path=self.routing.path)
        url = client.url_for(request.path) + (
            "?" + urlencode(request.query) if request.query else ""
        )
        envelope = self._envelope(client, request, url)
        envelope["success"] = False
        envelope["data"] = None
        envelope["error"] = error.to_json()
        attempts = getattr(error, "attempts", 0)
        return Item(json=envelope, paired_item=PairedItem(index), metadata={"attempts": attempts})


def _verb(operation: Operation) -> str:
    return {"create": "to create", "update": "update"}.get(operation.name, "request")


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
