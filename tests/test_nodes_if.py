"""If at each version: errors as n8n gives them, and the checks its conditions make."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from node_cases import check_against_n8n, error_cases
from support import chain, node, run

from keitaro_node.runtime.errors import WorkflowError, WorkflowLoadError


@pytest.mark.parametrize("path", error_cases("if"), ids=lambda p: p.name.split(".")[0])
async def test_failing_runs_fail_as_in_n8n(path: Path) -> None:
    await check_against_n8n(path)


STRICT = {"caseSensitive": True, "leftValue": "", "typeValidation": "strict", "version": 2}


def if_workflow(conditions: Any, version: float = 2.2, **settings: Any) -> dict[str, Any]:
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node(
            "If", "n8n-nodes-base.if", {"conditions": conditions}, typeVersion=version, **settings
        ),
    )


def one(operator: dict[str, Any], left: Any = "={{ $json.v }}", right: Any = "") -> dict[str, Any]:
    condition = {"leftValue": left, "rightValue": right, "operator": operator}
    return {"options": STRICT, "conditions": [condition], "combinator": "and"}


async def test_an_unknown_operator_names_the_condition_and_what_exists() -> None:
    workflow = if_workflow(one({"type": "string", "operation": "startWith"}))
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{"v": "a"}])
    assert caught.value.node_name == "If"
    text = str(caught.value.error)
    assert text.startswith("item 0: condition 1: unknown operator string:startWith")
    assert "startsWith" in text


async def test_an_unknown_operator_type_is_refused() -> None:
    workflow = if_workflow(one({"type": "text", "operation": "equals"}))
    with pytest.raises(WorkflowError, match="item 0: condition 1: unknown operator type 'text'"):
        await run(workflow, [{"v": "a"}])


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ({"options": STRICT, "conditions": "x", "combinator": "and"}, "not a list"),
        ({"conditions": [], "combinator": "and"}, "no 'options' object"),
        ({"options": STRICT, "conditions": [], "combinator": "xor"}, "unknown combinator 'xor'"),
        (
            {"options": STRICT, "conditions": [5], "combinator": "and"},
            "condition 1 is not an object",
        ),
        (
            {"options": STRICT, "conditions": [{"leftValue": 1}], "combinator": "and"},
            "condition 1 has no operator",
        ),
    ],
)
async def test_a_bad_condition_shape_is_refused_clearly(conditions: Any, message: str) -> None:
    with pytest.raises(WorkflowError, match=message) as caught:
        await run(if_workflow(conditions), [{"v": 1}])
    assert caught.value.error.item_index == 0  # type: ignore[attr-defined]


async def test_a_wrong_type_error_carries_a_hint_and_names_the_item() -> None:
    workflow = if_workflow(one({"type": "number", "operation": "gt"}, right=3))
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{"v": 4}, {"v": "4"}])
    error: Any = caught.value.error
    assert error.item_index == 1
    assert (
        error.message
        == "Wrong type: '4' is a string but was expecting a number [condition 0, item 1]"
    )
    assert "Convert types where required" in error.description


async def test_continue_sends_a_failing_item_to_false() -> None:
    workflow = if_workflow(
        one({"type": "number", "operation": "gt"}, right=3), onError="continueRegularOutput"
    )
    result = await run(workflow, [{"v": 4}, {"v": "4"}, {"v": 1}])
    yes, no = result.outputs["If"]
    assert [i.json for i in yes] == [{"v": 4}]
    assert [i.json for i in no] == [{"v": "4"}, {"v": 1}]
    assert [i.paired_item.item for i in no if i.paired_item] == [1, 2]


async def test_version_1_refuses_an_unknown_operation() -> None:
    conditions = {"number": [{"value1": 1, "operation": "biggerThan", "value2": 0}]}
    workflow = if_workflow(conditions, version=1)
    # refused when the workflow loads, before any node runs (n8n fails at the node)
    with pytest.raises(WorkflowLoadError, match=r"number\[0\]: unknown operation 'biggerThan'"):
        await run(workflow, [{}])


async def test_version_1_refuses_an_unknown_data_type_group() -> None:
    workflow = if_workflow({"text": [{"value1": "a", "operation": "equal", "value2": "a"}]}, 1)
    with pytest.raises(WorkflowLoadError, match="unknown group 'text' in 'conditions'"):
        await run(workflow, [{}])


async def test_regular_expressions_run_with_a_time_limit() -> None:
    regex = one({"type": "string", "operation": "regex"}, right="/^(a|aa)+(?=b)c/")
    with pytest.raises(WorkflowError, match="timed out"):
        await run(if_workflow(regex), [{"v": "a" * 40}])
