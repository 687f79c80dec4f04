"""Summarize: sums, counts, averages, min/max, lists and joins fields across items, by groups."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import Item, PairedItem
from ..node import ExecutionContext
from .field_paths import field_value
from .js_values import (
    UNDEFINED,
    add_numbers,
    is_number,
    json_stringify,
    less_than,
    same_value_key,
    to_string,
)
from .reshaping import DISABLE_DOT_NOTATION, ReshapingNode, paired_list

PREFIXES = {
    "append": "appended_",
    "average": "average_",
    "concatenate": "concatenated_",
    "count": "count_",
    "countUnique": "unique_count_",
    "max": "max_",
    "min": "min_",
    "sum": "sum_",
}
NO_FIELD = (
    "You need to add at least one aggregation to 'Fields to Summarize' with non empty 'Field'"
)
Getter = Callable[[dict[str, Any], str], Any]


def aggregation_row(numeric: list[str], counted: list[str], with_empty: list[str]) -> list[Any]:
    """The fields of one "Fields to Summarize" row (Summarize and Item Lists differ a little)."""
    return [
        {
            "displayName": "Aggregation",
            "name": "aggregation",
            "type": "options",
            "default": "count",
            "options": [
                {"name": "Append", "value": "append"},
                {"name": "Average", "value": "average"},
                {"name": "Concatenate", "value": "concatenate"},
                {"name": "Count", "value": "count"},
                {"name": "Count Unique", "value": "countUnique"},
                {"name": "Max", "value": "max"},
                {"name": "Min", "value": "min"},
                {"name": "Sum", "value": "sum"},
            ],
        },
        {
            "displayName": "Field",
            "name": "field",
            "type": "string",
            "default": "",
            "description": "The field to summarize"
            + ("; only numbers count for " + ", ".join(numeric) if numeric else ""),
        },
        {
            "displayName": "Include Empty Values",
            "name": "includeEmpty",
            "type": "boolean",
            "default": False,
            "displayOptions": {"show": {"aggregation": with_empty}},
        },
        {
            "displayName": "Separator",
            "name": "separateBy",
            "type": "options",
            "default": ",",
            "options": [
                {"name": "Comma", "value": ","},
                {"name": "Comma and Space", "value": ", "},
                {"name": "New Line", "value": "\n"},
                {"name": "None", "value": ""},
                {"name": "Space", "value": " "},
                {"name": "Other", "value": "other"},
            ],
            "displayOptions": {"show": {"aggregation": ["concatenate"]}},
        },
        {
            "displayName": "Custom Separator",
            "name": "customSeparator",
            "type": "string",
            "default": "",
            "displayOptions": {"show": {"aggregation": ["concatenate"], "separateBy": ["other"]}},
        },
    ]


def fields_to_summarize(row: list[Any]) -> dict[str, Any]:
    return {
        "displayName": "Fields to Summarize",
        "name": "fieldsToSummarize",
        "type": "fixedCollection",
        "typeOptions": {"multipleValues": True},
        "default": {"values": [{"aggregation": "count", "field": ""}]},
        "options": [{"displayName": "Values", "name": "values", "values": row}],
    }


FIELDS_TO_SPLIT_BY: dict[str, Any] = {
    "displayName": "Fields to Split By",
    "name": "fieldsToSplitBy",
    "type": "string",
    "default": "",
    "placeholder": "e.g. country, city",
    "description": "Fields whose values group the items, separated by commas",
}
OUTPUT_FORMAT: dict[str, Any] = {
    "displayName": "Output Format",
    "name": "outputFormat",
    "type": "options",
    "default": "separateItems",
    "options": [
        {"name": "Each Split in a Separate Item", "value": "separateItems"},
        {"name": "All Splits in a Single Item", "value": "singleItem"},
    ],
}
SKIP_EMPTY_SPLITS: dict[str, Any] = {
    "displayName": "Ignore Items Without Valid Fields to Group By",
    "name": "skipEmptySplitFields",
    "type": "boolean",
    "default": False,
}


def is_empty(value: Any) -> bool:
    return value is UNDEFINED or value is None or value == ""


def getter(dot: bool) -> Getter:
    return lambda obj, name: field_value(obj, name, dot)


def _json_value(value: Any) -> Any:
    return None if value is UNDEFINED else value


def _joined(values: list[Any], separator: str) -> str:
    parts = []
    for value in values:
        if isinstance(value, (dict, list)) or value is None:
            value = json_stringify(value)
        elif value is UNDEFINED:
            value = "undefined"
        parts.append(to_string(value))
    return separator.join(parts)


def _extreme(values: list[Any], smaller: bool) -> Any:
    best: Any = UNDEFINED
    for value in values:
        if is_empty(value):
            continue
        if best is UNDEFINED or (less_than(value, best) if smaller else less_than(best, value)):
            best = value
    return None if best is UNDEFINED else best


@dataclass(frozen=True, slots=True)
class SummaryRules:
    """Where Summarize and the versions of Item Lists' "Summarize" compute differently."""

    numeric: frozenset[str] = frozenset({"average", "sum"})  # only numbers are counted
    counts_read_include_empty: bool = True  # Item Lists always drops empty values in counts
    math_extremes: bool = False  # Item Lists 1-2: min/max over the numbers only


