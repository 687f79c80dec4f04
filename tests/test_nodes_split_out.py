"""Split Out through the engine: files, per-item settings, errors that name the item."""

from __future__ import annotations

from typing import Any

import pytest
from support import chain, node, run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.items import BinaryData, Item
from keitaro_node.runtime.workflow import parse_workflow


def split_out(params: dict[str, Any]) -> dict[str, Any]:
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Split", "n8n-nodes-base.splitOut", params),
    )


async def test_files_split_into_items_or_follow_each_new_item() -> None:
    files = {
        "a": BinaryData(b"1", "text/plain", "a.txt"),
        "b": BinaryData(b"22", "text/plain", "b.txt"),
    }
    start = [Item(json={"rows": [1, 2]}, binary=files)]
    by_file = parse_workflow(split_out({"fieldToSplitOut": "$binary"}))
    result = await run_workflow(by_file, start)
    assert [(item.json, sorted(item.binary or {})) for item in result.items("Split")] == [
        ({}, ["a"]),
        ({}, ["b"]),
    ]
    with_files = parse_workflow(
        split_out({"fieldToSplitOut": "rows", "options": {"includeBinary": True}})
    )
    result = await run_workflow(with_files, start)
    assert [sorted(item.binary or {}) for item in result.items("Split")] == [["a", "b"]] * 2
    without = parse_workflow(split_out({"fieldToSplitOut": "rows"}))
    result = await run_workflow(without, start)
    assert [item.binary for item in result.items("Split")] == [None, None]


async def test_settings_are_read_per_item_and_errors_name_the_item() -> None:
    workflow = split_out(
        {"fieldToSplitOut": "={{ $json.fields }}", "options": {"destinationFieldName": "x"}}
    )
    items = [{"fields": "a", "a": [1, 2]}, {"fields": "a, b", "a": [1], "b": [2]}]
    with pytest.raises(WorkflowError) as failure:
        await run(workflow, items)
    assert failure.value.node_name == "Split"
    assert str(failure.value.error).startswith(
        "item 1: If multiple fields to split out are given, the same number of destination "
        "fields must be given"
    )
    result = await run(workflow, items[:1])
    assert [item.json for item in result.items("Split")] == [{"x": 1}, {"x": 2}]
    assert [item.paired_item.item for item in result.items("Split") if item.paired_item] == [0, 0]


async def test_the_field_to_split_out_is_required() -> None:
    with pytest.raises(
        WorkflowError, match=r"'Fields To Split Out' \(fieldToSplitOut\) is required"
    ):
        await run(split_out({}), [{"a": [1]}])


async def test_a_missing_field_gives_no_items_and_is_no_error() -> None:
    result = await run(split_out({"fieldToSplitOut": "nothing"}), [{"a": [1]}])
    assert result.items("Split") == []
