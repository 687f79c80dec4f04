"""Switch 1 and 2: one value compared with a list of rules of one data type.

Version 1 has four outputs and each rule names its output; version 2 has one output per rule
(or `outputsAmount` in expression mode). Values are compared as JavaScript compares them, as in
If 1. Output indexes are used as JavaScript uses them as array keys, with n8n's errors.
"""

from __future__ import annotations

from typing import Any

from ..errors import NodeOperationError
from ..items import Item, PairedItem
from ..node import ExecutionContext
from ..raw_parameters import RawParameters
from .conditions import CompareError, date_value, run_operation
from .conditions.js import UNDEFINED, compare, js_string, strict_equal

_OPERATIONS = {
    "boolean": ("equal", "notEqual"),
    "dateTime": ("after", "before"),
    "number": ("smaller", "smallerEqual", "equal", "notEqual", "larger", "largerEqual"),
    "string": (
        "contains",
        "notContains",
        "endsWith",
        "notEndsWith",
        "equal",
        "notEqual",
        "regex",
        "notRegex",
        "startsWith",
        "notStartsWith",
    ),
}


_TYPES = {"boolean": "boolean", "dateTime": "dateTime", "number": "number", "string": "string"}
_VALUE1_DEFAULTS: dict[str, Any] = {"boolean": False, "dateTime": "", "number": 0, "string": ""}
_VALUE2_DEFAULTS: dict[str, Any] = {"boolean": False, "dateTime": 0, "number": 0, "string": ""}


def rule_parameters(version: int) -> list[dict[str, Any]]:
    """value1 and the rules of each data type, shown for `dataType` at version 1 or 2."""
    out: list[dict[str, Any]] = []
    for data_type, operations in _OPERATIONS.items():
        show = {"show": {"dataType": [data_type], "mode": ["rules"], "@version": [version]}}
        value2: dict[str, Any] = {
            "displayName": "Value 2",
            "name": "value2",
            "type": _TYPES[data_type],
            "default": _VALUE2_DEFAULTS[data_type],
        }
        fields: list[dict[str, Any]] = [
            {
                "displayName": "Operation",
                "name": "operation",
                "type": "options",
                "options": [{"name": op, "value": op} for op in operations],
                "default": "equal" if data_type in ("boolean", "string") else operations[0],
            },
            value2,
        ]
        if data_type == "string":
            value2["displayOptions"] = {"hide": {"operation": ["regex", "notRegex"]}}
            fields.append(
                {
                    **value2,
                    "displayName": "Regex",
                    "placeholder": "/text/i",
                    "displayOptions": {"show": {"operation": ["regex", "notRegex"]}},
                }
            )
        fields.append(
            {
                "displayName": "Output",
                "name": "output",
                "type": "number",
                "default": 0,
                "typeOptions": {"minValue": 0, "maxValue": 3},
            }
            if version == 1
            else {
                "displayName": "Output Key",
                "name": "outputKey",
                "type": "string",
                "default": "",
                "description": "The name of the output this rule sends items to",
            }
        )
        out.append(
            {
                "displayName": "Value 1",
                "name": "value1",
                "type": _TYPES[data_type],
                "default": _VALUE1_DEFAULTS[data_type],
                "displayOptions": show,
            }
        )
        out.append(
            {
                "displayName": "Routing Rules",
                "name": "rules",
                "type": "fixedCollection",
                "typeOptions": {"multipleValues": True},
                "default": {},
                "displayOptions": show,
                "options": [{"name": "rules", "displayName": "Rules", "values": fields}],
            }
        )
    return out


def _slot(outputs: list[list[Item]], key: Any) -> list[Item]:
    """`returnData[key]` as JavaScript reads it: whole-number keys (or their text) only."""
    index: int | None = None
    whole_number = isinstance(key, int) or (isinstance(key, float) and key.is_integer())
    canonical_text = isinstance(key, str) and key.isdigit() and str(int(key)) == key
    if (whole_number or canonical_text) and not isinstance(key, bool):
        index = int(key)
    if index is None or not 0 <= index < len(outputs):
        raise CompareError("Cannot read properties of undefined (reading 'push')")
    return outputs[index]


def _check_range(index: Any, count: int) -> None:
    if compare("<", index, 0) or compare(">=", index, count):
        raise CompareError(
            f"The ouput {js_string(index)} is not allowed. It has to be between 0 and {count - 1}!"
        )


def _new_outputs(amount: Any) -> list[list[Item]]:
    """`new Array(amount).fill(0).map(() => [])`."""
    if isinstance(amount, bool) or not isinstance(amount, (int, float)):
        return [[]]
    if amount < 0 or not float(amount).is_integer() or amount >= 2**32:
        raise CompareError("Invalid array length")
    return [[] for _ in range(int(amount))]


def route_v1_v2(ctx: ExecutionContext, items: list[Item], version: int) -> list[list[Item]]:
    params = ctx.raw_parameters
    outputs: list[list[Item]] = [[], [], [], []] if version == 1 else []
    for index, item in enumerate(items):
        out = Item(json=item.json, binary=item.binary, paired_item=PairedItem(index))
        try:
            rules = params.get("rules.rules", index, []) if version == 2 else None
            mode = params.get("mode", index)
            if mode == "expression":
                if version == 2:
                    amount = params.get("outputsAmount", index)
                    if index == 0:
                        outputs = _new_outputs(amount)
                target = params.get("output", index)
                _check_range(target, len(outputs))
                _slot(outputs, target).append(out)
            elif mode == "rules":
                if rules is None:
                    rules = params.get("rules.rules", index, [])
                elif index == 0:
                    outputs = [[] for _ in rules]
                _route_by_rules(params, index, out, rules, outputs, version)
        except (CompareError, NodeOperationError) as exc:
            message = exc.message
            if ctx.continue_on_fail and outputs:
                error = NodeOperationError(message, item_index=index)
                outputs[0].append(Item(json={"error": message}, error=error))
                continue
            if isinstance(exc, NodeOperationError):
                raise
            raise NodeOperationError(
                message, item_index=index, node_name=params.node_name
            ) from None
    return outputs


def _route_by_rules(
    params: RawParameters,
    index: int,
    out: Item,
    rules: list[dict[str, Any]],
    outputs: list[list[Item]],
    version: int,
) -> None:
    data_type = params.get("dataType", 0)
    value1 = params.get("value1", index)
    if data_type == "dateTime":
        value1 = date_value(value1)
    for number, rule in enumerate(rules):
        value2 = rule.get("value2", UNDEFINED)
        if data_type == "dateTime":
            value2 = date_value(value2)
        if run_operation(rule.get("operation"), value1, value2, f"rule {number + 1}"):
            target = rule.get("output", UNDEFINED)
            _check_range(target, len(outputs))
            _slot(outputs, target if version == 1 else number).append(out)
            return
    fallback = params.get("fallbackOutput", index)
    if not strict_equal(fallback, -1):
        _check_range(fallback, len(outputs))
        _slot(outputs, fallback).append(out)
