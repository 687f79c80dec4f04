"""From an operation's routing and one item's parameters to an ApiRequest (nothing is sent).

Everything that can be known wrong before sending is refused here: ids that are not whole
numbers, missing confirmation of a destructive operation, bodies that do not fit their schema
or that a tracker would accept and then misbehave on.
"""

from __future__ import annotations

import json
from typing import Any

from keitaro_node.runtime.description import Operation
from keitaro_node.runtime.errors import NodeOperationError

from .body_checks import BodyProblem, check_body
from .client import ApiRequest
from .routing import Routing
from .stream_checks import check_stream

_REPORT_NEW_TO_OLD = {"dimensions": "grouping", "measures": "metrics"}


class RequestBuilder:
    """Builds the request of one operation for each item."""

    def __init__(self, operation: Operation, routing: Routing, strict: bool = True) -> None:
        self.operation = operation
        self.routing = routing
        self.strict = strict
        self.labels = {p.name: p.label for p in operation.parameters}
        self.numeric = {p.name for p in operation.parameters if p.type == "number"}

    def build(self, params: dict[str, Any], warnings: list[str] | None = None) -> ApiRequest:
        routing = self.routing
        if routing.confirm and params.get("confirm") is not True:
            raise NodeOperationError(
                f"{self.operation.action or self.operation.displayName} would {routing.confirm}. "
                "Nothing was sent; set 'Confirm' (confirm) to true to do it"
            )
        path = routing.path
        for name in routing.path_parameters:
            path = path.replace("{" + name + "}", self._path_value(name, params.get(name)))
        # empty values and switched-off flags are left out rather than sent as "" or 0
        query = {
            key: query_text(params[name])
            for key, name in routing.query.items()
            if params.get(name) is not None and params[name] != "" and params[name] is not False
        }
        body, has_body = self._body(params)
        if routing.handler == "report" and isinstance(body, dict):
            body = report_dialect(body, str(params.get("dialect") or "dimensions"))
        if routing.bodySchema is not None:
            body = self._check(routing.bodySchema, body, warnings)
        return ApiRequest(
            method=routing.method,
            path=path,
            query=query or None,
            body=body,
            safe_to_repeat=routing.safe_to_repeat,
            binary=routing.binary,
            has_body=has_body,
        )

    def _body(self, params: dict[str, Any]) -> tuple[Any, bool]:
        routing = self.routing
        body: Any = None
        has_body = routing.body is not None
        if routing.body is not None:
            body = params.get(routing.body)
        if routing.bodyFields:
            if body is not None and not isinstance(body, dict):
                label = self.labels.get(routing.body or "", "the body")
                raise NodeOperationError(f"{label} must be a JSON object")
            body = json.loads(json.dumps(body)) if isinstance(body, dict) else {}
            for key, name in routing.bodyFields.items():
                value = params.get(name)
                if value is not None and value != "" and value != []:
                    _set_dotted(body, key, value)
            has_body = True
        return body, has_body

    def _check(self, schema: str, body: Any, warnings: list[str] | None) -> Any:
        """The body to send (text read as numbers where the schema wants them), or an error."""
        label = self.labels.get(self.routing.body or "", "the request body")
        what = f"{self.operation.resource} {_verb(self.operation.name)}"
        try:
            body, notes = check_body(schema, body)
        except BodyProblem as exc:
            raise NodeOperationError(f"{label} is not a valid {what}: {exc}") from None
        if warnings is not None:
            warnings.extend(f"{label}: {note}" for note in notes)
        if schema.startswith("stream") and isinstance(body, dict):
            problems = check_stream(body, creating=schema == "stream_create")
            if problems and self.strict:
                raise NodeOperationError(
                    f"{label}: {'; '.join(p.message for p in problems)}. Nothing was sent "
                    "(trackers accept this silently; set the option 'Strict Checks' to false to send it anyway)"
                )
            if warnings is not None:
                warnings.extend(p.message for p in problems)
        return body

    def _path_value(self, name: str, value: Any) -> str:
        """A path segment: ids must be whole numbers; words (a log type) plain letters."""
        label = self.labels.get(name, f"'{name}'")
        if name not in self.numeric:
            if not isinstance(value, str) or not value.replace("_", "").isalnum():
                raise NodeOperationError(f"{label} must be letters, digits or _, got {value!r}")
            return value
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise NodeOperationError(f"{label} must be a whole number of at least 1, got {value!r}")
        return str(value)


def _verb(name: str) -> str:
    return {"create": "to create", "update": "update"}.get(name, "request")


def _set_dotted(body: dict[str, Any], key: str, value: Any) -> None:
    parts = key.split(".")
    node = body
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def report_dialect(body: dict[str, Any], dialect: str) -> dict[str, Any]:
    """Name the report's columns as the tracker expects: dimensions/measures or grouping/metrics."""
    out = dict(body)
    for new, old in _REPORT_NEW_TO_OLD.items():
        source, target = (old, new) if dialect != "grouping" else (new, old)
        if source in out and target not in out:
            out[target] = out.pop(source)
    return out


def query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
