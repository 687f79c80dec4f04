"""Edit Fields (Set) 1 and 2: values listed by type, with Keep Only Set.

Booleans are set first, then numbers, then strings, whatever the order in the editor.
Booleans are JavaScript truthiness (`"false"` is true); version 2 turns numeric text in number
fields into numbers; nothing else is converted. Names use dot notation unless it is off.
"""

from __future__ import annotations

import math
from typing import Any

from ..items import Item, PairedItem
from ..node import ExecutionContext
from .conditions.js import UNDEFINED, is_undefined, js_string, string_to_number, truthy
from .lodash_path import set_path


def _field(name: str, kind: str, default: Any) -> dict[str, Any]:
    return {
        "name": name,
        "displayName": name.capitalize(),
        "values": [
            {
                "displayName": "Name",
                "name": "name",
                "type": "string",
                "default": "propertyName",
                "description": "The field to write; a.b[0].c reaches into objects and arrays",
            },
            {"displayName": "Value", "name": "value", "type": kind, "default": default},
        ],
    }


def v1_properties(display: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "displayName": "Keep Only Set",
            "name": "keepOnlySet",
            "type": "boolean",
            "default": False,
            "description": "Whether the output holds only the values set here",
            "displayOptions": display,
        },
        {
            "displayName": "Values to Set",
            "name": "values",
            "type": "fixedCollection",
            "typeOptions": {"multipleValues": True},
            "default": {},
            "displayOptions": display,
            "options": [
                _field("boolean", "boolean", False),
                _field("number", "number", 0),
                _field("string", "string", ""),
            ],
        },
        {
            "displayName": "Options",
            "name": "options",
            "type": "collection",
            "default": {},
            "displayOptions": display,
            "options": [
                {
                    "displayName": "Dot Notation",
                    "name": "dotNotation",
                    "type": "boolean",
                    "default": True,
                    "description": "Whether a.b sets b inside a (rather than a field named 'a.b')",
                }
            ],
        },
    ]


def set_v1(ctx: ExecutionContext, items: list[Item]) -> list[Item]:
    params = ctx.raw_parameters
    version = ctx.type_version
    results: list[Item] = []
    for index, item in enumerate(items or [Item()]):
        keep_only_set = params.get("keepOnlySet", index, False)
        options = params.get("options", index, {})
        dot = options.get("dotNotation") is not False
        json: dict[str, Any] = {} if keep_only_set else dict(item.json)
        owned = {id(json)}
        binary = None if keep_only_set or item.binary is None else dict(item.binary)

        for entry in params.get("values.boolean", index, []):
            _put(json, entry.get("name", UNDEFINED), truthy(entry.get("value")), dot, owned)
        for entry in params.get("values.number", index, []):
            value = entry.get("value", UNDEFINED)
            if version >= 2 and isinstance(value, str):
                number = string_to_number(value)
                if not math.isnan(number):
                    value = number
            _put(json, entry.get("name", UNDEFINED), value, dot, owned)
        for entry in params.get("values.string", index, []):
            _put(json, entry.get("name", UNDEFINED), entry.get("value", UNDEFINED), dot, owned)
        results.append(Item(json=json, binary=binary, paired_item=PairedItem(index)))
    return results


def _put(json: dict[str, Any], name: Any, value: Any, dot: bool, owned: set[int]) -> None:
    key = name if isinstance(name, str) else js_string(name)
    if dot:
        set_path(json, key, value, owned)
    elif not is_undefined(value):
        json[key] = value
    else:
        json.pop(key, None)
