"""Faults met by the node in a workflow: what the output items say, their attempt counts, and
how many creates reached the tracker (never one twice)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from support import keitaro_workflow, run, stream_body
from transport_support import STREAMS, client_for, get

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.engine import RunResult
from keitaro_node.sandbox import Sandbox

MISSING_CAMPAIGN = 987654


def creates(**options: Any) -> dict[str, Any]:
    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": "={{ $json.stream }}",
        "options": {"requestsPerSecond": 0, "concurrency": 4, **options},
    }
    return keitaro_workflow(params, onError="continueRegularOutput")


def fifty(campaign_id: int) -> list[dict[str, Any]]:
    return [{"stream": stream_body(campaign_id, name=f"item {n}")} for n in range(50)]


async def names_in(tracker: Sandbox, campaign_id: int) -> Counter[str]:
    async with client_for(tracker) as client:
        response = await client.send(get(f"/campaigns/{campaign_id}/streams"))
    return Counter(s["name"] for s in response.data)


def attempts(result: RunResult) -> list[int]:
    return [int((i.metadata or {})["attempts"]) for i in result.items("Keitaro")]


async def test_one_failing_item_among_50_leaves_the_other_49_done(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    items = fifty(campaign_id)
    items[17] = {"stream": stream_body(MISSING_CAMPAIGN, name="item 17")}
    result = await run(creates(), items, credentials)
    out = result.items("Keitaro")
    assert len(out) == 50
    assert [n for n, i in enumerate(out) if not i.json["success"]] == [17]
    failed = out[17]
    assert failed.paired_item is not None and failed.paired_item.item == 17
    assert failed.json["error"]["itemIndex"] == 17
    assert failed.json["error"]["httpCode"] == 404
    assert failed.json["error"]["message"].startswith("Not found - the tracker has no such object")
    assert failed.json["error"]["description"].endswith(
        f"Traffic\\Model\\Campaign #{MISSING_CAMPAIGN} not found"
    )
    assert tracker.request_count("POST", STREAMS) == 50
    made = await names_in(tracker, campaign_id)
    assert sum(made.values()) == 49 and max(made.values()) == 1
    assert [i.json["data"]["name"] for n, i in enumerate(out) if n != 17] == [
        f"item {n}" for n in range(50) if n != 17
    ]


async def test_a_reset_among_50_creates_fails_that_item_and_sends_nothing_twice(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    # the tracker makes the stream, then the connection dies before the answer
    tracker.faults.add("reset", path=STREAMS, method="POST", after_handler=True)
    result = await run(creates(), fifty(campaign_id), credentials)
    out = result.items("Keitaro")
    failed = [n for n, i in enumerate(out) if not i.json["success"]]
    assert len(failed) == 1
    (index,) = failed
    error = out[index].json["error"]
    assert error["itemIndex"] == index and out[index].metadata == {"attempts": 1}
    assert "the change may or may not have happened; it was not sent again" in error["message"]
    assert tracker.request_count("POST", STREAMS) == 50
    made = await names_in(tracker, campaign_id)
    # all 50 exist - the failed item's too - and none twice
    assert sum(made.values()) == 50 and set(made.values()) == {1}


async def test_refusals_among_50_creates_are_retried_and_counted_per_item(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    tracker.faults.add("status", path=STREAMS, method="POST", status=503, retry_after=0, times=5)
    result = await run(creates(), fifty(campaign_id), credentials)
    assert all(i.json["success"] for i in result.items("Keitaro"))
    counts = attempts(result)
    assert sum(counts) == 55 == tracker.request_count("POST", STREAMS)
    assert max(counts) >= 2
    made = await names_in(tracker, campaign_id)
    assert sum(made.values()) == 50 and set(made.values()) == {1}


async def test_a_429_with_retry_after_1_is_retried_after_a_second_then_succeeds(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    tracker.faults.add("status", path=STREAMS, method="POST", status=429, retry_after=1)
    started = time.perf_counter()
    result = await run(creates(), [{"stream": stream_body(campaign_id)}], credentials)
    assert time.perf_counter() - started >= 1.0
    (item,) = result.items("Keitaro")
    assert item.json["success"] is True and item.metadata == {"attempts": 2}
    assert tracker.request_count("POST", STREAMS) == 2


async def test_a_create_reset_after_sending_is_attempted_once(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    tracker.faults.add("reset", path=STREAMS, method="POST", after_handler=True)
    result = await run(creates(), [{"stream": stream_body(campaign_id, name="once")}], credentials)
    (item,) = result.items("Keitaro")
    assert item.json["success"] is False and item.metadata == {"attempts": 1}
    assert item.json["error"]["message"] == (
        "the tracker closed the connection without answering. The request was sent, so the "
        "change may or may not have happened; it was not sent again. Check the tracker before "
        "running this item again"
    )
    assert "httpCode" not in item.json["error"]
    assert tracker.request_count("POST", STREAMS) == 1
    assert (await names_in(tracker, campaign_id))["once"] == 1


async def test_an_html_answer_to_a_create_says_check_the_domain(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    tracker.faults.add("html", path=STREAMS, method="POST")
    result = await run(creates(), [{"stream": stream_body(campaign_id)}], credentials)
    (item,) = result.items("Keitaro")
    assert item.json["error"]["message"] == (
        "this does not look like a Keitaro Admin API - check the domain"
    )
    assert tracker.request_count("POST", STREAMS) == 1
