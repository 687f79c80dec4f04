"""Return All pages through the synthetic dataset and cannot stop at page one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import keitaro_workflow, run

from keitaro_node.runtime.errors import NodeApiError, WorkflowError
from keitaro_node.sandbox import Sandbox

REPORT = "/admin_api/v1/report/build"
CLICKS = "/admin_api/v1/clicks/log"


def op(
    resource: str, operation: str, options: dict[str, Any] | None = None, **params: Any
) -> dict[str, Any]:
    return keitaro_workflow(
        {
            "resource": resource,
            "operation": operation,
            "options": {"requestsPerSecond": 0, **(options or {})},
            **params,
        }
    )


async def report_total(tracker: Sandbox, credentials, **params: Any) -> int:
    one = await run(op("report", "build", limit=1, **params), [{}], credentials)
    total = one.items("Keitaro")[0].json["data"]["total"]
    tracker.reset_counts()
    assert isinstance(total, int)
    return total


async def test_report_return_all_returns_exactly_total_rows_over_many_pages(
    tracker: Sandbox, credentials
) -> None:
    params = {
        "interval": "all_time",
        "timezone": "UTC",
        "dimensions": ["day", "country_code"],
        "measures": ["clicks", "conversions", "revenue"],
    }
    total = await report_total(tracker, credentials, **params)
    assert total > 120, "the dataset must be larger than one page for this test to mean something"
    result = await run(
        op("report", "build", {"pageSize": 50}, returnAll=True, **params), [{}], credentials
    )
    data = result.items("Keitaro")[0].json["data"]
    rows = data["rows"]
    assert len(rows) == total == data["total"]
    assert tracker.request_count("POST", REPORT) == -(-total // 50)  # every page, no more
    keys = {(r["day"], r["country_code"]) for r in rows}
    assert len(keys) == total  # no page read twice
    assert sum(int(r["clicks"]) for r in rows) == 2000  # every click of the dataset counted once


async def test_report_without_return_all_asks_for_limit_rows(tracker: Sandbox, credentials) -> None:
    params = {
        "interval": "all_time",
        "timezone": "UTC",
        "dimensions": ["day"],
        "measures": ["clicks"],
    }
    result = await run(op("report", "build", limit=7, **params), [{}], credentials)
    assert len(result.items("Keitaro")[0].json["data"]["rows"]) == 7
    assert tracker.request_count("POST", REPORT) == 1


async def test_report_rows_can_be_split_into_items(tracker: Sandbox, credentials) -> None:
    params = {
        "interval": "all_time",
        "timezone": "UTC",
        "dimensions": ["country_code"],
        "measures": ["clicks"],
    }
    total = await report_total(tracker, credentials, **params)
    result = await run(
        op("report", "build", {"splitIntoItems": True, "pageSize": 3}, returnAll=True, **params),
        [{"a": 1}, {"a": 2}],
        credentials,
    )
    items = result.items("Keitaro")
    assert len(items) == 2 * total
    assert {i.paired_item.item for i in items if i.paired_item} == {0, 1}
    assert set(items[0].json) == {"country_code", "clicks"}


async def test_older_trackers_get_grouping_and_metrics(tracker: Sandbox, credentials) -> None:
    # a tracker that does not know the newer names answers 400 naming the field; the node
    # then sends the older dialect, for this and every later page
    tracker.faults.add(
        "status",
        path=REPORT,
        method="POST",
        times=1,
        status=400,
        body={"error": "Unknown parameter 'dimensions'"},
    )
    params = {
        "interval": "all_time",
        "timezone": "UTC",
        "dimensions": ["country_code"],
        "measures": ["clicks"],
        "dialect": "auto",
    }
    result = await run(
        op("report", "build", {"pageSize": 2}, returnAll=True, **params), [{}], credentials
    )
    envelope = result.items("Keitaro")[0].json
    assert (
        envelope["success"] is True and len(envelope["data"]["rows"]) == envelope["data"]["total"]
    )
    assert tracker.request_count("POST", REPORT) == 1 + -(-envelope["data"]["total"] // 2)


async def test_click_log_return_all_to_a_file_keeps_every_record(
    tracker: Sandbox, credentials, tmp_path: Path
) -> None:
    target = tmp_path / "clicks.jsonl"
    params = {
        "interval": "all_time",
        "timezone": "UTC",
        "columns": ["click_id", "campaign_id", "country_code"],
    }
    result = await run(
        op(
            "click",
            "getLog",
            {"pageSize": 300, "outputFile": "clicks.jsonl"},
            returnAll=True,
            **params,
        ),
        [{}],
        credentials,
        options={"outputDir": str(tmp_path)},
    )
    summary = result.items("Keitaro")[0].json["data"]
    lines = target.read_text().splitlines()
    assert summary == {
        "file": str(target.resolve()),
        "records": len(lines),
        "pages": 7,
        "total": 2000,
    }
    assert len(lines) == 2000
    assert len({json.loads(line)["click_id"] for line in lines}) == 2000
    assert tracker.request_count("POST", CLICKS) == 7


async def test_a_tracker_that_ignores_offset_is_caught(tracker: Sandbox, credentials) -> None:
    # the same page twice would duplicate records forever; the node stops and says why
    page = {"rows": [{"click_id": "a"}, {"click_id": "b"}], "total": 10, "meta": {}}
    tracker.faults.add("status", path=CLICKS, method="POST", times=2, status=200, body=page)
    params = {"interval": "all_time", "columns": ["click_id"]}
    with pytest.raises(WorkflowError) as caught:
        await run(
            op("click", "getLog", {"pageSize": 2}, returnAll=True, **params), [{}], credentials
        )
    assert isinstance(caught.value.error, NodeApiError)
    assert "same page twice" in str(caught.value.error)


async def test_log_read_pages_with_query_limits(tracker: Sandbox, credentials) -> None:
    one = await run(op("log", "read", logType="system", returnAll=True), [{}], credentials)
    everything = one.items("Keitaro")[0].json["data"]
    assert isinstance(everything, list) and len(everything) > 50
    tracker.reset_counts()
    paged = await run(
        op("log", "read", {"pageSize": 40}, logType="system", returnAll=True), [{}], credentials
    )
    assert paged.items("Keitaro")[0].json["data"] == everything
    assert tracker.request_count("GET", "/admin_api/v1/logs/system") == -(
        -len(everything) // 40
    ) + (len(everything) % 40 == 0)
    first = await run(op("log", "read", logType="system", limit=5), [{}], credentials)
    assert first.items("Keitaro")[0].json["data"] == everything[:5]


async def test_campaign_list_pages_and_de_duplicates(tracker: Sandbox, credentials) -> None:
    for n in range(5):
        tracker.seed_campaign(f"Paged {n}")
    all_at_once = await run(op("campaign", "getAll", returnAll=True), [{}], credentials)
    ids = [c["id"] for c in all_at_once.items("Keitaro")[0].json["data"]]
    paged = await run(op("campaign", "getAll", {"pageSize": 2}, returnAll=True), [{}], credentials)
    assert [c["id"] for c in paged.items("Keitaro")[0].json["data"]] == ids
    assert len(set(ids)) == len(ids) >= 6


@pytest.mark.parametrize("page_size", [400, 500, 1000, 2000])
async def test_paging_stops_at_total_when_it_is_a_multiple_of_the_page_size(
    tracker: Sandbox, credentials, page_size: int
) -> None:
    # every page is full, so only `total` can say that the last one was the last
    params = {"interval": "all_time", "timezone": "UTC", "columns": ["click_id"]}
    result = await run(
        op("click", "getLog", {"pageSize": page_size}, returnAll=True, **params),
        [{}],
        credentials,
    )
    data = result.items("Keitaro")[0].json["data"]
    assert data["total"] == 2000 and 2000 % page_size == 0
    assert len(data["rows"]) == 2000
    assert len({row["click_id"] for row in data["rows"]}) == 2000
    assert tracker.request_count("POST", CLICKS) == 2000 // page_size  # no empty page asked for
