"""What If, Filter and Switch share: their condition parameters, and how a verdict is read.

The declarations follow n8n's parameter names, types and defaults at each version; the filter
conditions are declared as JSON (n8n's own type for them is `filter`) and checked by the
conditions engine when an item is evaluated.
"""

from __future__ import annotations

from typing import Any

from ..errors import NodeOperationError
from ..expressions.luxon.zones import Zone
from ..items import Item, PairedItem
from ..node import ExecutionContext
from ..raw_parameters import RawParameters
from .conditions import CompareError, ConditionError, filter_passes
from .conditions.js import UNDEFINED
from .conditions.legacy import DATA_TYPES, TYPE_OPERATIONS, date_value, run_operation

STRICTNESS_HINT = (
    "Try changing the type of comparison. Alternatively you can enable "
    "'Convert types where required'."
)


def since(version: float) -> dict[str, Any]:
    return {"show": {"@version": [{"_cnd": {"gte": version}}]}}


def before(version: float) -> dict[str, Any]:
    return {"show": {"@version": [{"_cnd": {"lt": version}}]}}


def filter_conditions(display: dict[str, Any] | None = None) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "displayName": "Conditions",
        "name": "conditions",
        "type": "json",
        "default": {},
        "description": (
            "{options: {caseSensitive, typeValidation: strict|loose, version}, conditions: "
            "[{leftValue, rightValue, operator: {type, operation, rightType?, singleValue?}}], "
            "combinator: and|or} - as n8n's editor saves it"
        ),
        "x": {"n8nType": "filter"},
    }
    if display:
        parameter["displayOptions"] = display
    return parameter


def loose_type_validation(default: bool, display: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": "Convert Types Where Required",
        "name": "looseTypeValidation",
        "type": "boolean",
        "default": default,
        "description": "Whether values of another type are converted to the comparison's type",
        "displayOptions": display,
    }


IGNORE_CASE = {
    "displayName": "Ignore Case",
    "name": "ignoreCase",
    "type": "boolean",
    "default": True,
    "description": "Whether text comparisons ignore letter case",
}


def filter_options(loose_until: float, display: dict[str, Any]) -> dict[str, Any]:
    """The Options collection of the filter-conditions versions."""
    return {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "default": {},
        "displayOptions": display,
        "options": [IGNORE_CASE, loose_type_validation(True, before(loose_until))],
    }


_VALUE_TYPES = {
    "boolean": "boolean",
    "dateTime": "dateTime",
    "number": "number",
    "string": "string",
}
_VALUE_DEFAULTS: dict[str, Any] = {"boolean": False, "dateTime": "", "number": 0, "string": ""}
_LABELS = {"boolean": "Boolean", "dateTime": "Date & Time", "number": "Number", "string": "String"}


def legacy_value_fields(data_type: str, extra: list[dict[str, Any]] | None = None) -> list[Any]:
    """value1 / operation / value2 of one data type in the older condition format."""
    operations = TYPE_OPERATIONS[data_type]
    fields: list[dict[str, Any]] = [
        {
            "displayName": "Value 1",
            "name": "value1",
            "type": _VALUE_TYPES[data_type],
            "default": _VALUE_DEFAULTS[data_type],
        },
        {
            "displayName": "Operation",
            "name": "operation",
            "type": "options",
            "options": [{"name": op, "value": op} for op in operations],
            "default": operations[0] if data_type not in ("boolean", "string") else "equal",
            **({"noDataExpression": True} if data_type in ("number", "string") else {}),
        },
    ]
    fields.append(_value2(data_type))
    if data_type == "string":
        fields.append(
            {
                "displayName": "Regex",
                "name": "value2",
                "type": "string",
                "default": "",
                "placeholder": "/text/i",
                "displayOptions": {"show": {"operation": ["regex", "notRegex"]}},
            }
        )
    return fields + (extra or [])


def _value2(data_type: str) -> dict[str, Any]:
    field: dict[str, Any] = {
        "displayName": "Value 2",
        "name": "value2",
        "type": _VALUE_TYPES[data_type],
        "default": _VALUE_DEFAULTS[data_type],
    }
    hidden = {
        "number": ["isEmpty", "isNotEmpty"],
        "string": ["isEmpty", "isNotEmpty", "regex", "notRegex"],
    }
    if data_type in hidden:
        field["displayOptions"] = {"hide": {"operation": hidden[data_type]}}
    return field


