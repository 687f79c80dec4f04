"""Item Lists operations as the node's older versions did them (split out, summarize).

Item Lists 3.x splits, aggregates and sorts like the Split Out, Aggregate and Sort nodes; these
are the parts where versions 1 and 2 (and 3's summarize) behave differently.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from ..errors import NodeOperationError
from ..items import Item, PairedItem
from .field_lists import listed_field_names, split_names
from .field_paths import field_value, unset_path
from .js_values import UNDEFINED, js_keys, json_stringify, to_string, typeof
from .reshaping import NESTED_HINT, paired_list
from .summarize import NO_FIELD, PREFIXES, SummaryRules, aggregate, getter

_BRACKETS = re.compile(r'[\]\["]')
_SPACES = re.compile(r"[ .]")


def _spread(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return dict(value)
    return {}  # {...null}


def _missing(field: str, dot: bool, index: int) -> NodeOperationError:
    message = f"Couldn't find the field '{field}' in the input data"
    if "." in field and not dot:
        return NodeOperationError(message, description=NESTED_HINT, item_index=index)
    return NodeOperationError(
        message, description="check 'Field To Split Out' against the item", item_index=index
    )


def _included_names(params: Mapping[str, Any], index: int) -> list[str]:
    names = listed_field_names(params.get("fieldsToInclude"))
    if not names:
        raise NodeOperationError(
            "No fields specified",
            description="Please add a field to include under 'Fields To Include'",
            item_index=index,
        )
    return names


def split_item_v1(item: Item, index: int, params: Mapping[str, Any], dot: bool) -> list[Item]:
    """Item Lists 1: one list field; each element becomes an item."""
    field = str(params.get("fieldToSplitOut") or "")
    destination = str((params.get("options") or {}).get("destinationFieldName") or "")
    include = params.get("include")
    values = field_value(item.json, field, dot)
    if values is UNDEFINED:
        raise _missing(field, dot, index)
    if not isinstance(values, list):
        raise NodeOperationError(
            f"The provided field '{field}' is not an array",
            description=f"it is {typeof(values)} here; Item Lists 1 splits lists only",
            item_index=index,
        )
    out: list[Item] = []
    for element in values:
        json: dict[str, Any] = {}
        if include == "selectedOtherFields":
            for name in _included_names(params, index):
                value = field_value(item.json, name, dot)
                if name != field and value is not UNDEFINED:
                    json[name] = value
        elif include == "allOtherFields":
            json = copy.deepcopy(item.json)
            unset_path(json, field)
        if (isinstance(element, (dict, list)) or element is None) and (
            include == "noOtherFields" and destination == ""
        ):
            json = {**json, **_spread(element)}
        else:
            json = {**json, (destination or field): element}
        out.append(Item(json=json, paired_item=PairedItem(index)))
    return out


def split_item_v2(
    item: Item, index: int, params: Mapping[str, Any], dot: bool, version: float
) -> list[Item]:
    """Item Lists 2.x: several fields; 2.1 lets a missing field give nothing, 2.2 a single
    value give one item."""
    fields = split_names(params.get("fieldToSplitOut"))
    options = params.get("options") or {}
    destinations = [d for d in split_names(options.get("destinationFieldName") or "") if d]
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
    entries: list[dict[str, Any]] = []
    for number, field in enumerate(fields):
        destination = destinations[number] if number < len(destinations) else ""
        values = field_value(source, field, dot)
        if values is UNDEFINED:
            if version < 2.1:
                raise _missing(field, dot, index)
            values = []
        if not isinstance(values, (dict, list)):
            if version < 2.2:
                raise NodeOperationError(
                    f"The provided field '{field}' is not an array or object",
                    description="Item Lists before 2.2 splits lists and objects only",
                    item_index=index,
                )
            values = [values]
        if isinstance(values, dict):
            values = [values[key] for key in js_keys(values)]
        for position, element in enumerate(values):
            while len(entries) <= position:
                entries.append({})
            name = destination or field
            if isinstance(element, (dict, list)) and include == "noOtherFields":
                if destination == "" and not several:
                    entries[position] = {**entries[position], **_spread(element)}
                else:
                    entries[position][name] = element
            else:
                entries[position][name] = element
    out: list[Item] = []
    for entry in entries:
        json: dict[str, Any] = {}
        if include == "noOtherFields":
            json = entry
        if include == "allOtherFields":
            rest = copy.deepcopy(source)
            for field in fields:
                if dot:
                    unset_path(rest, field)
                else:
                    rest.pop(field, None)
            json = {**rest, **entry}
        if include == "selectedOtherFields":
            for name in _included_names(params, index):
                value = field_value(source, name, dot)
                if value is UNDEFINED:
                    entry.pop(name, None)
                else:
                    entry[name] = value
            json = entry
        out.append(Item(json=json, paired_item=PairedItem(index)))
    return out


# --- summarize -------------------------------------------------------------------------------


def _tidy_names(data: dict[str, Any]) -> dict[str, Any]:
    """Brackets and quotes dropped from result names, then spaces and dots made underscores."""
    for pattern, replacement in ((_BRACKETS, ""), (_SPACES, "_")):
        for key in list(data):
            if pattern.search(key):
                data[pattern.sub(replacement, key)] = data.pop(key)
    return data


def _tidy_name(name: str) -> str:
    return _SPACES.sub("_", _BRACKETS.sub("", name))


def _aggregate_rows(
    rows: list[dict[str, Any]],
    aggregations: list[Mapping[str, Any]],
    get: Any,
    rules: SummaryRules,
    tidy: bool,
    single: bool,
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for entry in aggregations:
        prefix = PREFIXES.get(entry.get("aggregation", ""), "count_")
        data[prefix + entry.get("field", "")] = aggregate(rows, entry, get, rules)
    if tidy:
        _tidy_names(data)
    if single:
        return data
    return {**data, "pairedItems": [row["_itemIndex"] for row in rows]}


def _split(
    keys: list[str],
    rows: list[dict[str, Any]],
    aggregations: list[Mapping[str, Any]],
    options: Mapping[str, Any],
    get: Any,
    rules: SummaryRules,
    tidy: bool,
) -> dict[str, Any]:
    single = options.get("outputFormat") == "singleItem"
    if not keys:
        return _aggregate_rows(rows, aggregations, get, rules, tidy, single)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        value = get(row, keys[0])
        if value is None or isinstance(value, (dict, list)):
            value = json_stringify(value)
        if options.get("skipEmptySplitFields") and typeof(value) != "number" and not value:
            continue
        groups.setdefault(to_string(value), []).append(row)
    return {
        key: _split(keys[1:], groups[key], aggregations, options, get, rules, tidy)
        for key in js_keys(groups)
    }


def _to_rows(
    result: dict[str, Any], names: list[str], before: dict[str, Any]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in js_keys(result):
        if len(names) == 1:
            out.append({**before, names[0]: key, **result[key]})
        else:
            out.extend(_to_rows(result[key], names[1:], {**before, names[0]: key}))
    return out


def summarize_legacy(items: list[Item], params: Mapping[str, Any], version: float) -> list[Item]:
    """Item Lists' "Summarize" in versions 1, 2.x and 3.x.

    Groups are object keys here, so group values become text and numeric-looking groups come
    first in ascending order, as JavaScript orders object keys.
    """
    rows = [{**item.json, "_itemIndex": index} for index, item in enumerate(items)]
    options = params.get("options") or {}
    keys = [
        n for n in (s.strip() for s in str(params.get("fieldsToSplitBy") or "").split(",")) if n
    ]
    aggregations = (params.get("fieldsToSummarize") or {}).get("values") or []
    if not any(entry.get("field", "") != "" for entry in aggregations):
        raise NodeOperationError(
            NO_FIELD, description="give each row of 'Fields to Summarize' the field to summarize"
        )
    get = getter(not options.get("disableDotNotation"))
    if version < 2.1:
        for entry in aggregations:
            field = entry.get("field", "")
            if field != "" and all(get(row, field) is UNDEFINED for row in rows):
                raise NodeOperationError(
                    f"The field '{field}' does not exist in any items",
                    description="check the field names under 'Fields to Summarize'",
                )
    rules = SummaryRules(
        numeric=frozenset({"average", "sum"} if version >= 3 else {"average", "sum", "min", "max"}),
        counts_read_include_empty=False,
        math_extremes=version < 3,
    )
    tidy = version >= 2
    result = _split(keys, rows, aggregations, options, get, rules, tidy)
    if options.get("outputFormat") == "singleItem":
        return [
            Item(json=result, paired_item=paired_list(PairedItem(i) for i in range(len(items))))
        ]
    if not keys:
        entries = [result]
    else:
        entries = _to_rows(result, [_tidy_name(k) for k in keys] if tidy else keys, {})
    out: list[Item] = []
    for entry in entries:
        pairs = entry.pop("pairedItems", [])
        out.append(Item(json=entry, paired_item=paired_list(PairedItem(i) for i in pairs)))
    return out
