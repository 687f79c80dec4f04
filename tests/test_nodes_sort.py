"""Sort and Limit through the engine: shuffling, refusals, provenance."""

from __future__ import annotations

from typing import Any

import pytest
from support import chain, node, run

from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.nodes.sort import Sort

ITEMS = [{"n": i, "name": name} for i, name in enumerate(["b", "C", "a", "c", "B"])]


def one(type_: str, params: dict[str, Any]) -> dict[str, Any]:
    return chain(node("Start", "n8n-nodes-base.manualTrigger"), node("Node", type_, params))


async def test_random_order_keeps_every_item_and_its_pairing() -> None:
    result = await run(one("n8n-nodes-base.sort", {"type": "random"}), ITEMS)
    out = result.items("Node")
    assert sorted(item.json["n"] for item in out) == [0, 1, 2, 3, 4]
    assert all(item.paired_item and item.paired_item.item == item.json["n"] for item in out)


async def test_sorting_by_code_is_refused_with_the_reason() -> None:
    workflow = one("n8n-nodes-base.sort", {"type": "code", "code": "return 0;"})
    with pytest.raises(WorkflowError) as failure:
        await run(workflow, ITEMS)
    assert failure.value.node_name == "Node"
    assert "no JavaScript engine" in str(failure.value)
    assert Sort().unsupported({"type": "code"}, 1) is not None
    assert Sort().unsupported({"type": "simple"}, 1) is None


async def test_text_sorts_without_case_and_ties_keep_their_order() -> None:
    params = {"sortFieldsUi": {"sortField": [{"fieldName": "name", "order": "descending"}]}}
    result = await run(one("n8n-nodes-base.sort", params), ITEMS)
    assert [item.json["name"] for item in result.items("Node")] == ["C", "c", "b", "B", "a"]


async def test_limit_keeps_the_last_items_paired_with_their_input() -> None:
    result = await run(one("n8n-nodes-base.limit", {"maxItems": 2, "keep": "lastItems"}), ITEMS)
    assert [
        (i.json["n"], i.paired_item.item if i.paired_item else None) for i in result.items("Node")
    ] == [
        (3, 3),
        (4, 4),
    ]
