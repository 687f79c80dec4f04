"""Merge: combines the items of two (v3: up to ten) inputs - appended, matched, paired, crossed.

The node reads every input at once from `ctx.inputs` (one list per input index); versions 1,
2 and 3 each keep their own modes and quirks, as n8n has them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import Item, PairedItem
from ..node import ExecutionContext
from .field_lists import split_names
from .field_paths import get_path
from .js_values import UNDEFINED, is_number, js_keys, to_string
from .merge_matching import (
    all_combinations,
    check_match_fields,
    clash_values,
    combine_by_fields,
    pair_by_position_v2,
    pair_by_position_v3,
)
from .reshaping import DISABLE_DOT_NOTATION, ReshapingNode, merged_binary, paired_list

SQL_REFUSAL = (
    "Merge: the 'SQL Query' mode is not supported - n8n runs the query with AlaSQL, a "
    "JavaScript SQL engine whose dialect and type rules this runtime does not reproduce; use "
    "'Combine' by matching fields, by position or all combinations instead"
)
_V1 = {"@version": [1]}
_V2 = {"@version": [2, 2.1]}
_V3 = {"@version": [{"_cnd": {"gte": 3}}]}


def _shown(parameter: dict[str, Any], version: dict[str, Any], **show: list[Any]) -> dict[str, Any]:
    return {**parameter, "displayOptions": {"show": {**version, **show}}}


def _options(*values: Any) -> list[dict[str, Any]]:
    return [{"name": str(v), "value": v} for v in values]


def _clash_handling(later: str, default: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": "Clash Handling",
        "name": "clashHandling",
        "type": "fixedCollection",
        "default": default,
        "options": [
            {
                "displayName": "Values",
                "name": "values",
                "values": [
                    {
                        "displayName": "When Field Values Clash",
                        "name": "resolveClash",
                        "type": "options",
                        "default": "",
                        "options": [
                            {
                                "name": "Always Add Input Number to Field Names",
                                "value": "addSuffix",
                            },
                            {"name": "Prefer Input 1 Version", "value": "preferInput1"},
                            {"name": "Prefer Input 2 Version", "value": later},
                        ],
                    },
                    {
                        "displayName": "Merging Nested Fields",
                        "name": "mergeMode",
                        "type": "options",
                        "default": "deepMerge",
                        "options": [
                            {"name": "Deep Merge", "value": "deepMerge"},
                            {"name": "Shallow Merge", "value": "shallowMerge"},
                        ],
                    },
                    {
                        "displayName": "Minimize Empty Fields",
                        "name": "overrideEmpty",
                        "type": "boolean",
                        "default": False,
                        "description": "Whether an empty value (missing, null, '') gives way to "
                        "the other input's value",
                    },
                ],
            }
        ],
    }


CLASH_V2 = _clash_handling(
    "preferInput2",
    {"values": {"resolveClash": "preferInput2", "mergeMode": "deepMerge", "overrideEmpty": False}},
)
CLASH_V3 = _clash_handling(
    "preferLast",
    {"values": {"resolveClash": "preferLast", "mergeMode": "deepMerge", "overrideEmpty": False}},
)
CLASH_V3_POSITION = {**CLASH_V3, "default": {"values": {"resolveClash": "addSuffix"}}}
FUZZY_COMPARE: dict[str, Any] = {
    "displayName": "Fuzzy Compare",
    "name": "fuzzyCompare",
    "type": "boolean",
    "default": False,
    "description": "Whether 3 and '3', true and 'true', null and '' count as equal",
}
MULTIPLE_MATCHES: dict[str, Any] = {
    "displayName": "Multiple Matches",
    "name": "multipleMatches",
    "type": "options",
    "default": "all",
    "options": [
        {"name": "Include All Matches", "value": "all"},
        {"name": "Include First Match Only", "value": "first"},
    ],
}
INCLUDE_UNPAIRED: dict[str, Any] = {
    "displayName": "Include Any Unpaired Items",
    "name": "includeUnpaired",
    "type": "boolean",
    "default": False,
    "description": "Whether items past the end of the shorter input are kept",
}
JOIN_MODE: dict[str, Any] = {
    "displayName": "Output Type",
    "name": "joinMode",
    "type": "options",
    "default": "keepMatches",
    "options": [
        {"name": "Keep Matches", "value": "keepMatches"},
        {"name": "Keep Non-Matches", "value": "keepNonMatches"},
        {"name": "Keep Everything", "value": "keepEverything"},
        {"name": "Enrich Input 1", "value": "enrichInput1"},
        {"name": "Enrich Input 2", "value": "enrichInput2"},
    ],
}
OUTPUT_DATA_FROM: dict[str, Any] = {
    "displayName": "Output Data From",
    "name": "outputDataFrom",
    "type": "options",
    "default": "both",
    "options": _options("both", "input1", "input2"),
}
MATCH_PAIRS: dict[str, Any] = {
    "displayName": "Fields to Match",
    "name": "mergeByFields",
    "type": "fixedCollection",
    "typeOptions": {"multipleValues": True},
    "default": {"values": [{"field1": "", "field2": ""}]},
    "options": [
        {
            "displayName": "Values",
            "name": "values",
            "values": [
                {"displayName": "Input 1 Field", "name": "field1", "type": "string", "default": ""},
                {"displayName": "Input 2 Field", "name": "field2", "type": "string", "default": ""},
            ],
        }
    ],
}
NUMBER_INPUTS: dict[str, Any] = {
    "displayName": "Number of Inputs",
    "name": "numberInputs",
    "type": "options",
    "noDataExpression": True,
    "default": 2,
    "options": _options(*range(2, 11)),
}


def _collection(*options: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "default": {},
        "options": list(options),
    }


PROPERTIES: list[dict[str, Any]] = [
    # --- version 1 ---
    _shown(
        {
            "displayName": "This is an old version of the Merge node",
            "name": "oldVersionNotice",
            "type": "notice",
            "default": "",
        },
        _V1,
    ),
    _shown(
        {
            "displayName": "Mode",
            "name": "mode",
            "type": "options",
            "default": "append",
            "options": _options(
                "append",
                "keepKeyMatches",
                "mergeByIndex",
                "mergeByKey",
                "multiplex",
                "passThrough",
                "removeKeyMatches",
                "wait",
            ),
        },
        _V1,
    ),
    _shown(
        {
            "displayName": "Join",
            "name": "join",
            "type": "options",
            "default": "left",
            "options": _options("inner", "left", "outer"),
        },
        _V1,
        mode=["mergeByIndex"],
    ),
    *(
        _shown(
            {
                "displayName": f"Property Input {n}",
                "name": f"propertyName{n}",
                "type": "string",
                "default": "",
                "required": True,
                "description": f"The field of input {n} items whose value is the key",
            },
            _V1,
            mode=["keepKeyMatches", "mergeByKey", "removeKeyMatches"],
        )
        for n in (1, 2)
    ),
    _shown(
        {
            "displayName": "Output Data",
            "name": "output",
            "type": "options",
            "default": "input1",
            "options": _options("input1", "input2"),
        },
        _V1,
        mode=["passThrough"],
    ),
    _shown(
        {
            "displayName": "Overwrite",
            "name": "overwrite",
            "type": "options",
            "default": "always",
            "options": _options("always", "blank", "undefined"),
        },
        _V1,
        mode=["mergeByKey"],
    ),
    # --- versions 2 and 2.1 ---
    _shown(
        {
            "displayName": "Mode",
            "name": "mode",
            "type": "options",
            "default": "append",
            "options": _options("append", "combine", "chooseBranch"),
        },
        _V2,
    ),
    _shown(
        {
            "displayName": "Combination Mode",
            "name": "combinationMode",
            "type": "options",
            "default": "mergeByFields",
            "options": _options("mergeByFields", "mergeByPosition", "multiplex"),
        },
        _V2,
        mode=["combine"],
    ),
    _shown(MATCH_PAIRS, _V2, mode=["combine"], combinationMode=["mergeByFields"]),
    _shown(JOIN_MODE, _V2, mode=["combine"], combinationMode=["mergeByFields"]),
    _shown(
        OUTPUT_DATA_FROM,
        _V2,
        mode=["combine"],
        combinationMode=["mergeByFields"],
        joinMode=["keepMatches", "keepNonMatches"],
    ),
    _shown(
        {
            "displayName": "Output Type",
            "name": "chooseBranchMode",
            "type": "options",
            "default": "waitForBoth",
            "options": _options("waitForBoth"),
        },
        _V2,
        mode=["chooseBranch"],
    ),
    _shown(
        {
            "displayName": "Output",
            "name": "output",
            "type": "options",
            "default": "input1",
            "options": _options("input1", "input2", "empty"),
        },
        _V2,
        mode=["chooseBranch"],
        chooseBranchMode=["waitForBoth"],
    ),
    _shown(
        _collection(
            CLASH_V2, DISABLE_DOT_NOTATION, FUZZY_COMPARE, INCLUDE_UNPAIRED, MULTIPLE_MATCHES
        ),
        _V2,
        mode=["combine"],
    ),
    # --- versions 3, 3.1 and 3.2 ---
    _shown(
        {
            "displayName": "Mode",
            "name": "mode",
            "type": "options",
            "noDataExpression": True,
            "default": "append",
            "options": _options("append", "combine", "combineBySql", "chooseBranch"),
        },
        _V3,
    ),
    _shown(
        {
            "displayName": "Combine By",
            "name": "combineBy",
            "type": "options",
            "noDataExpression": True,
            "default": "combineByFields",
            "options": _options("combineByFields", "combineByPosition", "combineAll"),
        },
        _V3,
        mode=["combine"],
    ),
    _shown(NUMBER_INPUTS, _V3, mode=["append", "chooseBranch", "combineBySql"]),
    _shown(NUMBER_INPUTS, _V3, mode=["combine"], combineBy=["combineByPosition"]),
    _shown(
        {
            "displayName": "Fields To Match Have Different Names",
            "name": "advanced",
            "type": "boolean",
            "default": False,
        },
        _V3,
        mode=["combine"],
        combineBy=["combineByFields"],
    ),
    _shown(
        {
            "displayName": "Fields to Match",
            "name": "fieldsToMatchString",
            "type": "string",
            "default": "",
            "placeholder": "e.g. id, name",
            "description": "Fields with the same name in both inputs, separated by commas",
        },
        _V3,
        mode=["combine"],
        combineBy=["combineByFields"],
        advanced=[False],
    ),
    _shown(MATCH_PAIRS, _V3, mode=["combine"], combineBy=["combineByFields"], advanced=[True]),
    _shown(JOIN_MODE, _V3, mode=["combine"], combineBy=["combineByFields"]),
    _shown(
        OUTPUT_DATA_FROM,
        _V3,
        mode=["combine"],
        combineBy=["combineByFields"],
        joinMode=["keepMatches", "keepNonMatches"],
    ),
    _shown(
        _collection(CLASH_V3, DISABLE_DOT_NOTATION, FUZZY_COMPARE, MULTIPLE_MATCHES),
        _V3,
        mode=["combine"],
        combineBy=["combineByFields"],
    ),
    _shown(_collection(CLASH_V3, FUZZY_COMPARE), _V3, mode=["combine"], combineBy=["combineAll"]),
    _shown(
        _collection(CLASH_V3_POSITION, INCLUDE_UNPAIRED),
        _V3,
        mode=["combine"],
        combineBy=["combineByPosition"],
    ),
    _shown(
        {
            "displayName": "Query",
            "name": "query",
            "type": "string",
            "required": True,
            "noDataExpression": True,
            "default": "SELECT * FROM input1 LEFT JOIN input2 ON input1.name = input2.id",
            "typeOptions": {"rows": 5, "editor": "sqlEditor"},
            "description": "Refused here: SQL Query mode is not supported",
        },
        _V3,
        mode=["combineBySql"],
    ),
    _shown(
        _collection(
            {
                "displayName": "Empty Query Result",
                "name": "emptyQueryResult",
                "type": "options",
                "default": "empty",
                "options": _options("success", "empty"),
            }
        ),
        {"@version": [3.2]},
        mode=["combineBySql"],
    ),
    _shown(
        {
            "displayName": "Output Type",
            "name": "chooseBranchMode",
            "type": "options",
            "default": "waitForAll",
            "options": _options("waitForAll"),
        },
        _V3,
        mode=["chooseBranch"],
    ),
    _shown(
        {
            "displayName": "Output",
            "name": "output",
            "type": "options",
            "default": "specifiedInput",
            "options": _options("specifiedInput", "empty"),
        },
        _V3,
        mode=["chooseBranch"],
        chooseBranchMode=["waitForAll"],
    ),
    _shown(
        {
            "displayName": "Use Data of Input",
            "name": "useDataOfInput",
            "type": "options",
            "default": 1,
            "options": _options(*range(1, 11)),
        },
        _V3,
        mode=["chooseBranch"],
        output=["specifiedInput"],
    ),
]


def _input(inputs: list[list[Item]], index: int) -> list[Item]:
    return inputs[index] if index < len(inputs) else []


def _both_empty_item(inputs: list[list[Item]]) -> Item:
    pairs = [item.paired_item for k in (0, 1) for item in _input(inputs, k)]
    return Item(json={}, paired_item=paired_list(pairs))


# --- version 1 -------------------------------------------------------------------------------


def _by_index_v1(inputs: list[list[Item]], join: Any) -> list[Item]:
    first, second = _input(inputs, 0), _input(inputs, 1)
    if not first:
        return [] if join in ("inner", "left") else second
    if not second:
        return first if join in ("left", "outer") else []
    count = len(first)
    if join == "inner":
        count = min(len(first), len(second))
    elif join == "outer":
        count = max(len(first), len(second))
    out: list[Item] = []
    for i in range(count):
        if i >= len(first):
            out.append(second[i])
        elif i >= len(second):
            out.append(first[i])
        else:
            a, b = first[i], second[i]
            out.append(
                Item(
                    json={**a.json, **b.json},
                    binary=merged_binary(a.binary, b.binary),
                    paired_item=paired_list([a.paired_item, b.paired_item]),
                )
            )
    return out


def _key_text(value: Any) -> str:
    return to_string(value)


def _by_key_v1(inputs: list[list[Item]], params: Mapping[str, Any], mode: str) -> list[Item]:
    first, second = _input(inputs, 0), _input(inputs, 1)
    name1, name2 = params.get("propertyName1") or "", params.get("propertyName2") or ""
    overwrite = params.get("overwrite", "always")
    if not name1 or not name2:
        return [] if mode == "keepKeyMatches" else first
    by_key: dict[str, Item] = {}
    for entry in second:
        key = get_path(entry.json, name2)
        if key is UNDEFINED or key is None or key == "" or key is False or key == 0:
            continue  # a falsy key never matches
        if is_number(key) and key != key:  # NaN
            continue
        by_key[_key_text(key)] = entry
    out: list[Item] = []
    for entry in first:
        reference = get_path(entry.json, name1)
        if reference is UNDEFINED or not (
            reference is None or isinstance(reference, str) or is_number(reference)
        ):
            if mode == "removeKeyMatches":
                out.append(entry)
            continue
        match = by_key.get(_key_text(reference))
        if match is None:
            if mode != "keepKeyMatches":  # merging by key keeps the item unchanged
                out.append(entry)
            continue
        if mode == "removeKeyMatches":
            continue
        if mode == "keepKeyMatches":
            out.append(entry)
            continue
        json = copy.deepcopy(entry.json)
        for key in js_keys(match.json):
            if key == name2:
                continue
            if (
                overwrite == "always"
                or (overwrite == "undefined" and key not in json)
                or (overwrite == "blank" and json.get(key) in (None, ""))
            ):
                json[key] = match.json[key]
        out.append(Item(json=json, binary=entry.binary, paired_item=entry.paired_item))
    return out


def merge_v1(inputs: list[list[Item]], params: Mapping[str, Any]) -> list[Item]:
    mode = params.get("mode")
    first, second = _input(inputs, 0), _input(inputs, 1)
    if mode == "append":
        return [*first, *second]
    if mode == "mergeByIndex":
        return _by_index_v1(inputs, params.get("join"))
    if mode == "multiplex":
        return [
            Item(json={**a.json, **b.json}, paired_item=paired_list([a.paired_item, b.paired_item]))
            for a in first
            for b in second
        ]
    if mode in ("keepKeyMatches", "mergeByKey", "removeKeyMatches"):
        return _by_key_v1(inputs, params, mode)
    if mode == "passThrough":
        return first if params.get("output") == "input1" else second
    if mode == "wait":
        return [Item(json={}, paired_item=paired_list(PairedItem(i) for i in range(len(first))))]
    return []


# --- versions 2 and 3 ------------------------------------------------------------------------


def merge_v2(inputs: list[list[Item]], params: Mapping[str, Any], version: float) -> list[Item]:
    mode = params.get("mode")
    first, second = _input(inputs, 0), _input(inputs, 1)
    if mode == "append":
        return [*first, *second]
    if mode == "chooseBranch":
        output = params.get("output")
        if output == "input1":
            return first
        if output == "input2":
            return second
        return [_both_empty_item(inputs)] if output == "empty" else []
    options = params.get("options") or {}
    combination = params.get("combinationMode")
    if combination == "multiplex":
        return all_combinations(first, second, clash_values(options, 2))
    if combination == "mergeByPosition":
        unpaired = bool(options.get("includeUnpaired"))
        return pair_by_position_v2(first, second, clash_values(options, 2), unpaired)
    pairs = check_match_fields((params.get("mergeByFields") or {}).get("values") or [])
    return combine_by_fields(first, second, pairs, params, version)


def merge_v3(inputs: list[list[Item]], params: Mapping[str, Any], version: float) -> list[Item]:
    count = params.get("numberInputs") or 2
    inputs = [_input(inputs, k) for k in range(count)]
    mode = params.get("mode")
    if mode == "append":
        return [item for items in inputs for item in items]
    if mode == "chooseBranch":
        return _choose_branch_v3(inputs, params)
    options = params.get("options") or {}
    combine_by = params.get("combineBy")
    if combine_by == "combineAll":
        return all_combinations(inputs[0], inputs[1], clash_values(options, 3))
    if combine_by == "combineByPosition":
        unpaired = bool(options.get("includeUnpaired"))
        return pair_by_position_v3(inputs, clash_values(options, 3), unpaired)
    if params.get("advanced"):
        pairs = (params.get("mergeByFields") or {}).get("values") or []
    else:
        names = split_names(params.get("fieldsToMatchString", ""))
        pairs = [{"field1": name, "field2": name} for name in names]
    pairs = check_match_fields(pairs)
    return combine_by_fields(inputs[0], inputs[1], pairs, params, version)


def _choose_branch_v3(inputs: list[list[Item]], params: Mapping[str, Any]) -> list[Item]:
    output = params.get("output")
    if output == "empty":
        return [_both_empty_item(inputs)]
    if output != "specifiedInput":
        return []
    chosen = params.get("useDataOfInput", 1)
    if chosen > len(inputs):
        raise NodeOperationError(
            f"Input {chosen} doesn't exist",
            description=f"The node has only {len(inputs)} inputs, so selecting input {chosen} "
            "is not possible - raise 'Number of Inputs' or choose another input",
        )
    return inputs[chosen - 1]


class Merge(ReshapingNode):
    """n8n's Merge (v1, 2, 2.1, 3, 3.1, 3.2); SQL Query mode is refused."""

    type_names = ("n8n-nodes-base.merge", "merge")
    needs_all_items: ClassVar[bool] = True
    description_data: ClassVar[dict[str, Any]] = {
        "name": "merge",
        "displayName": "Merge",
        "description": "Combines the items of several inputs once they have arrived",
        "version": [1, 2, 2.1, 3, 3.1, 3.2],
        "group": ["transform"],
        "inputs": ["main", "main"],
        # as n8n's Merge 2 and 3: Choose Branch waits for both inputs, other modes run on what
        # came when nothing else is left to run; version 1 runs on what it has
        "requiredInputs": (
            '={{ $version < 2 ? null : ($parameter["mode"] === "chooseBranch" ? [0, 1] : 1) }}'
        ),
        "properties": PROPERTIES,
    }

    def input_count(self, parameters: Mapping[str, Any], type_version: float) -> int:
        """Version 3 has as many inputs as 'Number of Inputs' says (2 by default)."""
        if type_version < 3:
            return 2
        count = parameters.get("numberInputs", 2)
        return count if isinstance(count, int) and not isinstance(count, bool) and count > 1 else 2

    def unsupported(self, parameters: Mapping[str, Any], type_version: float) -> str | None:
        if type_version >= 3 and parameters.get("mode") == "combineBySql":
            return SQL_REFUSAL
        return None

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = self.start(ctx)
        raw = ctx.inputs or [items]
        inputs = [
            [
                Item(json=item.json, binary=item.binary, paired_item=PairedItem(i, k))
                for i, item in enumerate(group)
            ]
            for k, group in enumerate(raw)
        ]
        version = ctx.type_version
        if version < 2:
            return [merge_v1(inputs, params)]
        if version < 3:
            return [merge_v2(inputs, params, version)]
        return [merge_v3(inputs, params, version)]
