"""Every resource of the Keitaro node end to end: workflow -> engine -> node -> HTTP -> sandbox.

One round trip per resource through real workflows (create, read, update, list, clone, archive
and restore where the API has them), then the refusals that must happen before anything is
sent: ids that are not whole numbers, unknown resources and operations, destructive operations
without confirmation.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import pytest
from support import keitaro_workflow, run, stream_body

from keitaro_node.keitaro.node import KeitaroNode
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import NodeApiError, NodeError, NodeOperationError, WorkflowError
from keitaro_node.runtime.items import Item
from keitaro_node.sandbox import Sandbox


async def call_item(
    credentials: CredentialStore, resource: str, operation: str, **params: Any
) -> Item:
    workflow = keitaro_workflow({"resource": resource, "operation": operation, **params})
    result = await run(workflow, [{}], credentials)
    items = result.items("Keitaro")
    assert len(items) == 1
    envelope = items[0].json
    assert envelope["success"] is True
    assert (envelope["resource"], envelope["operation"]) == (resource, operation)
    return items[0]


async def call(credentials: CredentialStore, resource: str, operation: str, **params: Any) -> Any:
    """Run one operation for one item and return the tracker's answer."""
    return (await call_item(credentials, resource, operation, **params)).json["data"]


async def fails(
    credentials: CredentialStore, resource: str, operation: str, **params: Any
) -> NodeError:
    workflow = keitaro_workflow({"resource": resource, "operation": operation, **params})
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{}], credentials)
    error = caught.value.error
    assert isinstance(error, NodeError)
    return error


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def ids(records: list[dict[str, Any]]) -> set[int]:
    return {int(r["id"]) for r in records}


def first(answer: Any) -> dict[str, Any]:
    """Some actions answer the object, others (as trackers do) an array holding it."""
    if isinstance(answer, list):
        assert len(answer) == 1
        answer = answer[0]
    assert isinstance(answer, dict)
    return answer


# --- campaigns and streams ----------------------------------------------------------------------


async def test_campaign_round_trip(tracker: Sandbox, credentials: CredentialStore) -> None:
    alias = unique("rt")
    created = await call(
        credentials, "campaign", "create", campaignData={"alias": alias, "name": "Round trip"}
    )
    cid = int(created["id"])
    assert created["alias"] == alias and created["state"] == "active"

    updated = await call(
        credentials,
        "campaign",
        "update",
        campaignId=cid,
        campaignData={"name": "Round trip (renamed)", "cost_value": 0.25},
    )
    assert updated["name"] == "Round trip (renamed)" and updated["alias"] == alias
    assert float(updated["cost_value"]) == 0.25

    await call(credentials, "stream", "create", streamData=stream_body(cid, name="Only flow"))
    got = await call(credentials, "campaign", "get", campaignId=cid, withStreams=True)
    assert got["name"] == "Round trip (renamed)"
    assert [s["name"] for s in got["streams"]] == ["Only flow"]
    streams = await call(credentials, "campaign", "getStreams", campaignId=cid)
    assert [s["name"] for s in streams] == ["Only flow"]

    listed = await call(credentials, "campaign", "getAll", returnAll=True)
    assert cid in ids(listed)
    page = await call(credentials, "campaign", "getAll", limit=1)
    assert len(page) == 1

    assert first(await call(credentials, "campaign", "disable", campaignId=cid))["state"] == (
        "disabled"
    )
    assert first(await call(credentials, "campaign", "enable", campaignId=cid))["state"] == "active"

    clone = first(await call(credentials, "campaign", "clone", campaignId=cid))
    assert int(clone["id"]) != cid and clone["alias"] != alias
    clone_streams = await call(credentials, "campaign", "getStreams", campaignId=clone["id"])
    assert [s["name"] for s in clone_streams] == ["Only flow"]

    archived = first(await call(credentials, "campaign", "archive", campaignId=cid))
    assert archived["state"] == "deleted"
    assert cid in ids(await call(credentials, "campaign", "getArchived"))
    assert cid not in ids(await call(credentials, "campaign", "getAll", returnAll=True))
    gone = await fails(credentials, "campaign", "get", campaignId=cid)
    assert isinstance(gone, NodeApiError) and gone.http_code == 404

    restored = first(await call(credentials, "campaign", "restore", campaignId=cid))
    assert restored["state"] == "active"
    assert cid in ids(await call(credentials, "campaign", "getAll", returnAll=True))


