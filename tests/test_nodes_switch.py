"""Switch at each version: routes, fallbacks, all matching outputs, and n8n's errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from node_cases import check_against_n8n, error_cases
from support import chain, node, run

from keitaro_node.runtime.errors import WorkflowError


@pytest.mark.parametrize("path", error_cases("switch"), ids=lambda p: p.name.split(".")[0])
async def test_failing_runs_fail_as_in_n8n(path: Path) -> None:
    await check_against_n8n(path)


STRICT = {"caseSensitive": True, "leftValue": "", "typeValidation": "strict", "version": 3}


def rule(operation: str, right: Any, kind: str = "number") -> dict[str, Any]:
    condition = {
        "leftValue": "={{ $json.n }}",
        "rightValue": right,
        "operator": {"type": kind, "operation": operation},
    }
    return {"conditions": {"options": STRICT, "conditions": [condition], "combinator": "and"}}


def switch(parameters: dict[str, Any], version: float = 3.4, **settings: Any) -> dict[str, Any]:
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Switch", "n8n-nodes-base.switch", parameters, typeVersion=version, **settings),
    )


def routed(outputs: list[list[Any]]) -> list[list[int]]:
    return [[i.paired_item.item for i in output if i.paired_item] for output in outputs]


ITEMS = [{"n": 1}, {"n": 7}, {"n": 12}, {"n": 30}]


async def test_rules_send_each_item_to_its_first_matching_rule() -> None:
    rules = {"values": [rule("lt", 10), rule("gt", 5), rule("gt", 20)]}
    result = await run(switch({"rules": rules}), ITEMS)
    assert routed(result.outputs["Switch"]) == [[0, 1], [2, 3], []]


async def test_all_matching_outputs_and_the_extra_fallback() -> None:
    rules = {"values": [rule("lt", 10), rule("gt", 5)]}
    options = {"allMatchingOutputs": True, "fallbackOutput": "extra"}
    result = await run(switch({"rules": rules, "options": options}), [*ITEMS, {"n": 5}])
    assert routed(result.outputs["Switch"]) == [[0, 1, 4], [1, 2, 3], []]
    result = await run(switch({"rules": {"values": [rule("gt", 20)]}, "options": options}), ITEMS)
    assert routed(result.outputs["Switch"]) == [[3], [0, 1, 2]]


async def test_expression_mode_routes_by_index() -> None:
    parameters = {"mode": "expression", "numberOutputs": 3, "output": "={{ $json.n > 10 ? 2 : 0 }}"}
    result = await run(switch(parameters), ITEMS)
    assert routed(result.outputs["Switch"]) == [[0, 1], [], [2, 3]]


async def test_a_failing_item_becomes_an_error_item_on_the_first_output() -> None:
    rules = {"values": [rule("gt", 5), rule("lt", 5)]}
    workflow = switch({"rules": rules}, onError="continueRegularOutput")
    result = await run(workflow, [{"n": 7}, {"n": "7"}, {"n": 1}])
    first, second = result.outputs["Switch"]
    assert [i.json for i in first] == [
        {"n": 7},
        {"error": "Wrong type: '7' is a string but was expecting a number [condition 0, item 1]"},
    ]
    assert [i.json for i in second] == [{"n": 1}]


async def test_the_error_output_takes_failing_items_after_the_rule_outputs() -> None:
    rules = {"values": [rule("gt", 5), rule("lt", 5)]}
    workflow = switch({"rules": rules}, onError="continueErrorOutput")
    result = await run(workflow, [{"n": 7}, {"n": "7"}, {"n": 1}])
    outputs = result.outputs["Switch"]
    assert len(outputs) == 3
    assert [i.json for i in outputs[0]] == [{"n": 7}]
    assert "Wrong type" in outputs[2][0].json["error"]


async def test_a_bad_rule_names_the_item_and_the_condition() -> None:
    rules = {
        "values": [{"conditions": {"options": STRICT, "conditions": [{}], "combinator": "and"}}]
    }
    with pytest.raises(WorkflowError, match="item 0: condition 1 has no operator"):
        await run(switch({"rules": rules}), ITEMS)


async def test_version_1_has_four_outputs_and_rules_name_theirs() -> None:
    parameters = {
        "dataType": "string",
        "value1": "={{ $json.s }}",
        "rules": {"rules": [{"operation": "equal", "value2": "b", "output": 3}]},
        "fallbackOutput": 1,
    }
    result = await run(switch(parameters, version=1), [{"s": "a"}, {"s": "b"}])
    assert routed(result.outputs["Switch"]) == [[], [0], [], [1]]


async def test_version_2_refuses_an_index_past_its_outputs() -> None:
    parameters = {"mode": "expression", "outputsAmount": 2, "output": "={{ $json.o }}"}
    with pytest.raises(
        WorkflowError, match=r"The ouput 2 is not allowed\. It has to be between 0 and 1!"
    ):
        await run(switch(parameters, version=2), [{"o": 1}, {"o": 2}])
