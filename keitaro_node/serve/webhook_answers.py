"""How a webhook answers, as n8n answers: at once ("onReceived") or with the data of the last
node that ran ("lastNode"), and the CORS headers of browsers' requests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from keitaro_node.runtime.nodes import lodash_path
from keitaro_node.runtime.nodes.webhook import WebhookSpec

from .executions import Outcome

if TYPE_CHECKING:
    from .app import ServerState
    from .registry import ServedWorkflow


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def _json(
    data: Any, status: int, headers: dict[str, str], content_type: str | None = None
) -> web.Response:
    if isinstance(data, str):
        kind = content_type or "text/html"
        return web.Response(
            status=status, text=data, headers={**headers, "Content-Type": _charset(kind)}
        )
    return web.Response(
        status=status,
        text=_dumps(data),
        headers={**headers, "Content-Type": _charset(content_type or "application/json")},
    )


def _charset(content_type: str) -> str:
    return content_type if "charset" in content_type else f"{content_type}; charset=utf-8"


def _empty(status: int, headers: dict[str, str]) -> web.Response:
    return web.Response(status=status, headers=headers)


def answer_on_received(spec: WebhookSpec, headers: dict[str, str]) -> web.Response:
    data = spec.response_data
    if data == "noData":
        return _empty(spec.response_code, headers)
    if data:
        return _json(data, spec.response_code, headers)
    return _json({"message": "Workflow was started"}, spec.response_code, headers)


def _error(message: str) -> web.Response:
    return web.json_response({"code": 0, "message": message}, status=500)


def answer_last_node(spec: WebhookSpec, outcome: Outcome, headers: dict[str, str]) -> web.Response:
    code = spec.response_code
    result = outcome.result
    if result is None:
        return _json({"message": "Error in workflow"}, 500, headers)
    if not result.order:
        return _json(
            {"message": "Workflow executed successfully but the last node did not return any data"},
            code,
            headers,
        )
    outputs = result.outputs.get(result.order[-1], [])
    first_branch = outputs[0] if outputs else []
    kind = spec.response_data or "firstEntryJson"
    if kind == "noData":
        return _empty(code, headers)
    if kind == "allEntries":
        return _json([item.json for item in first_branch], code, headers)
    if kind == "firstEntryBinary":
        if not first_branch:
            return _error("No item was found to return")
        binary = first_branch[0].binary
        if not binary:
            return _error("No binary data was found to return")
        data = binary.get(spec.response_binary_property)
        if data is None:
            return _error(
                f"The binary property '{spec.response_binary_property}' which should be "
                "returned does not exist"
            )
        return web.Response(
            status=code, body=data.data, headers={**headers, "Content-Type": data.mime_type}
        )
    if not first_branch:
        return _error("No item to return was found")
    body: Any = first_branch[0].json
    if spec.response_property_name is not None:
        picked = lodash_path.get(body, spec.response_property_name)
        body = None if picked is lodash_path.MISSING else picked
    if body is None:
        return _empty(code, headers)
    return _json(body, code, headers, spec.response_content_type)


def cors_headers(
    request: web.Request,
    state: ServerState,
    path: str,
    found: tuple[ServedWorkflow, WebhookSpec] | list[str],
) -> dict[str, str]:
    """Allow-Methods, Allow-Origin (from the node's Allowed Origins) and preflight headers."""
    origin = request.headers.get("Origin")
    if origin is None:
        return {}
    methods = sorted({m for (m, p) in state.routes if p == path})
    if isinstance(found, tuple):
        methods = sorted(set(methods) | set(found[1].methods))
    headers = {"Access-Control-Allow-Methods": ", ".join(["OPTIONS", *methods])}
    allowed = found[1].allowed_origins if isinstance(found, tuple) else "*"
    if allowed and allowed != "*" and allowed != origin:
        listed = [o.strip() for o in allowed.split(",")]
        headers["Access-Control-Allow-Origin"] = origin if origin in listed else listed[0]
    else:
        headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":
        headers["Access-Control-Max-Age"] = "300"
        wanted = request.headers.get("Access-Control-Request-Headers")
        if wanted:
            headers["Access-Control-Allow-Headers"] = wanted
    return headers