async def test_campaign_costs_are_queued(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    answer = await call(
        credentials,
        "campaign",
        "updateCosts",
        campaignId=campaign_id,
        costsData={
            "start_date": "2025-01-01 00:00",
            "end_date": "2025-01-02 00:00",
            "timezone": "UTC",
            "cost": "10",
            "currency": "USD",
        },
    )
    assert answer == {"success": True}
    path = f"/admin_api/v1/campaigns/{campaign_id}/update_costs"
    assert tracker.request_count("POST", path) == 1


async def test_stream_round_trip(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    filters = [{"name": "country", "mode": "accept", "payload": ["DE"]}]
    created = await call(
        credentials,
        "stream",
        "create",
        streamData=stream_body(campaign_id, name=unique("flow"), filters=filters),
    )
    sid = int(created["id"])

    # an update changes only what it sends: the filters stay
    renamed = await call(
        credentials, "stream", "update", streamId=sid, streamData={"name": "Renamed flow"}
    )
    assert renamed["name"] == "Renamed flow"
    assert [(f["name"], f["payload"]) for f in renamed["filters"]] == [("country", ["DE"])]
    assert renamed["action_payload"] == "https://example.com/"

    got = await call(credentials, "stream", "get", streamId=sid)
    assert got["name"] == "Renamed flow" and got["campaign_id"] == campaign_id
    assert sid in ids(await call(credentials, "stream", "getAll", campaignId=campaign_id))
    found = await call(credentials, "stream", "search", searchQuery="Renamed flow")
    assert sid in ids(found)

    assert (await call(credentials, "stream", "disable", streamId=sid))["state"] == "disabled"
    assert (await call(credentials, "stream", "enable", streamId=sid))["state"] == "active"
    assert (await call(credentials, "stream", "archive", streamId=sid))["state"] == "deleted"
    assert sid in ids(await call(credentials, "stream", "getArchived"))
    assert (await call(credentials, "stream", "restore", streamId=sid))["state"] == "active"

    events = await call(credentials, "stream", "getEvents", streamId=sid)
    assert set(events) == {"total", "items"}


async def test_stream_offers_are_replaced_when_present_and_rows_keep_their_ids(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    offers = []
    for name in ("A", "B", "C"):
        offer = await call(credentials, "offer", "create", offerData={"name": unique(name)})
        offers.append(int(offer["id"]))
    a, b, c = offers
    created = await call(
        credentials,
        "stream",
        "create",
        streamData=stream_body(
            campaign_id,
            schema="landings",
            action_payload="",
            offers=[{"offer_id": a, "share": 60}, {"offer_id": b, "share": 40}],
        ),
    )
    sid = int(created["id"])
    row_of_a = next(o["id"] for o in created["offers"] if o["offer_id"] == a)

    updated = await call(
        credentials,
        "stream",
        "update",
        streamId=sid,
        streamData={"offers": [{"offer_id": a, "share": 30}, {"offer_id": c, "share": 70}]},
    )
    rows = {o["offer_id"]: o for o in updated["offers"]}
    assert set(rows) == {a, c}  # b was not listed: removed
    assert rows[a]["id"] == row_of_a and rows[a]["share"] == 30  # updated in place
    assert rows[c]["share"] == 70

    # without an offers key the set is left alone
    again = await call(credentials, "stream", "update", streamId=sid, streamData={"weight": 5})
    assert {o["offer_id"]: o["id"] for o in again["offers"]} == {
        o["offer_id"]: o["id"] for o in updated["offers"]
    }


async def test_stream_catalogues(tracker: Sandbox, credentials: CredentialStore) -> None:
    types = await call(credentials, "stream", "getTypes")
    assert {t["value"] for t in types} == {"regular", "forced", "default"}
    schemas = await call(credentials, "stream", "getSchemas")
    assert {s["value"] for s in schemas} == {"landings", "redirect", "action"}
    actions = await call(credentials, "stream", "getActions")
    assert {"http", "campaign", "show_html"} <= {a["key"] for a in actions}
    filters = await call(credentials, "stream", "getFilters")
    assert {"country", "sub_id_1", "schedule"} <= {f["value"] for f in filters}


# --- landing pages and offers -------------------------------------------------------------------


async def test_landing_page_round_trip_with_files(
    tracker: Sandbox, credentials: CredentialStore
) -> None:
    created = await call(
        credentials,
        "landingPage",
        "create",
        landingPageData={"name": unique("lp"), "landing_type": "local"},
    )
    lid = int(created["id"])
    updated = await call(
        credentials,
        "landingPage",
        "update",
        landingPageId=lid,
        landingPageData={"notes": "checked"},
    )
    assert updated["notes"] == "checked" and updated["name"] == created["name"]
    assert (await call(credentials, "landingPage", "get", landingPageId=lid))["notes"] == "checked"
    assert lid in ids(await call(credentials, "landingPage", "getAll"))

    await call(credentials, "landingPage", "addFile", landingPageId=lid, filePath="css/a.css")
    await call(
        credentials,
        "landingPage",
        "updateFile",
        landingPageId=lid,
        filePath="css/a.css",
        fileContent="body { color: red }",
    )
    read = await call(
        credentials, "landingPage", "getFile", landingPageId=lid, filePath="css/a.css"
    )
    assert read == {"data": "body { color: red }"}
    tree = await call(credentials, "landingPage", "getStructure", landingPageId=lid)
    assert "css" in [child["name"] for child in tree["children"]]

    item = await call_item(
        credentials, "landingPage", "download", landingPageId=lid, binaryPropertyName="site"
    )
    assert item.binary is not None
    with zipfile.ZipFile(io.BytesIO(item.binary["site"].data)) as archive:
        assert archive.read("css/a.css") == b"body { color: red }"

    removed = await call(
        credentials, "landingPage", "removeFile", landingPageId=lid, filePath="css/a.css"
    )
    assert removed == {"success": True}
    missing = await fails(
        credentials, "landingPage", "getFile", landingPageId=lid, filePath="css/a.css"
    )
    assert isinstance(missing, NodeApiError) and missing.http_code == 404

    clone = first(await call(credentials, "landingPage", "clone", landingPageId=lid))
    assert int(clone["id"]) != lid
    archived = await call(credentials, "landingPage", "archive", landingPageId=lid)
    assert archived["state"] == "deleted"
    assert lid not in ids(await call(credentials, "landingPage", "getAll"))


async def test_offer_round_trip(tracker: Sandbox, credentials: CredentialStore) -> None:
    network = await call(
        credentials, "affiliateNetwork", "create", affiliateNetworkData={"name": unique("net")}
    )
    created = await call(
        credentials,
        "offer",
        "create",
        offerData={
            "name": unique("offer"),
            "offer_type": "local",
            "affiliate_network_id": network["id"],
            "payout_value": 3.5,
            "country": ["DE"],
        },
    )
    oid = int(created["id"])
    assert created["affiliate_network_id"] == network["id"]
    updated = await call(
        credentials, "offer", "update", offerId=oid, offerData={"payout_value": 4, "country": []}
    )
    assert float(updated["payout_value"]) == 4 and updated["country"] == []
    assert updated["name"] == created["name"]
    assert (await call(credentials, "offer", "get", offerId=oid))["id"] == oid
    assert oid in ids(await call(credentials, "offer", "getAll"))

    await call(credentials, "offer", "addFile", offerId=oid, filePath="index.html")
    await call(
        credentials, "offer", "updateFile", offerId=oid, filePath="index.html", fileContent="<p>"
    )
    assert await call(credentials, "offer", "getFile", offerId=oid, filePath="index.html") == {
        "data": "<p>"
    }
    tree = await call(credentials, "offer", "getStructure", offerId=oid)
    assert [child["path"] for child in tree["children"]] == ["index.html"]
    item = await call_item(credentials, "offer", "download", offerId=oid)
    assert item.binary is not None and item.binary["data"].data[:2] == b"PK"

    clone = first(await call(credentials, "offer", "clone", offerId=oid))
    assert int(clone["id"]) != oid
    assert (await call(credentials, "offer", "archive", offerId=oid))["state"] == "deleted"
    assert oid in ids(await call(credentials, "offer", "getArchived"))
    assert oid not in ids(await call(credentials, "offer", "getAll"))
    assert (await call(credentials, "offer", "restore", offerId=oid))["state"] == "active"
    assert oid in ids(await call(credentials, "offer", "getAll"))


# --- networks, sources, domains, groups, users ---------------------------------------------------


async def test_affiliate_network_round_trip(tracker: Sandbox, credentials: CredentialStore) -> None:
    created = await call(
        credentials,
        "affiliateNetwork",
        "create",
        affiliateNetworkData={"name": unique("net"), "offer_param": "sub1={subid}"},
    )
    nid = int(created["id"])
    updated = await call(
        credentials,
        "affiliateNetwork",
        "update",
        affiliateNetworkId=nid,
        affiliateNetworkData={"offer_param": "aff_sub={subid}"},
    )
    assert updated["offer_param"] == "aff_sub={subid}" and updated["name"] == created["name"]
    got = await call(credentials, "affiliateNetwork", "get", affiliateNetworkId=nid)
    assert got["offer_param"] == "aff_sub={subid}"
    assert nid in ids(await call(credentials, "affiliateNetwork", "getAll"))
    clone = first(await call(credentials, "affiliateNetwork", "clone", affiliateNetworkId=nid))
    assert int(clone["id"]) != nid
    archived = await call(credentials, "affiliateNetwork", "archive", affiliateNetworkId=nid)
    assert archived["state"] == "deleted"
    assert nid not in ids(await call(credentials, "affiliateNetwork", "getAll"))
    restored = await call(credentials, "affiliateNetwork", "restore", affiliateNetworkId=nid)
    assert restored["state"] == "active"


async def test_traffic_source_round_trip(tracker: Sandbox, credentials: CredentialStore) -> None:
    created = await call(
        credentials,
        "trafficSource",
        "create",
        trafficSourceData={
            "name": unique("ts"),
            "postback_statuses": ["lead"],
            "parameters": {"keyword": {"name": "kw", "placeholder": "{kw}", "alias": "Keyword"}},
        },
    )
    tid = int(created["id"])
    assert created["parameters"]["keyword"]["name"] == "kw"
    updated = await call(
        credentials,
        "trafficSource",
        "update",
        trafficSourceId=tid,
        trafficSourceData={"postback_statuses": ["sale", "rejected"]},
    )
    assert updated["postback_statuses"] == ["sale", "rejected"]
    assert updated["parameters"] == created["parameters"]
    assert (await call(credentials, "trafficSource", "get", trafficSourceId=tid))["id"] == tid
    assert tid in ids(await call(credentials, "trafficSource", "getAll"))
    clone = first(await call(credentials, "trafficSource", "clone", trafficSourceId=tid))
    assert int(clone["id"]) != tid and clone["parameters"] == created["parameters"]
    await call(credentials, "trafficSource", "delete", trafficSourceId=tid)
    gone = await fails(credentials, "trafficSource", "get", trafficSourceId=tid)
    assert isinstance(gone, NodeApiError) and gone.http_code == 404


async def test_domain_round_trip(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    name = unique("rt") + ".example.net"
    created = await call(credentials, "domain", "create", domainData={"name": name})
    assert isinstance(created, list) and [d["name"] for d in created] == [name]
    did = int(created[0]["id"])
    updated = await call(
        credentials,
        "domain",
        "update",
        domainId=did,
        domainData={"default_campaign_id": campaign_id, "catch_not_found": True},
    )
    assert updated["catch_not_found"] is True and updated["name"] == name
    assert (await call(credentials, "domain", "check", domainId=did))["network_status"] == "active"
    assert (await call(credentials, "domain", "get", domainId=did))["name"] == name
    assert did in ids(await call(credentials, "domain", "getAll"))
    assert (await call(credentials, "domain", "archive", domainId=did))["state"] == "deleted"
    assert did in ids(await call(credentials, "domain", "getArchived"))
    assert (await call(credentials, "domain", "restore", domainId=did))["state"] == "active"
    assert isinstance(await call(credentials, "domain", "getIp"), list)


async def test_group_round_trip(tracker: Sandbox, credentials: CredentialStore) -> None:
    name = unique("grp")
    created = await call(
        credentials, "group", "create", groupData={"name": name, "type": "landings"}
    )
    gid = int(created["id"])
    assert gid in ids(await call(credentials, "group", "getAll", groupType="landings"))
    assert gid not in ids(await call(credentials, "group", "getAll"))  # default: campaigns
    renamed = await call(
        credentials, "group", "update", groupId=gid, groupData={"name": name + " (renamed)"}
    )
    assert renamed["name"] == name + " (renamed)" and renamed["type"] == "landings"
    deleted = await call(credentials, "group", "delete", groupId=gid)
    assert int(deleted["id"]) == gid
    assert gid not in ids(await call(credentials, "group", "getAll", groupType="landings"))


async def test_user_round_trip(tracker: Sandbox, credentials: CredentialStore) -> None:
    login = unique("buyer")
    created = await call(
        credentials,
        "user",
        "create",
        userData={
            "login": login,
            "new_password": "secret-1",
            "new_password_confirmation": "secret-1",
            "type": "USER",
        },
    )
    uid = int(created["id"])
    assert "new_password" not in created and "password" not in str(created).lower()
    updated = await call(
        credentials, "user", "update", userId=uid, userData={"preferences": {"language": "ru"}}
    )
    assert updated["preferences"]["language"] == "ru" and updated["login"] == login
    access = await call(
        credentials,
        "user",
        "updateAccess",
        userId=uid,
        accessData={"access_data": {"campaigns_access_type": "full_access"}},
    )
    assert access["access_data"]["campaigns_access_type"] == "full_access"
    assert (await call(credentials, "user", "get", userId=uid))["login"] == login
    assert uid in ids(await call(credentials, "user", "getAll"))
    await call(credentials, "user", "delete", userId=uid, confirm=True)
    assert uid not in ids(await call(credentials, "user", "getAll"))


# --- reports, clicks, conversions, bot list, logs, integrations ---------------------------------


async def test_report_and_logs_answer_rows(tracker: Sandbox, credentials: CredentialStore) -> None:
    report = await call(
        credentials,
        "report",
        "build",
        interval="all_time",
        timezone="UTC",
        dimensions=["campaign_id"],
        measures=["clicks"],
        limit=2,
    )
    assert len(report["rows"]) == 2 and set(report["rows"][0]) == {"campaign_id", "clicks"}
    clicks = await call(
        credentials, "click", "getLog", interval="all_time", columns=["sub_id"], limit=3
    )
    assert len(clicks["rows"]) == 3 and set(clicks["rows"][0]) == {"sub_id"}
    conversions = await call(
        credentials, "conversion", "getLog", interval="all_time", columns=["status"], limit=1
    )
    assert len(conversions["rows"]) == 1
    summary = await call(credentials, "click", "summary", interval="all_time", timezone="UTC")
    assert summary["summary"]["clicks"] > 0


async def test_report_labels_round_trip(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    answer = await call(
        credentials,
        "report",
        "updateLabels",
        campaignId=campaign_id,
        refName="sub_id_2",
        labels={"cr1": "blacklist", "cr2": "whitelist"},
    )
    assert answer == {"success": True}
    black = await call(
        credentials,
        "report",
        "getLabels",
        campaignId=campaign_id,
        labelName="blacklist",
        refName="sub_id_2",
    )
    assert black == {"cr1": "blacklist"}


async def test_bot_list_round_trip(tracker: Sandbox, credentials: CredentialStore) -> None:
    assert await call(credentials, "botList", "replace", ips="10.0.0.1\n10.0.0.2") == {"count": 2}
    assert await call(credentials, "botList", "add", ips="10.0.0.3, 10.0.0.1") == {"count": 3}
    assert await call(credentials, "botList", "exclude", ips="10.0.0.2") == {"count": 2}
    listed = await call(credentials, "botList", "get")
    assert sorted(listed["value"].split("\n")) == ["10.0.0.1", "10.0.0.3"]
    await call(credentials, "botList", "clear", confirm=True)
    assert await call(credentials, "botList", "get") == {"value": ""}


async def test_logs_are_listed_and_read(tracker: Sandbox, credentials: CredentialStore) -> None:
    types = await call(credentials, "log", "getTypes")
    assert "system" in types
    lines = await call(credentials, "log", "read", logType="traffic", limit=4)
    assert len(lines) == 4 and {"datetime", "message"} <= set(lines[0])
    assert tracker.request_count("GET", "/admin_api/v1/logs/traffic") == 1


async def test_integrations_round_trip(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    assert await call(credentials, "integration", "setAvscan", avscanKey="av-1") == {
        "avscan_key": "av-1"
    }
    assert await call(credentials, "integration", "getAvscan") == {"avscan_key": "av-1"}
    url = "https://imklo.example.com/api"
    await call(credentials, "integration", "setImklo", imkloApiUrl=url)
    assert await call(credentials, "integration", "getImklo") == {"imklo_api_url": url}

    created = await call(
        credentials,
        "integration",
        "createFacebook",
        facebookData={"name": unique("fb"), "ad_account_id": "act_9", "token": "tok"},
    )
    fid = int(created["id"])
    updated = await call(
        credentials,
        "integration",
        "updateFacebook",
        integrationId=fid,
        facebookData={"proxy_enabled": True},
    )
    assert updated["data"]["proxy_enabled"] is True
    assert (await call(credentials, "integration", "getFacebook", integrationId=fid))["data"][
        "ad_account_id"
    ] == "act_9"
    listed = await call(credentials, "integration", "getAllFacebook")
    assert fid in ids(listed["data"])

    await call(
        credentials, "integration", "addFacebookCampaign", integrationId=fid, campaignId=campaign_id
    )
    bound = await call(credentials, "integration", "getFacebookCampaigns", integrationId=fid)
    assert [b["value"] for b in bound] == [campaign_id]
    await call(
        credentials,
        "integration",
        "removeFacebookCampaign",
        integrationId=fid,
        campaignId=campaign_id,
    )
    assert await call(credentials, "integration", "getFacebookCampaigns", integrationId=fid) == []
    await call(credentials, "integration", "deleteFacebook", integrationId=fid)
    assert fid not in ids((await call(credentials, "integration", "getAllFacebook"))["data"])


# --- refusals before anything is sent -----------------------------------------------------------


@pytest.mark.parametrize("value", [1.5, "abc", 0, -3, True, None])
async def test_an_id_that_is_not_a_whole_number_is_refused_before_sending(
    tracker: Sandbox, credentials: CredentialStore, value: Any
) -> None:
    error = await fails(credentials, "campaign", "get", campaignId=value)
    assert isinstance(error, NodeOperationError)
    assert "'ID Кампании' (campaignId)" in str(error)
    assert tracker.request_count() == 0


async def test_an_id_from_an_expression_is_checked_per_item(
    tracker: Sandbox, credentials: CredentialStore
) -> None:
    workflow = keitaro_workflow(
        {"resource": "stream", "operation": "get", "streamId": "={{ $json.id }}"}
    )
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{"id": "7.25"}], credentials)
    error = caught.value.error
    assert isinstance(error, NodeOperationError) and error.item_index == 0
    assert "whole number" in str(error)
    assert tracker.request_count() == 0


async def test_an_unknown_resource_is_named(tracker: Sandbox, credentials: CredentialStore) -> None:
    error = await fails(credentials, "campaigns", "get", campaignId=1)
    assert isinstance(error, NodeOperationError)
    text = str(error)
    assert "campaigns" in text and "resource" in text.lower()
    assert "'campaign'" in text and "'landingPage'" in text  # the names it could have been
    assert tracker.request_count() == 0


async def test_an_unknown_operation_is_named(
    tracker: Sandbox, credentials: CredentialStore
) -> None:
    error = await fails(credentials, "stream", "list")
    assert isinstance(error, NodeOperationError)
    text = str(error)
    assert "'list'" in text and "operation" in text.lower()
    assert "'getAll'" in text and "'create'" in text
    assert tracker.request_count() == 0


# Every destructive operation, with the other parameters it needs.
DESTRUCTIVE: dict[tuple[str, str], dict[str, Any]] = {
    ("campaign", "cleanArchive"): {},
    ("user", "delete"): {"userId": 1},
    ("click", "clean"): {"startDate": "2025-01-01", "endDate": "2025-01-31"},
    ("botList", "clear"): {},
    ("log", "clear"): {"logType": "traffic"},
}


def test_the_destructive_operations_are_the_ones_listed() -> None:
    routes = KeitaroNode().routes
    assert {key for key, routing in routes.items() if routing.confirm} == set(DESTRUCTIVE)


@pytest.mark.parametrize("confirm", [None, False, "no"])
@pytest.mark.parametrize("key", list(DESTRUCTIVE), ids=lambda k: ".".join(k))
async def test_a_destructive_operation_without_confirm_sends_nothing(
    tracker: Sandbox, credentials: CredentialStore, key: tuple[str, str], confirm: Any
) -> None:
    resource, operation = key
    params = dict(DESTRUCTIVE[key])
    if confirm is not None:
        params["confirm"] = confirm
    error = await fails(credentials, resource, operation, **params)
    assert isinstance(error, NodeOperationError)
    if confirm == "no":
        assert "true or false" in str(error)
    else:
        routing = KeitaroNode().routes[key]
        assert routing.confirm and routing.confirm in str(error)
        assert "Nothing was sent" in str(error)
    assert tracker.request_count() == 0
