"""Tools generated from node descriptions: one per resource (default) or one per operation.

A resource tool takes `operation` (an enum of the operations the server allows) and the union
of those operations' parameters, each described with the operations that use it. That keeps
the tool list short (the Keitaro node has 15 resources but 114 operations, and MCP clients
show every tool's schema to the model, several with a cap on the number of tools) while each
schema stays flat. With `--tools operation` every operation is a tool of its own with exactly
its parameters and, for bodies, the node's own JSON Schema.

Every tool that can write takes `dry_run`; every tool takes `credential` when the credentials
file names several.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from keitaro_node.client.names import snake

from .backends import Backend, OperationInfo
from .schema import body_fields, parameter_schema

ToolStyle = Literal["resource", "operation"]

EFFECT_WORDS = {"read": "read", "write": "write", "destructive": "write, destructive"}


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its name, the operations behind it and its argument schema."""

    name: str
    title: str
    description: str
    backend: Backend = field(repr=False)
    operations: tuple[OperationInfo, ...]
    input_schema: dict[str, Any] = field(repr=False)

    @property
    def by_operation(self) -> bool:
        """Whether the tool takes `operation` (one tool per resource)."""
        return "operation" in self.input_schema.get("properties", {})

    def operation(self, name: Any) -> OperationInfo | None:
        if not self.by_operation:
            return self.operations[0]
        return next((op for op in self.operations if op.name == name), None)

    @property
    def read_only(self) -> bool:
        return all(op.effect == "read" for op in self.operations)

    @property
    def destructive(self) -> bool:
        return any(op.effect == "destructive" for op in self.operations)


def _tool_name(*parts: str) -> str:
    return "_".join(snake(p).strip("_") for p in parts)[:64]


def _operation_line(op: OperationInfo) -> str:
    text = f"- {op.name} ({EFFECT_WORDS[op.effect]}): {op.display_name}"
    if op.description and op.description != op.display_name:
        text += f". {op.description}"
    if op.effect == "destructive":
        text += " Needs confirm: true."
    return text


def _common(
    properties: dict[str, Any], required: list[str], ops: Sequence[OperationInfo], names: list[str]
) -> None:
    if any(op.effect != "read" for op in ops):
        properties["dry_run"] = {
            "type": "boolean",
            "default": False,
            "description": "Check the arguments and show the request (method, URL, body; "
            "key masked) without sending it",
        }
    if names:
        properties["credential"] = {
            "enum": names,
            "description": "Which of the configured trackers to use",
        }
        if len(names) > 1:
            required.append("credential")


def _required(parameter: Any) -> bool:
    return bool(parameter.required) and parameter.default in (None, "", [], {})


def resource_tool(
    backend: Backend, resource: str, ops: Sequence[OperationInfo], names: list[str]
) -> ToolSpec:
    described = next(r for r in backend.description.resources if r.name == resource)
    properties: dict[str, Any] = {
        "operation": {
            "enum": [op.name for op in ops],
            "description": "What to do; see the tool's description",
        }
    }
    used_by: dict[str, list[str]] = {}
    for op in ops:
        for parameter in op.parameters:
            used_by.setdefault(parameter.name, []).append(op.name)
            if parameter.name in properties:
                continue
            schema = parameter_schema(parameter)
            body = op.body_schemas.get(parameter.name)
            if body is not None:
                schema["description"] += f". Fields (* required on create): {body_fields(body)}"
            properties[parameter.name] = schema
    for name, users in used_by.items():
        needed = [op.name for op in ops for p in op.parameters if p.name == name and _required(p)]
        note = f"[{', '.join(users)}"
        note += f"; required for {', '.join(needed)}]" if needed else "]"
        properties[name]["description"] = f"{note} {properties[name]['description']}"
    required = ["operation"]
    _common(properties, required, ops, names)
    lines = [f"{described.displayName}: {described.description or ''}".rstrip(": "), "Operations:"]
    lines += [_operation_line(op) for op in ops]
    node = backend.description.displayName
    return ToolSpec(
        name=_tool_name(backend.description.name, resource),
        title=f"{node}: {described.displayName}",
        description="\n".join(lines),
        backend=backend,
        operations=tuple(ops),
        input_schema={
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        },
    )


def operation_tool(backend: Backend, op: OperationInfo, names: list[str]) -> ToolSpec:
    properties: dict[str, Any] = {}
    definitions: dict[str, Any] = {}
    required: list[str] = []
    for parameter in op.parameters:
        argument = parameter_schema(parameter, op.body_schemas.get(parameter.name))
        definitions.update(argument.pop("$defs", {}))
        properties[parameter.name] = argument
        if _required(parameter):
            required.append(parameter.name)
    _common(properties, required, [op], names)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if definitions:
        schema["$defs"] = definitions
    text = _operation_line(op)[2:]
    node = backend.description.displayName
    return ToolSpec(
        name=_tool_name(backend.description.name, op.resource, op.name),
        title=f"{node}: {op.display_name}",
        description=text,
        backend=backend,
        operations=(op,),
        input_schema=schema,
    )


def build_tools(backends: Sequence[Backend], style: ToolStyle, names: list[str]) -> list[ToolSpec]:
    """Every tool of every operation, writes included (the server decides what it offers)."""
    tools: list[ToolSpec] = []
    for backend in backends:
        by_resource: dict[str, list[OperationInfo]] = {}
        for op in backend.operations():
            by_resource.setdefault(op.resource, []).append(op)
        for resource, ops in by_resource.items():
            if style == "resource":
                tools.append(resource_tool(backend, resource, ops, names))
            else:
                tools.extend(operation_tool(backend, op, names) for op in ops)
    return tools


def allowed(tool: ToolSpec, allow_write: bool) -> ToolSpec | None:
    """The tool as a server that may or may not write offers it (None: nothing left)."""
    if allow_write or tool.read_only:
        return tool
    reads = [op for op in tool.operations if op.effect == "read"]
    if not reads or not tool.by_operation:
        return None
    names = tool.input_schema["properties"].get("credential", {}).get("enum", [])
    return resource_tool(tool.backend, reads[0].resource, reads, names)
