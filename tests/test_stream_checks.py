"""Stream mistakes that trackers accept silently are refused (or, if asked, sent with warnings)."""

from __future__ import annotations

from typing import Any

import pytest
from support import keitaro_workflow, run, stream_body

from keitaro_node.runtime.errors import NodeOperationError, WorkflowError
from keitaro_node.sandbox import Sandbox


def create(strict: bool = True) -> dict[str, Any]:
    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": "={{ $json.stream }}",
        "options": {"strictChecks": strict} if not strict else {},
    }
    return keitaro_workflow(params)


def country(*codes: Any) -> list[dict[str, Any]]:
    return [{"name": "country", "mode": "accept", "payload": list(codes)}]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"filters": country("UK")},
            "not ISO-3166 alpha-2 country codes: 'UK' (did you mean 'GB'?)",
        ),
        ({"filters": country("GB", "ZZ")}, "'ZZ'"),
        (
            {"filters": [{"name": "country", "mode": "accept", "payload": "GB"}]},
            "needs an array of ISO-3166 alpha-2 codes",
        ),
        (
            {"filters": [{"name": "geo", "mode": "accept", "payload": ["GB"]}]},
            "there is no 'geo' filter; use 'country'",
        ),
        (
            {
                "schema": "landings",
                "offers": [{"offer_id": 1, "share": 50}, {"offer_id": 2, "share": 70}],
            },
            "shares of active offers add up to 120, not 100 (1: 50, 2: 70)",
        ),
        ({"offers": [{"offer_id": 1, "share": 100}]}, "a 'redirect' stream loses its offers"),
        (
            {"type": "default", "filters": country("GB")},
            "a default stream always loses its filters",
        ),
    ],
)
async def test_silent_mistakes_are_refused_before_sending(
    tracker: Sandbox, credentials, campaign_id, fields, expected
) -> None:
    with pytest.raises(WorkflowError) as caught:
        await run(create(), [{"stream": stream_body(campaign_id, **fields)}], credentials)
    error = caught.value.error
    assert isinstance(error, NodeOperationError)
    assert expected in str(error) and "Nothing was sent" in str(error)
    assert tracker.request_count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"filters": country("GB", "de", "XX")},
        {
            "schema": "landings",
            "offers": [
                {"offer_id": 1, "share": 60},
                {"offer_id": 2, "share": 40},
                {"offer_id": 3, "share": 5, "state": "disabled"},
            ],
        },
        {"filters": [{"name": "limit", "mode": "accept", "payload": {"per_day": 100}}]},
    ],
)
async def test_good_streams_pass(tracker: Sandbox, credentials, campaign_id, fields) -> None:
    result = await run(create(), [{"stream": stream_body(campaign_id, **fields)}], credentials)
    assert result.items("Keitaro")[0].json["success"] is True


async def test_without_strict_checks_the_stream_is_sent_with_warnings(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    result = await run(
        create(strict=False),
        [{"stream": stream_body(campaign_id, filters=country("UK"))}],
        credentials,
    )
    item = result.items("Keitaro")[0]
    assert item.json["success"] is True
    assert item.json["data"]["filters"][0]["payload"] == ["UK"]
    assert item.metadata is not None and "did you mean 'GB'" in item.metadata["warnings"][0]
