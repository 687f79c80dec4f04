"""The nodes tied to the engine: Loop Over Items, Wait, Execute Workflow and its trigger, Start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import KEITARO, chain, node, run

from keitaro_node.app import plugin_host
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.engine import MAX_SUB_WORKFLOW_DEPTH, Engine
from keitaro_node.runtime.errors import WorkflowError, WorkflowLoadError
from keitaro_node.runtime.workflow import parse_workflow
from keitaro_node.sandbox import Sandbox

V1 = {"executionOrder": "v1"}


def link(workflow: dict[str, Any], source: str, target: str, output: int = 0) -> None:
    outputs = workflow["connections"].setdefault(source, {"main": []})["main"]
    while len(outputs) <= output:
        outputs.append([])
    outputs[output].append({"node": target, "type": "main", "index": 0})


def fields(name: str, **values: str) -> dict[str, Any]:
    """An Edit Fields 3.4 node keeping other fields and setting text fields."""
    assignments = [{"id": k, "name": k, "value": v, "type": "string"} for k, v in values.items()]
    params = {"assignments": {"assignments": assignments}, "includeOtherFields": True}
    return node(name, "n8n-nodes-base.set", params, typeVersion=3.4)


def sub_workflow(*nodes: dict[str, Any], trigger: dict[str, Any] | None = None) -> dict[str, Any]:
    start = trigger or node("Called", "n8n-nodes-base.executeWorkflowTrigger", typeVersion=1)
    return {**chain(start, *nodes), "settings": V1}


def caller(parameters: dict[str, Any], version: float = 1.1, **settings: Any) -> dict[str, Any]:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Run", "n8n-nodes-base.executeWorkflow", parameters, typeVersion=version, **settings),
        fields("After", start_n="={{ $('Start').item.json.n }}"),
    )
    workflow["settings"] = V1
    return workflow


# --- Loop Over Items -------------------------------------------------------------------------


async def test_loop_state_belongs_to_one_execution() -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Loop", "n8n-nodes-base.splitInBatches", {"batchSize": 2}, typeVersion=3),
        node("Work", "n8n-nodes-base.noOp"),
    )
    workflow["settings"] = V1
    workflow["connections"]["Loop"] = {"main": [[], [{"node": "Work", "index": 0}]]}
    link(workflow, "Work", "Loop")
    for _ in range(2):  # the second execution starts from the beginning again
        result = await run(workflow, [{"n": n} for n in range(5)])
        assert [len(r[1]) for r in result.runs["Loop"]] == [2, 2, 1, 0]
        assert [i.json["n"] for i in result.items("Loop", 0)] == [0, 1, 2, 3, 4]
        # handed-out items stay paired with the input they came in
        assert [i.paired_item.item for i in result.items("Loop", 1, run=1) if i.paired_item] == [
            2,
            3,
        ]


def test_loop_outputs_follow_the_version() -> None:
    loop = plugin_host(load_entry_points=False).node_types["n8n-nodes-base.splitInBatches"]
    assert [loop.output_count({}, v) for v in (1, 2, 3)] == [1, 2, 2]


# --- Wait ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resume", "why"),
    [
        ("webhook", "'On Webhook Call' needs n8n's server"),
        ("form", "'On Form Submitted' needs n8n's server"),
        ("specificTime", "'At Specified Time' is not supported"),
    ],
)
async def test_wait_refuses_what_cannot_resume_here(resume: str, why: str) -> None:
    # webhook settings the node's description does not list would only add noise
    params = {"resume": resume, "httpMethod": "POST", "limitWaitTime": True}
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Wait", "n8n-nodes-base.wait", params, typeVersion=1.1),
    )
    with pytest.raises(WorkflowLoadError) as caught:
        await run(workflow, [{}])
    (problem,) = caught.value.problems
    assert problem.node_name == "Wait"
    assert problem.message.startswith("the Wait node resumes only after a time interval here")
    assert why in problem.message


async def test_wait_checks_its_amount() -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Wait", "n8n-nodes-base.wait", {"amount": -1}, typeVersion=1.1),
    )
    with pytest.raises(WorkflowLoadError, match="'Wait Amount' \\(amount\\) must be at least 0"):
        await run(workflow, [{}])
    workflow["nodes"][1]["parameters"] = {"amount": "={{ $json.seconds }}"}
    with pytest.raises(WorkflowError, match="must be at least 0"):
        await run(workflow, [{"seconds": -2}])


# --- Execute Workflow ------------------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, workflow: dict[str, Any]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(workflow))
    return str(path.relative_to(Path.cwd()))


async def test_a_sub_workflow_from_a_file_runs_with_the_callers_credentials(
    workdir: Path, tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    get = {"resource": "campaign", "operation": "get", "campaignId": "={{ $json.n }}"}
    sub = sub_workflow(
        node("Keitaro", KEITARO, get, credentials={"keitaroApi": {"id": "1", "name": "k"}})
    )
    path = write(workdir / "subs" / "get_campaign.json", sub)
    result = await run(
        caller({"source": "localFile", "workflowPath": path}), [{"n": campaign_id}], credentials
    )
    (item,) = result.items("Run")
    assert item.json["data"]["id"] == campaign_id and item.json["success"] is True
    # pairing goes back through the sub-workflow to the caller's items
    assert result.items("After")[0].json["start_n"] == str(campaign_id)
    assert tracker.request_count("GET", f"/admin_api/v1/campaigns/{campaign_id}") == 1


async def test_sub_workflow_files_outside_the_working_directory_are_refused(
    workdir: Path,
) -> None:
    outside = workdir.parent / "outside.json"
    outside.write_text(json.dumps(sub_workflow()))
    with pytest.raises(WorkflowLoadError, match="is outside the working directory"):
        await run(caller({"source": "localFile", "workflowPath": "../outside.json"}), [{}])
    dynamic = caller({"source": "localFile", "workflowPath": "={{ $json.path }}"})
    with pytest.raises(WorkflowError, match="is outside the working directory"):
        await run(dynamic, [{"path": str(outside)}])


@pytest.mark.parametrize(
    ("parameters", "version", "text"),
    [
        ({"workflowId": "12"}, 1, "export that workflow to a file"),
        ({"source": "database", "workflowId": {"__rl": True, "value": "12"}}, 1.3, "database"),
        ({"source": "url", "workflowUrl": "https://example.com/w.json"}, 1, "URL"),
        (
            {"source": "parameter", "workflowJson": "{}", "options": {"waitForSubWorkflow": False}},
            1.2,
            "without 'Wait For Sub-Workflow Completion' is not supported",
        ),
        ({"source": "localFile", "workflowPath": "missing.json"}, 1, "does not exist"),
        ({"source": "localFile", "workflowPath": "x.json"}, 1.2, "unknown source 'localFile'"),
    ],
)
async def test_execute_workflow_refuses_what_it_cannot_do_at_load(
    workdir: Path, parameters: dict[str, Any], version: float, text: str
) -> None:
    with pytest.raises(WorkflowLoadError, match=text) as caught:
        await run(caller(parameters, version), [{}])
    assert all(p.node_name == "Run" for p in caught.value.problems)


async def test_problems_of_a_sub_workflow_are_found_when_its_caller_loads(workdir: Path) -> None:
    bad = sub_workflow(node("Oops", "n8n-nodes-base.noOp", {"nothing": 1}))
    path = write(workdir / "bad.json", bad)
    with pytest.raises(WorkflowLoadError) as caught:
        await run(caller({"source": "localFile", "workflowPath": path}), [{}])
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"node 'Run': {workdir / 'bad.json'}: node 'Oops': unknown parameter 'nothing'"
    )


async def test_a_failing_sub_workflow_names_its_node(workdir: Path) -> None:
    failing = sub_workflow(
        node(
            "Convert",
            "n8n-nodes-base.set",
            {
                "assignments": {
                    "assignments": [
                        {"id": "1", "name": "x", "value": "={{ $json.v }}", "type": "number"}
                    ]
                }
            },
            typeVersion=3.4,
        )
    )
    path = write(workdir / "failing.json", failing)
    with pytest.raises(WorkflowError, match="stopped at its node 'Convert'") as caught:
        await run(caller({"source": "localFile", "workflowPath": path}), [{"v": "x"}])
    assert caught.value.node_name == "Run"
    # for each item, with onError: the failing item gets an error item, the others go on
    each = caller({"source": "localFile", "workflowPath": path, "mode": "each"}, 1.1)
    each["nodes"][1]["onError"] = "continueRegularOutput"
    result = await run(each, [{"v": "1"}, {"v": "x"}, {"v": "3"}])
    out = result.runs["Run"][0]
    assert [i.json.get("x") for i in out[0]] == [1, 3]
    assert "stopped at its node 'Convert'" in out[1][0].json["error"]  # before 1.3: output i


async def test_a_workflow_that_calls_itself_stops_at_the_depth_limit(workdir: Path) -> None:
    recursive = sub_workflow(
        node(
            "Again",
            "n8n-nodes-base.executeWorkflow",
            {"source": "localFile", "workflowPath": "self.json"},
            typeVersion=1,
        )
    )
    write(workdir / "self.json", recursive)
    with pytest.raises(WorkflowError, match=f"more than {MAX_SUB_WORKFLOW_DEPTH} levels deep"):
        await run(caller({"source": "localFile", "workflowPath": "self.json"}), [{}])


async def test_the_trigger_keeps_only_its_input_fields(workdir: Path) -> None:
    schema = {"values": [{"name": "n", "type": "number"}, {"name": "label", "type": "string"}]}
    trigger = node(
        "Called",
        "n8n-nodes-base.executeWorkflowTrigger",
        {"inputSource": "workflowInputs", "workflowInputs": schema},
        typeVersion=1.1,
    )
    inline = json.dumps(sub_workflow(trigger=trigger))
    result = await run(
        caller({"source": "parameter", "workflowJson": inline}, 1.2), [{"n": 1, "extra": True}]
    )
    assert result.items("Run")[0].json == {"n": 1, "label": None}
    example = {"inputSource": "jsonExample", "jsonExample": '{"extra": 0}'}
    trigger["parameters"] = example
    inline = json.dumps(sub_workflow(trigger=trigger))
    result = await run(caller({"source": "parameter", "workflowJson": inline}, 1.2), [{"n": 1}])
    assert result.items("Run")[0].json == {"extra": None}


async def test_a_sub_workflow_without_settings_takes_its_callers(workdir: Path) -> None:
    # two connections from one node: only v1 (the caller's order) runs it
    fan = sub_workflow(node("A", "n8n-nodes-base.noOp"))
    fan["nodes"].append(node("B", "n8n-nodes-base.noOp"))
    link(fan, "Called", "B")
    del fan["settings"]
    engine = Engine(plugin_host(load_entry_points=False))
    parent = parse_workflow(caller({"source": "parameter", "workflowJson": json.dumps(fan)}, 1.2))
    assert engine.sub_workflow(fan, "x", parent).settings == V1
    result = await engine.run(parent)
    assert result.last_node == "After"


# --- Start -----------------------------------------------------------------------------------


async def test_the_legacy_start_node_starts_a_run_with_its_items() -> None:
    workflow = chain(node("Start", "n8n-nodes-base.start"), node("After", "n8n-nodes-base.noOp"))
    result = await run(workflow, [{"a": 1}, {"a": 2}])
    assert [i.json for i in result.items("After")] == [{"a": 1}, {"a": 2}]
