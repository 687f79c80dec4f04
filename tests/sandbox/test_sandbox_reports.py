"""Report aggregation, click/conversion logs, clean-up and re-costing over the dataset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from keitaro_node.sandbox import SandboxConfig

from .conftest import Client

ALL_TIME = {"interval": "all_time", "timezone": "UTC"}


async def _report(client: Client, **body: Any) -> dict[str, Any]:
    result: dict[str, Any] = await client.ok("POST", "/report/build", json_body=body)
    return result


async def _log_total(client: Client, path: str, **body: Any) -> int:
    result = await client.ok("POST", path, json_body={"limit": 0, **body})
    return int(result["total"])


async def test_report_sums_match_the_click_log(client: Client) -> None:
    report = await _report(
        client,
        range=ALL_TIME,
        dimensions=["campaign_id", "campaign"],
        measures=["clicks", "conversions", "sales", "revenue", "cost", "cr"],
        sort=[{"name": "clicks", "order": "DESC"}],
        summary=True,
    )
    rows = report["rows"]
    assert report["total"] == len(rows) == 6
    assert [r["clicks"] for r in rows] == sorted((r["clicks"] for r in rows), reverse=True)
    assert sum(r["clicks"] for r in rows) == report["summary"]["clicks"] == 3000
    assert await _log_total(client, "/clicks/log", range=ALL_TIME) == 3000
    top = rows[0]
    direct = await _log_total(
        client,
        "/clicks/log",
        range=ALL_TIME,
        filters=[{"name": "campaign_id", "operator": "EQUALS", "expression": top["campaign_id"]}],
    )
    assert direct == top["clicks"]
    sales = await _log_total(
        client,
        "/clicks/log",
        range=ALL_TIME,
        filters=[
            {"name": "campaign_id", "operator": "EQUALS", "expression": top["campaign_id"]},
            {"name": "is_sale", "operator": "IS_TRUE"},
        ],
    )
    assert sales == top["sales"]
    conversions = await _log_total(client, "/conversions/log", range=ALL_TIME)
    assert conversions == report["summary"]["conversions"] > 0
    assert isinstance(top["revenue"], float) and isinstance(top["clicks"], int)
    assert "meta" in report and "execution_time" in report["meta"]


async def test_old_dialect_time_dimension_and_measure_filter(client: Client) -> None:
    new = await _report(
        client,
        range={"from": "2026-01-10", "to": "2026-01-11", "timezone": "UTC"},
        dimensions=["day"],
        measures=["clicks"],
    )
    old = await _report(
        client,
        range={"from": "2026-01-10", "to": "2026-01-11", "timezone": "UTC"},
        grouping=["day"],
        metrics=["clicks"],
    )
    assert new["rows"] == old["rows"]
    assert [r["day"] for r in new["rows"]] == ["2026-01-10", "2026-01-11"]
    busy = await _report(
        client,
        range=ALL_TIME,
        dimensions=["country_code"],
        measures=["clicks"],
        filters=[{"name": "clicks", "operator": "GREATER_THAN", "expression": 200}],
    )
    assert busy["rows"] and all(r["clicks"] > 200 for r in busy["rows"])
    shifted = await _report(
        client,
        range={"from": "2026-01-10", "to": "2026-01-10", "timezone": "Asia/Tokyo"},
        dimensions=["hour"],
        measures=["clicks"],
    )
    assert [r["hour"] for r in shifted["rows"]] == list(range(24))


async def test_intervals_and_paging(client: Client) -> None:
    today = await _report(client, range={"interval": "today"}, measures=["clicks"])
    week = await _report(client, range={"interval": "7_days_ago"}, measures=["clicks"])
    everything = await _report(client, range={"interval": "all_time"}, measures=["clicks"])
    assert 0 < today["rows"][0]["clicks"] < week["rows"][0]["clicks"]
    assert everything["rows"][0]["clicks"] == 3000
    page = await _report(
        client, range=ALL_TIME, dimensions=["sub_id_1"], measures=["clicks"], limit=5, offset=5
    )
    assert len(page["rows"]) == 5 and page["total"] > 10
    dropped = await _report(
        client,
        range=ALL_TIME,
        dimensions=["country_code"],
        measures=["clicks"],
        sort=[{"name": "revenue", "order": "DESC"}],
    )
    codes = [r["country_code"] for r in dropped["rows"]]
    assert codes == sorted(codes)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"measures": ["clicks"]}, "You must provide range or limit"),
        ({"range": {"timezone": "UTC"}, "measures": ["clicks"]},
         "Range must contain either interval, from or to"),
        ({"range": ALL_TIME, "dimensions": ["nope"]}, "Unknown dimension 'nope'"),
        ({"range": ALL_TIME, "measures": ["unique_clicks"]}, "Unknown measure 'unique_clicks'"),
        ({"range": ALL_TIME, "measures": ["clicks"],
          "filters": [{"name": "campaign_id", "operator": "IN", "expression": [1]}]},
         "Unknown filter operator 'IN' for 'campaign_id'"),
    ],
)  # fmt: skip
async def test_report_errors(client: Client, body: dict[str, Any], message: str) -> None:
    status, answer = await client.call("POST", "/report/build", json_body=body)
    assert status == 400 and answer == {"error": message}


OPERATOR_CASES: list[tuple[str, str, Any]] = [
    ("country_code", "EQUALS", "us"),
    ("country_code", "NOT_EQUAL", "US"),
    ("clicks_dim", "EQUALS_OR_GREATER_THAN", 9003),
    ("clicks_dim", "EQUALS_OR_LESS_THAN", 9003),
    ("clicks_dim", "GREATER_THAN", 9003),
    ("clicks_dim", "LESS_THAN", 9003),
    ("sub_id_1", "MATCH_REGEXP", "^pub1[0-9]$"),
    ("sub_id_1", "NOT_MATCH_REGEXP", "/^PUB1/i"),
    ("os", "BEGINS_WITH", "Win"),
    ("os", "ENDS_WITH", "oid"),
    ("user_agent", "CONTAINS", "iPhone"),
    ("user_agent", "NOT_CONTAIN", "iPhone"),
    ("country_code", "IN_LIST", ["US", "DE"]),
    ("country_code", "NOT_IN_LIST", "US,DE"),
    ("clicks_dim", "BETWEEN", [9002, 9004]),
    ("sub_id_5", "IS_SET", None),
    ("sub_id_5", "IS_NOT_SET", None),
    ("is_bot", "IS_TRUE", None),
    ("is_bot", "IS_FALSE", None),
    ("ip", "IP_BEGINS_WITH", "1"),
]


@pytest.mark.parametrize(("name", "operator", "expression"), OPERATOR_CASES)
async def test_every_operator_filters(
    client: Client, name: str, operator: str, expression: Any
) -> None:
    field = "campaign_id" if name == "clicks_dim" else name
    flt = {"name": field, "operator": operator, "expression": expression}
    matching = await _log_total(client, "/clicks/log", range=ALL_TIME, filters=[flt])
    assert 0 < matching < 3000
    rows = (
        await client.ok(
            "POST", "/clicks/log", json_body={"limit": 50, "columns": [field], "filters": [flt]}
        )
    )["rows"]
    values = [r[field] for r in rows]
    checks: dict[str, Callable[[Any], bool]] = {
        "EQUALS": lambda v: v == "US",
        "EQUALS_OR_GREATER_THAN": lambda v: v >= 9003,
        "LESS_THAN": lambda v: v < 9003,
        "BETWEEN": lambda v: 9002 <= v <= 9004,
        "IN_LIST": lambda v: v in ("US", "DE"),
        "NOT_IN_LIST": lambda v: v not in ("US", "DE"),
        "IS_SET": lambda v: v != "",
        "IS_NOT_SET": lambda v: v == "",
        "IS_TRUE": lambda v: v == 1,
        "BEGINS_WITH": lambda v: v.startswith("Win"),
        "NOT_CONTAIN": lambda v: "iPhone" not in v,
    }
    if operator in checks:
        assert all(checks[operator](v) for v in values), values


async def test_labels_and_has_label(client: Client) -> None:
    body = {"campaign_id": 9001, "ref_name": "sub_id_1", "items": {"pub1": "blacklist"}}
    assert await client.ok("POST", "/report/labels", json_body=body) == {"success": True}
    labels = await client.ok(
        "GET",
        "/report/labels",
        params={"campaign_id": 9001, "label_name": "blacklist", "ref_name": "sub_id_1"},
    )
    assert labels == {"pub1": "blacklist"}
    flt = {"name": "sub_id_1", "operator": "HAS_LABEL", "expression": "blacklist"}
    rows = (
        await _report(
            client, range=ALL_TIME, dimensions=["campaign_id", "sub_id_1"], measures=["clicks"],
            filters=[flt],
        )
    )["rows"]  # fmt: skip
    assert rows and all(r == {**r, "campaign_id": 9001, "sub_id_1": "pub1"} for r in rows)
    assert (await client.call("GET", "/report/labels", params={"campaign_id": 9001}))[0] == 400


async def test_paging_the_click_log_returns_total_rows(client: Client) -> None:
    rng = {"from": "2026-01-05", "to": "2026-01-20", "timezone": "UTC"}
    first = await client.ok("POST", "/clicks/log", json_body={"range": rng, "limit": 1})
    total = first["total"]
    seen: list[str] = []
    offset = 0
    while True:
        page = await client.ok(
            "POST",
            "/clicks/log",
            json_body={"range": rng, "limit": 400, "offset": offset,
                       "columns": ["sub_id", "datetime"]},
        )  # fmt: skip
        assert page["total"] == total
        seen += [r["sub_id"] for r in page["rows"]]
        if len(page["rows"]) < 400:
            break
        offset += 400
    assert len(seen) == len(set(seen)) == total
    stamps = (
        await client.ok(
            "POST", "/clicks/log",
            json_body={"range": rng, "limit": 50, "columns": ["datetime", "revenue"],
                       "sort": [{"name": "revenue", "order": "DESC"}, {"name": "x"}]},
        )
    )["rows"]  # fmt: skip
    assert stamps[0]["revenue"] >= stamps[-1]["revenue"]
    assert (await client.call("POST", "/clicks/log", json_body={"columns": ["x"]}))[0] == 400


async def test_clean_deletes_only_the_requested_range(client: Client) -> None:
    async def day_clicks() -> dict[str, int]:
        rows = (await _report(client, range=ALL_TIME, dimensions=["day"], measures=["clicks"]))[
            "rows"
        ]
        return {r["day"]: r["clicks"] for r in rows}

    before = await day_clicks()
    conversions_before = await _log_total(client, "/conversions/log", range=ALL_TIME)
    status, body = await client.call("POST", "/clicks/clean", json_body={"start_date": "x"})
    assert status == 422 and "end_date" in body
    assert await client.ok(
        "POST", "/clicks/clean", json_body={"start_date": "2026-01-10", "end_date": "2026-01-11"}
    ) == {"success": True}
    after = await day_clicks()
    assert "2026-01-10" not in after and "2026-01-11" not in after
    assert {d: n for d, n in before.items() if d not in ("2026-01-10", "2026-01-11")} == after
    assert await _log_total(client, "/conversions/log", range=ALL_TIME) <= conversions_before
    await client.ok(
        "POST",
        "/clicks/clean",
        json_body={"start_date": "2026-01-12", "end_date": "2026-01-12", "campaign_id": 9001},
    )
    rows = (
        await _report(
            client,
            range={"from": "2026-01-12", "to": "2026-01-12"},
            dimensions=["campaign_id"],
            measures=["clicks"],
        )
    )["rows"]
    assert rows and 9001 not in [r["campaign_id"] for r in rows]


async def test_update_costs(client: Client) -> None:
    body = {
        "campaign_ids": [9002],
        "costs": [{"start_date": "2026-01-15", "end_date": "2026-01-15", "cost": "100"}],
        "timezone": "UTC",
    }
    assert await client.ok("POST", "/clicks/update_costs", json_body=body) == {"success": True}
    cost = await _report(
        client,
        range={"from": "2026-01-15", "to": "2026-01-15"},
        measures=["cost"],
        filters=[{"name": "campaign_id", "operator": "EQUALS", "expression": 9002}],
    )
    assert cost["rows"][0]["cost"] == pytest.approx(100, abs=0.01)
    status, answer = await client.call("POST", "/clicks/update_costs", json_body={"costs": []})
    assert status == 422 and {"campaign_ids", "costs"} <= set(answer)
    bad = {**body, "campaign_ids": [123456]}
    assert (await client.call("POST", "/clicks/update_costs", json_body=bad))[0] == 404
    campaign_body = {"start_date": "2026-01-16 00:00", "end_date": "2026-01-16 23:59",
                     "timezone": "UTC", "cost": "5.5", "currency": "USD"}  # fmt: skip
    assert await client.ok("POST", "/campaigns/9003/update_costs", json_body=campaign_body) == {
        "success": True
    }
    status, answer = await client.call("POST", "/campaigns/9003/update_costs", json_body={})
    assert status == 422 and "currency" in answer


async def test_summary_endpoint(client: Client) -> None:
    result = await client.ok("POST", "/clicks/summary", json_body={"range": ALL_TIME})
    assert result["summary"]["clicks"] == 3000


@pytest.mark.parametrize("config", [SandboxConfig(dataset_clicks=0)])
async def test_empty_dataset(client: Client) -> None:
    report = await _report(client, range=ALL_TIME, measures=["clicks"], summary=True)
    assert report["rows"] == [] and report["total"] == 0
    assert report["summary"]["clicks"] == 0
