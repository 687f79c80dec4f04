"""Human and machine views of a node type's description (for `keitaro-node describe`)."""

from __future__ import annotations

from typing import Any

from keitaro_node.runtime.description import Parameter
from keitaro_node.runtime.node import NodeType


def describe_json(node_type: NodeType) -> dict[str, Any]:
    """The loaded description: identity, node-wide parameters, resources and their operations."""
    d = node_type.description
    return {
        "name": d.name,
        "displayName": d.displayName,
        "description": d.description,
        "types": list(node_type.type_names),
        "credentials": [c.name for c in d.credentials],
        "parameters": [_param(p) for p in d.properties if p.displayOptions is None],
        "resources": [
            {
                "name": r.name,
                "displayName": r.displayName,
                "operations": [
                    {
                        "name": op.name,
                        "displayName": op.displayName,
                        "action": op.action,
                        "description": op.description,
                        "routing": op.routing,
                        "parameters": [_param(p) for p in op.parameters],
                    }
                    for op in r.operations
                ],
            }
            for r in d.resources
        ],
    }


def _param(p: Parameter) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "displayName": p.displayName, "type": p.type}
    if p.required:
        out["required"] = True
    if p.default not in (None, "", {}, []):
        out["default"] = p.default
    if p.description:
        out["description"] = p.description
    if p.choices:
        out["options"] = [o.value for o in p.choices]
    if p.sub_parameters:
        out["fields"] = [_param(s) for s in p.sub_parameters]
    if p.displayOptions and (p.displayOptions.show or p.displayOptions.hide):
        out["displayOptions"] = p.displayOptions.model_dump(exclude_defaults=True)
    return out


def describe_text(node_type: NodeType) -> str:
    d = node_type.description
    lines = [f"{d.displayName} - {d.description}", f"types: {', '.join(node_type.type_names)}"]
    if d.credentials:
        lines.append(f"credentials: {', '.join(c.name for c in d.credentials)}")
    total = 0
    for resource in d.resources:
        lines.append("")
        lines.append(f"{resource.displayName} [{resource.name}]")
        for op in resource.operations:
            total += 1
            route = op.routing
            where = f"{route.get('method', '')} {route.get('path', '')}".strip()
            lines.append(
                f"  {op.name:<16} {op.action or op.displayName}"
                + (f"   ({where})" if where else "")
            )
            for p in op.parameters:
                flag = " *" if p.required else ""
                lines.append(f"      {p.name}{flag}: {p.type} - {p.displayName}")
    general = [p for p in d.properties if p.displayOptions is None and p.name not in ("resource",)]
    if general:
        lines.append("")
        lines.append("for every operation:")
        for p in general:
            lines.append(f"  {p.name}: {p.type} - {p.displayName}")
            for s in p.sub_parameters:
                lines.append(f"      {s.name}: {s.type} - {s.displayName} (default {s.default!r})")
    if d.resources:
        lines.append("")
        lines.append(f"{len(d.resources)} resources, {total} operations")
    return "\n".join(lines)
