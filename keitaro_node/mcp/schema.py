"""JSON Schemas for tool arguments, from the parameters of node descriptions.

Only plain JSON Schema is used (type, enum, minimum, items; no oneOf/anyOf at the top), which
every MCP client passes on. A JSON parameter accepts any JSON value; when the node checks a
body against a schema of its own, that schema is attached (one operation per tool) or its
fields are listed in the description (several operations per tool).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from keitaro_node.runtime.description import Parameter


def parameter_schema(parameter: Parameter, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    kind = parameter.type
    if kind in ("string", "dateTime"):
        schema["type"] = "string"
    elif kind == "number":
        schema["type"] = "integer" if parameter.typeOptions.numberPrecision == 0 else "number"
        for key, bound in (
            ("minimum", parameter.typeOptions.minValue),
            ("maximum", parameter.typeOptions.maxValue),
        ):
            if bound is not None:
                schema[key] = int(bound) if float(bound).is_integer() else bound
    elif kind == "boolean":
        schema["type"] = "boolean"
    elif kind == "options":
        values = [o.value for o in parameter.choices]
        schema["enum"] = values
    elif kind == "multiOptions":
        schema["type"] = "array"
        schema["items"] = {"enum": [o.value for o in parameter.choices]}
    elif kind in ("collection", "fixedCollection"):
        schema["type"] = "object"
    elif kind == "json" and body is not None:
        schema.update({k: copy.deepcopy(v) for k, v in body.items() if k not in ("$schema", "$id")})
    default = parameter.default
    if default not in (None, "", [], {}) and kind != "json":
        schema["default"] = default
    text = parameter.displayName
    if parameter.description:
        text += f": {parameter.description}"
    if kind == "json" and body is None:
        text += " (JSON: an object or array, or text holding one)"
    schema["description"] = text
    return schema


def body_fields(schema: Mapping[str, Any]) -> str:
    """`campaign_id*, type* (regular|forced|default), name*, ...`: a body schema in one line."""
    required = set(schema.get("required", []))
    parts = []
    for name, field in (schema.get("properties") or {}).items():
        text = name + ("*" if name in required else "")
        if isinstance(field, Mapping) and isinstance(field.get("enum"), list):
            text += " (" + "|".join(str(v) for v in field["enum"]) + ")"
        parts.append(text)
    return ", ".join(parts)
