"""Split Out: turns a list (or an object's values) inside each item into separate items."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import BinaryData, Item, PairedItem
from ..node import ExecutionContext
from .field_lists import prepare_fields_array, split_names
from .field_paths import field_value, unset_path
from .js_values import UNDEFINED, js_keys, js_trim
from .reshaping import DISABLE_DOT_NOTATION, ReshapingNode

_JSON_PREFIX = re.compile(r"^\$json\.")
BINARY_FIELD = "$binary"

FIELD_TO_SPLIT_OUT: dict[str, Any] = {
    "displayName": "Fields To Split Out",
    "name": "fieldToSplitOut",
    "type": "string",
    "default": "",
    "required": True,
    "placeholder": "e.g. offers, landings",
    "description": "The list fields to make items of, separated by commas ($binary: the files)",
}
INCLUDE_OTHER: dict[str, Any] = {
    "displayName": "Include",
    "name": "include",
    "type": "options",
    "default": "noOtherFields",
    "options": [
        {"name": "No Other Fields", "value": "noOtherFields"},
        {"name": "All Other Fields", "value": "allOtherFields"},
        {"name": "Selected Other Fields", "value": "selectedOtherFields"},
    ],
    "description": "Which other fields of the item each new item gets",
}
FIELDS_TO_INCLUDE: dict[str, Any] = {
    "displayName": "Fields To Include",
    "name": "fieldsToInclude",
    "type": "string",
    "default": "",
    "placeholder": "e.g. email, name",
    "displayOptions": {"show": {"include": ["selectedOtherFields"]}},
}
DESTINATION_FIELD: dict[str, Any] = {
    "displayName": "Destination Field Name",
    "name": "destinationFieldName",
    "type": "string",
    "default": "",
    "description": "Where each element goes in the new item (one name per split field)",
}
INCLUDE_BINARY: dict[str, Any] = {
    "displayName": "Include Binary",
    "name": "includeBinary",
    "type": "boolean",
    "default": False,
    "description": "Whether the new items keep the item's files",
}
SPLIT_OPTIONS: dict[str, Any] = {
    "displayName": "Options",
    "name": "options",
    "type": "collection",
    "default": {},
    "options": [DISABLE_DOT_NOTATION, DESTINATION_FIELD, INCLUDE_BINARY],
}


def _elements(value: Any) -> list[Any]:
    """What splitting a value gives: a list's elements, an object's values, else the value."""
    if value is UNDEFINED:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value[key] for key in js_keys(value)]
    return [value]


def _spread(value: Any) -> dict[str, Any]:
    """`{...value}` for an object or an array (an array spreads as "0", "1", ...)."""
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    return dict(value)


class _Entry:
    __slots__ = ("binary", "json")

    def __init__(self) -> None:
        self.json: dict[str, Any] = {}
        self.binary: dict[str, BinaryData] | None = None


def split_item(item: Item, index: int, params: Mapping[str, Any]) -> list[Item]:
    """One input item's new items, as Split Out v1 (and Item Lists 3.x) make them."""
    fields = [_JSON_PREFIX.sub("", name) for name in split_names(params.get("fieldToSplitOut"))]
    options = params.get("options") or {}
    dot = not options.get("disableDotNotation")
    destinations = [
        js_trim(name)
        for name in str(options.get("destinationFieldName") or "").split(",")
        if js_trim(name) != ""
    ]
    if destinations and len(destinations) != len(fields):
        raise NodeOperationError(
            "If multiple fields to split out are given, the same number of destination fields "
            "must be given",
            description=f"{len(fields)} field(s) to split out, {len(destinations)} destination(s)",
            item_index=index,
        )
    include = params.get("include")
    several = len(fields) > 1
    source = dict(item.json)
    entries: list[_Entry] = []
    for number, field in enumerate(fields):
        destination = destinations[number] if number < len(destinations) else ""
        if field == BINARY_FIELD:
            files = list((item.binary or {}).items())
            for position, (key, data) in enumerate(files):
                while len(entries) <= position:
                    entries.append(_Entry())
                entry = entries[position]
                entry.binary = {**(entry.binary or {}), key: data}
            continue
        for position, element in enumerate(_elements(field_value(source, field, dot))):
            while len(entries) <= position:
                entries.append(_Entry())
            entry = entries[position]
            name = destination or field
            if isinstance(element, (dict, list)) and include == "noOtherFields":
                if destination == "" and not several:
                    entry.json = {**entry.json, **_spread(element)}
                else:
                    entry.json[name] = element
            else:
                entry.json[name] = element
    out: list[Item] = []
    for entry in entries:
        json = entry.json
        if include == "allOtherFields":
            rest = copy.deepcopy(source)
            for field in fields:
                if dot:
                    unset_path(rest, field)
                else:
                    rest.pop(field, None)
            json = {**rest, **entry.json}
        if include == "selectedOtherFields":
            wanted = prepare_fields_array(params.get("fieldsToInclude", ""), "Fields To Include")
            if not wanted:
                raise NodeOperationError(
                    "No fields specified",
                    description="Please add a field to include under 'Fields To Include'",
                    item_index=index,
                )
            for name in wanted:
                value = field_value(source, name, dot)
                if value is UNDEFINED:
                    json.pop(name, None)
                else:
                    json[name] = value
        binary = entry.binary
        if options.get("includeBinary") and item.binary and not binary:
            binary = item.binary
        out.append(Item(json=json, binary=binary, paired_item=PairedItem(index)))
    return out


class SplitOut(ReshapingNode):
    """n8n's Split Out (v1). Works item by item."""

    type_names = ("n8n-nodes-base.splitOut", "splitOut")
    needs_all_items: ClassVar[bool] = False
    description_data: ClassVar[dict[str, Any]] = {
        "name": "splitOut",
        "displayName": "Split Out",
        "description": "Turns a list inside each item into separate items",
        "version": 1,
        "group": ["transform"],
        "properties": [FIELD_TO_SPLIT_OUT, INCLUDE_OTHER, FIELDS_TO_INCLUDE, SPLIT_OPTIONS],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        self.start(ctx)
        out: list[Item] = []
        for index, item in enumerate(items):
            out.extend(split_item(item, index, ctx.get_parameters(index)))
        return [out]
