"""Remove Duplicates: drops items whose compared fields equal those of an earlier item."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import Item, PairedItem
from ..node import ExecutionContext
from .field_lists import prepare_fields_array
from .field_paths import field_value, flatten_keys, pick_paths
from .js_values import UNDEFINED, is_equal, js_keys, lodash_lt, typeof
from .reshaping import DISABLE_DOT_NOTATION, NESTED_HINT, ReshapingNode, passed

HISTORY_REFUSAL = (
    "needs a deduplication history kept between executions, which this runtime does not "
    "keep - use 'Remove Items Repeated Within Current Input', or keep the seen values in a "
    "store of your own"
)
_V1 = {"@version": [1, 1.1]}
_V2 = {"@version": [2]}

COMPARE: dict[str, Any] = {
    "displayName": "Compare",
    "name": "compare",
    "type": "options",
    "default": "allFields",
    "options": [
        {"name": "All Fields", "value": "allFields"},
        {"name": "All Fields Except", "value": "allFieldsExcept"},
        {"name": "Selected Fields", "value": "selectedFields"},
    ],
    "description": "Which fields must be equal for items to count as duplicates",
}
FIELDS_TO_EXCLUDE: dict[str, Any] = {
    "displayName": "Fields To Exclude",
    "name": "fieldsToExclude",
    "type": "string",
    "default": "",
    "placeholder": "e.g. email, name",
    "displayOptions": {"show": {"compare": ["allFieldsExcept"]}},
}
FIELDS_TO_COMPARE: dict[str, Any] = {
    "displayName": "Fields To Compare",
    "name": "fieldsToCompare",
    "type": "string",
    "default": "",
    "placeholder": "e.g. email, name",
    "displayOptions": {"show": {"compare": ["selectedFields"]}},
}
REMOVE_OTHER_FIELDS: dict[str, Any] = {
    "displayName": "Remove Other Fields",
    "name": "removeOtherFields",
    "type": "boolean",
    "default": False,
    "description": "Whether the kept items lose the fields that were not compared",
}


_INPUT_FIELD_OPTION: dict[str, Any] = {
    "show": {"/operation": ["removeDuplicateInputItems"]},
    "hide": {"/compare": ["allFields"]},
}


def _v2(parameter: dict[str, Any], **show: list[Any]) -> dict[str, Any]:
    display = parameter.get("displayOptions", {}).get("show", {})
    return {**parameter, "displayOptions": {"show": {**_V2, **display, **show}}}


DESCRIPTION_PROPERTIES: list[dict[str, Any]] = [
    # v1, v1.1
    {**COMPARE, "displayOptions": {"show": _V1}},
    {**FIELDS_TO_EXCLUDE, "displayOptions": {"show": {**_V1, "compare": ["allFieldsExcept"]}}},
    {**FIELDS_TO_COMPARE, "displayOptions": {"show": {**_V1, "compare": ["selectedFields"]}}},
    {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "default": {},
        "displayOptions": {"show": {**_V1, "compare": ["allFieldsExcept", "selectedFields"]}},
        "options": [DISABLE_DOT_NOTATION, REMOVE_OTHER_FIELDS],
    },
    # v2
    {
        "displayName": "Operation",
        "name": "operation",
        "type": "options",
        "noDataExpression": True,
        "default": "removeDuplicateInputItems",
        "options": [
            {
                "name": "Remove Items Repeated Within Current Input",
                "value": "removeDuplicateInputItems",
            },
            {
                "name": "Remove Items Processed in Previous Executions",
                "value": "removeItemsSeenInPreviousExecutions",
            },
            {"name": "Clear Deduplication History", "value": "clearDeduplicationHistory"},
        ],
        "displayOptions": {"show": _V2},
        "description": "Only duplicates within the current input are supported here",
    },
    _v2(COMPARE, operation=["removeDuplicateInputItems"]),
    _v2(FIELDS_TO_EXCLUDE),
    _v2(FIELDS_TO_COMPARE),
    _v2(
        {
            "displayName": "Keep Items Where",
            "name": "logic",
            "type": "options",
            "noDataExpression": True,
            "default": "removeItemsWithAlreadySeenKeyValues",
            "options": [
                {"name": "Value Is New", "value": "removeItemsWithAlreadySeenKeyValues"},
                {
                    "name": "Value Is Higher than Any Previous Value",
                    "value": "removeItemsUpToStoredIncrementalKey",
                },
                {
                    "name": "Value Is a Date Later than Any Previous Date",
                    "value": "removeItemsUpToStoredDate",
                },
            ],
        },
        operation=["removeItemsSeenInPreviousExecutions"],
    ),
    _v2(
        {
            "displayName": "Value to Dedupe On",
            "name": "dedupeValue",
            "type": "string",
            "default": "",
            "required": True,
        },
        operation=["removeItemsSeenInPreviousExecutions"],
        logic=["removeItemsWithAlreadySeenKeyValues"],
    ),
    _v2(
        {
            "displayName": "Value to Dedupe On",
            "name": "incrementalDedupeValue",
            "type": "number",
            "default": None,
        },
        operation=["removeItemsSeenInPreviousExecutions"],
        logic=["removeItemsUpToStoredIncrementalKey"],
    ),
    _v2(
        {
            "displayName": "Value to Dedupe On",
            "name": "dateDedupeValue",
            "type": "dateTime",
            "default": "",
        },
        operation=["removeItemsSeenInPreviousExecutions"],
        logic=["removeItemsUpToStoredDate"],
    ),
    _v2(
        {
            "displayName": "Mode",
            "name": "mode",
            "type": "options",
            "default": "cleanDatabase",
            "options": [{"name": "Clean Database", "value": "cleanDatabase"}],
        },
        operation=["clearDeduplicationHistory"],
    ),
    _v2(
        {
            "displayName": "Options",
            "name": "options",
            "type": "collection",
            "default": {},
            "options": [
                # as n8n: shown for duplicates within the input while fields are chosen
                {**DISABLE_DOT_NOTATION, "displayOptions": _INPUT_FIELD_OPTION},
                {**REMOVE_OTHER_FIELDS, "displayOptions": _INPUT_FIELD_OPTION},
                {
                    "displayName": "Scope",
                    "name": "scope",
                    "type": "options",
                    "default": "node",
                    "options": [
                        {"name": "Workflow", "value": "workflow"},
                        {"name": "Node", "value": "node"},
                    ],
                },
                {
                    "displayName": "History Size",
                    "name": "historySize",
                    "type": "number",
                    "default": 10000,
                },
            ],
        }
    ),
]


@dataclass(frozen=True, slots=True)
class DedupeRules:
    """How one version of the node (or of Item Lists) compares and checks items."""

    skip_null_in_type_check: bool = False  # Remove Duplicates from 1.1 on
    item_numbers_in_type_error: bool = False  # Remove Duplicates from 1.1 on
    check_types: bool = True  # Item Lists 3.1 drops the same-type check ...
    order_by_type: bool = False  # ... and orders different types apart instead


_TYPE_RANK = {"string": 1, "number": 2, "boolean": 4, "undefined": 6, "object": 7}


def _type_rank(value: Any) -> int:
    if isinstance(value, list):
        return 9
    if value is None:
        return 10
    return _TYPE_RANK[typeof(value)]


def compared_keys(
    items: list[Item],
    compare: Any,
    excluded: Sequence[str],
    selected: Sequence[str],
    dot: bool,
) -> list[str]:
    """The fields compared: every field (flattened with dot notation), minus or only some."""

    def names(item: Item) -> list[str]:
        return list(flatten_keys(item.json)) if dot else js_keys(item.json)

    keys = names(items[0])
    for item in items:
        keys.extend(key for key in names(item) if key not in keys)
    if compare == "allFieldsExcept":
        if not excluded:
            raise NodeOperationError(
                "No fields specified. Please add a field to exclude from comparison"
            )
        if dot:
            keys = names(items[0])
        keys = [key for key in keys if key not in excluded]
    if compare == "selectedFields":
        if not selected:
            raise NodeOperationError("No fields specified. Please add a field to compare on")
        keys = [key.strip() for key in selected]
    return keys


def remove_duplicates(
    items: list[Item],
    keys: list[str],
    dot: bool,
    remove_other_fields: bool,
    rules: DedupeRules,
) -> list[Item]:
    """Keep the first of each group of items equal on `keys`, as n8n decides it.

    n8n sorts the items by the keys (lodash order), checks the fields, then drops each item
    equal to the last kept one in that order; output keeps the input order.
    """
    if not items:
        return []
    tagged = [({**item.json, "__INDEX": index}, index) for index, item in enumerate(items)]

    def compare(a: tuple[dict[str, Any], int], b: tuple[dict[str, Any], int]) -> int:
        for key in keys:
            left, right = field_value(a[0], key, dot), field_value(b[0], key, dot)
            if rules.order_by_type:
                difference = _type_rank(left) - _type_rank(right)
                if difference:
                    return difference
            if not is_equal(left, right):
                return -1 if lodash_lt(left, right) else 1
        return 0

    ordered = sorted(tagged, key=cmp_to_key(compare))
    _check_values([json for json, _ in ordered], keys, dot, rules)
    removed: set[int] = set()
    kept = ordered[0][0]
    for json, index in ordered[1:]:
        if all(is_equal(field_value(json, k, dot), field_value(kept, k, dot)) for k in keys):
            removed.add(index)
        else:
            kept = json
    out = [passed(item, i) for i, item in enumerate(items) if i not in removed]
    if remove_other_fields:
        # n8n pairs these with their position among the kept items, not with their input item
        out = [
            Item(json=pick_paths(item.json, keys), paired_item=PairedItem(position))
            for position, item in enumerate(out)
        ]
    return out


def _check_values(
    ordered: list[dict[str, Any]], keys: list[str], dot: bool, rules: DedupeRules
) -> None:
    for key in keys:
        kind: str | None = None
        for number, json in enumerate(ordered):
            if key == "":
                raise NodeOperationError(
                    "Name of field to compare is blank",
                    description="remove the empty name from the fields to compare or exclude",
                )
            value = field_value(json, key, dot)
            if value is None and rules.skip_null_in_type_check:
                continue
            if value is UNDEFINED:
                message = f"'{key}' field is missing from some input items"
                if not dot and "." in key:
                    raise NodeOperationError(message, description=NESTED_HINT)
                raise NodeOperationError(
                    message, description="every item needs the fields that are compared"
                )
            if rules.check_types and kind is not None and kind != typeof(value):
                detail = (
                    f", in item [{number - 1}] it's a {kind} and in item [{number}] it's a "
                    f"{typeof(value)} "
                    if rules.item_numbers_in_type_error
                    else ""
                )
                raise NodeOperationError(
                    f"'{key}' isn't always the same type",
                    description=f"The type of this field varies between items{detail}",
                )
            kind = typeof(value)


def dedupe_input(items: list[Item], params: Mapping[str, Any], rules: DedupeRules) -> list[Item]:
    """Remove Duplicates' "within current input" with its comma-separated field lists."""
    if not items:
        return []
    compare = params.get("compare")
    options = params.get("options") or {}
    dot = not options.get("disableDotNotation")
    excluded = prepare_fields_array(params.get("fieldsToExclude") or "", "Fields To Exclude")
    selected = prepare_fields_array(params.get("fieldsToCompare") or "", "Fields To Compare")
    keys = compared_keys(items, compare, excluded, selected, dot)
    return remove_duplicates(items, keys, dot, bool(options.get("removeOtherFields")), rules)


