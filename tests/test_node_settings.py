"""Node settings with n8n's meaning, over the real engine and real HTTP to the sandbox."""

from __future__ import annotations

import logging

import pytest
from support import keitaro_workflow, node, run, stream_body

from keitaro_node.runtime.errors import NodeApiError, NodeOperationError, WorkflowError
from keitaro_node.sandbox import Sandbox

STREAMS = "/admin_api/v1/streams"


def create(**settings: object) -> dict[str, object]:
    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": "={{ $json.stream }}",
        "options": {"requestsPerSecond": 0},
    }
    return keitaro_workflow(params, **settings)


def items_with_bad_third(campaign_id: int) -> list[dict[str, object]]:
    items: list[dict[str, object]] = [
        {"stream": stream_body(campaign_id, name=f"ok {n}")} for n in range(5)
    ]
    items[2] = {"stream": stream_body(campaign_id, name="bad", type="nope")}
    return items


async def test_stop_workflow_stops_at_the_failing_item(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    workflow = create(onError="stopWorkflow")
    workflow["nodes"][1]["parameters"]["options"] = {"concurrency": 1, "requestsPerSecond": 0}
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, items_with_bad_third(campaign_id), credentials)
    assert caught.value.node_name == "Keitaro"
    assert caught.value.error.item_index == 2
    # one at a time: items 0 and 1 were created and are reported, 3 and 4 never started
    assert [i.json["data"]["name"] for i in caught.value.completed] == ["ok 0", "ok 1"]
    assert tracker.request_count("POST", STREAMS) == 2


async def test_continue_regular_output_keeps_every_item_in_order(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    result = await run(
        create(onError="continueRegularOutput"), items_with_bad_third(campaign_id), credentials
    )
    out = result.items("Keitaro")
    assert [i.json["success"] for i in out] == [True, True, False, True, True]
    failed = out[2]
    assert failed.paired_item is not None and failed.paired_item.item == 2
    assert failed.json["error"]["itemIndex"] == 2
    assert "type: must be one of" in failed.json["error"]["message"]
    assert isinstance(failed.error, NodeOperationError)
    assert len(result.outputs["Keitaro"]) == 1
    assert tracker.request_count("POST", STREAMS) == 4


async def test_continue_error_output_routes_failures_to_the_last_output(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    workflow = create(onError="continueErrorOutput")
    # two outputs with items: n8n's legacy order (no executionOrder) would run them otherwise
    workflow["settings"] = {"executionOrder": "v1"}
    workflow["nodes"].append(node("Good", "n8n-nodes-base.noOp"))
    workflow["nodes"].append(node("Bad", "n8n-nodes-base.noOp"))
    workflow["connections"]["Keitaro"] = {
        "main": [
            [{"node": "Good", "type": "main", "index": 0}],
            [{"node": "Bad", "type": "main", "index": 0}],
        ]
    }
    result = await run(workflow, items_with_bad_third(campaign_id), credentials)
    good, bad = result.outputs["Keitaro"]
    assert [i.paired_item.item for i in good if i.paired_item] == [0, 1, 3, 4]
    assert [i.paired_item.item for i in bad if i.paired_item] == [2]
    assert [i.json["data"]["name"] for i in result.items("Good")] == [
        "ok 0",
        "ok 1",
        "ok 3",
        "ok 4",
    ]
    assert result.items("Bad")[0].json["success"] is False
    assert set(result.terminal) == {"Good", "Bad"}


async def test_continue_on_fail_legacy_flag_means_regular_output(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    result = await run(create(continueOnFail=True), items_with_bad_third(campaign_id), credentials)
    assert [i.json["success"] for i in result.items("Keitaro")] == [True, True, False, True, True]


async def test_retry_on_fail_repeats_a_refused_request(
    tracker: Sandbox, credentials, campaign_id, caplog
) -> None:
    # 503 three times: the client tries twice, the node's retry tries the item again
    tracker.faults.add("status", path=STREAMS, method="POST", times=3, status=503)
    workflow = create(retryOnFail=True, maxTries=3, waitBetweenTries=0)
    workflow["nodes"][1]["parameters"]["options"] = {"maxAttempts": 2, "requestsPerSecond": 0}
    with caplog.at_level(logging.WARNING):
        result = await run(
            workflow, [{"stream": stream_body(campaign_id, name="persistent")}], credentials
        )
    assert result.items("Keitaro")[0].json["data"]["name"] == "persistent"
    assert tracker.request_count("POST", STREAMS) == 4
    assert any("try 1 of 3" in r.getMessage() for r in caplog.records)


async def test_retry_on_fail_never_repeats_an_ambiguous_create(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    # the tracker creates the stream, then the connection dies before the answer
    tracker.faults.add("reset", path=STREAMS, method="POST", times=1, after_handler=True)
    workflow = create(retryOnFail=True, maxTries=5, waitBetweenTries=0)
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{"stream": stream_body(campaign_id, name="maybe")}], credentials)
    error = caught.value.error
    assert isinstance(error, NodeApiError)
    assert "may or may not have happened" in str(error)
    assert tracker.request_count("POST", STREAMS) == 1


async def test_retry_on_fail_does_not_repeat_bad_input(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    workflow = create(retryOnFail=True, maxTries=4, waitBetweenTries=0)
    with pytest.raises(WorkflowError):
        await run(workflow, [{"stream": {"campaign_id": "x"}}], credentials)
    assert tracker.request_count() == 0


async def test_execute_once_uses_only_the_first_item(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    items = [{"stream": stream_body(campaign_id, name=f"once {n}")} for n in range(4)]
    result = await run(create(executeOnce=True), items, credentials)
    assert [i.json["data"]["name"] for i in result.items("Keitaro")] == ["once 0"]
    assert tracker.request_count("POST", STREAMS) == 1


async def test_disabled_node_passes_items_through_without_calls(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    items = [{"stream": stream_body(campaign_id)}]
    result = await run(create(disabled=True), items, credentials)
    assert result.items("Keitaro")[0].json == items[0]
    assert tracker.request_count() == 0


async def test_pinned_data_replaces_a_node(tracker: Sandbox, credentials, campaign_id) -> None:
    workflow = create()
    workflow["pinData"] = {"Keitaro": [{"json": {"pinned": True}}]}
    result = await run(workflow, [{"stream": stream_body(campaign_id)}], credentials)
    assert [i.json for i in result.items("Keitaro")] == [{"pinned": True}]
    assert tracker.request_count() == 0