def aggregate(
    rows: list[dict[str, Any]],
    entry: Mapping[str, Any],
    get: Getter,
    rules: SummaryRules = SummaryRules(),
) -> Any:
    """One aggregation over one group."""
    kind = entry.get("aggregation")
    field = entry.get("field", "")
    values = [get(row, field) for row in rows]
    if kind in rules.numeric:
        values = [v for v in values if is_number(v)]
    include_empty = bool(entry.get("includeEmpty"))
    if kind in ("average", "sum"):
        total: float | int = 0
        for number in values:
            total = add_numbers(total, number)
        if kind == "sum":
            return total
        return add_numbers(total / len(values), 0) if values else None
    if kind in ("append", "concatenate"):
        kept = values if include_empty else [v for v in values if not is_empty(v)]
        if kind == "append":
            return [_json_value(v) for v in kept]
        separator = entry.get("separateBy", ",")
        if separator == "other":
            separator = entry.get("customSeparator", "")
        return _joined(kept, "," if separator is None else str(separator))
    if kind in ("min", "max"):
        if rules.math_extremes:  # Math.min() of nothing is Infinity, JSON null
            return (min if kind == "min" else max)(values) if values else None
        return _extreme(values, kind == "min")
    if not rules.counts_read_include_empty:
        include_empty = False
    if kind == "countUnique":
        counted = values if include_empty else [v for v in values if not is_empty(v)]
        return len({same_value_key(v) for v in counted})
    return len(values) if include_empty else len([v for v in values if not is_empty(v)])


def normalize_name(name: str) -> str:
    return re.sub(r"[ .]", "_", re.sub(r'[\]\["]', "", name))


class _Group:
    """One level of grouping: a field and its groups in first-seen order, or a leaf."""

    def __init__(self, field: str | None = None) -> None:
        self.field = field
        self.splits: list[tuple[Any, _Group]] = []
        self.data: dict[str, Any] = {}
        self.pairs: list[int] | None = None


def _summarize(
    rows: list[dict[str, Any]],
    split_keys: list[str],
    aggregations: list[Mapping[str, Any]],
    options: Mapping[str, Any],
    get: Getter,
    keys_as_text: bool,
) -> _Group:
    if not split_keys:
        leaf = _Group()
        for entry in aggregations:
            prefix = PREFIXES.get(entry.get("aggregation", ""), "count_")
            name = normalize_name(prefix + entry.get("field", ""))
            leaf.data[name] = aggregate(rows, entry, get)
        if options.get("outputFormat") != "singleItem":
            leaf.pairs = [row["_itemIndex"] for row in rows]
        return leaf
    first, rest = split_keys[0], split_keys[1:]
    groups: dict[Any, tuple[Any, list[dict[str, Any]]]] = {}
    for row in rows:
        value = get(row, first)
        if isinstance(value, (dict, list)):  # every object is truthy: stringified
            value = json_stringify(value)
        if keys_as_text:
            value = to_string(value)
        skip = options.get("skipEmptySplitFields") and not is_number(value) and not value
        if skip:
            continue
        key = same_value_key(value)
        if key not in groups:
            groups[key] = (value, [])
        groups[key][1].append(row)
    node = _Group(first)
    for value, members in groups.values():
        node.splits.append(
            (value, _summarize(members, rest, aggregations, options, get, keys_as_text))
        )
    return node


