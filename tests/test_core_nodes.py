"""Core nodes under n8n's names, run through the engine."""

from __future__ import annotations

from typing import Any

import pytest
from support import chain, node, run

from keitaro_node.app import plugin_host, run_workflow
from keitaro_node.runtime.engine import Engine
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.workflow import WorkflowFormatError, parse_workflow

STRICT = {"caseSensitive": True, "typeValidation": "strict", "version": 2}


def assignments(*entries: tuple[str, Any, str]) -> dict[str, Any]:
    return {
        "mode": "manual",
        "assignments": {
            "assignments": [
                {"id": str(i), "name": n, "value": v, "type": t}
                for i, (n, v, t) in enumerate(entries)
            ]
        },
    }


async def test_edit_fields_sets_typed_values_with_dot_notation() -> None:
    params = assignments(
        ("stream.name", "={{ $json.geo }} flow", "string"),
        ("stream.weight", "={{ $json.w }}", "number"),
        ("stream.on", "true", "boolean"),
        ("stream.filters", '[{"name": "country"}]', "array"),
    )
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Set", "n8n-nodes-base.set", params, typeVersion=3.4),
    )
    result = await run(workflow, [{"geo": "GB", "w": "60", "other": 1}])
    assert result.items("Set")[0].json == {
        "stream": {"name": "GB flow", "weight": 60, "on": True, "filters": [{"name": "country"}]}
    }


async def test_edit_fields_can_keep_other_fields_and_reports_bad_types() -> None:
    params = {**assignments(("n", "={{ $json.x }}", "number")), "includeOtherFields": True}
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Set", "n8n-nodes-base.set", params, typeVersion=3.4),
    )
    result = await run(workflow, [{"x": "5", "keep": "me"}])
    assert result.items("Set")[0].json == {"x": "5", "keep": "me", "n": 5}
    with pytest.raises(
        WorkflowError, match=r"item 1: 'n' expects a number but we got 'five' \[item 1\]"
    ):
        await run(workflow, [{"x": 1}, {"x": "five"}])


async def test_if_routes_items_by_conditions() -> None:
    conditions = {
        "conditions": [
            {
                "leftValue": "={{ $json.country }}",
                "rightValue": "GB",
                "operator": {"type": "string", "operation": "equals"},
            },
            {
                "leftValue": "={{ $json.clicks }}",
                "rightValue": 10,
                "operator": {"type": "number", "operation": "gte"},
            },
            {
                "leftValue": "={{ $json.active }}",
                "operator": {"type": "boolean", "operation": "true", "singleValue": True},
            },
        ],
        "combinator": "and",
        "options": STRICT,
    }
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("If", "n8n-nodes-base.if", {"conditions": conditions}, typeVersion=2.2),
    )
    items = [
        {"country": "GB", "clicks": 12, "active": True},
        {"country": "DE", "clicks": 50, "active": True},
        {"country": "GB", "clicks": 3, "active": True},
        {"country": "GB", "clicks": 10, "active": False},
    ]
    result = await run(workflow, items)
    yes, no = result.outputs["If"]
    assert [i.paired_item.item for i in yes if i.paired_item] == [0]
    assert [i.paired_item.item for i in no if i.paired_item] == [1, 2, 3]


async def test_if_or_combinator_and_string_operations() -> None:
    conditions = {
        "conditions": [
            {
                "leftValue": "={{ $json.url }}",
                "rightValue": "https://",
                "operator": {"type": "string", "operation": "startsWith"},
            },
            {
                "leftValue": "={{ $json.url }}",
                "rightValue": "offer",
                "operator": {"type": "string", "operation": "contains"},
            },
        ],
        "combinator": "or",
        "options": STRICT,
    }
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("If", "n8n-nodes-base.if", {"conditions": conditions}, typeVersion=2.2),
    )
    result = await run(
        workflow, [{"url": "https://a"}, {"url": "http://offer"}, {"url": "ftp://x"}]
    )
    assert [i.json["url"] for i in result.items("If", 0)] == ["https://a", "http://offer"]
    assert [i.json["url"] for i in result.items("If", 1)] == ["ftp://x"]


async def test_nodes_without_items_do_not_run() -> None:
    conditions = {
        "conditions": [
            {"leftValue": 1, "rightValue": 2, "operator": {"type": "number", "operation": "gt"}}
        ],
        "combinator": "and",
        "options": STRICT,
    }
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("If", "n8n-nodes-base.if", {"conditions": conditions}, typeVersion=2.2),
        node("After", "n8n-nodes-base.noOp"),
    )
    result = await run(workflow, [{"a": 1}])
    assert "After" not in result.outputs and result.terminal == ["If"]


