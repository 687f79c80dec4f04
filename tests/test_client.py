"""The Python client against a sandbox tracker: each resource's main operations, errors, paging.

Destructive operations (with confirm) run against a sandbox of their own, so that the shared
tracker keeps its statistics, logs and bot list for the other tests.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from support import stream_body

import keitaro_node
from keitaro_node import BinaryData, Keitaro, NodeApiError, NodeOperationError, Pages
from keitaro_node.sandbox import Sandbox as Emulator


@pytest.fixture
async def kt(tracker: Emulator) -> AsyncIterator[Keitaro]:
    async with Keitaro(tracker.url, tracker.api_key, requests_per_second=0) as client:
        yield client


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_campaign_lifecycle(kt: Keitaro, tracker: Emulator) -> None:
    alias = unique("py")
    campaign = await kt.campaign.create(campaign_data={"alias": alias, "name": "From Python"})
    assert isinstance(campaign, dict) and campaign["alias"] == alias
    ident = int(campaign["id"])

    assert (await kt.campaign.get(campaign_id=ident))["name"] == "From Python"
    updated = await kt.campaign.update(campaign_id=ident, campaign_data={"cost_value": 0.07})
    assert updated["cost_value"] == 0.07
    assert (await kt.campaign.disable(campaign_id=ident))["state"] == "disabled"
    assert (await kt.campaign.enable(campaign_id=ident))["state"] == "active"
    clones = await kt.campaign.clone(campaign_id=ident)
    clone = clones[0] if isinstance(clones, list) else clones
    assert int(clone["id"]) != ident

    listed = await kt.campaign.get_all(return_all=True)
    assert isinstance(listed, list) and ident in {c["id"] for c in listed}
    await kt.campaign.archive(campaign_id=ident)
    assert ident in {c["id"] for c in await kt.campaign.get_archived()}
    await kt.campaign.restore(campaign_id=ident)
    assert ident not in {c["id"] for c in await kt.campaign.get_archived()}
    assert tracker.request_count("POST", "/admin_api/v1/campaigns") == 1


async def test_stream_operations_and_catalogues(kt: Keitaro, campaign_id: int) -> None:
    stream = await kt.stream.create(stream_data=stream_body(campaign_id, name="Py flow"))
    ident = int(stream["id"])
    assert stream["campaign_id"] == campaign_id

    assert (await kt.stream.get(stream_id=ident))["name"] == "Py flow"
    renamed = await kt.stream.update(stream_id=ident, stream_data={"name": "Py flow 2"})
    assert renamed["name"] == "Py flow 2"
    assert ident in {s["id"] for s in await kt.stream.get_all(campaign_id=campaign_id)}
    assert ident in {s["id"] for s in await kt.campaign.get_streams(campaign_id=campaign_id)}
    await kt.stream.archive(stream_id=ident)
    assert ident in {s["id"] for s in await kt.stream.get_archived()}
    assert (await kt.stream.restore(stream_id=ident))["id"] == ident

    assert {t["value"] for t in await kt.stream.get_types()} >= {"regular", "forced", "default"}
    assert isinstance(await kt.stream.get_schemas(), list)
    assert isinstance(await kt.stream.get_actions(), list)
    assert isinstance(await kt.stream.get_filters(), list)


async def test_landings_offers_networks_sources_domains_groups(kt: Keitaro) -> None:
    group = await kt.group.create(group_data={"name": unique("g"), "type": "landings"})
    landing = await kt.landing_page.create(
        landing_page_data={"name": unique("lp"), "landing_type": "local", "group_id": group["id"]}
    )
    assert "index.html" in str(await kt.landing_page.get_structure(landing_page_id=landing["id"]))
    file = await kt.landing_page.download(landing_page_id=landing["id"])
    assert isinstance(file, BinaryData) and file.data[:2] == b"PK"
    assert file.mime_type == "application/octet-stream"  # as the API documents downloads
    assert group["id"] in {g["id"] for g in await kt.group.get_all(group_type="landings")}

    network = await kt.affiliate_network.create(affiliate_network_data={"name": unique("an")})
    offer = await kt.offer.create(
        offer_data={
            "name": unique("offer"),
            "offer_type": "external",
            "action_type": "http",
            "action_payload": "https://shop.example.com/?click={subid}",
            "affiliate_network_id": network["id"],
        }
    )
    assert (await kt.offer.get(offer_id=offer["id"]))["affiliate_network_id"] == network["id"]
    assert offer["id"] in {o["id"] for o in await kt.offer.get_all()}

    source = await kt.traffic_source.create(traffic_source_data={"name": unique("ts")})
    assert (await kt.traffic_source.get(traffic_source_id=source["id"]))["id"] == source["id"]

    name = unique("d") + ".example.org"
    domains = await kt.domain.create(domain_data={"name": name})
    assert domains[0]["name"] == name
    assert name in {d["name"] for d in await kt.domain.get_all()}


async def test_reports_logs_and_integrations(kt: Keitaro) -> None:
    report = await kt.report.build(
        interval="all_time",
        timezone="UTC",
        dimensions=["campaign_id"],
        measures=["clicks", "conversions"],
        summary=True,
        return_all=True,
    )
    assert isinstance(report, dict) and report["rows"]
    assert sum(row["clicks"] for row in report["rows"]) == 2000  # the tracker fixture's dataset

    one_page = await kt.conversion.get_log(interval="all_time", columns=["status"], limit=3)
    assert len(one_page["rows"]) == 3
    summary = await kt.click.summary(interval="all_time", timezone="UTC")
    assert isinstance(summary, dict)

    assert "system" in await kt.log.get_types()
    lines = await kt.log.read(log_type="system", limit=2)
    assert isinstance(lines, list) and len(lines) <= 2

    await kt.integration.set_imklo(imklo_api_url="https://imklo.example.com/api")
    assert "imklo.example.com" in str(await kt.integration.get_imklo())
    await kt.bot_list.add(ips="192.0.2.7")
    assert "192.0.2.7" in str(await kt.bot_list.get())


async def test_users_and_destructive_operations_with_confirm() -> None:
    async with keitaro_node.Sandbox() as sb:
        kt = sb.keitaro
        password = uuid.uuid4().hex
        user = await kt.user.create(
            user_data={
                "login": unique("buyer"),
                "new_password": password,
                "new_password_confirmation": password,
                "type": "USER",
            }
        )
        await kt.user.delete(user_id=user["id"], confirm=True)
        assert user["id"] not in {u["id"] for u in await kt.user.get_all()}

        await kt.bot_list.replace(ips="10.0.0.1\n10.0.1.0/24")
        await kt.bot_list.clear(confirm=True)
        assert not str(await kt.bot_list.get()).count("10.0.0.1")
        before = await kt.click.get_log(interval="all_time", columns=["sub_id"], limit=1)
        assert before["total"] > 0
        await kt.click.clean(start_date="2000-01-01", end_date="2100-01-01", confirm=True)
        after = await kt.click.get_log(interval="all_time", columns=["sub_id"], limit=1)
        assert after["total"] == 0
        assert sb.request_count("DELETE", "/botlist") == 1


async def test_a_destructive_operation_without_confirm_sends_nothing(
    kt: Keitaro, tracker: Emulator
) -> None:
    with pytest.raises(NodeOperationError) as caught:
        await kt.click.clean(start_date="2025-01-01", end_date="2025-01-31")
    assert "Nothing was sent" in str(caught.value) and "confirm" in str(caught.value)
    with pytest.raises(NodeOperationError):
        await kt.user.delete(user_id=1)
    assert tracker.request_count() == 0


async def test_a_refused_body_sends_nothing(
    kt: Keitaro, tracker: Emulator, campaign_id: int
) -> None:
    with pytest.raises(NodeOperationError) as empty:
        await kt.stream.create(stream_data={})
    assert "Данные Потока" in str(empty.value) and "is empty" in str(empty.value)
    with pytest.raises(NodeOperationError, match="not valid JSON"):
        await kt.stream.create(stream_data='{"campaign_id": 1,')
    with pytest.raises(NodeOperationError) as shares:
        body = stream_body(
            campaign_id,
            schema="landings",
            offers=[{"offer_id": 1, "share": 60}, {"offer_id": 2, "share": 30}],
        )
        await kt.stream.create(stream_data=body)
    assert "100" in str(shares.value)
    with pytest.raises(NodeOperationError) as bad_id:
        await kt.stream.get(stream_id=0)
    assert "at least 1" in str(bad_id.value)
    assert tracker.request_count() == 0


async def test_a_missing_object_is_a_404_node_api_error(kt: Keitaro) -> None:
    with pytest.raises(NodeApiError) as caught:
        await kt.stream.get(stream_id=987654)
    error = caught.value
    assert error.http_code == 404 and error.node_name == "stream.get"
    assert "987654" in str(error)
    assert error.to_json()["httpCode"] == 404


async def test_strict_checks_off_sends_and_logs_the_warning(
    tracker: Emulator, campaign_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    body = stream_body(
        campaign_id, filters=[{"name": "country", "mode": "accept", "payload": ["UK"]}]
    )
    async with Keitaro(tracker.url, tracker.api_key, strict_checks=False) as kt:
        with caplog.at_level(logging.WARNING, logger="keitaro_node.client"):
            stream = await kt.stream.create(stream_data=body)
    assert stream["filters"][0]["payload"] == ["UK"]
    assert "GB" in caplog.text  # "did you mean 'GB'?"


async def test_return_all_streams_records_page_by_page(tracker: Emulator) -> None:
    async with Keitaro(tracker.url, tracker.api_key, page_size=150) as kt:
        pages = kt.click.get_log(interval="all_time", columns=["sub_id"], return_all=True)
        assert isinstance(pages, Pages)
        seen: list[dict[str, Any]] = [row async for row in pages]
        assert len(seen) == 2000 and len({r["sub_id"] for r in seen}) == 2000
        assert tracker.request_count("POST", "/admin_api/v1/clicks/log") == 14  # ceil(2000/150)

        tracker.reset_counts()
        async for _row in kt.click.get_log(
            interval="all_time", columns=["sub_id"], return_all=True
        ):
            break  # a reader that stops early: at most one page is fetched ahead
    assert 1 <= tracker.request_count("POST", "/admin_api/v1/clicks/log") <= 2

    async with Keitaro(tracker.url, tracker.api_key, page_size=700) as kt:
        whole = await kt.click.get_log(interval="all_time", columns=["sub_id"], return_all=True)
    assert len(whole["rows"]) == 2000 and whole["total"] == 2000


async def test_a_failing_page_raises_while_iterating(tracker: Emulator) -> None:
    tracker.faults.add("status", path="/admin_api/v1/clicks/log", status=500, times=-1)
    async with Keitaro(tracker.url, tracker.api_key) as kt:
        with pytest.raises(NodeApiError) as caught:
            async for _row in kt.click.get_log(interval="all_time", return_all=True):
                pass
    assert caught.value.http_code == 500 and caught.value.node_name == "click.getLog"


async def test_call_by_name_and_prepare(kt: Keitaro, tracker: Emulator) -> None:
    by_name = await kt.call("stream", "getTypes")
    assert by_name == await kt.call("stream", "get_types")
    prepared = kt.prepare("bot_list", "clear", confirm=True)
    assert (prepared.method, prepared.effect) == ("DELETE", "destructive")
    assert prepared.url == tracker.api_url + "/botlist"
    assert prepared.headers["Api-Key"] == "***"
    report = kt.prepare("report", "build", interval="today", dimensions=["day"])
    assert report.effect == "read" and report.body["range"] == {"interval": "today"}
    with pytest.raises(NodeOperationError) as unknown:
        await kt.call("stream", "create", streamDta={})
    assert "streamDta" in str(unknown.value) and "stream_data" in str(unknown.value)
    with pytest.raises(NodeOperationError, match="unknown operation"):
        kt.prepare("stream", "explode")
    pages = kt.pages("click", "getLog", interval="all_time", columns=["sub_id"], limit=3)
    assert len([row async for row in pages]) == 3 and pages.info["total"] == 2000
    with pytest.raises(NodeOperationError, match="does not page"):
        kt.pages("stream", "get_types")
    assert tracker.request_count() == 3


async def test_the_client_must_be_open() -> None:
    kt = Keitaro("tracker.example.com", "k" * 32)
    with pytest.raises(RuntimeError, match="async with"):
        await kt.stream.get_types()
    assert kt.base_url == "https://tracker.example.com/admin_api/v1"


def test_settings_are_checked_like_node_options() -> None:
    with pytest.raises(NodeOperationError, match="at most 64"):
        Keitaro("tracker.example.com", "key", concurrency=500)
    with pytest.raises(NodeOperationError, match="empty domain"):
        Keitaro("", "key")


async def test_from_credentials_picks_a_named_tracker(tmp_path: Any, tracker: Emulator) -> None:
    file = tmp_path / "creds.yaml"
    file.write_text(
        "production:\n  domain: tracker.invalid\n  apiKey: prod-key-123456\n"
        f"sandbox:\n  domain: {tracker.url}\n  apiKey: {tracker.api_key}\n",
        "utf-8",
    )
    async with Keitaro.from_credentials(str(file), "sandbox") as kt:
        assert isinstance(await kt.stream.get_types(), list)
    assert Keitaro.from_credentials(file, "production").base_url.startswith(
        "https://tracker.invalid"
    )


async def test_the_key_never_shows(tracker: Emulator) -> None:
    key = tracker.api_key
    shown: list[str] = []
    async with Keitaro(tracker.url, key) as kt:
        shown += [repr(kt), str(kt), repr(kt.stream), repr(kt.report.build(interval="today"))]
        shown.append(repr(kt.prepare("stream", "get", stream_id=1)))
        try:
            await kt.stream.get(stream_id=99999)
        except NodeApiError as exc:
            shown += [str(exc), repr(exc), str(exc.to_json())]
    wrong = "wrong-" + key
    async with Keitaro(tracker.url, wrong) as bad:
        with pytest.raises(NodeApiError) as refused:
            await bad.stream.get_types()
        shown += [str(refused.value), str(refused.value.to_json()), repr(bad)]
    assert refused.value.http_code == 401
    text = "\n".join(shown)
    assert key not in text and wrong not in text
