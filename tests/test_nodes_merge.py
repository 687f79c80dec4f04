"""Merge through the engine: refusals, versions, provenance of combined items, files."""

from __future__ import annotations

from typing import Any

import pytest
from support import node, run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.errors import WorkflowError, WorkflowLoadError
from keitaro_node.runtime.items import BinaryData, Item
from keitaro_node.runtime.nodes.merge import Merge
from keitaro_node.runtime.workflow import parse_workflow


def two_inputs(
    params: dict[str, Any],
    first: list[dict[str, Any]],
    second: list[dict[str, Any]],
    version: float = 3.2,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Start -> Input 1 / Input 2 (pinned) -> Merge (-> after)."""
    merge = {**node("Merge", "n8n-nodes-base.merge", params), "typeVersion": version}
    nodes = [
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Input 1", "n8n-nodes-base.noOp"),
        node("Input 2", "n8n-nodes-base.noOp"),
        merge,
    ]
    connections: dict[str, Any] = {
        "Start": {
            "main": [
                [
                    {"node": "Input 1", "type": "main", "index": 0},
                    {"node": "Input 2", "type": "main", "index": 0},
                ]
            ]
        },
        "Input 1": {"main": [[{"node": "Merge", "type": "main", "index": 0}]]},
        "Input 2": {"main": [[{"node": "Merge", "type": "main", "index": 1}]]},
    }
    if after is not None:
        nodes.append(after)
        connections["Merge"] = {"main": [[{"node": after["name"], "type": "main", "index": 0}]]}
    return {
        "name": "merge test",
        "nodes": nodes,
        "connections": connections,
        "pinData": {"Input 1": first, "Input 2": second},
        "settings": {"executionOrder": "v1"},
    }


async def test_sql_query_mode_is_refused_with_the_reason() -> None:
    workflow = two_inputs({"mode": "combineBySql", "query": "SELECT * FROM input1"}, [{}], [{}])
    with pytest.raises(WorkflowLoadError) as failure:  # before any node runs
        await run(workflow)
    assert failure.value.node_name == "Merge"
    assert "'SQL Query' mode is not supported" in str(failure.value)
    assert "AlaSQL" in str(failure.value)
    assert Merge().unsupported({"mode": "combineBySql"}, 3.2) is not None  # at load, too
    assert Merge().unsupported({"mode": "combine"}, 3.2) is None


async def test_a_version_n8n_does_not_have_is_refused() -> None:
    workflow = two_inputs({"mode": "append"}, [{"a": 1}], [{"b": 2}], version=4)
    with pytest.raises(
        WorkflowLoadError, match=r"typeVersion 4 of n8n-nodes-base\.merge"
    ) as failure:
        await run(workflow)
    assert "1, 2, 2.1, 3, 3.1, 3.2" in str(failure.value)


async def test_a_mode_of_another_version_is_refused_by_name() -> None:
    workflow = two_inputs({"mode": "multiplex"}, [{"a": 1}], [{"b": 2}], version=3)
    with pytest.raises(WorkflowError, match="unknown mode 'multiplex'"):
        await run(workflow)


async def test_key_names_are_required_in_version_1() -> None:
    workflow = two_inputs({"mode": "mergeByKey"}, [{"id": 1}], [{"id": 1}], version=1)
    with pytest.raises(WorkflowError, match=r"'Property Input 1' \(propertyName1\) is required"):
        await run(workflow)


async def test_combined_items_name_every_source_and_lookups_follow_input_1() -> None:
    after = node(
        "Set",
        "n8n-nodes-base.set",
        {
            "mode": "manual",
            "includeOtherFields": True,
            "assignments": {
                "assignments": [
                    {
                        "name": "from1",
                        "value": "={{ $('Input 1').item.json.name }}",
                        "type": "string",
                    }
                ]
            },
        },
    )
    after["typeVersion"] = 3.4
    workflow = two_inputs(
        {"mode": "combine", "fieldsToMatchString": "id", "joinMode": "enrichInput1"},
        [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}, {"id": 3, "name": "three"}],
        [{"id": 2, "x": "b"}, {"id": 1, "x": "a"}, {"id": 9}],
        after=after,
    )
    result = await run(workflow)
    merged = result.items("Merge")
    assert [item.to_json()["pairedItem"] for item in merged[:2]] == [
        [{"item": 0, "input": 0}, {"item": 1, "input": 1}],
        [{"item": 1, "input": 0}, {"item": 0, "input": 1}],
    ]
    assert merged[2].to_json()["pairedItem"] == {"item": 2, "input": 0}  # unmatched, kept
    assert [item.json["from1"] for item in result.items("Set")] == ["one", "two", "three"]


async def test_files_of_both_inputs_are_kept_when_items_are_combined() -> None:
    pdf = BinaryData(b"%PDF-1", "application/pdf", "a.pdf")
    png = BinaryData(b"\x89PNG", "image/png", "b.png")
    merge = {
        **node("Merge", "n8n-nodes-base.merge", {"mode": "combine", "combineBy": "combineAll"}),
        "typeVersion": 3.2,
    }
    workflow = parse_workflow(
        {
            "name": "files",
            "nodes": [
                node("Start", "n8n-nodes-base.manualTrigger"),
                node("Other", "n8n-nodes-base.noOp"),
                merge,
            ],
            "connections": {
                "Start": {
                    "main": [
                        [
                            {"node": "Merge", "type": "main", "index": 0},
                            {"node": "Other", "type": "main", "index": 0},
                        ]
                    ]
                },
                "Other": {"main": [[{"node": "Merge", "type": "main", "index": 1}]]},
            },
            "pinData": {"Other": [{"other": True}]},
            "settings": {"executionOrder": "v1"},
        }
    )
    start = [Item(json={"n": 1}, binary={"doc": pdf}), Item(json={"n": 2}, binary={"pic": png})]
    result = await run_workflow(workflow, start)
    combined = result.items("Merge")
    assert [item.json for item in combined] == [{"n": 1, "other": True}, {"n": 2, "other": True}]
    assert [sorted(item.binary or {}) for item in combined] == [["doc"], ["pic"]]


async def test_three_inputs_are_read_in_input_order() -> None:
    merge = {
        **node("Merge", "n8n-nodes-base.merge", {"mode": "append", "numberInputs": 3}),
        "typeVersion": 3.2,
    }
    names = ["A", "B", "C"]
    workflow = {
        "name": "three",
        "nodes": [
            node("Start", "n8n-nodes-base.manualTrigger"),
            *(node(n, "n8n-nodes-base.noOp") for n in names),
            merge,
        ],
        "connections": {
            "Start": {"main": [[{"node": n, "type": "main", "index": 0} for n in names]]},
            # wired in another order than the inputs they feed
            "C": {"main": [[{"node": "Merge", "type": "main", "index": 0}]]},
            "A": {"main": [[{"node": "Merge", "type": "main", "index": 2}]]},
            "B": {"main": [[{"node": "Merge", "type": "main", "index": 1}]]},
        },
        "pinData": {n: [{"from": n}] for n in names},
        "settings": {"executionOrder": "v1"},
    }
    result = await run(workflow)
    assert [item.json["from"] for item in result.items("Merge")] == ["C", "B", "A"]
    assert [item.paired_item.input for item in result.items("Merge") if item.paired_item] == [
        0,
        1,
        2,
    ]
