"""Remove Duplicates and Item Lists through the engine: refusals and version rules."""

from __future__ import annotations

from typing import Any

import pytest
from support import chain, node, run

from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.nodes.item_lists import ItemLists
from keitaro_node.runtime.nodes.remove_duplicates import RemoveDuplicates

ROWS = [{"id": 1, "code": "x"}, {"id": 2, "code": None}, {"id": 3, "code": "x"}]


def one(type_: str, params: dict[str, Any], version: float) -> dict[str, Any]:
    target = {**node("Node", type_, params), "typeVersion": version}
    return chain(node("Start", "n8n-nodes-base.manualTrigger"), target)


@pytest.mark.parametrize(
    "params",
    [
        {"operation": "removeItemsSeenInPreviousExecutions", "dedupeValue": "={{ $json.id }}"},
        {"operation": "clearDeduplicationHistory"},
    ],
)
async def test_operations_that_need_a_history_are_refused(params: dict[str, Any]) -> None:
    workflow = one("n8n-nodes-base.removeDuplicates", params, 2)
    with pytest.raises(WorkflowError) as failure:
        await run(workflow, ROWS)
    assert failure.value.node_name == "Node"
    assert "deduplication history kept between executions" in str(failure.value)
    assert RemoveDuplicates().unsupported(params, 2) is not None


async def test_null_values_count_as_another_type_only_in_version_1() -> None:
    params = {"compare": "selectedFields", "fieldsToCompare": "code"}
    with pytest.raises(WorkflowError, match="'code' isn't always the same type"):
        await run(one("n8n-nodes-base.removeDuplicates", params, 1), ROWS)
    rows = [{"id": 1, "code": "x"}, {"id": 2, "code": "x"}, {"id": 3, "code": None}]
    result = await run(one("n8n-nodes-base.removeDuplicates", params, 1.1), rows)
    assert [item.json["id"] for item in result.items("Node")] == [1, 3]
    # as in n8n, equal values only go when lodash's ordering puts them side by side
    result = await run(one("n8n-nodes-base.removeDuplicates", params, 1.1), ROWS)
    assert [item.json["id"] for item in result.items("Node")] == [1, 2, 3]


async def test_item_lists_refuses_code_and_names_the_item_it_cannot_split() -> None:
    sort = {"operation": "sort", "type": "code", "code": "return 0;"}
    with pytest.raises(WorkflowError, match="no JavaScript engine"):
        await run(one("n8n-nodes-base.itemLists", sort, 3.1), ROWS)
    assert ItemLists().unsupported(sort, 3.1) is not None
    split = {"operation": "splitOutItems", "fieldToSplitOut": "code"}
    with pytest.raises(WorkflowError) as failure:
        await run(one("n8n-nodes-base.itemLists", split, 1), ROWS)
    assert str(failure.value.error).startswith("item 0: The provided field 'code' is not an array")
    result = await run(one("n8n-nodes-base.itemLists", split, 2.2), ROWS)
    assert [item.json for item in result.items("Node")] == [
        {"code": "x"},
        {"code": None},
        {"code": "x"},
    ]
