"""Filter at each version: kept and discarded items, and errors as n8n gives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from node_cases import check_against_n8n, error_cases
from support import chain, node, run

from keitaro_node.runtime.errors import WorkflowError


@pytest.mark.parametrize("path", error_cases("filter"), ids=lambda p: p.name.split(".")[0])
async def test_failing_runs_fail_as_in_n8n(path: Path) -> None:
    await check_against_n8n(path)


LOOSE = {"caseSensitive": False, "leftValue": "", "typeValidation": "loose", "version": 3}


def over_ten(**settings: Any) -> dict[str, Any]:
    condition = {
        "leftValue": "={{ $json.n }}",
        "rightValue": 10,
        "operator": {"type": "number", "operation": "gt"},
    }
    conditions = {"options": LOOSE, "conditions": [condition], "combinator": "and"}
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node(
            "Filter",
            "n8n-nodes-base.filter",
            {"conditions": conditions},
            typeVersion=2.3,
            **settings,
        ),
        node("After", "n8n-nodes-base.noOp"),
    )


async def test_kept_items_go_on_and_discarded_ones_are_recorded_beside_them() -> None:
    result = await run(over_ten(), [{"n": 50}, {"n": "11"}, {"n": 3}, {"n": ""}])
    kept, discarded = result.outputs["Filter"]
    assert [i.json for i in kept] == [{"n": 50}, {"n": "11"}]
    assert [i.json for i in discarded] == [{"n": 3}, {"n": ""}]
    assert [i.json for i in result.items("After")] == [{"n": 50}, {"n": "11"}]
    assert [i.paired_item.item for i in discarded if i.paired_item] == [2, 3]


async def test_a_failing_item_is_discarded_when_the_node_continues() -> None:
    result = await run(over_ten(onError="continueRegularOutput"), [{"n": "ten"}, {"n": 11}])
    kept, discarded = result.outputs["Filter"]
    assert [i.json for i in kept] == [{"n": 11}]
    assert [i.json for i in discarded] == [{"n": "ten"}]


async def test_a_failing_item_stops_the_node_and_names_itself() -> None:
    with pytest.raises(WorkflowError) as caught:
        await run(over_ten(), [{"n": 11}, {"n": "ten"}])
    error: Any = caught.value.error
    assert caught.value.node_name == "Filter" and error.item_index == 1
    assert error.message == (
        "Conversion error: the string 'ten' can't be converted to a number [condition 0, item 1]"
    )


async def test_version_1_keeps_items_by_and_or() -> None:
    conditions = {
        "number": [{"value1": "={{ $json.n }}", "operation": "larger", "value2": 10}],
        "string": [{"value1": "={{ $json.s }}", "operation": "startsWith", "value2": "a"}],
    }
    items = [{"n": 11, "s": "ab"}, {"n": 11, "s": "b"}, {"n": 1, "s": "a"}, {"n": 1, "s": "b"}]
    for combine, expected in (("AND", [0]), ("OR", [0, 1, 2])):
        workflow = chain(
            node("Start", "n8n-nodes-base.manualTrigger"),
            node(
                "Filter",
                "n8n-nodes-base.filter",
                {"conditions": conditions, "combineConditions": combine},
            ),
        )
        result = await run(workflow, items)
        kept = result.items("Filter")
        assert [i.paired_item.item for i in kept if i.paired_item] == expected
