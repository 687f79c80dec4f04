"""Aggregate: combines fields of many items (or whole items) into lists in a single item."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import BinaryData, Item, PairedItem
from ..node import ExecutionContext
from .field_lists import prepare_fields_array
from .field_paths import field_value, set_path
from .js_values import UNDEFINED, js_keys
from .reshaping import (
    DISABLE_DOT_NOTATION,
    NESTED_HINT,
    ReshapingNode,
    paired_list,
)

AGGREGATE_MODE: dict[str, Any] = {
    "displayName": "Aggregate",
    "name": "aggregate",
    "type": "options",
    "default": "aggregateIndividualFields",
    "options": [
        {"name": "Individual Fields", "value": "aggregateIndividualFields"},
        {"name": "All Item Data (Into a Single List)", "value": "aggregateAllItemData"},
    ],
}
FIELDS_TO_AGGREGATE: dict[str, Any] = {
    "displayName": "Fields To Aggregate",
    "name": "fieldsToAggregate",
    "type": "fixedCollection",
    "typeOptions": {"multipleValues": True},
    "default": {"fieldToAggregate": [{"fieldToAggregate": "", "renameField": False}]},
    "displayOptions": {"show": {"aggregate": ["aggregateIndividualFields"]}},
    "options": [
        {
            "displayName": "Field To Aggregate",
            "name": "fieldToAggregate",
            "values": [
                {
                    "displayName": "Input Field Name",
                    "name": "fieldToAggregate",
                    "type": "string",
                    "default": "",
                    "description": "The field whose values are collected into a list",
                },
                {
                    "displayName": "Rename Field",
                    "name": "renameField",
                    "type": "boolean",
                    "default": False,
                },
                {
                    "displayName": "Output Field Name",
                    "name": "outputFieldName",
                    "type": "string",
                    "default": "",
                    "displayOptions": {"show": {"renameField": [True]}},
                },
            ],
        }
    ],
}
DESTINATION: dict[str, Any] = {
    "displayName": "Put Output in Field",
    "name": "destinationFieldName",
    "type": "string",
    "default": "data",
    "displayOptions": {"show": {"aggregate": ["aggregateAllItemData"]}},
}
INCLUDE_FIELDS: dict[str, Any] = {
    "displayName": "Include",
    "name": "include",
    "type": "options",
    "default": "allFields",
    "options": [
        {"name": "All Fields", "value": "allFields"},
        {"name": "Specified Fields", "value": "specifiedFields"},
        {"name": "All Fields Except", "value": "allFieldsExcept"},
    ],
    "displayOptions": {"show": {"aggregate": ["aggregateAllItemData"]}},
}
FIELDS_TO_EXCLUDE: dict[str, Any] = {
    "displayName": "Fields To Exclude",
    "name": "fieldsToExclude",
    "type": "string",
    "default": "",
    "placeholder": "e.g. email, name",
    "displayOptions": {
        "show": {"aggregate": ["aggregateAllItemData"], "include": ["allFieldsExcept"]}
    },
}
FIELDS_TO_KEEP: dict[str, Any] = {
    "displayName": "Fields To Include",
    "name": "fieldsToInclude",
    "type": "string",
    "default": "",
    "placeholder": "e.g. email, name",
    "displayOptions": {
        "show": {"aggregate": ["aggregateAllItemData"], "include": ["specifiedFields"]}
    },
}
MERGE_LISTS: dict[str, Any] = {
    "displayName": "Merge Lists",
    "name": "mergeLists",
    "type": "boolean",
    "default": False,
    "description": "Whether list values are joined into one flat list",
}
INCLUDE_BINARIES: dict[str, Any] = {
    "displayName": "Include Binaries",
    "name": "includeBinaries",
    "type": "boolean",
    "default": False,
}
KEEP_ONLY_UNIQUE: dict[str, Any] = {
    "displayName": "Keep Only Unique Binaries",
    "name": "keepOnlyUnique",
    "type": "boolean",
    "default": False,
}
KEEP_MISSING: dict[str, Any] = {
    "displayName": "Keep Missing And Null Values",
    "name": "keepMissing",
    "type": "boolean",
    "default": False,
    "description": "Whether a missing or null value adds null to the list",
}
AGGREGATE_OPTIONS: dict[str, Any] = {
    "displayName": "Options",
    "name": "options",
    "type": "collection",
    "default": {},
    "options": [
        DISABLE_DOT_NOTATION,
        MERGE_LISTS,
        INCLUDE_BINARIES,
        KEEP_ONLY_UNIQUE,
        KEEP_MISSING,
    ],
}


def aggregate_fields(
    items: list[Item], params: Mapping[str, Any], check_found: bool = False
) -> Item:
    """One item with a list per field ("Individual Fields")."""
    options = params.get("options") or {}
    dot = not options.get("disableDotNotation")
    merge_lists = bool(options.get("mergeLists"))
    keep_missing = bool(options.get("keepMissing"))
    rows = (params.get("fieldsToAggregate") or {}).get("fieldToAggregate") or []
    if not rows:
        raise NodeOperationError(
            "No fields specified", description="Please add a field to aggregate"
        )
    if check_found:
        _check_found(items, rows, dot, keep_missing)
    values: dict[str, list[Any]] = {}
    used: list[str] = []
    for row in rows:
        source = row.get("fieldToAggregate", "")
        renamed = bool(row.get("renameField"))
        # the output name is only read while "Rename Field" is on
        output_name = row.get("outputFieldName", "") if renamed else ""
        label = output_name if renamed else source
        if label in used:
            raise NodeOperationError(
                f"The '{label}' output field is used more than once",
                description="Please make sure each output field name is unique",
            )
        used.append(label)
        name = output_name or (source.split(".")[-1] if dot and "." in source else source)
        if source == "":
            continue
        collected: list[Any] = []
        values[name] = collected
        for item in items:
            value = field_value(item.json, source, dot)
            if not keep_missing:
                if isinstance(value, list):
                    value = [entry for entry in value if entry is not None]
                elif value is None or value is UNDEFINED:
                    continue
            if isinstance(value, list) and merge_lists:
                collected.extend(value)
            else:
                collected.append(None if value is UNDEFINED else value)
    json: dict[str, Any] = {}
    for key in js_keys(values):
        if dot:
            set_path(json, key, values[key])
        else:
            json[key] = values[key]
    return Item(json=json, paired_item=paired_list(PairedItem(i) for i in range(len(items))))


def _check_found(
    items: list[Item], rows: Sequence[Mapping[str, Any]], dot: bool, keep_missing: bool
) -> None:
    """Item Lists before 2.1 fail when a field to aggregate is in no item."""
    for row in rows:
        source = row.get("fieldToAggregate", "")
        found = False
        for item in items:
            if source == "":
                raise NodeOperationError(
                    "Field to aggregate is blank", description="Please add a field to aggregate"
                )
            if dot:
                found = found or field_value(item.json, source) is not UNDEFINED
            else:
                found = found or source in item.json
        message = f"Couldn't find the field '{source}' in the input data"
        if not found and not dot and "." in source:
            raise NodeOperationError(message, description=NESTED_HINT)
        if not found and not keep_missing:
            raise NodeOperationError(
                message, description="no input item has it - check 'Input Field Name'"
            )


def aggregate_all(
    items: list[Item],
    destination: str,
    excluded: Sequence[str],
    included: Sequence[str],
    paired: bool = True,
) -> Item:
    """One item whose `destination` field lists every item's data ("All Item Data")."""
    data: list[dict[str, Any]] = []
    indices: list[int] = []
    for index, item in enumerate(items):
        if not excluded and not included:
            data.append(item.json)
            indices.append(index)
            continue
        keys = js_keys(item.json)
        if excluded:
            keys = [key for key in keys if key not in excluded]
        if included:
            keys = [key for key in keys if key in included]
        picked = {key: item.json[key] for key in keys}
        if picked:
            data.append(picked)
            indices.append(index)
    pair = paired_list(PairedItem(i) for i in indices) if paired else None
    return Item(json={destination: data}, paired_item=pair)


