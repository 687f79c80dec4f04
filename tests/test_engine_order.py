"""n8n's execution order: runs per input, waiting inputs, sibling order, v0, limits."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from golden.golden import HERE
from support import chain, node, run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.errors import WorkflowError, WorkflowLoadError
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.workflow import parse_workflow


def fan_out(**settings: Any) -> dict[str, Any]:
    """Start -> Upper and Lower (Upper placed higher), both -> Join."""
    workflow = chain(node("Start", "n8n-nodes-base.manualTrigger"))
    workflow["nodes"] += [
        node("Lower", "n8n-nodes-base.noOp", position=[200, 100]),
        node("Upper", "n8n-nodes-base.noOp", position=[200, -100]),
        node("Join", "n8n-nodes-base.noOp", position=[400, 0]),
    ]
    workflow["connections"] = {
        "Start": {"main": [[{"node": "Lower", "index": 0}, {"node": "Upper", "index": 0}]]},
        "Lower": {"main": [[{"node": "Join", "index": 0}]]},
        "Upper": {"main": [[{"node": "Join", "index": 0}]]},
    }
    workflow["settings"] = settings
    return workflow


async def test_a_node_fed_twice_runs_twice_upper_branch_first() -> None:
    result = await run(fan_out(executionOrder="v1"), [{"n": 1}, {"n": 2}])
    assert result.order == ["Start", "Upper", "Join", "Lower", "Join"]
    assert len(result.runs["Join"]) == 2
    # each run has its own items; outputs/items() read the last run
    assert [i.parent.node for i in result.items("Join", run=0) if i.parent] == ["Upper", "Upper"]
    assert [i.parent.node for i in result.items("Join") if i.parent] == ["Lower", "Lower"]
    assert result.outputs["Join"] is result.runs["Join"][-1]
    assert result.last_node == "Join" and len(result.final_items()) == 2


async def test_legacy_order_runs_when_it_cannot_differ() -> None:
    # no executionOrder is n8n's v0; a chain runs the same in both orders
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"), node("A", "n8n-nodes-base.noOp")
    )
    assert "executionOrder" not in workflow.get("settings", {})
    assert [i.json for i in (await run(workflow, [{"a": 1}])).items("A")] == [{"a": 1}]
    workflow["settings"] = {"executionOrder": "v0"}
    assert [i.json for i in (await run(workflow, [{"a": 2}])).items("A")] == [{"a": 2}]


async def test_legacy_order_is_refused_where_it_would_run_otherwise() -> None:
    with pytest.raises(WorkflowLoadError) as caught:
        await run(fan_out(), [{}])
    message = str(caught.value)
    assert "executionOrder is missing, which n8n reads as 'v0'" in message
    assert "'Start' feeds 2 connections" in message and "'v1'" in message
    with pytest.raises(WorkflowLoadError, match=r"executionOrder is 'v0'"):
        await run(fan_out(executionOrder="v0"), [{}])
    with pytest.raises(WorkflowLoadError, match="n8n knows 'v1' and 'v0'"):
        await run(fan_out(executionOrder="v2"), [{}])


async def test_the_run_limit_can_be_raised_for_long_loops() -> None:
    loop = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Loop", "n8n-nodes-base.splitInBatches", {"batchSize": 1}, typeVersion=3),
        node("Work", "n8n-nodes-base.noOp"),
    )
    loop["settings"] = {"executionOrder": "v1"}
    loop["connections"]["Start"] = {"main": [[{"node": "Loop", "index": 0}]]}
    loop["connections"]["Loop"] = {"main": [[], [{"node": "Work", "index": 0}]]}
    loop["connections"]["Work"] = {"main": [[{"node": "Loop", "index": 0}]]}
    items = [Item(json={"n": n}) for n in range(30)]
    with pytest.raises(WorkflowError, match="limit is 20 runs per node"):
        await run_workflow(
            parse_workflow(copy.deepcopy(loop)), items, options={"max_node_runs": 20}
        )
    result = await run_workflow(parse_workflow(loop), items, options={"max_node_runs": 31})
    assert len(result.runs["Loop"]) == 31 and len(result.runs["Work"]) == 30
    assert [i.json["n"] for i in result.items("Loop", 0)] == list(range(30))


async def test_execution_timeout_of_the_workflow_settings_stops_a_run() -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Wait", "n8n-nodes-base.wait", {"amount": 30}, typeVersion=1.1),
        node("After", "n8n-nodes-base.noOp"),
    )
    workflow["settings"] = {"executionOrder": "v1", "executionTimeout": 1}
    with pytest.raises(WorkflowError, match=r"longer than its settings.executionTimeout \(1 s\)"):
        await run(workflow, [{}])


async def test_the_run_so_far_comes_with_the_error() -> None:
    path = HERE / "engine" / "failure_keeps_what_ran.workflow.json"
    workflow = parse_workflow(__import__("json").loads(path.read_text()))
    with pytest.raises(WorkflowError) as caught:
        await run_workflow(workflow)
    assert caught.value.node_name == "Bad"
    partial = caught.value.result
    assert partial.order == ["Start", "Good"] and "Later" not in partial.runs
    assert partial.items("Good")[0].json == {"n": 1, "ok": "yes"}
