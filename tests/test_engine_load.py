"""Loading: every problem of a workflow found before anything runs, in one error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from golden.golden import HERE, cases
from support import KEITARO, ROOT, chain, keitaro_workflow, node, run

from keitaro_node.app import plugin_host
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.engine import Engine
from keitaro_node.runtime.errors import WorkflowLoadError
from keitaro_node.runtime.workflow import (
    NODE_KEYS_WITHOUT_EFFECT,
    WorkflowFormatError,
    parse_workflow,
)
from keitaro_node.sandbox import Sandbox

REPORT = {"resource": "report", "operation": "build", "interval": "today"}
KNOWN_CASES: dict[str, str] = yaml.safe_load((HERE / "known_differences.yaml").read_text()) or {}


def build_then_keitaro(parameters: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """Start -> Set -> Keitaro: a Set node that would run before the Keitaro node."""
    workflow = keitaro_workflow(parameters, **settings)
    first = workflow["nodes"][0]
    set_node = node("Build", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": "{}"})
    set_node["typeVersion"] = 3.4
    workflow["nodes"].insert(1, set_node)
    workflow["connections"] = {
        first["name"]: {"main": [[{"node": "Build", "type": "main", "index": 0}]]},
        "Build": {"main": [[{"node": "Keitaro", "type": "main", "index": 0}]]},
    }
    return workflow


def problems_of(workflow: dict[str, Any], credentials: CredentialStore | None = None) -> list[str]:
    engine = Engine(plugin_host(load_entry_points=False), credentials or keys())
    with pytest.raises(WorkflowLoadError) as caught:
        engine.prepare(parse_workflow(workflow))
    return [str(p) for p in caught.value.problems]


def keys() -> CredentialStore:
    return CredentialStore({"keitaroApi": {"domain": "t.example", "apiKey": "k"}}, environ={})


async def test_a_version_the_node_does_not_implement_fails_before_anything_runs(
    tracker: Sandbox, credentials: CredentialStore
) -> None:
    workflow = build_then_keitaro({**REPORT}, typeVersion=2)
    with pytest.raises(WorkflowLoadError) as caught:
        await run(workflow, [{}], credentials)
    assert str(caught.value) == (
        "the workflow cannot run: node 'Keitaro': typeVersion 2 of n8n-nodes-keitaro.keitaro "
        "is not supported (this node implements 1)"
    )
    assert caught.value.node_name == "Keitaro"
    assert caught.value.result is None  # nothing ran, not even the Set node before it
    assert tracker.request_count() == 0


def test_every_problem_is_listed_in_one_error() -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Set", "n8n-nodes-base.set", {"mode": "raw", "jsonOuptut": "{}"}, typeVersion=4),
        node("Fields", "n8n-nodes-base.set", {"mode": "raw", "jsonOuptut": "{}"}, typeVersion=3.4),
        node("Mystery", "acme.mystery"),
        node("Once", "n8n-nodes-base.noOp", executeOnec=True),
    )
    assert problems_of(workflow) == [
        "node 'Set': typeVersion 4 of n8n-nodes-base.set is not supported "
        "(this node implements 1, 2, 3, 3.1, 3.2, 3.3, 3.4)",
        "node 'Fields': unknown parameter 'jsonOuptut' - did you mean 'jsonOutput'?",
        "node 'Mystery': unknown node type 'acme.mystery' (no installed plugin provides it)",
        "node 'Once': unknown node setting 'executeOnec' - did you mean 'executeOnce'?",
    ]


def test_unknown_parameters_get_a_did_you_mean_at_every_level() -> None:
    report = {**REPORT, "dimension": ["campaign_id"], "options": {"concurency": 2}}
    assert problems_of(keitaro_workflow(report)) == [
        "node 'Keitaro': unknown parameter 'dimension' - did you mean 'dimensions'?",
        "node 'Keitaro': unknown parameter 'concurency' in 'options' - did you mean 'concurrency'?",
    ]
    trigger = {
        "inputSource": "workflowInputs",
        "workflowInputs": {"values": [{"name": "a", "tpye": "string"}], "valeus": []},
    }
    workflow = chain(
        node("Start", "n8n-nodes-base.executeWorkflowTrigger", trigger, typeVersion=1.1)
    )
    assert problems_of(workflow) == [
        "node 'Start': unknown parameter 'tpye' in 'workflowInputs.values[0]' - did you mean "
        "'type'?",
        "node 'Start': unknown group 'valeus' in 'workflowInputs' - did you mean 'values'?",
    ]


def test_a_name_declared_for_several_versions_is_checked_against_the_nodes_version() -> None:
    # If's `conditions` is a fixedCollection of data types at version 1 and filter conditions
    # from version 2 on; Edit Fields' `options` has other fields at versions 1-2 than at 3+
    filter_conditions = {"options": {}, "conditions": [], "combinator": "and"}
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("New If", "n8n-nodes-base.if", {"conditions": filter_conditions}, typeVersion=2.2),
        node("Old If", "n8n-nodes-base.if", {"conditions": filter_conditions}, typeVersion=1),
        node("Old Set", "n8n-nodes-base.set", {"options": {"stripBinary": True}}, typeVersion=2),
        node("New Set", "n8n-nodes-base.set", {"options": {"stripBinary": True}}, typeVersion=3.4),
    )
    assert problems_of(workflow) == [
        f"node 'Old If': unknown group '{group}' in 'conditions' "
        "(known: boolean, dateTime, number, string)"
        for group in ("options", "conditions", "combinator")
    ] + ["node 'Old Set': unknown parameter 'stripBinary' in 'options' (known: dotNotation)"]


async def test_parameters_of_other_values_and_expressions_are_accepted(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    # `limit` belongs to getAll operations and `reportData` to report build: n8n keeps such
    # values when they are hidden and ignores them, and so does the engine
    params = {
        "resource": "campaign",
        "operation": "get",
        "campaignId": campaign_id,
        "limit": 5,
        "reportData": "{}",
        "options": "={{ {requestsPerSecond: 0} }}",
    }
    result = await run(keitaro_workflow(params), [{}], credentials)
    assert result.items("Keitaro")[0].json["data"]["id"] == campaign_id


def test_fixed_values_are_checked_at_load_too() -> None:
    workflow = keitaro_workflow({"resource": "strem", "operation": "create"})
    (message,) = problems_of(workflow)
    assert message.startswith("node 'Keitaro': unknown resource 'strem' - 'Resource' (resource)")


def test_missing_credentials_are_found_before_anything_runs() -> None:
    workflow = build_then_keitaro({**REPORT})
    (message,) = problems_of(workflow, CredentialStore({}, environ={}))
    assert message.startswith("node 'Keitaro': Keitaro API credentials are missing")
    assert "KEITARO_API_KEY" in message


def test_node_keys_without_effect_load_and_others_are_refused() -> None:
    quiet = {key: "x" for key in NODE_KEYS_WITHOUT_EFFECT}
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger", **quiet),
        node("Tool", "n8n-nodes-base.noOp", rewireOutputLogTo="ai_tool"),
    )
    assert problems_of(workflow) == [
        "node 'Tool': unknown node setting 'rewireOutputLogTo' - AI tool nodes are not supported"
    ]


async def test_only_what_a_run_can_reach_is_checked() -> None:
    # a Schedule Trigger beside the Manual Trigger (common in exports) never runs here
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"), node("After", "n8n-nodes-base.noOp")
    )
    workflow["nodes"].append(node("Every hour", "n8n-nodes-base.scheduleTrigger"))
    workflow["connections"]["Every hour"] = {"main": [[{"node": "After", "index": 0}]]}
    workflow["nodes"].append(node("Off", "acme.unknown", disabled=True))
    workflow["connections"]["After"] = {"main": [[{"node": "Off", "index": 0}]]}
    result = await run(workflow, [{"a": 1}])
    assert result.order == ["Start", "After", "Off"]  # a disabled node passes items on
    assert [i.json for i in result.items("Off")] == [{"a": 1}]
    assert "Every hour" not in result.runs


async def test_pinned_nodes_keep_their_data_without_parameter_checks() -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Pinned", "n8n-nodes-base.set", {"nonsense": 1}, typeVersion=3.4),
        pin={"Pinned": [{"json": {"p": 1}}]},
    )
    assert [i.json for i in (await run(workflow, [{}])).items("Pinned")] == [{"p": 1}]


def test_where_a_run_starts() -> None:
    workflow = chain(node("A", "n8n-nodes-base.noOp"), node("B", "n8n-nodes-base.noOp"))
    (message,) = problems_of(workflow)
    assert message.startswith("there is no node to start from")
    assert "Manual Trigger (n8n-nodes-base.manualTrigger)" in message
    engine = Engine(plugin_host(load_entry_points=False), keys())
    both = {
        "nodes": [
            node("Manual", "n8n-nodes-base.manualTrigger"),
            node("Legacy", "n8n-nodes-base.start"),
            node("Called", "n8n-nodes-base.executeWorkflowTrigger", typeVersion=1),
        ]
    }
    assert engine.prepare(parse_workflow(both)).start == "Called"
    both["nodes"].pop()
    assert engine.prepare(parse_workflow(both)).start == "Manual"


def test_a_workflow_with_only_other_triggers_starts_at_the_first_or_the_one_named() -> None:
    hooks = {
        "nodes": [
            node("Off", "n8n-nodes-base.webhook", {"path": "x"}, typeVersion=2, disabled=True),
            node("Every Hour", "n8n-nodes-base.scheduleTrigger", typeVersion=1.2),
            node("Postback", "n8n-nodes-base.webhook", {"path": "pb"}, typeVersion=2),
        ]
    }
    host = plugin_host(load_entry_points=False)
    assert Engine(host, keys()).prepare(parse_workflow(hooks)).start == "Every Hour"
    named = Engine(host, keys(), {"startNode": "Postback"})
    assert named.prepare(parse_workflow(hooks)).start == "Postback"
    with pytest.raises(WorkflowLoadError, match="the start node 'Nowhere' is not in the workflow"):
        Engine(host, keys(), {"startNode": "Nowhere"}).prepare(parse_workflow(hooks))


def test_an_n8n_export_loads_with_its_top_level_keys() -> None:
    path = HERE / "engine" / "legacy_start_sticky_note.workflow.json"
    data = json.loads(path.read_text())
    assert isinstance(data["id"], int) and {"meta", "tags", "active", "versionId"} <= set(data)
    workflow = parse_workflow(data)
    assert workflow.id == str(data["id"])
    plan = Engine(plugin_host(load_entry_points=False)).prepare(workflow)
    assert plan.start == "Start" and "Note" not in plan.nodes


@pytest.mark.parametrize(
    "path",
    [*sorted((ROOT / "workflows").glob("*.json")), *cases()],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_project_workflows_load(path: Path) -> None:
    data = json.loads(path.read_text("utf-8"))
    if "nodes" not in data:
        pytest.skip("input items, not a workflow")
    host = plugin_host(load_entry_points=False)
    case = (
        str(path.relative_to(HERE)).removesuffix(".workflow.json") if HERE in path.parents else ""
    )
    known = KNOWN_CASES.get(case, "")
    missing = {n["type"] for n in data["nodes"]} - set(host.node_types)
    if missing:
        assert known
        pytest.skip(f"needs {sorted(missing)}")
    if known.startswith("refused here"):  # settings a node cannot run as n8n: refused at load
        with pytest.raises(WorkflowLoadError):
            Engine(host, keys()).prepare(parse_workflow(data))
        return
    Engine(host, keys()).prepare(parse_workflow(data))


def test_every_installed_node_type_declares_its_versions() -> None:
    for name, node_type in plugin_host(load_entry_points=False).node_types.items():
        versions = node_type.description.versions
        assert versions and all(isinstance(v, float) for v in versions), name
    assert KEITARO in plugin_host(load_entry_points=False).node_types


def test_connections_that_name_nodes_by_id_are_refused_with_the_reason() -> None:
    # n8n runs nothing past such a connection (recorded: only the trigger runs)
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger", id="t1"),
        node("After", "n8n-nodes-base.noOp", id="n2"),
    )
    workflow["connections"] = {"t1": {"main": [[{"node": "n2", "type": "main", "index": 0}]]}}
    with pytest.raises(WorkflowFormatError, match="'t1' is the id of node 'Start'"):
        parse_workflow(workflow)