def fields_param(params: Mapping[str, Any], name: str, label: str) -> list[str]:
    return prepare_fields_array(params.get(name) or "", label)


def add_binaries(out: Item, items: list[Item], unique_only: bool) -> None:
    """Give `out` the files of `items`; a repeated name gets _1, _2; optionally skip repeats."""
    seen: list[tuple[str, int, str]] = []
    binary: dict[str, BinaryData] = dict(out.binary or {})
    for item in items:
        for key, data in (item.binary or {}).items():
            if unique_only:
                signature = (
                    data.mime_type,
                    len(data.data),
                    os.path.splitext(data.file_name or "")[1].lstrip(".").lower(),
                )
                if signature in seen:
                    continue
                seen.append(signature)
            name = key
            suffix = 1
            while name in binary:
                name = f"{key}_{suffix}"
                suffix += 1
            binary[name] = data
    out.binary = binary or None


def include_binaries(out: Item, items: list[Item], options: Mapping[str, Any]) -> None:
    if not options.get("includeBinaries"):
        return
    add_binaries(out, [items[p.item] for p in out.pairs()], bool(options.get("keepOnlyUnique")))


def aggregate_items(items: list[Item], params: Mapping[str, Any]) -> Item:
    """Aggregate v1 (and Item Lists 3.x "Concatenate Items")."""
    if params.get("aggregate") == "aggregateIndividualFields":
        out = aggregate_fields(items, params)
    else:
        out = aggregate_all(
            items,
            params.get("destinationFieldName") or "",
            fields_param(params, "fieldsToExclude", "Fields To Exclude"),
            fields_param(params, "fieldsToInclude", "Fields To Include"),
        )
    include_binaries(out, items, params.get("options") or {})
    return out


class Aggregate(ReshapingNode):
    """n8n's Aggregate (v1). Needs every item at once."""

    type_names = ("n8n-nodes-base.aggregate", "aggregate")
    needs_all_items: ClassVar[bool] = True
    description_data: ClassVar[dict[str, Any]] = {
        "name": "aggregate",
        "displayName": "Aggregate",
        "description": "Combines a field of many items into a list in one item",
        "version": 1,
        "group": ["transform"],
        "properties": [
            AGGREGATE_MODE,
            FIELDS_TO_AGGREGATE,
            DESTINATION,
            INCLUDE_FIELDS,
            FIELDS_TO_EXCLUDE,
            FIELDS_TO_KEEP,
            AGGREGATE_OPTIONS,
        ],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = self.start(ctx)
        return [[aggregate_items(items, params)]]
