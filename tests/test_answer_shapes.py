"""Answers that cannot be the operation's fail their item, and say what came back (briefly)."""

from __future__ import annotations

import json

import pytest
from support import keitaro_workflow, run, stream_body

from keitaro_node.keitaro.answer_shape import expected_shape
from keitaro_node.keitaro.node import KeitaroNode
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import NodeApiError, WorkflowError
from keitaro_node.sandbox import Sandbox

API = "/admin_api/v1"
CLICK = {
    "sub_id": "3fa1c2d4e5",
    "campaign_id": 9001,
    "stream_id": 9101,
    "datetime": "2026-01-30 12:00:00",
    "country": "Germany",
    "ip": "10.1.2.3",
    "revenue": 0,
}


async def test_a_create_answered_with_a_list_of_clicks_is_an_error_not_the_created_stream(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    clicks = [dict(CLICK, sub_id=f"{n:010x}") for n in range(20_000)]
    tracker.faults.add("status", path=f"{API}/streams", method="POST", status=200, body=clicks)
    params = {"resource": "stream", "operation": "create", "streamData": "={{ $json.stream }}"}
    items = [{"stream": stream_body(campaign_id)}]
    with pytest.raises(WorkflowError) as caught:
        await run(keitaro_workflow(params), items, credentials)
    error = caught.value.error
    assert isinstance(error, NodeApiError) and error.item_index == 0 and not error.retryable
    text = str(error)
    assert "stream create" in text and "POST /streams" in text
    assert "a list of 20,000 items" in text and "one object was expected" in text
    assert "may or may not have happened" in text
    assert len(text) < 600  # what came back is described, never copied

    tracker.faults.add("status", path=f"{API}/streams", method="POST", status=200, body=clicks)
    kept = await run(keitaro_workflow(params, onError="continueRegularOutput"), items, credentials)
    [item] = kept.items("Keitaro")
    assert item.json["success"] is False and item.json["data"] is None
    assert len(json.dumps(item.to_json())) < 3000


async def test_a_get_answered_with_a_list_names_the_operation_and_item(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    tracker.faults.add("status", path=f"{API}/campaigns/*", method="GET", status=200, body=[])
    params = {"resource": "campaign", "operation": "get", "campaignId": "={{ $json.id }}"}
    result = await run(
        keitaro_workflow(params, onError="continueRegularOutput"),
        [{"id": campaign_id}, {"id": campaign_id}],
        credentials,
    )
    first, second = result.items("Keitaro")
    assert first.json["success"] is False
    assert first.json["error"]["itemIndex"] == 0
    assert "campaign get" in first.json["error"]["message"]
    assert "with a list of 0 items where one object was expected" in first.json["error"]["message"]
    assert "may or may not" not in first.json["error"].get("description", "")
    assert second.json["success"] is True and second.json["data"]["id"] == campaign_id


async def test_a_list_answered_with_an_object_is_an_error(
    tracker: Sandbox, credentials: CredentialStore
) -> None:
    tracker.faults.add(
        "status", path=f"{API}/offers", method="GET", status=200, body={"error": "maintenance"}
    )
    params = {"resource": "offer", "operation": "getAll"}
    with pytest.raises(WorkflowError) as caught:
        await run(keitaro_workflow(params), [{}], credentials)
    assert "an object with the fields error where a list was expected" in str(caught.value)


async def test_answers_of_the_right_shape_pass_including_declared_ones(
    tracker: Sandbox, credentials: CredentialStore
) -> None:
    params = {
        "resource": "domain",
        "operation": "create",
        "domainData": {"name": "shapes.example.com"},
    }
    result = await run(keitaro_workflow(params), [{}], credentials)
    [item] = result.items("Keitaro")
    assert item.json["success"] is True and isinstance(item.json["data"], list)


def test_the_expected_shape_comes_from_the_manifest() -> None:
    node = KeitaroNode()
    shapes = {key: expected_shape(key[1], routing) for key, routing in node.routes.items()}
    assert shapes[("stream", "create")] == "object"
    assert shapes[("stream", "get")] == "object"
    assert shapes[("campaign", "update")] == "object"
    assert shapes[("offer", "getAll")] == "array"
    assert shapes[("domain", "create")] == "array"  # declared in its routing
    assert shapes[("campaign", "getAll")] is None  # paged: checked page by page
    assert shapes[("offer", "download")] is None  # a file
    assert shapes[("campaign", "clone")] is None  # the campaign, or a list with it (9.x)
    plain = {
        key
        for key, routing in node.routes.items()
        if key[1] in ("create", "get", "update", "getAll", "getArchived") and not routing.pagination
    }
    assert len(plain) > 35 and all(shapes[key] is not None for key in plain)


async def test_a_page_of_the_wrong_shape_names_the_operation_too(
    tracker: Sandbox, credentials: CredentialStore
) -> None:
    tracker.faults.add(
        "status", path=f"{API}/logs/system", method="GET", status=200, body={"rows": "none"}
    )
    params = {"resource": "log", "operation": "read", "logType": "system", "returnAll": True}
    with pytest.raises(WorkflowError) as caught:
        await run(keitaro_workflow(params), [{}], credentials)
    text = str(caught.value.error)
    assert "log read: GET /logs/system" in text
    assert "an object with the fields rows where a list was expected" in text
    tracker.faults.add(
        "status", path=f"{API}/clicks/log", method="POST", status=200, body=[CLICK] * 3
    )
    params = {"resource": "click", "operation": "getLog", "interval": "all_time"}
    with pytest.raises(WorkflowError) as caught:
        await run(keitaro_workflow(params), [{}], credentials)
    text = str(caught.value.error)
    assert "click getLog: POST /clicks/log" in text
    assert "a list of 3 items (the first with the fields" in text
    assert "where an object with a 'rows' list was expected" in text
