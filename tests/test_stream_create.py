"""Stream create end to end: workflow JSON -> engine -> Keitaro node -> HTTP -> sandbox."""

from __future__ import annotations

import pytest
from support import keitaro_workflow, run, stream_body

from keitaro_node.runtime.errors import NodeApiError, NodeOperationError, WorkflowError
from keitaro_node.sandbox import Sandbox

STREAMS = "/admin_api/v1/streams"


def create(**settings: object) -> dict[str, object]:
    params = {"resource": "stream", "operation": "create", "streamData": "={{ $json.stream }}"}
    return keitaro_workflow(params, **settings)


async def test_several_items_come_back_in_order_with_paired_items(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    names = [f"Flow {n}" for n in range(7)]
    items = [{"stream": stream_body(campaign_id, name=name)} for name in names]
    result = await run(create(), items, credentials)
    out = result.items("Keitaro")
    assert [i.json["data"]["name"] for i in out] == names
    assert [i.paired_item.item for i in out if i.paired_item] == list(range(7))
    ids = [i.json["data"]["id"] for i in out]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 7
    assert tracker.request_count("POST", STREAMS) == 7


async def test_output_item_has_the_envelope_and_a_masked_key(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    result = await run(create(), [{"stream": stream_body(campaign_id)}], credentials)
    envelope = result.items("Keitaro")[0].json
    assert set(envelope) == {"request", "resource", "operation", "success", "data"}
    assert envelope["resource"] == "stream" and envelope["operation"] == "create"
    assert envelope["success"] is True
    assert envelope["request"]["method"] == "POST"
    assert envelope["request"]["url"] == f"{tracker.url}/admin_api/v1/streams"
    assert envelope["request"]["headers"]["Api-Key"] == "***"
    assert tracker.api_key not in str(envelope)
    assert envelope["data"]["campaign_id"] == campaign_id


async def test_stream_data_may_be_a_json_string(tracker: Sandbox, credentials, campaign_id) -> None:
    import json

    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": json.dumps(stream_body(campaign_id, name="From text")),
    }
    result = await run(keitaro_workflow(params), [{}], credentials)
    assert result.items("Keitaro")[0].json["data"]["name"] == "From text"


@pytest.mark.parametrize("value", [None, "", "   ", "{}", "  {}  ", {}])
async def test_empty_stream_data_names_the_item_and_the_field(
    tracker: Sandbox, credentials, campaign_id, value
) -> None:
    items = [{"stream": stream_body(campaign_id)}, {"stream": value}]
    with pytest.raises(WorkflowError) as caught:
        await run(create(), items, credentials)
    error = caught.value.error
    assert isinstance(error, NodeOperationError)
    assert error.item_index == 1
    text = str(error)
    assert text.startswith("item 1: ")
    assert "Данные Потока" in text and "streamData" in text
    assert "needs the stream as JSON" in text
    # the good item before it was sent and is reported as completed, nothing is lost
    assert [i.json["success"] for i in caught.value.completed] == [True]


async def test_missing_stream_data_parameter(tracker: Sandbox, credentials) -> None:
    workflow = keitaro_workflow({"resource": "stream", "operation": "create"})
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{}], credentials)
    assert "'Данные Потока' (streamData)" in str(caught.value.error)
    assert tracker.request_count() == 0


async def test_invalid_json_reports_the_parse_position(tracker: Sandbox, credentials) -> None:
    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": '{"campaign_id": 1, "name": "x" "type": 3}',
    }
    with pytest.raises(WorkflowError) as caught:
        await run(keitaro_workflow(params), [{}], credentials)
    text = str(caught.value.error)
    assert "is not valid JSON" in text
    assert "line 1, column 32" in text
    assert tracker.request_count() == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([1, 2], "must be a JSON object, got array"),
        ("just text", "not valid JSON"),
        (42, "must be a JSON object, got number"),
        (
            {
                "campaign_id": "abc",
                "type": "regular",
                "name": "x",
                "schema": "redirect",
                "action_type": "http",
            },
            "campaign_id: must be integer",
        ),
        (
            {
                "campaign_id": 1,
                "type": "regular",
                "name": 5,
                "schema": "redirect",
                "action_type": "http",
            },
            "name: must be string",
        ),
        (
            {
                "campaign_id": 1,
                "type": "weird",
                "name": "x",
                "schema": "redirect",
                "action_type": "http",
            },
            "type: must be one of regular, forced, default",
        ),
        (
            {
                "campaign_id": 1,
                "type": "regular",
                "name": "x",
                "schema": "landings_offers",
                "action_type": "http",
            },
            "schema: must be one of",
        ),
        ({"campaign_id": 1, "name": "x"}, "missing required fields type, schema, action_type"),
        (
            {
                "campaign_id": True,
                "type": "regular",
                "name": "x",
                "schema": "redirect",
                "action_type": "http",
            },
            "campaign_id: must be integer",
        ),
    ],
)
async def test_a_body_that_cannot_be_a_stream_is_refused_before_sending(
    tracker: Sandbox, credentials, body, expected
) -> None:
    with pytest.raises(WorkflowError) as caught:
        await run(create(), [{"stream": body}], credentials)
    error = caught.value.error
    assert isinstance(error, NodeOperationError)
    assert expected in str(error)
    assert "item 0:" in str(error)
    assert tracker.request_count() == 0


async def test_tracker_validation_errors_carry_the_field_map(tracker: Sandbox, credentials) -> None:
    # campaign 999999 does not exist: the tracker answers with its own validation message
    with pytest.raises(WorkflowError) as caught:
        await run(create(), [{"stream": stream_body(999999)}], credentials)
    error = caught.value.error
    assert isinstance(error, NodeApiError)
    assert error.http_code in (404, 406, 422)
    assert "campaign" in str(error).lower()
    assert tracker.request_count("POST", STREAMS) == 1


async def test_items_are_sent_concurrently_but_bounded(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    # slow answers keep requests open, so the server sees how many the node sends at once
    tracker.faults.add("latency", path=STREAMS, method="POST", times=-1, ms=100)
    items = [{"stream": stream_body(campaign_id, name=f"c{n}")} for n in range(12)]
    for concurrency in (1, 4):
        tracker.reset_counts()
        workflow = keitaro_workflow(
            {
                "resource": "stream",
                "operation": "create",
                "streamData": "={{ $json.stream }}",
                "options": {"concurrency": concurrency, "requestsPerSecond": 0},
            }
        )
        result = await run(workflow, items, credentials)
        assert [i.json["data"]["name"] for i in result.items("Keitaro")] == [
            f"c{n}" for n in range(12)
        ]
        assert tracker.peak_in_flight() == concurrency
        assert tracker.request_count("POST", STREAMS) == 12


async def test_default_concurrency_is_four(tracker: Sandbox, credentials, campaign_id) -> None:
    tracker.faults.add("latency", path=STREAMS, method="POST", times=-1, ms=100)
    workflow = keitaro_workflow(
        {
            "resource": "stream",
            "operation": "create",
            "streamData": "={{ $json.stream }}",
            "options": {"requestsPerSecond": 0},
        }
    )
    await run(workflow, [{"stream": stream_body(campaign_id)} for _ in range(10)], credentials)
    assert tracker.peak_in_flight() == 4
