"""Item Lists: n8n's older all-in-one node for lists of items (v1 to 3.1).

Its operations live on as separate nodes (Split Out, Aggregate, Remove Duplicates, Sort, Limit,
Summarize); workflows made before them still use Item Lists, each version with its own rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..items import Item
from ..node import ExecutionContext
from .aggregate import (
    AGGREGATE_MODE,
    AGGREGATE_OPTIONS,
    DESTINATION,
    FIELDS_TO_AGGREGATE,
    FIELDS_TO_EXCLUDE,
    FIELDS_TO_KEEP,
    INCLUDE_FIELDS,
    KEEP_MISSING,
    MERGE_LISTS,
    aggregate_all,
    aggregate_fields,
    aggregate_items,
)
from .field_lists import listed_field_names
from .item_lists_ops import split_item_v1, split_item_v2, summarize_legacy
from .limit import KEEP, MAX_ITEMS, limit_items
from .remove_duplicates import (
    COMPARE,
    FIELDS_TO_COMPARE,
    REMOVE_OTHER_FIELDS,
    DedupeRules,
    compared_keys,
    dedupe_input,
    remove_duplicates,
)
from .remove_duplicates import FIELDS_TO_EXCLUDE as DEDUPE_EXCLUDE
from .reshaping import DISABLE_DOT_NOTATION, ReshapingNode
from .sort import (
    CODE_REFUSAL,
    SORT_CODE,
    SORT_FIELDS,
    SORT_OPTIONS,
    SORT_TYPE,
    sort_items,
)
from .split_out import (
    DESTINATION_FIELD,
    FIELD_TO_SPLIT_OUT,
    FIELDS_TO_INCLUDE,
    INCLUDE_OTHER,
    SPLIT_OPTIONS,
    split_item,
)
from .summarize import (
    FIELDS_TO_SPLIT_BY,
    OUTPUT_FORMAT,
    SKIP_EMPTY_SPLITS,
    aggregation_row,
    fields_to_summarize,
)

_OLD = {"@version": [1, 2, 2.1, 2.2]}
_NEW = {"@version": [3, 3.1]}


def _on(
    parameter: dict[str, Any], versions: dict[str, Any], operations: list[str], **show: list[Any]
) -> dict[str, Any]:
    display = dict(parameter.get("displayOptions") or {})
    display["show"] = {**versions, "operation": operations, **display.get("show", {}), **show}
    return {**parameter, "displayOptions": display}


def _field_rows(display_name: str, name: str) -> dict[str, Any]:
    """Item Lists 1-2 take field lists as rows of names."""
    return {
        "displayName": display_name,
        "name": name,
        "type": "fixedCollection",
        "typeOptions": {"multipleValues": True},
        "default": {},
        "options": [
            {
                "displayName": "Fields",
                "name": "fields",
                "values": [
                    {
                        "displayName": "Field Name",
                        "name": "fieldName",
                        "type": "string",
                        "default": "",
                    }
                ],
            }
        ],
    }


def _operation(versions: dict[str, Any], aggregate_name: str) -> dict[str, Any]:
    return {
        "displayName": "Operation",
        "name": "operation",
        "type": "options",
        "noDataExpression": True,
        "default": "splitOutItems",
        "options": [
            {"name": "Concatenate Items", "value": aggregate_name},
            {"name": "Limit", "value": "limit"},
            {"name": "Remove Duplicates", "value": "removeDuplicates"},
            {"name": "Sort", "value": "sort"},
            {"name": "Split Out Items", "value": "splitOutItems"},
            {"name": "Summarize", "value": "summarize"},
        ],
        "displayOptions": {"show": versions},
    }


def _options(*options: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "default": {},
        "options": list(options),
    }


_SUMMARY_OPTIONS = _options(DISABLE_DOT_NOTATION, OUTPUT_FORMAT, SKIP_EMPTY_SPLITS)
_SPLIT_OPS = ["splitOutItems"]
_AGG_OLD = ["aggregateItems"]
_AGG_NEW = ["concatenateItems"]
_ALL_DATA = {"aggregate": ["aggregateAllItemData"]}

PROPERTIES: list[dict[str, Any]] = [
    {
        "displayName": "Resource",
        "name": "resource",
        "type": "hidden",
        "default": "itemList",
    },
    # --- versions 1, 2, 2.1, 2.2 ---
    _operation(_OLD, "aggregateItems"),
    _on({**FIELD_TO_SPLIT_OUT, "displayName": "Field To Split Out"}, _OLD, _SPLIT_OPS),
    _on(INCLUDE_OTHER, _OLD, _SPLIT_OPS),
    _on(
        _field_rows("Fields To Include", "fieldsToInclude"),
        _OLD,
        _SPLIT_OPS,
        include=["selectedOtherFields"],
    ),
    _on(AGGREGATE_MODE, _OLD, _AGG_OLD),
    _on(FIELDS_TO_AGGREGATE, _OLD, _AGG_OLD),
    _on(DESTINATION, _OLD, _AGG_OLD),
    _on(INCLUDE_FIELDS, _OLD, _AGG_OLD),
    _on(
        _field_rows("Fields To Exclude", "fieldsToExclude"),
        _OLD,
        _AGG_OLD,
        include=["allFieldsExcept"],
        **_ALL_DATA,
    ),
    _on(
        _field_rows("Fields To Include", "fieldsToInclude"),
        _OLD,
        _AGG_OLD,
        include=["specifiedFields"],
        **_ALL_DATA,
    ),
    _on(COMPARE, _OLD, ["removeDuplicates"]),
    _on(
        _field_rows("Fields To Exclude", "fieldsToExclude"),
        _OLD,
        ["removeDuplicates"],
        compare=["allFieldsExcept"],
    ),
    _on(
        _field_rows("Fields To Compare", "fieldsToCompare"),
        _OLD,
        ["removeDuplicates"],
        compare=["selectedFields"],
    ),
    _on(SORT_TYPE, _OLD, ["sort"]),
    _on(SORT_FIELDS, _OLD, ["sort"]),
    _on(SORT_CODE, _OLD, ["sort"]),
    _on(MAX_ITEMS, _OLD, ["limit"]),
    _on(KEEP, _OLD, ["limit"]),
    _on(
        _options(REMOVE_OTHER_FIELDS, DISABLE_DOT_NOTATION),
        _OLD,
        ["removeDuplicates"],
        compare=["allFieldsExcept", "selectedFields"],
    ),
    _on(SORT_OPTIONS, _OLD, ["sort"]),
    {
        **_options(DISABLE_DOT_NOTATION, DESTINATION_FIELD, MERGE_LISTS, KEEP_MISSING),
        "displayOptions": {
            "show": {**_OLD, "operation": ["splitOutItems", "aggregateItems"]},
            "hide": _ALL_DATA,
        },
    },
    _on(
        fields_to_summarize(
            aggregation_row(["average", "max", "min", "sum"], [], ["append", "concatenate"])
        ),
        _OLD,
        ["summarize"],
    ),
    _on(FIELDS_TO_SPLIT_BY, _OLD, ["summarize"]),
    _on(_SUMMARY_OPTIONS, _OLD, ["summarize"]),
    # --- versions 3, 3.1 ---
    _operation(_NEW, "concatenateItems"),
    _on(AGGREGATE_MODE, _NEW, _AGG_NEW),
    _on(FIELDS_TO_AGGREGATE, _NEW, _AGG_NEW),
    _on(DESTINATION, _NEW, _AGG_NEW),
    _on(INCLUDE_FIELDS, _NEW, _AGG_NEW),
    _on(FIELDS_TO_EXCLUDE, _NEW, _AGG_NEW),
    _on(FIELDS_TO_KEEP, _NEW, _AGG_NEW),
    _on(AGGREGATE_OPTIONS, _NEW, _AGG_NEW),
    _on(MAX_ITEMS, _NEW, ["limit"]),
    _on(KEEP, _NEW, ["limit"]),
    _on(COMPARE, _NEW, ["removeDuplicates"]),
    _on(DEDUPE_EXCLUDE, _NEW, ["removeDuplicates"]),
    _on(FIELDS_TO_COMPARE, _NEW, ["removeDuplicates"]),
    _on(
        _options(DISABLE_DOT_NOTATION, REMOVE_OTHER_FIELDS),
        _NEW,
        ["removeDuplicates"],
        compare=["allFieldsExcept", "selectedFields"],
    ),
    _on(SORT_TYPE, _NEW, ["sort"]),
    _on(SORT_FIELDS, _NEW, ["sort"]),
    _on(SORT_CODE, _NEW, ["sort"]),
    _on(SORT_OPTIONS, _NEW, ["sort"]),
    _on(FIELD_TO_SPLIT_OUT, _NEW, _SPLIT_OPS),
    _on(INCLUDE_OTHER, _NEW, _SPLIT_OPS),
    _on(FIELDS_TO_INCLUDE, _NEW, _SPLIT_OPS),
    _on(SPLIT_OPTIONS, _NEW, _SPLIT_OPS),
    _on(
        fields_to_summarize(aggregation_row(["average", "sum"], [], ["append", "concatenate"])),
        _NEW,
        ["summarize"],
    ),
    _on(FIELDS_TO_SPLIT_BY, _NEW, ["summarize"]),
    _on(_SUMMARY_OPTIONS, _NEW, ["summarize"]),
]


class ItemLists(ReshapingNode):
    """n8n's Item Lists (v1, 2, 2.1, 2.2, 3, 3.1); sorting by JavaScript code is refused."""

    type_names = ("n8n-nodes-base.itemLists", "itemLists")
    # Split Out Items alone could go item by item; the other operations need every item
    needs_all_items: ClassVar[bool] = True
    description_data: ClassVar[dict[str, Any]] = {
        "name": "itemLists",
        "displayName": "Item Lists",
        "description": "Splits, concatenates, deduplicates, sorts, limits and summarizes items",
        "version": [1, 2, 2.1, 2.2, 3, 3.1],
        "group": ["input"],
        "properties": PROPERTIES,
    }

    def unsupported(self, parameters: Mapping[str, Any], type_version: float) -> str | None:
        if parameters.get("operation") == "sort" and parameters.get("type") == "code":
            return f"Item Lists: {CODE_REFUSAL}"
        return None

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = self.start(ctx)
        return [_run(ctx, items, params, ctx.type_version)]


