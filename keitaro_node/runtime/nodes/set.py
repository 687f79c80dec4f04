"""Edit Fields (Set): sets fields on items from typed assignments or a raw JSON object."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..expressions import to_text
from ..items import Item, PairedItem
from ..node import ExecutionContext
from .base import DescribedNode


class EditFields(DescribedNode):
    """n8n's Edit Fields (Set): assignments with types, or a raw JSON object per item."""

    type_names = ("n8n-nodes-base.set", "set")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "set",
        "displayName": "Edit Fields (Set)",
        "description": "Sets fields on items, with values from expressions",
        "version": [3, 3.1, 3.2, 3.3, 3.4],
        "properties": [
            {
                "displayName": "Mode",
                "name": "mode",
                "type": "options",
                "noDataExpression": True,
                "default": "manual",
                "options": [
                    {"name": "Manual Mapping", "value": "manual"},
                    {"name": "JSON", "value": "raw"},
                ],
            },
            {
                "displayName": "Fields to Set",
                "name": "assignments",
                "type": "json",
                "default": {"assignments": []},
                "description": "{assignments: [{name, value, type}]} where type is string, number, boolean, array or object",
                "displayOptions": {"show": {"mode": ["manual"]}},
            },
            {
                "displayName": "JSON Output",
                "name": "jsonOutput",
                "type": "json",
                "default": "{}",
                "displayOptions": {"show": {"mode": ["raw"]}},
            },
            {
                "displayName": "Include Other Input Fields",
                "name": "includeOtherFields",
                "type": "boolean",
                "default": False,
            },
            {
                "displayName": "Options",
                "name": "options",
                "type": "collection",
                "default": {},
                "options": [
                    {
                        "displayName": "Support Dot Notation",
                        "name": "dotNotation",
                        "type": "boolean",
                        "default": True,
                    },
                    {
                        "displayName": "Ignore Type Conversion Errors",
                        "name": "ignoreConversionErrors",
                        "type": "boolean",
                        "default": False,
                    },
                    {
                        "displayName": "Include Binary File",
                        "name": "includeBinary",
                        "type": "boolean",
                        "default": True,
                    },
                ],
            },
        ],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        def handle(index: int, item: Item) -> Item:
            params = ctx.get_parameters(index)
            options = params.get("options") or {}
            dot = options.get("dotNotation", True)
            # shallow: _set_path copies nested objects before it changes them
            out: dict[str, Any] = dict(item.json) if params.get("includeOtherFields") else {}
            owned = {id(out)}  # objects made here, safe to change in place
            if params.get("mode") == "raw":
                raw = params.get("jsonOutput")
                if not isinstance(raw, dict):
                    raise NodeOperationError("'JSON Output' must be a JSON object")
                out.update(raw)
            else:
                _assign(out, params.get("assignments"), options, dot, owned)
            binary = item.binary if options.get("includeBinary", True) else None
            return Item(json=out, binary=binary, paired_item=PairedItem(index))

        return [await ctx.map_each(items, handle)]


def _assign(
    out: dict[str, Any], raw: Any, options: dict[str, Any], dot: bool, owned: set[int]
) -> None:
    """Apply the assignments form `{assignments: [{name, value, type}]}` to `out`."""
    entries = raw.get("assignments", []) if type(raw) is dict else raw
    if type(entries) is not list:
        raise NodeOperationError("'Fields to Set' must be {assignments: [{name, value, type}]}")
    for number, entry in enumerate(entries):
        name = entry.get("name") if type(entry) is dict else None
        if type(name) is not str or not name:
            raise NodeOperationError(f"field {number + 1} of 'Fields to Set' needs a name")
        value = entry.get("value")
        kind = entry.get("type", "string")
        if type(value) is not _WANTED.get(kind):
            try:
                value = _convert(value, kind)
            except ValueError as exc:
                if not options.get("ignoreConversionErrors"):
                    raise NodeOperationError(f"field '{name}': {exc}") from None
        if dot and "." in name:
            _set_path(out, _path_parts(name), value, owned)
        else:
            out[name] = value


def _convert(value: Any, kind: str) -> Any:
    if kind == "string":
        return to_text(value) if not isinstance(value, str) else value
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError(f"cannot use {value!r} as a number")
        if isinstance(value, (int, float)):
            return value
        try:
            text = str(value).strip()
            return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no", ""):
            return False
        raise ValueError(f"{value!r} is not a boolean")
    if kind in ("array", "object"):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        wanted = list if kind == "array" else dict
        if not isinstance(value, wanted):
            raise ValueError(f"expected an {kind}")
        return value
    raise ValueError(f"unknown field type '{kind}'")


_WANTED: dict[str, type] = {
    "string": str,
    "number": int,
    "boolean": bool,
    "array": list,
    "object": dict,
}


@lru_cache(maxsize=1024)
def _path_parts(name: str) -> tuple[str, ...]:
    return tuple(name.split("."))


def _set_path(target: dict[str, Any], parts: tuple[str, ...], value: Any, owned: set[int]) -> None:
    """Set `a.b.c`; objects not in `owned` (shared with the input) are copied before changing."""
    node = target
    for part in parts[:-1]:
        child = node.get(part)
        if type(child) is not dict or id(child) not in owned:
            child = dict(child) if isinstance(child, dict) else {}
            owned.add(id(child))
            node[part] = child
        node = child
    node[parts[-1]] = value
