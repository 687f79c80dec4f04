"""The Keitaro node's operations as the Python client sees them, read from the manifest.

A caller gives the parameters that an operation's routing reads (ids, bodies, query fields,
paging, `confirm`); parameters that only shape n8n items (the binary field of a download)
are left out. Values are checked with the same coercion the node applies to a workflow's
static values, and then built into a request by the node's own RequestBuilder, so a call
from Python and an item of a workflow are refused and sent alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from keitaro_node.keitaro.client import ApiRequest
from keitaro_node.keitaro.plugin import KEITARO_NODE
from keitaro_node.keitaro.request_builder import RequestBuilder
from keitaro_node.keitaro.resources import schema_file
from keitaro_node.keitaro.routing import Routing
from keitaro_node.runtime.description import NodeDescription, Operation, Parameter
from keitaro_node.runtime.errors import NodeOperationError
from keitaro_node.runtime.parameters import ParameterValueError, coerce, visible_parameters

from .names import snake

ResultKind = Literal["json", "pages", "download"]
Effect = Literal["read", "write", "destructive"]

# the node type names the client stands for (surfaces use it to pick the client over the engine)
TYPE_NAMES: tuple[str, ...] = KEITARO_NODE.type_names


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter a caller may give: its manifest name, Python name and definition."""

    name: str
    python_name: str
    parameter: Parameter


@dataclass(frozen=True)
class OperationSpec:
    """One resource/operation: its parameters, routing and what kind of result it gives."""

    resource: str
    name: str
    operation: Operation
    routing: Routing
    parameters: tuple[ParameterSpec, ...]
    _names: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def kind(self) -> ResultKind:
        if self.routing.pagination:
            return "pages"
        if self.routing.binary:
            return "download"
        return "json"

    @property
    def effect(self) -> Effect:
        """read: changes nothing; write: changes the tracker; destructive: needs `confirm`."""
        if self.routing.confirm:
            return "destructive"
        if self.routing.method == "GET" or (
            self.routing.method == "POST" and self.routing.idempotent is True
        ):
            return "read"
        return "write"

    @property
    def body_schema(self) -> dict[str, Any] | None:
        """The JSON Schema a body must match before it is sent (None: no body check)."""
        return _body_schema(self.routing.bodySchema) if self.routing.bodySchema else None

    @property
    def title(self) -> str:
        return f"{self.resource}.{self.name}"

    def manifest_name(self, key: str) -> str | None:
        """The manifest name for a manifest or Python parameter name, or None if unknown."""
        return self._names.get(key)

    def values(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Manifest name -> value for the given (manifest or Python) names; None is left out."""
        out: dict[str, Any] = {}
        for key, value in given.items():
            name = self.manifest_name(key)
            if name is None:
                known = ", ".join(p.python_name for p in self.parameters) or "none"
                raise NodeOperationError(
                    f"{self.title} has no parameter '{key}' (parameters: {known})"
                )
            if value is not None:
                out[name] = value
        return out

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """Every parameter the operation shows for these values: defaults filled, checked."""
        values = self.values(given)
        raw = {"resource": self.resource, "operation": self.name, **values}
        own = {p.name for p in self.parameters}
        params: dict[str, Any] = {}
        for parameter in visible_parameters(_view(self.resource, self.name), raw):
            if parameter.name not in own:
                continue
            value = values.get(parameter.name, parameter.default)
            try:
                params[parameter.name] = coerce(parameter, value)
            except ParameterValueError as exc:
                raise NodeOperationError(str(exc), node_name=self.title) from None
        return params

    def build(
        self, given: Mapping[str, Any], strict: bool = True, warnings: list[str] | None = None
    ) -> tuple[dict[str, Any], ApiRequest]:
        """Resolved parameters and the request they make (nothing is sent)."""
        params = self.resolve(given)
        try:
            request = _builder(self.resource, self.name, strict).build(params, warnings)
        except NodeOperationError as exc:
            raise exc.with_context(node_name=self.title) from None
        return params, request


@cache
def _body_schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_file(f"{name}.json").read_text("utf-8"))
    return data


@cache
def _description() -> NodeDescription:
    return KEITARO_NODE.description


@cache
def _view(resource: str, operation: str) -> NodeDescription:
    """The node's description cut down to one operation's parameters (visibility is decided
    over these alone: the description holds every operation's, hundreds in all)."""
    properties = tuple(
        p
        for p in _description().properties
        if p.displayOptions is not None
        and p.displayOptions.show.get("resource") == [resource]
        and p.displayOptions.show.get("operation") == [operation]
    )
    return NodeDescription.model_construct(properties=properties)


@cache
def _builder(resource: str, operation: str, strict: bool) -> RequestBuilder:
    spec = operation_spec(resource, operation)
    return RequestBuilder(spec.operation, spec.routing, strict=strict)


def _used_by_routing(routing: Routing) -> set[str]:
    used = {*routing.path_parameters, *routing.query.values(), *routing.bodyFields.values()}
    if routing.body:
        used.add(routing.body)
    if routing.confirm:
        used.add("confirm")
    if routing.pagination:
        used |= {"returnAll", "limit"}
    if routing.handler == "report":
        used.add("dialect")
    return used


def _spec(operation: Operation, routing: Routing) -> OperationSpec:
    used = _used_by_routing(routing)
    parameters = tuple(
        ParameterSpec(p.name, snake(p.name), p) for p in operation.parameters if p.name in used
    )
    names = {p.name: p.name for p in parameters}
    names.update({p.python_name: p.name for p in parameters})
    return OperationSpec(operation.resource, operation.name, operation, routing, parameters, names)


@cache
def operation_specs() -> dict[tuple[str, str], OperationSpec]:
    """Every operation of the manifest, in manifest order."""
    routes = KEITARO_NODE.routes
    return {
        (op.resource, op.name): _spec(op, routes[(op.resource, op.name)])
        for op in _description().all_operations()
    }


def operation_spec(resource: str, operation: str) -> OperationSpec:
    """The spec of one operation; manifest or Python names are both accepted."""
    specs = operation_specs()
    found = specs.get((resource, operation))
    if found is None:
        for spec in specs.values():
            if snake(spec.resource) == resource and snake(spec.name) in (
                operation,
                snake(operation),
            ):
                return spec
        resources = sorted({r for r, _ in specs})
        if not any(snake(r) == resource or r == resource for r in resources):
            raise NodeOperationError(
                f"unknown resource '{resource}' (resources: {', '.join(resources)})"
            )
        names = [o for r, o in specs if r == resource or snake(r) == resource]
        raise NodeOperationError(
            f"unknown operation '{operation}' for resource '{resource}' "
            f"(operations: {', '.join(names)})"
        )
    return found
