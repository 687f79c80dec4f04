"""Switch: sends each item to the output its rules or an expression choose.

Versions 1 and 2 compare one value with rules of one data type (switch_v1.py). Versions 3-3.4
give each output a rule of n8n's filter conditions, with an optional fallback output, or take
the output index from an expression (`mode: expression`, `numberOutputs` outputs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..expressions.luxon.zones import Zone
from ..items import Item, PairedItem
from ..node import ExecutionContext
from ..raw_parameters import RawParameters
from .base import DescribedNode
from .condition_params import (
    IGNORE_CASE,
    before,
    filter_conditions,
    loose_setting,
    loose_type_validation,
    since,
    verdict,
)
from .conditions import CompareError, validate_field_type
from .conditions.js import UNDEFINED, compare, js_number, js_string
from .switch_v1 import _new_outputs, _slot, route_v1_v2, rule_parameters

V1 = [1]
V2 = [2]
V3 = [{"_cnd": {"gte": 3}}]


def _shown(version: list[Any], **show: list[Any]) -> dict[str, Any]:
    return {"show": {**show, "@version": version}}


_MODE = {
    "displayName": "Mode",
    "name": "mode",
    "type": "options",
    "noDataExpression": True,
    "options": [
        {"name": "Rules", "value": "rules", "description": "A rule for each output"},
        {
            "name": "Expression",
            "value": "expression",
            "description": "An expression gives the output index",
        },
    ],
    "default": "rules",
}

_EMPTY_RULE = {
    "conditions": {
        "options": {"caseSensitive": True, "leftValue": "", "typeValidation": "strict"},
        "conditions": [
            {
                "leftValue": "",
                "rightValue": "",
                "operator": {"type": "string", "operation": "equals"},
            }
        ],
        "combinator": "and",
    }
}

_PROPERTIES: list[dict[str, Any]] = [
    {**_MODE, "noDataExpression": False, "displayOptions": _shown(V1 + V2)},
    {**_MODE, "displayOptions": _shown(V3)},
    # version 1
    {
        "displayName": "Output",
        "name": "output",
        "type": "number",
        "typeOptions": {"minValue": 0, "maxValue": 3},
        "default": 0,
        "description": "The output index (0-3) the item goes to",
        "displayOptions": _shown(V1, mode=["expression"]),
    },
    # version 2
    {
        "displayName": "Output",
        "name": "output",
        "type": "string",
        "default": "",
        "description": "The output index the item goes to",
        "displayOptions": _shown(V2, mode=["expression"]),
    },
    {
        "displayName": "Outputs Amount",
        "name": "outputsAmount",
        "type": "number",
        "default": 4,
        "description": "How many outputs the node has",
        "displayOptions": _shown(V2, mode=["expression"]),
    },
    {
        "displayName": "Data Type",
        "name": "dataType",
        "type": "options",
        "options": [
            {"name": "Boolean", "value": "boolean"},
            {"name": "Date & Time", "value": "dateTime"},
            {"name": "Number", "value": "number"},
            {"name": "String", "value": "string"},
        ],
        "default": "number",
        "description": "The type of the value the rules compare",
        "displayOptions": _shown(V1 + V2, mode=["rules"]),
    },
    *rule_parameters(1),
    *rule_parameters(2),
    {
        "displayName": "Fallback Output",
        "name": "fallbackOutput",
        "type": "options",
        "options": [
            {"name": "None", "value": -1},
            *({"name": str(i), "value": i} for i in range(4)),
        ],
        "default": -1,
        "description": "Where items that match no rule go",
        "displayOptions": _shown(V1, mode=["rules"]),
    },
    {
        "displayName": "Fallback Output Name or ID",
        "name": "fallbackOutput",
        "type": "number",
        "default": -1,
        "description": "The output index for items that match no rule; -1 drops them",
        "displayOptions": _shown(V2, mode=["rules"]),
    },
    # version 3
    {
        "displayName": "Number of Outputs",
        "name": "numberOutputs",
        "type": "number",
        "noDataExpression": True,
        "default": 4,
        "description": "How many outputs the node has",
        "displayOptions": _shown([{"_cnd": {"gte": 3.3}}], mode=["expression"]),
    },
    {
        "displayName": "Number of Outputs",
        "name": "numberOutputs",
        "type": "number",
        "default": 4,
        "description": "How many outputs the node has",
        "displayOptions": _shown([{"_cnd": {"gte": 3, "lt": 3.3}}], mode=["expression"]),
    },
    {
        "displayName": "Output Index",
        "name": "output",
        "type": "number",
        "default": None,
        "hint": "The index to route the item to, starts at 0",
        "description": "An expression giving the index (from 0) of the output the item goes to",
        "displayOptions": _shown(V3, mode=["expression"]),
        "x": {"validateType": "number", "n8nDefault": "={{}}"},
    },
    {
        "displayName": "Routing Rules",
        "name": "rules",
        "type": "fixedCollection",
        "typeOptions": {"multipleValues": True},
        "default": {"values": [_EMPTY_RULE]},
        "displayOptions": _shown(V3, mode=["rules"]),
        "options": [
            {
                "name": "values",
                "displayName": "Values",
                "values": [
                    filter_conditions(),
                    {
                        "displayName": "Rename Output",
                        "name": "renameOutput",
                        "type": "boolean",
                        "default": False,
                    },
                    {
                        "displayName": "Output Name",
                        "name": "outputKey",
                        "type": "string",
                        "default": "",
                        "description": "The name of the output this rule sends items to",
                        "displayOptions": {"show": {"renameOutput": [True]}},
                    },
                    {
                        "displayName": "Output",
                        "name": "output",
                        "type": "hidden",
                        "description": "Left by older editors; n8n only checks its range",
                    },
                ],
            }
        ],
    },
    loose_type_validation(False, since(3.1)),
    {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "default": {},
        "displayOptions": _shown(V3, mode=["rules"]),
        "options": [
            {
                "displayName": "Fallback Output",
                "name": "fallbackOutput",
                "type": "options",
                "options": [
                    {"name": "None (default)", "value": "none", "description": "Items are dropped"},
                    {
                        "name": "Extra Output",
                        "value": "extra",
                        "description": "An output of its own",
                    },
                ],
                "default": "none",
                "typeOptions": {"loadOptionsMethod": "getFallbackOutputOptions"},
                "description": "Where items that match no rule go: none, extra, or a rule's output index",
                "x": {"alsoAccepts": "the index of a rule's output"},
            },
            IGNORE_CASE,
            loose_type_validation(True, before(3.1)),
            {
                "displayName": "Rename Fallback Output",
                "name": "renameFallbackOutput",
                "type": "string",
                "default": "",
                "displayOptions": {"show": {"fallbackOutput": ["extra"]}},
            },
            {
                "displayName": "Send data to all matching outputs",
                "name": "allMatchingOutputs",
                "type": "boolean",
                "default": False,
                "description": "Whether an item goes to every output whose rule it meets",
            },
        ],
    },
]


class Switch(DescribedNode):
    """n8n's Switch at versions 1, 2, 3, 3.1, 3.2, 3.3 and 3.4."""

    type_names = ("n8n-nodes-base.switch", "switch")
    typed_parameters: ClassVar[bool] = False  # read as n8n hands them: ctx.raw_parameters
    description_data: ClassVar[dict[str, Any]] = {
        "name": "switch",
        "displayName": "Switch",
        "description": "Routes items to outputs by rules or by an expression",
        "version": [1, 2, 3, 3.1, 3.2, 3.3, 3.4],
        "group": ["transform"],
        "defaults": {"name": "Switch"},
        "properties": _PROPERTIES,
        "x": {
            "outputs": "1: four; 2: one per rule (outputsAmount in expression mode); "
            "3+: one per rule, plus the fallback output when it is 'extra' "
            "(numberOutputs in expression mode)"
        },
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Each item is routed on its own."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if ctx.type_version < 3:
            return route_v1_v2(ctx, items, 1 if ctx.type_version < 2 else 2)
        return _route_v3(ctx, items)


def _route_v3(ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
    params = ctx.raw_parameters
    mode = params.get("mode", 0)
    outputs: list[list[Item]] = []
    for index, item in enumerate(items):
        out = Item(json=item.json, binary=item.binary, paired_item=PairedItem(index))
        try:
            if mode == "expression":
                count = params.get("numberOutputs", index)
                if index == 0:
                    outputs = _new_outputs(count)
                target = _output_index(params, index)
                _check_range(len(outputs), target)
                _slot(outputs, target).append(out)
            elif mode == "rules":
                _by_rules(params, index, out, outputs, ctx.time_zone)
        except (CompareError, NodeOperationError) as exc:
            error = (
                exc
                if isinstance(exc, NodeOperationError)
                else NodeOperationError(
                    exc.message,
                    description=exc.description,
                    item_index=index,
                    node_name=params.node_name,
                )
            )
            if ctx.continue_on_fail and outputs:
                outputs[0].append(Item(json={"error": error.message}, error=error))
                continue
            raise error from None
    return outputs or [[]]


def _by_rules(
    params: RawParameters, index: int, out: Item, outputs: list[list[Item]], zone: Zone
) -> None:
    """Route one item by the rules (none: the item goes nowhere)."""
    rules = params.get("rules.values", index, [])
    if not rules:
        return
    options = params.get("options", index, {})
    fallback = options.get("fallbackOutput")
    if index == 0:
        outputs[:] = [[] for _ in rules] + ([[]] if fallback == "extra" else [])
    loose = loose_setting(params, index, 3.1)
    matched = False
    for number in range(len(rules)):
        if verdict(params, f"rules.values[{number}].conditions", index, loose, zone):
            matched = True
            _check_range(len(outputs), rules[number].get("output", UNDEFINED))
            outputs[number].append(
                Item(json=out.json, binary=out.binary, paired_item=out.paired_item)
            )
            if not options.get("allMatchingOutputs"):
                return
    if fallback is not None and fallback != "none" and not matched:
        if fallback == "extra":
            outputs[-1].append(out)
        else:
            _check_range(len(outputs), fallback)
            _slot(outputs, fallback).append(out)


def _output_index(params: RawParameters, index: int) -> Any:
    value = params.get("output", index)
    ok, number = validate_field_type(value, "number")
    if not ok:
        raise NodeOperationError(
            f"Invalid input for 'Output Index' [item {index}]",
            description=f"'output' expects a number but we got {_shown_value(value)}",
            item_index=index,
            node_name=params.node_name,
        )
    return number


def _shown_value(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return f"'{js_string(value)}'"


def _check_range(count: int, target: Any) -> None:
    """n8n's checkIndexRange of Switch 3."""
    shown = js_string(target)
    if js_number(target) == count:
        raise CompareError(
            f"The ouput {shown} is not allowed. ",
            f"Output indexes are zero based, if you want to use the extra output use "
            f"{js_string(js_number(target) - 1)}",
        )
    if compare("<", target, 0) or compare(">", target, count):
        raise CompareError(
            f"The ouput {shown} is not allowed", f"It has to be between 0 and {count - 1}"
        )
