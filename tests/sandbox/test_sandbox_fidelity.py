"""Where the sandbox used to answer unlike a tracker: wide integers, downloads, landings,
association edits, control endpoints on a reachable host, and dates relative to today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import aiohttp
import pytest

from keitaro_node.sandbox import Sandbox, SandboxConfig, stream_model

from .conftest import API, Client

WIDE = 2**63  # one past the largest 64-bit integer


@pytest.mark.parametrize("value", [WIDE, -(2**64), 10**30])
async def test_integers_wider_than_64_bits_are_refused_not_a_500(
    client: Client, value: int
) -> None:
    status, body = await client.call("GET", "/campaigns", params={"limit": str(value)})
    assert status == 400 and "limit" in body["error"]
    status, body = await client.call("GET", "/campaigns", params={"offset": str(value)})
    assert status == 400 and "offset" in body["error"]

    stream = {"type": "regular", "name": "s", "schema": "redirect", "action_type": "http"}
    status, body = await client.call("POST", "/streams", json_body={"campaign_id": value, **stream})
    assert status == 422 and set(body) == {"campaign_id"}

    status, body = await client.call(
        "POST", "/campaigns", json_body={"name": "c", "alias": "wide", "group_id": value}
    )
    assert status == 422 and set(body) == {"group_id"}

    network = await client.ok("POST", "/affiliate_networks", json_body={"name": "n"})
    offer = await client.ok(
        "POST", "/offers", json_body={"name": "o", "affiliate_network_id": network["id"]}
    )
    status, body = await client.call(
        "PUT", f"/offers/{offer['id']}", json_body={"affiliate_network_id": value}
    )
    assert status == 422 and set(body) == {"affiliate_network_id"}
    status, body = await client.call(
        "GET", "/logs/system", params={"limit": "5", "offset": str(value)}
    )
    assert status == 400


async def test_a_number_json_cannot_answer_with_is_refused(client: Client) -> None:
    network = await client.ok("POST", "/affiliate_networks", json_body={"name": "n"})
    status, body = await client.call(
        "POST",
        "/offers",
        data=f'{{"name": "o", "affiliate_network_id": {network["id"]}, "payout_value": 1e999}}',
        headers={"Content-Type": "application/json"},
    )
    assert status == 422 and set(body) == {"payout_value"}


async def test_labels_with_a_ref_name_that_is_not_text_are_a_validation_error(
    client: Client,
) -> None:
    status, body = await client.call(
        "POST",
        "/report/labels",
        json_body={"campaign_id": 9001, "ref_name": ["ip"], "items": {"1.2.3.4": "whitelist"}},
    )
    assert status == 422 and set(body) == {"ref_name"}


@pytest.mark.parametrize("kind", ["landing_pages", "offers"])
async def test_downloads_are_octet_stream_as_documented(client: Client, kind: str) -> None:
    body = {"name": "Local", "landing_type": "local", "offer_type": "local"}
    if kind == "offers":
        network = await client.ok("POST", "/affiliate_networks", json_body={"name": "n"})
        body["affiliate_network_id"] = network["id"]
    created = await client.ok("POST", f"/{kind}", json_body=body)
    async with client.session.get(f"{API}/{kind}/{created['id']}/download") as answer:
        assert answer.status == 200
        assert answer.content_type == "application/octet-stream"
        assert answer.headers["Content-Disposition"].endswith('.zip"')
        assert (await answer.read())[:2] == b"PK"


async def test_a_landing_preview_path_is_text_whatever_the_payload(client: Client) -> None:
    action = await client.ok(
        "POST",
        "/landing_pages",
        json_body={
            "name": "Action",
            "landing_type": "action",
            "action_type": "show_html",
            "action_payload": {"html": "<p>hi</p>"},
        },
    )
    assert action["action_payload"] == {"html": "<p>hi</p>"}
    assert action["preview_path"] == ""
    external = await client.ok(
        "POST",
        "/landing_pages",
        json_body={"name": "Ext", "landing_type": "external", "url": "https://lp.example.com/"},
    )
    assert external["preview_path"] == "https://lp.example.com/"
    listed = await client.ok("GET", "/landing_pages")
    assert all(isinstance(landing["preview_path"], str) for landing in listed)


async def test_association_edits_leave_the_stream_updated_at_alone(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = await client.campaign(alias="assoc")
    network = await client.ok("POST", "/affiliate_networks", json_body={"name": "n"})
    offer = await client.ok(
        "POST", "/offers", json_body={"name": "o", "affiliate_network_id": network["id"]}
    )
    stream = await client.stream(
        campaign["id"], schema="landings", offers=[{"offer_id": offer["id"], "share": 100}]
    )
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    monkeypatch.setattr(stream_model, "now", lambda: later)
    for change in (
        {"offers": [{"offer_id": offer["id"], "share": 100, "state": "disabled"}]},
        {"filters": [{"name": "country", "mode": "accept", "payload": ["GB"]}]},
    ):
        updated = await client.ok("PUT", f"/streams/{stream['id']}", json_body=change)
        assert updated["updated_at"] == stream["updated_at"]
    assert updated["offers"][0]["state"] == "disabled" and updated["filters"]
    renamed = await client.ok("PUT", f"/streams/{stream['id']}", json_body={"name": "Renamed"})
    assert renamed["updated_at"] == later


async def test_a_stream_for_an_unknown_campaign_is_a_404_as_on_9x_trackers(
    client: Client,
) -> None:
    status, body = await client.call(
        "POST",
        "/streams",
        json_body={
            "campaign_id": 424242,
            "type": "regular",
            "name": "s",
            "schema": "redirect",
            "action_type": "http",
        },
    )
    assert status == 404 and body == {"error": "Traffic\\Model\\Campaign #424242 not found"}


async def test_control_endpoints_need_the_key_on_a_host_others_can_reach() -> None:
    async with Sandbox(host="0.0.0.0") as sandbox:
        base = f"http://127.0.0.1:{sandbox.port}/__sandbox__"
        async with aiohttp.ClientSession() as session:
            for method, path in (("GET", "/stats"), ("POST", "/seed_campaign")):
                async with session.request(method, base + path) as answer:
                    assert answer.status == 401
                async with session.request(
                    method, base + path, headers={"Api-Key": "wrong"}
                ) as answer:
                    assert answer.status == 401
                async with session.request(
                    method, base + path, headers={"Api-Key": sandbox.api_key}
                ) as answer:
                    assert answer.status == 200
    assert sandbox.config.control_needs_key


async def test_control_endpoints_on_loopback_need_no_key() -> None:
    async with Sandbox() as sandbox, aiohttp.ClientSession() as session:
        answer = await session.get(f"{sandbox.url}/__sandbox__/stats")
        assert answer.status == 200
        answer.release()
    assert not sandbox.config.control_needs_key


async def _days(sandbox: Sandbox, interval: str) -> list[str]:
    body = {
        "range": {"interval": interval, "timezone": "UTC"},
        "dimensions": ["day"],
        "measures": ["clicks"],
    }
    async with (
        aiohttp.ClientSession(headers={"Api-Key": sandbox.api_key}) as session,
        session.post(sandbox.api_url + "/report/build", json=body) as answer,
    ):
        assert answer.status == 200
        return [row["day"] for row in (await answer.json())["rows"]]


async def test_by_default_yesterday_and_the_last_7_days_have_data() -> None:
    before = datetime.now(UTC).date()
    async with Sandbox(SandboxConfig(dataset_clicks=1500)) as sandbox:
        today = sandbox.today
        assert today in (before, datetime.now(UTC).date())  # either side of a midnight
        assert await _days(sandbox, "yesterday") == [str(today - timedelta(days=1))]
        week = await _days(sandbox, "7_days_ago")
        assert week == [str(today - timedelta(days=n)) for n in range(6, -1, -1)]
        async with (
            aiohttp.ClientSession(headers={"Api-Key": sandbox.api_key}) as session,
            session.get(sandbox.api_url + "/logs/system", params={"limit": "1"}) as answer,
        ):
            [newest] = await answer.json()
        assert newest["datetime"].startswith(str(today))


async def test_a_pinned_today_gives_the_same_rows_every_day() -> None:
    config = SandboxConfig(dataset_clicks=1500, today=date(2024, 2, 29))
    async with Sandbox(config) as first, Sandbox(config) as second:
        assert await _days(first, "yesterday") == ["2024-02-28"]
        assert await _days(first, "all_time") == await _days(second, "all_time")
        assert (await _days(first, "all_time"))[-1] == "2024-02-29"
