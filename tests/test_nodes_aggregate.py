"""Aggregate through the engine: files of the aggregated items, provenance, errors."""

from __future__ import annotations

from typing import Any

import pytest
from support import chain, node, run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.items import BinaryData, Item
from keitaro_node.runtime.workflow import parse_workflow


def aggregate(params: dict[str, Any]) -> dict[str, Any]:
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Aggregate", "n8n-nodes-base.aggregate", params),
    )


ALL_DATA = {"aggregate": "aggregateAllItemData", "include": "specifiedFields"}


async def test_files_of_the_aggregated_items_are_kept_under_distinct_names() -> None:
    same = BinaryData(b"abc", "text/plain", "a.txt")
    start = [
        Item(json={"n": 1}, binary={"data": same}),
        Item(json={"x": 1}, binary={"data": BinaryData(b"abc", "text/plain", "b.txt")}),
        Item(json={"n": 3}, binary={"data": BinaryData(b"other", "text/csv", "c.csv")}),
    ]
    params = {**ALL_DATA, "fieldsToInclude": "n", "options": {"includeBinaries": True}}
    result = await run_workflow(parse_workflow(aggregate(params)), start)
    [out] = result.items("Aggregate")
    assert out.json == {"data": [{"n": 1}, {"n": 3}]}
    assert sorted(out.binary or {}) == ["data", "data_1"]  # only the items that were kept
    assert out.to_json()["pairedItem"] == [{"item": 0, "input": 0}, {"item": 2, "input": 0}]
    unique = {**params, "fieldsToInclude": "", "include": "allFields"}
    unique["options"] = {"includeBinaries": True, "keepOnlyUnique": True}
    result = await run_workflow(parse_workflow(aggregate(unique)), start)
    assert sorted(result.items("Aggregate")[0].binary or {}) == ["data", "data_1"]


async def test_an_output_field_used_twice_is_refused() -> None:
    rows = [
        {"fieldToAggregate": "a.x"},
        {"fieldToAggregate": "b", "renameField": True, "outputFieldName": "a.x"},
    ]
    with pytest.raises(WorkflowError) as failure:
        await run(aggregate({"fieldsToAggregate": {"fieldToAggregate": rows}}), [{"a": {"x": 1}}])
    assert failure.value.node_name == "Aggregate"
    assert "The 'a.x' output field is used more than once" in str(failure.value)


async def test_field_lists_are_text_and_a_list_from_an_expression_is_refused() -> None:
    params = {**ALL_DATA, "fieldsToInclude": "={{ ['n', 'm'].join(',') }}"}
    result = await run(aggregate(params), [{"n": 1, "x": 0}, {"m": 2}])
    assert result.items("Aggregate")[0].json == {"data": [{"n": 1}, {"m": 2}]}
    params["fieldsToInclude"] = "={{ ['n', 'm'] }}"
    with pytest.raises(WorkflowError, match=r"item 0: 'Fields To Include' \(fieldsToInclude\)"):
        await run(aggregate(params), [{"n": 1}])
