"""The public API: top-level names, run_workflow's inputs and results, and the Sandbox wrapper."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from support import KEITARO, ROOT, chain, keitaro_workflow, node, stream_body

import keitaro_node
from keitaro_node.runtime import errors as runtime_errors
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.workflow import parse_workflow
from keitaro_node.sandbox import Sandbox as Emulator


def test_every_public_name_resolves_and_errors_are_the_runtime_classes() -> None:
    for name in keitaro_node.__all__:
        assert getattr(keitaro_node, name) is not None, name
    assert keitaro_node.NodeApiError is runtime_errors.NodeApiError
    assert keitaro_node.NodeOperationError is runtime_errors.NodeOperationError
    assert keitaro_node.WorkflowError is runtime_errors.WorkflowError
    assert issubclass(keitaro_node.WorkflowFormatError, ValueError)
    assert issubclass(keitaro_node.ExpressionError, ValueError)
    with pytest.raises(AttributeError, match="no attribute 'Keitarro'"):
        _ = keitaro_node.Keitarro  # type: ignore[attr-defined]
    assert resources.files("keitaro_node").joinpath("py.typed").is_file()


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = "import sys, keitaro_node; print(sorted(m for m in ('aiohttp', 'pydantic') if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _create_streams(on_error: str = "stopWorkflow") -> dict[str, Any]:
    return keitaro_workflow(
        {"resource": "stream", "operation": "create", "streamData": "={{ $json.stream }}"},
        onError=on_error,
    )


async def test_run_workflow_from_a_dict_with_plain_items(
    tracker: Emulator, campaign_id: int
) -> None:
    items = [{"stream": stream_body(campaign_id, name=f"API {n}")} for n in range(3)]
    result = await keitaro_node.run_workflow(
        _create_streams(), items, {"keitaroApi": {"domain": tracker.url, "apiKey": tracker.api_key}}
    )
    assert result.ok and result.errors == []
    assert [item["data"]["name"] for item in result.items] == ["API 0", "API 1", "API 2"]
    assert all(isinstance(item, dict) and item["success"] is True for item in result.items)
    assert set(result.outputs) == {"Start", "Keitaro"}
    assert result.node("Keitaro") == result.items
    assert len(result.node("Start")) == 3
    with pytest.raises(KeyError, match="did not run"):
        result.node("Nope")
    assert tracker.request_count("POST", "/admin_api/v1/streams") == 3
    assert result.run.final_items()[0].json is result.items[0]


async def test_run_workflow_from_a_file_with_items_and_a_credentials_file(
    tmp_path: Path, tracker: Emulator, campaign_id: int
) -> None:
    workflow_file = tmp_path / "create.json"
    workflow_file.write_text(json.dumps(_create_streams()), "utf-8")
    creds = tmp_path / "creds.json"
    creds.write_text(
        json.dumps({"test": {"domain": tracker.url, "apiKey": tracker.api_key}}), "utf-8"
    )
    items = [
        Item(json={"stream": stream_body(campaign_id)}),
        {"json": {"stream": stream_body(campaign_id)}},
    ]
    result = await keitaro_node.run_workflow(str(workflow_file), items, creds)
    assert len(result.items) == 2 and result.ok

    parsed = parse_workflow(_create_streams())
    store = CredentialStore({"keitaroApi": {"domain": tracker.url, "apiKey": tracker.api_key}})
    again = await keitaro_node.run_workflow(parsed, [{"stream": stream_body(campaign_id)}], store)
    assert len(again.items) == 1


async def test_failed_items_are_listed_as_errors_under_continue(
    tracker: Emulator, campaign_id: int, credentials: CredentialStore
) -> None:
    items = [
        {"stream": stream_body(campaign_id)},
        {"stream": ""},
        {"stream": stream_body(campaign_id)},
    ]
    result = await keitaro_node.run_workflow(
        _create_streams("continueRegularOutput"), items, credentials
    )
    assert not result.ok and len(result.items) == 3
    [error] = result.errors
    assert (error.node, error.input_item, error.kind) == ("Keitaro", 1, "NodeOperationError")
    assert "Данные Потока" in error.message and "Keitaro item 1" in str(error)
    assert tracker.request_count("POST", "/admin_api/v1/streams") == 2


async def test_a_stopped_workflow_raises_workflow_error_with_what_was_done(
    tracker: Emulator, campaign_id: int, credentials: CredentialStore
) -> None:
    items = [{"stream": stream_body(campaign_id)}, {"stream": ""}]
    with pytest.raises(keitaro_node.WorkflowError) as caught:
        await keitaro_node.run_workflow(_create_streams(), items, credentials)
    assert caught.value.node_name == "Keitaro"
    assert isinstance(caught.value.error, keitaro_node.NodeOperationError)
    assert len(caught.value.completed) == 1


async def test_bad_workflows_and_items_are_refused(credentials: CredentialStore) -> None:
    with pytest.raises(keitaro_node.WorkflowFormatError, match="not found"):
        await keitaro_node.run_workflow("no/such/workflow.json")
    with pytest.raises(keitaro_node.WorkflowFormatError, match="nodes"):
        await keitaro_node.run_workflow({"connections": {}})
    with pytest.raises(TypeError, match="list of objects"):
        await keitaro_node.run_workflow(_create_streams(), {"stream": {}}, credentials)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        await keitaro_node.run_workflow(_create_streams(), [], "no/such/creds.yaml")


def test_run_workflow_sync_and_expression_errors(tracker: Emulator) -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node(
            "Set",
            "n8n-nodes-base.set",
            {"mode": "manual", "assignments": {"assignments": [
                {"id": "1", "name": "double", "value": "={{ $json.n * 2 }}", "type": "number"},
            ]}, "options": {}},
            typeVersion=3.4,
        ),
    )  # fmt: skip
    result = keitaro_node.run_workflow_sync(workflow, [{"n": 2}, {"n": 5}])
    assert [item["double"] for item in result.items] == [4, 10]


async def test_run_workflow_sync_refuses_a_running_loop() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "coroutine was never awaited"
        with pytest.raises(RuntimeError, match=r"await keitaro_node\.run_workflow"):
            keitaro_node.run_workflow_sync({"nodes": []})


def test_sandbox_in_a_thread_with_credentials_and_counters() -> None:
    with keitaro_node.Sandbox(api_key="sk-sandbox-wrapper-123456") as sb:
        assert sb.url.startswith("http://127.0.0.1:") and sb.api_key == "sk-sandbox-wrapper-123456"
        campaign = sb.seed_campaign("Wrapper campaign")
        workflow = keitaro_workflow(
            {"resource": "campaign", "operation": "get", "campaignId": campaign["id"]}
        )
        result = keitaro_node.run_workflow_sync(workflow, credentials=sb.credentials)
        assert result.items[0]["data"]["name"] == "Wrapper campaign"
        assert sb.requests == 1
        assert sb.request_count("GET", f"/campaigns/{campaign['id']}") == 1
        assert sb.request_count("GET", f"/admin_api/v1/campaigns/{campaign['id']}") == 1
        sb.reset_counts()
        assert sb.requests == 0 and sb.stats()["total"] == 0
        with pytest.raises(RuntimeError, match=r"sb\.client"):
            _ = sb.keitaro

        async def with_client() -> Any:
            async with sb.client() as kt:
                return await kt.campaign.get(campaign_id=campaign["id"])

        assert asyncio.run(with_client())["id"] == campaign["id"]
        assert "127.0.0.1" in repr(sb) and sb.api_key not in repr(sb)
    assert "not running" in repr(sb)


async def test_sandbox_in_the_running_loop_with_a_ready_client() -> None:
    async with keitaro_node.Sandbox(latency_ms=1) as sb:
        sb.faults.add("status", path="/admin_api/v1/stream_types", status=503, times=1)
        types = await sb.keitaro.stream.get_types()
        assert {t["value"] for t in types} >= {"regular"}
        assert sb.request_count("GET", "/stream_types") == 2  # the 503 was retried
        result = await keitaro_node.run_workflow(
            keitaro_workflow({"resource": "stream", "operation": "getTypes"}),
            credentials=sb.credential_store(),
        )
        assert result.items[0]["data"] == types
    with pytest.raises(RuntimeError):
        _ = sb.keitaro


def test_the_plugin_host_can_be_given(
    host: Any, tracker: Emulator, credentials: CredentialStore
) -> None:
    workflow = keitaro_workflow({"resource": "stream", "operation": "getTypes"})
    result = keitaro_node.run_workflow_sync(workflow, credentials=credentials, host=host)
    assert result.items[0]["operation"] == "getTypes"
    assert KEITARO in host.node_types
