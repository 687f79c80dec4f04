"""Human and machine views of a node type's description (for `keitaro-node describe`)."""

from __future__ import annotations

from typing import Any

from keitaro_node.runtime.description import DisplayOptions, Parameter
from keitaro_node.runtime.node import NodeType


def describe_json(node_type: NodeType) -> dict[str, Any]:
    """The loaded description: identity, node-wide parameters, resources and their operations."""
    d = node_type.description
    return {
        "name": d.name,
        "displayName": d.displayName,
        "description": d.description,
        "types": list(node_type.type_names),
        "versions": _versions(node_type),
        "credentials": [c.name for c in d.credentials],
        # a node without resources shows every parameter, each with the versions and
        # settings it is shown for
        "parameters": [
            _param(p) for p in d.properties if p.displayOptions is None or not d.resources
        ],
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
    if p.groups:
        out["groups"] = {g.name: [_param(v) for v in g.values] for g in p.groups}
    if p.displayOptions and (p.displayOptions.show or p.displayOptions.hide):
        out["displayOptions"] = p.displayOptions.model_dump(exclude_defaults=True)
    return out


def _versions(node_type: NodeType) -> list[float]:
    version = node_type.description.version
    return list(version) if isinstance(version, tuple) else [version]


def _number(value: object) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _shown_when(display: DisplayOptions | None) -> str:
    """displayOptions for people: `@version >= 3.3, mode = manual, not when x = y`."""
    if display is None:
        return ""
    signs = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<", "eq": "=", "not": "!="}
    parts: list[str] = []
    for negate, conditions in ((False, display.show), (True, display.hide)):
        for name, allowed in conditions.items():
            plain = [_number(v) if isinstance(v, float) else str(v) for v in allowed if not _cnd(v)]
            text = [
                f"{name} {signs.get(k, k)} {_number(v)}"
                for e in allowed
                if _cnd(e)
                for k, v in e["_cnd"].items()
            ]
            if plain:
                text.append(
                    f"{name} = {plain[0]}" if len(plain) == 1 else f"{name} in {', '.join(plain)}"
                )
            joined = " or ".join(text)
            parts.append(f"not when {joined}" if negate else joined)
    return ", ".join(parts)


def _cnd(entry: object) -> bool:
    return isinstance(entry, dict) and "_cnd" in entry


def _parameter_lines(parameters: tuple[Parameter, ...], indent: str) -> list[str]:
    lines: list[str] = []
    for p in parameters:
        when = _shown_when(p.displayOptions)
        default = "" if p.default in (None, "", {}, []) else f" (default {p.default!r})"
        lines.append(
            f"{indent}{p.name}: {p.type} - {p.displayName}{default}"
            + (f"   [{when}]" if when else "")
        )
        if p.choices and p.type in ("options", "multiOptions"):
            lines.append(f"{indent}    one of: {', '.join(repr(o.value) for o in p.choices)}")
        if p.type == "json" and p.description:
            lines.append(f"{indent}    {p.description}")
        lines += _parameter_lines(p.sub_parameters, indent + "    ")
        for group in p.groups:
            lines.append(f"{indent}    {group.name} ({group.displayName}):")
            lines += _parameter_lines(group.values, indent + "        ")
    return lines


def describe_text(node_type: NodeType) -> str:
    d = node_type.description
    lines = [f"{d.displayName} - {d.description}", f"types: {', '.join(node_type.type_names)}"]
    lines.append(f"versions: {', '.join(_number(v) for v in _versions(node_type))}")
    if not d.resources:
        outputs = d.x.get("outputNames") or d.x.get("outputs")
        if outputs:
            shown = ", ".join(outputs) if isinstance(outputs, list) else outputs
            lines.append(f"outputs: {shown}")
        lines.append("")
        lines.append("parameters ([...]: the versions and settings a parameter is shown for):")
        lines += _parameter_lines(d.properties, "  ")
        return "\n".join(lines)
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