class RemoveDuplicates(ReshapingNode):
    """n8n's Remove Duplicates (v1, 1.1, 2); v2's history operations are refused."""

    type_names = ("n8n-nodes-base.removeDuplicates", "removeDuplicates")
    needs_all_items: ClassVar[bool] = True
    description_data: ClassVar[dict[str, Any]] = {
        "name": "removeDuplicates",
        "displayName": "Remove Duplicates",
        "description": "Drops items whose field values repeat those of an earlier item",
        "version": [1, 1.1, 2],
        "group": ["transform"],
        # one output at every version (n8n 1.123 names v2's 'Kept' and 'Discarded' but gives
        # it one), so continueErrorOutput's error output is the second
        "outputs": ["main"],
        "properties": DESCRIPTION_PROPERTIES,
    }

    def unsupported(self, parameters: Mapping[str, Any], type_version: float) -> str | None:
        operation = parameters.get("operation", "removeDuplicateInputItems")
        if type_version >= 2 and operation != "removeDuplicateInputItems":
            return f"Remove Duplicates: the operation '{operation}' {HISTORY_REFUSAL}"
        return None

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = self.start(ctx)
        version = ctx.type_version
        rules = DedupeRules(
            skip_null_in_type_check=version > 1, item_numbers_in_type_error=version > 1
        )
        try:
            kept = dedupe_input(items, params, rules)
        except NodeOperationError as exc:
            if version < 2 or not ctx.continue_on_fail:
                raise
            # version 2 catches its own failure, as n8n's: one error item, unpaired
            failed = exc.with_context(node_name=ctx.node_name)
            return [[Item(json={"error": exc.message}, error=failed)]]
        return [kept]