def test_workflow_format_errors_are_clear() -> None:
    with pytest.raises(WorkflowFormatError, match="nodes"):
        parse_workflow({"connections": {}})
    with pytest.raises(WorkflowFormatError, match="'A' connects to 'B', which is not in nodes"):
        parse_workflow(
            {
                "nodes": [node("A", "n8n-nodes-base.noOp")],
                "connections": {"A": {"main": [[{"node": "B", "type": "main", "index": 0}]]}},
            }
        )
    with pytest.raises(WorkflowFormatError, match="unique"):
        parse_workflow(
            {"nodes": [node("A", "n8n-nodes-base.noOp"), node("A", "n8n-nodes-base.noOp")]}
        )


async def test_a_loop_that_does_not_end_is_stopped_at_the_run_limit() -> None:
    # n8n allows loops in connections (Loop Over Items); one that never ends is stopped
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("A", "n8n-nodes-base.noOp"),
        node("B", "n8n-nodes-base.noOp"),
    )
    workflow["connections"]["B"] = {"main": [[{"node": "A", "type": "main", "index": 0}]]}
    with pytest.raises(WorkflowError, match="limit is 25 runs per node") as caught:
        await run_workflow(parse_workflow(workflow), None, options={"max_node_runs": 25})
    assert caught.value.node_name == "A"
    assert len(caught.value.result.runs["A"]) == 25 and len(caught.value.result.runs["B"]) == 25


async def test_edit_fields_never_changes_the_input_item() -> None:
    params = {
        **assignments(("stream.name", "renamed", "string"), ("stream.extra.deep", "1", "number")),
        "includeOtherFields": True,
    }
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Set", "n8n-nodes-base.set", params, typeVersion=3.4),
    )
    result = await run(workflow, [{"stream": {"name": "original", "extra": {"keep": True}}}])
    assert result.items("Start")[0].json == {
        "stream": {"name": "original", "extra": {"keep": True}}
    }
    assert result.items("Set")[0].json == {
        "stream": {"name": "renamed", "extra": {"keep": True, "deep": 1}}
    }


async def test_collector_thresholds_come_back_after_concurrent_runs() -> None:
    import asyncio
    import gc

    before = gc.get_threshold()
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"), node("NoOp", "n8n-nodes-base.noOp")
    )
    await asyncio.gather(*(run(workflow, [{"n": n}]) for n in range(5)))
    assert gc.get_threshold() == before


def test_every_installed_node_says_whether_it_gathers_all_items() -> None:
    # a streaming engine gathers every item before a node that answers True
    host = plugin_host(load_entry_points=False)
    answers = {
        name: node_type.gathers_all_items({})
        for name, node_type in host.node_types.items()
        if "." in name
    }
    item_wise = {
        "n8n-nodes-base.manualTrigger",
        "n8n-nodes-base.start",
        "n8n-nodes-base.executeWorkflowTrigger",
        "n8n-nodes-base.noOp",
        "n8n-nodes-base.set",
        "n8n-nodes-base.if",
        "n8n-nodes-base.filter",
        "n8n-nodes-base.switch",
        "n8n-nodes-base.splitOut",
        "n8n-nodes-base.functionItem",
        "n8n-nodes-keitaro.keitaro",
        "n8n-nodes-base.httpRequest",
        "n8n-nodes-base.dateTime",
    }
    assert {name for name, gathers in answers.items() if not gathers} == item_wise
    code = host.node_types["n8n-nodes-base.code"]
    assert code.gathers_all_items({"mode": "runOnceForEachItem"}) is False
    sub = host.node_types["n8n-nodes-base.executeWorkflow"]
    assert sub.gathers_all_items({"mode": "each"}) is False
    plan = Engine(host).prepare(
        parse_workflow(
            chain(
                node("Start", "n8n-nodes-base.manualTrigger"),
                node("Each", "n8n-nodes-base.code", {"mode": "runOnceForEachItem"}, typeVersion=2),
                node("All", "n8n-nodes-base.code", {}, typeVersion=2),
            )
        )
    )
    assert [plan.nodes[n].gathers_all_items for n in ("Start", "Each", "All")] == [
        False,
        False,
        True,
    ]