def _run(
    ctx: ExecutionContext, items: list[Item], params: Mapping[str, Any], version: float
) -> list[Item]:
    operation = params.get("operation")
    if operation == "splitOutItems":
        return _split_out(ctx, items, params, version)
    if operation in ("aggregateItems", "concatenateItems"):
        return [_concatenate(items, params, version)]
    if operation == "removeDuplicates":
        return _remove_duplicates(items, params, version)
    if operation == "sort":
        return sort_items(items, params)
    if operation == "limit":
        return limit_items(items, params.get("maxItems"), params.get("keep"))
    return summarize_legacy(items, params, version)


def _split_out(
    ctx: ExecutionContext, items: list[Item], params: Mapping[str, Any], version: float
) -> list[Item]:
    out: list[Item] = []
    dot = not (params.get("options") or {}).get("disableDotNotation")  # read at item 0
    for index, item in enumerate(items):
        item_params = ctx.get_parameters(index)
        if version >= 3:
            out.extend(split_item(item, index, item_params))
        elif version >= 2:
            out.extend(split_item_v2(item, index, item_params, dot, version))
        else:
            out.extend(split_item_v1(item, index, item_params, dot))
    return out


def _concatenate(items: list[Item], params: Mapping[str, Any], version: float) -> Item:
    if version >= 3:
        return aggregate_items(items, params)
    if params.get("aggregate") == "aggregateIndividualFields":
        return aggregate_fields(items, params, check_found=version < 2.1)
    return aggregate_all(
        items,
        params.get("destinationFieldName") or "",
        listed_field_names(params.get("fieldsToExclude")),
        listed_field_names(params.get("fieldsToInclude")),
        paired=version >= 2,
    )


def _remove_duplicates(items: list[Item], params: Mapping[str, Any], version: float) -> list[Item]:
    if version >= 3:
        rules = DedupeRules(check_types=version < 3.1, order_by_type=version >= 3.1)
        return dedupe_input(items, params, rules)
    if not items:
        return []
    options = params.get("options") or {}
    dot = not options.get("disableDotNotation")
    keys = compared_keys(
        items,
        params.get("compare"),
        listed_field_names(params.get("fieldsToExclude")),
        listed_field_names(params.get("fieldsToCompare")),
        dot,
    )
    return remove_duplicates(
        items, keys, dot, bool(options.get("removeOtherFields")), DedupeRules()
    )