def _as_object(group: _Group) -> dict[str, Any]:
    if group.field is None:
        return group.data
    return {to_string(value): _as_object(inner) for value, inner in group.splits}


def _as_rows(group: _Group) -> list[_Group]:
    if group.field is None:
        return [group]
    out: list[_Group] = []
    for value, inner in group.splits:
        for leaf in _as_rows(inner):
            if value is UNDEFINED:
                leaf.data.pop(normalize_name(group.field), None)
            else:
                leaf.data[normalize_name(group.field)] = value
            out.append(leaf)
    return out


def summarize_items(items: list[Item], params: Mapping[str, Any], version: float) -> list[Item]:
    """Summarize 1 and 1.1: version 1 turns group values into text, 1.1 keeps their types."""
    rows = [{**item.json, "_itemIndex": index} for index, item in enumerate(items)]
    options = params.get("options") or {}
    split_keys = [
        name.strip() for name in str(params.get("fieldsToSplitBy") or "").split(",") if name.strip()
    ]
    aggregations = (params.get("fieldsToSummarize") or {}).get("values") or []
    if not any(entry.get("field", "") != "" for entry in aggregations):
        raise NodeOperationError(
            NO_FIELD, description="give each row of 'Fields to Summarize' the field to summarize"
        )
    get = getter(not options.get("disableDotNotation"))
    result = _summarize(rows, split_keys, aggregations, options, get, keys_as_text=version == 1)
    for entry in aggregations:
        field = entry.get("field", "")
        missing = field != "" and all(get(row, field) is UNDEFINED for row in rows)
        if missing and version == 1 and not options.get("continueIfFieldNotFound"):
            raise NodeOperationError(
                f"The field '{field}' does not exist in any items",
                description="check the name, or turn on 'Continue if Field Not Found'",
            )
    all_items = paired_list(PairedItem(i) for i in range(len(items)))
    if options.get("outputFormat") == "singleItem":
        return [Item(json=_as_object(result), paired_item=all_items)]
    return [
        Item(json=leaf.data, paired_item=paired_list(PairedItem(i) for i in leaf.pairs or []))
        for leaf in _as_rows(result)
    ]


class Summarize(ReshapingNode):
    """n8n's Summarize (v1, 1.1). Needs every item at once."""

    type_names = ("n8n-nodes-base.summarize", "summarize")
    needs_all_items: ClassVar[bool] = True
    description_data: ClassVar[dict[str, Any]] = {
        "name": "summarize",
        "displayName": "Summarize",
        "description": "Sums, counts, averages and more across items, optionally by groups",
        "version": [1, 1.1],
        "group": ["transform"],
        "properties": [
            fields_to_summarize(
                aggregation_row(
                    ["average", "sum"], [], ["append", "concatenate", "count", "countUnique"]
                )
            ),
            FIELDS_TO_SPLIT_BY,
            {
                "displayName": "Options",
                "name": "options",
                "type": "collection",
                "default": {},
                "options": [
                    {
                        "displayName": "Continue if Field Not Found",
                        "name": "continueIfFieldNotFound",
                        "type": "boolean",
                        "default": False,
                        "description": "Version 1 only: whether a field in no item is no error",
                    },
                    DISABLE_DOT_NOTATION,
                    OUTPUT_FORMAT,
                    SKIP_EMPTY_SPLITS,
                ],
            },
        ],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = self.start(ctx)
        return [summarize_items(items, params, ctx.type_version)]
