"""Webhook: starts a workflow when an HTTP request arrives, with n8n's parameters and item.

The request side (routes, authentication, parsing the body, answering) belongs to the workflow
server; this module says what a Webhook node asks for (`webhook_spec`) and passes the item the
server built for the request on, to the output of the request's method when the node listens
to several methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import Item
from ..node import ExecutionContext
from ..raw_parameters import n8n_values
from .base import DescribedNode
from .reshaping import version_label

METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
# The engine option a server sets to the request's method, for nodes with several methods.
METHOD_OPTION = "webhookMethod"

_METHOD_CHOICES = [{"name": m, "value": m} for m in METHODS]
_RESPONSE_MODES = [
    {"name": "Immediately", "value": "onReceived"},
    {"name": "When Last Node Finishes", "value": "lastNode"},
    {"name": "Using 'Respond to Webhook' Node", "value": "responseNode"},
]
_CODES = [200, 201, 204, 301, 302, 304, 400, 401, 403, 404]


class WebhookConfigError(ValueError):
    """The node asks for something the server cannot do as n8n does; the message says what."""


@dataclass(frozen=True)
class WebhookSpec:
    """What one Webhook node listens to and how it answers, read once when a workflow loads."""

    node_name: str
    type_version: float
    methods: tuple[str, ...]
    multiple_methods: bool
    path: str  # without leading or trailing slashes; `:name` segments when dynamic
    dynamic: bool
    authentication: str  # none, basicAuth, headerAuth
    credential_refs: Mapping[str, str]
    response_mode: str  # onReceived, lastNode
    response_data: str | None  # allEntries, firstEntryJson, firstEntryBinary, noData, or text
    response_code: int
    response_binary_property: str
    response_content_type: str | None
    response_property_name: str | None
    response_headers: tuple[tuple[str, str], ...]
    raw_body: bool
    binary_data: bool  # version 1: the whole body is one file
    binary_property_name: str | None
    ignore_bots: bool
    ip_whitelist: tuple[str, ...]
    allowed_origins: str
    node_id: str | None
    webhook_id: str | None


class Webhook(DescribedNode):
    """Starts the workflow with the item of an HTTP request (served by `keitaro-node serve`)."""

    type_names = ("n8n-nodes-base.webhook", "webhook")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "webhook",
        "displayName": "Webhook",
        "description": "Starts the workflow when a webhook is called",
        "version": [1, 1.1, 2, 2.1],
        "group": ["trigger"],
        "inputs": [],
        "credentials": [
            {
                "name": "httpBasicAuth",
                "displayOptions": {"show": {"authentication": ["basicAuth"]}},
            },
            {
                "name": "httpHeaderAuth",
                "displayOptions": {"show": {"authentication": ["headerAuth"]}},
            },
        ],
        "properties": [
            {
                "displayName": "Allow Multiple HTTP Methods",
                "name": "multipleMethods",
                "type": "boolean",
                "default": False,
            },
            {
                "displayName": "HTTP Method",
                "name": "httpMethod",
                "type": "options",
                "default": "GET",
                "options": _METHOD_CHOICES,
                "displayOptions": {"show": {"multipleMethods": [False]}},
            },
            {
                "displayName": "HTTP Methods",
                "name": "httpMethod",
                "type": "multiOptions",
                "default": ["GET", "POST"],
                "options": _METHOD_CHOICES,
                "displayOptions": {"show": {"multipleMethods": [True]}},
            },
            {
                "displayName": "Path",
                "name": "path",
                "type": "string",
                "default": "",
                "placeholder": "webhook",
                "description": "The URL path after /webhook/; ':name' segments become params",
            },
            {
                "displayName": "Authentication",
                "name": "authentication",
                "type": "options",
                "default": "none",
                "options": [
                    {"name": "Basic Auth", "value": "basicAuth"},
                    {"name": "Header Auth", "value": "headerAuth"},
                    {"name": "JWT Auth", "value": "jwtAuth"},
                    {"name": "None", "value": "none"},
                ],
            },
            {
                "displayName": "Respond",
                "name": "responseMode",
                "type": "options",
                "default": "onReceived",
                "options": _RESPONSE_MODES,
                "displayOptions": {"show": {"@version": [1, 1.1, 2]}},
            },
            {
                "displayName": "Respond",
                "name": "responseMode",
                "type": "options",
                "default": "onReceived",
                "options": [*_RESPONSE_MODES, {"name": "Streaming", "value": "streaming"}],
                "displayOptions": {"hide": {"@version": [1, 1.1, 2]}},
            },
            {
                "displayName": "Response Code",
                "name": "responseCode",
                "type": "number",
                "default": 200,
                "typeOptions": {"minValue": 100, "maxValue": 599},
                "displayOptions": {
                    "show": {"@version": [1, 1.1]},
                    "hide": {"responseMode": ["responseNode"]},
                },
            },
            {
                "displayName": "Response Data",
                "name": "responseData",
                "type": "options",
                "default": "firstEntryJson",
                "options": [
                    {"name": "All Entries", "value": "allEntries"},
                    {"name": "First Entry JSON", "value": "firstEntryJson"},
                    {"name": "First Entry Binary", "value": "firstEntryBinary"},
                    {"name": "No Response Body", "value": "noData"},
                ],
                "displayOptions": {"show": {"responseMode": ["lastNode"]}},
            },
            {
                "displayName": "Property Name",
                "name": "responseBinaryPropertyName",
                "type": "string",
                "default": "data",
                "displayOptions": {"show": {"responseData": ["firstEntryBinary"]}},
            },
            {
                "displayName": "Options",
                "name": "options",
                "type": "collection",
                "default": {},
                "options": [
                    {
                        "displayName": "Allowed Origins (CORS)",
                        "name": "allowedOrigins",
                        "type": "string",
                        "default": "*",
                    },
                    {
                        "displayName": "Binary File",
                        "name": "binaryData",
                        "type": "boolean",
                        "default": False,
                        "displayOptions": {
                            "show": {"/httpMethod": ["PATCH", "PUT", "POST"], "@version": [1]}
                        },
                    },
                    {
                        "displayName": "Put Output File in Field",
                        "name": "binaryPropertyName",
                        "type": "string",
                        "default": "data",
                    },
                    {
                        "displayName": "Ignore Bots",
                        "name": "ignoreBots",
                        "type": "boolean",
                        "default": False,
                    },
                    {
                        "displayName": "IP(s) Whitelist",
                        "name": "ipWhitelist",
                        "type": "string",
                        "default": "",
                    },
                    {
                        "displayName": "No Response Body",
                        "name": "noResponseBody",
                        "type": "boolean",
                        "default": False,
                        "displayOptions": {"show": {"/responseMode": ["onReceived"]}},
                    },
                    {
                        "displayName": "Raw Body",
                        "name": "rawBody",
                        "type": "boolean",
                        "default": False,
                    },
                    {
                        "displayName": "Response Data",
                        "name": "responseData",
                        "type": "string",
                        "default": "",
                        "displayOptions": {"show": {"/responseMode": ["onReceived"]}},
                    },
                    {
                        "displayName": "Response Code",
                        "name": "responseCode",
                        "type": "fixedCollection",
                        "default": {"values": {"responseCode": 200}},
                        "options": [
                            {
                                "name": "values",
                                "displayName": "Values",
                                "values": [
                                    {
                                        "displayName": "Response Code",
                                        "name": "responseCode",
                                        "type": "options",
                                        "default": 200,
                                        "options": [
                                            *({"name": str(c), "value": c} for c in _CODES),
                                            {"name": "Custom Code", "value": "customCode"},
                                        ],
                                    },
                                    {
                                        "displayName": "Code",
                                        "name": "customCode",
                                        "type": "number",
                                        "default": 200,
                                        "displayOptions": {
                                            "show": {"responseCode": ["customCode"]}
                                        },
                                    },
                                ],
                            }
                        ],
                        "displayOptions": {
                            "show": {"@version": [{"_cnd": {"gte": 2}}]},
                            "hide": {"/responseMode": ["responseNode"]},
                        },
                    },
                    {
                        "displayName": "Response Content-Type",
                        "name": "responseContentType",
                        "type": "string",
                        "default": "",
                        "displayOptions": {
                            "show": {
                                "/responseData": ["firstEntryJson"],
                                "/responseMode": ["lastNode"],
                            }
                        },
                    },
                    {
                        "displayName": "Response Headers",
                        "name": "responseHeaders",
                        "type": "fixedCollection",
                        "typeOptions": {"multipleValues": True},
                        "default": {},
                        "options": [
                            {
                                "name": "entries",
                                "displayName": "Entries",
                                "values": [
                                    {
                                        "displayName": "Name",
                                        "name": "name",
                                        "type": "string",
                                        "default": "",
                                    },
                                    {
                                        "displayName": "Value",
                                        "name": "value",
                                        "type": "string",
                                        "default": "",
                                    },
                                ],
                            }
                        ],
                    },
                    {
                        "displayName": "Property Name",
                        "name": "responsePropertyName",
                        "type": "string",
                        "default": "data",
                        "displayOptions": {
                            "show": {
                                "/responseData": ["firstEntryJson"],
                                "/responseMode": ["lastNode"],
                            }
                        },
                    },
                ],
            },
        ],
    }

    @property
    def versions(self) -> tuple[float, ...]:
        version = self.description.version
        return tuple(version) if isinstance(version, tuple) else (version,)

    def webhook_spec(
        self,
        node_name: str,
        parameters: Mapping[str, Any],
        type_version: float,
        credential_refs: Mapping[str, str],
        node_id: str | None = None,
        webhook_id: str | None = None,
    ) -> WebhookSpec:
        """What the node listens to and how it answers; WebhookConfigError when it asks for
        something that cannot run as in n8n."""
        if type_version not in self.versions:
            known = ", ".join(version_label(v) for v in self.versions)
            raise WebhookConfigError(
                f"Webhook has no typeVersion {version_label(type_version)} here "
                f"(the versions this runtime implements are {known})"
            )
        _refuse_expressions(parameters)
        try:
            values = n8n_values(self.description.properties, parameters, type_version)
        except ValueError as exc:
            raise WebhookConfigError(str(exc)) from None
        return _spec(node_name, values, type_version, credential_refs, node_id, webhook_id)

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if ctx.type_version not in self.versions:
            known = ", ".join(version_label(v) for v in self.versions)
            raise NodeOperationError(
                f"Webhook has no typeVersion {version_label(ctx.type_version)} here",
                description=f"the versions this runtime implements are {known}",
            )
        out = [Item(json=item.json, binary=item.binary) for item in items]
        methods = ctx.get_parameters(0).get("httpMethod")
        if not isinstance(methods, list):
            return [out]
        outputs: list[list[Item]] = [[] for _ in methods]
        method = str(ctx.options.get(METHOD_OPTION) or methods[0]).upper()
        index = methods.index(method) if method in methods else 0
        outputs[index] = out
        return outputs


def _refuse_expressions(parameters: Mapping[str, Any], where: str = "") -> None:
    for name, value in parameters.items():
        label = f"{where}.{name}" if where else name
        if isinstance(value, str) and value.startswith("="):
            raise WebhookConfigError(
                f"'{label}' is an expression; a webhook's settings are read once, when the "
                "workflow loads, so give a plain value"
            )
        if isinstance(value, Mapping):
            _refuse_expressions(value, label)
        if isinstance(value, list):
            for index, entry in enumerate(value):
                if isinstance(entry, Mapping):
                    _refuse_expressions(entry, f"{label}[{index}]")


def _spec(
    node_name: str,
    values: Mapping[str, Any],
    version: float,
    credential_refs: Mapping[str, str],
    node_id: str | None,
    webhook_id: str | None,
) -> WebhookSpec:
    mode = values.get("responseMode", "onReceived")
    if mode == "responseNode":
        raise WebhookConfigError(
            "Respond 'Using Respond to Webhook Node' needs a Respond to Webhook node, which "
            "this runtime does not have; choose 'Immediately' or 'When Last Node Finishes'"
        )
    if mode not in ("onReceived", "lastNode"):
        raise WebhookConfigError(
            f"Respond '{mode}' is not served here; choose 'Immediately' (onReceived) or "
            "'When Last Node Finishes' (lastNode)"
        )
    authentication = values.get("authentication", "none")
    if authentication not in ("none", "basicAuth", "headerAuth"):
        raise WebhookConfigError(
            f"Authentication '{authentication}' is not served here; use Header Auth or Basic Auth"
        )
    multiple = bool(values.get("multipleMethods"))
    raw_methods = values.get("httpMethod", "GET")
    listed = raw_methods if isinstance(raw_methods, list) else [raw_methods]
    methods = tuple(str(m).upper() for m in listed)
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise WebhookConfigError(
            f"HTTP method(s) {', '.join(unknown) or 'none'} - choose from {', '.join(METHODS)}"
        )
    path = str(values.get("path") or "").strip("/")
    dynamic = path.startswith(":") or "/:" in path
    if not path:
        if not webhook_id:
            raise WebhookConfigError("the Webhook node has no path: set Path")
        path = webhook_id
    elif dynamic:
        if not webhook_id:
            raise WebhookConfigError(
                f"the path '{path}' has ':' parameters, which n8n puts after the node's "
                "webhookId, and the node has none: add a webhookId to the node or use a plain path"
            )
        path = f"{webhook_id}/{path}"
    options: Mapping[str, Any] = values.get("options") or {}
    return WebhookSpec(
        node_name=node_name,
        type_version=version,
        methods=methods,
        multiple_methods=multiple,
        path=path,
        dynamic=dynamic,
        authentication=authentication,
        credential_refs=dict(credential_refs),
        response_mode=mode,
        response_data=_response_data(values, options, mode),
        response_code=_response_code(values, options),
        response_binary_property=str(values.get("responseBinaryPropertyName") or "data"),
        response_content_type=options.get("responseContentType") or None,
        response_property_name=options.get("responsePropertyName"),
        response_headers=tuple(
            (str(h.get("name", "")), str(h.get("value", "")))
            for h in (options.get("responseHeaders") or {}).get("entries", [])
            if h.get("name")
        ),
        raw_body=bool(options.get("rawBody")),
        binary_data=bool(options.get("binaryData")) and version == 1,
        binary_property_name=options.get("binaryPropertyName"),
        ignore_bots=bool(options.get("ignoreBots")),
        ip_whitelist=tuple(
            e.strip() for e in str(options.get("ipWhitelist") or "").split(",") if e.strip()
        ),
        allowed_origins=str(options.get("allowedOrigins") or "*"),
        node_id=node_id,
        webhook_id=webhook_id,
    )


def _response_data(values: Mapping[str, Any], options: Mapping[str, Any], mode: str) -> str | None:
    """n8n's choice: the Response Data parameter, else the custom text, else 'noData'."""
    chosen = values.get("responseData")
    if chosen:
        return str(chosen)
    if mode == "onReceived" and options.get("responseData"):
        return str(options["responseData"])
    if options.get("noResponseBody"):
        return "noData"
    return None


def _response_code(values: Mapping[str, Any], options: Mapping[str, Any]) -> int:
    code: Any = values.get("responseCode")
    if not code:
        chosen = (options.get("responseCode") or {}).get("values")
        if chosen:
            custom = chosen.get("customCode")
            code = custom if custom and chosen.get("responseCode") == "customCode" else None
            code = code or chosen.get("responseCode")
    if isinstance(code, bool) or not isinstance(code, (int, float)) or not 100 <= code <= 599:
        if code in (None, 0):
            return 200
        raise WebhookConfigError(f"Response Code {code!r} is not an HTTP status (100-599)")
    return int(code)