def legacy_conditions(display: dict[str, Any]) -> dict[str, Any]:
    """If 1 / Filter 1: conditions grouped by data type."""
    return {
        "displayName": "Conditions",
        "name": "conditions",
        "type": "fixedCollection",
        "typeOptions": {"multipleValues": True},
        "default": {},
        "description": "The values to compare, grouped by data type",
        "displayOptions": display,
        "options": [
            {"name": t, "displayName": _LABELS[t], "values": legacy_value_fields(t)}
            for t in ("boolean", "dateTime", "number", "string")
        ],
    }


def verdict(
    params: RawParameters,
    path: str,
    index: int,
    loose: bool,
    zone: Zone,
    fallback: Any = False,
) -> bool:
    """Evaluate the filter conditions at `path` for item `index`, or raise n8n's error.

    Dates without an offset are read in `zone`, the workflow's time zone."""
    try:
        value = params.get(path, index, fallback)
        return filter_passes(value, index, zone)
    except ConditionError as exc:
        raise NodeOperationError(
            exc.message,
            description=exc.description or (None if loose else STRICTNESS_HINT),
            item_index=index,
            node_name=params.node_name,
        ) from None


def loose_setting(params: RawParameters, index: int, switch_version: float) -> bool:
    """n8n's 'Convert types where required': an option before `switch_version`, then a
    parameter of its own. It only changes the hint of an error."""
    if params.type_version < switch_version:
        options = params.get("options", index, {})
        return bool(options.get("looseTypeValidation")) if isinstance(options, dict) else False
    return bool(params.get("looseTypeValidation", index, False))


def split_by_conditions(
    ctx: ExecutionContext, items: list[Item], loose_since: float
) -> list[list[Item]]:
    """If 2.x and Filter 2.x: items that pass, and items that do not (or fail, when the node
    continues on errors)."""
    params = ctx.raw_parameters
    passed_items: list[Item] = []
    failed_items: list[Item] = []
    for index, item in enumerate(items):
        out = Item(json=item.json, binary=item.binary, paired_item=PairedItem(index))
        try:
            params.get("options", index, {})
            loose = loose_setting(params, index, loose_since)
            passed = verdict(params, "conditions", index, loose, ctx.time_zone)
        except NodeOperationError:
            if not ctx.continue_on_fail:
                raise
            passed = False
        (passed_items if passed else failed_items).append(out)
    return [passed_items, failed_items]


def legacy_route(
    ctx: ExecutionContext, items: list[Item], combine_name: str, modes: tuple[str, str]
) -> list[list[Item]]:
    """If 1 and Filter 1: conditions by data type, combined by ALL/ANY (AND/OR).

    A failure fails the whole node run, as in n8n; under "continue" settings the engine then
    passes the input on and marks the run as failed.
    """
    params = ctx.raw_parameters
    every, either = modes
    kept: list[Item] = []
    dropped: list[Item] = []
    for index, item in enumerate(items):
        combine = params.get(combine_name, index)
        try:
            passed = _legacy_verdict(params, index, combine, every, either)
        except CompareError as exc:
            raise NodeOperationError(
                str(exc), item_index=index, node_name=params.node_name
            ) from None
        out = Item(json=item.json, binary=item.binary, paired_item=PairedItem(index))
        (kept if passed else dropped).append(out)
    return [kept, dropped]


def _legacy_verdict(
    params: RawParameters, index: int, combine: Any, every: str, either: str
) -> bool:
    for data_type in DATA_TYPES:
        rows = params.get(f"conditions.{data_type}", index, [])
        for number, row in enumerate(rows):
            value1, value2 = row.get("value1", UNDEFINED), row.get("value2", UNDEFINED)
            if data_type == "dateTime":
                value1, value2 = date_value(value1), date_value(value2)
            where = f"{data_type} condition {number + 1}"
            result = run_operation(row.get("operation"), value1, value2, where)
            if result and combine == either:
                return True
            if not result and combine == every:
                return False
    return bool(combine == every)
