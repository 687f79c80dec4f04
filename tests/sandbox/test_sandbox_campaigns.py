"""Campaign create/read/update/archive/clone semantics."""

from __future__ import annotations

from .conftest import Client


async def test_create_applies_api_defaults(client: Client) -> None:
    c = await client.ok("POST", "/campaigns", json_body={"name": "A", "alias": "al.ias#1"})
    assert isinstance(c["id"], int)
    assert c["alias"] == "al-ias-1"
    assert c["state"] == "active" and c["type"] == "position" and c["cost_type"] == "CPC"
    assert c["cookies_ttl"] == 24 and c["uniqueness_method"] == "ip"
    assert c["cost_auto"] is False and c["bind_visitors"] is None
    assert isinstance(c["token"], str) and len(c["token"]) >= 16
    assert isinstance(c["group_id"], int)
    assert len(c["created_at"]) == 19 and c["created_at"][10] == " "
    status, body = await client.call(
        "POST", "/campaigns", json_body={"name": "B", "alias": "al-ias-1"}
    )
    assert (status, body) == (422, {"alias": ["Alias has already used"]})


async def test_update_is_partial_and_postbacks_replace(client: Client) -> None:
    c = await client.campaign(name="Before", notes="keep me")
    pb = [{"method": "GET", "statuses": ["sale"], "url": "https://pb.example/a"}]
    u = await client.ok(
        "PUT", f"/campaigns/{c['id']}", json_body={"name": "After", "postbacks": pb}
    )
    assert u["name"] == "After" and u["notes"] == "keep me" and u["alias"] == c["alias"]
    assert [p["url"] for p in u["postbacks"]] == ["https://pb.example/a"]
    assert u["streams"] == []
    u2 = await client.ok(
        "PUT", f"/campaigns/{c['id']}", json_body={"postbacks": [{"url": "https://pb.example/b"}]}
    )
    assert [p["url"] for p in u2["postbacks"]] == ["https://pb.example/b"]
    status, body = await client.call("PUT", f"/campaigns/{c['id']}", json_body={"type": "nope"})
    assert status == 422 and "type" in body
    status, _ = await client.call("PUT", "/campaigns/999999", json_body={"name": "x"})
    assert status == 404


async def test_list_paging_and_with_streams(client: Client) -> None:
    ids = [(await client.campaign(alias=f"page{i}"))["id"] for i in range(5)]
    page = await client.ok("GET", "/campaigns", params={"offset": 1, "limit": 2})
    assert [c["id"] for c in page] == ids[1:3]
    await client.stream(ids[0], name="S1")
    got = await client.ok("GET", f"/campaigns/{ids[0]}", params={"withStreams": 1})
    assert [s["name"] for s in got["streams"]] == ["S1"]
    plain = await client.ok("GET", f"/campaigns/{ids[0]}")
    assert "streams" not in plain


async def test_archive_restore_and_clean_archive(client: Client) -> None:
    c = await client.campaign(alias="arch1")
    archived = await client.ok("DELETE", f"/campaigns/{c['id']}")
    assert isinstance(archived, list) and archived[0]["id"] == c["id"]
    assert archived[0]["state"] == "deleted"
    assert (await client.call("GET", f"/campaigns/{c['id']}"))[0] == 404
    assert (await client.call("DELETE", f"/campaigns/{c['id']}"))[0] == 404
    assert c["id"] not in [x["id"] for x in await client.ok("GET", "/campaigns")]
    assert c["id"] in [x["id"] for x in await client.ok("GET", "/campaigns/deleted")]
    restored = await client.ok("POST", f"/campaigns/{c['id']}/restore")
    assert restored[0]["state"] == "active"
    assert (await client.ok("GET", f"/campaigns/{c['id']}"))["id"] == c["id"]
    await client.ok("DELETE", f"/campaigns/{c['id']}")
    assert await client.ok("POST", "/campaigns/clean_archive") == {"success": True}
    assert await client.ok("GET", "/campaigns/deleted") == []
    assert (await client.call("POST", f"/campaigns/{c['id']}/restore"))[0] == 404


async def test_enable_disable_return_campaign_object(client: Client) -> None:
    c = await client.campaign(alias="toggle1")
    off = await client.ok("POST", f"/campaigns/{c['id']}/disable")
    assert isinstance(off, dict) and off["state"] == "disabled"
    on = await client.ok("POST", f"/campaigns/{c['id']}/enable")
    assert on["state"] == "active"


async def test_clone_copies_flows_filters_and_offers(client: Client) -> None:
    c = await client.campaign(name="Original", alias="orig1")
    await client.stream(
        c["id"],
        name="Offers",
        schema="landings",
        filters=[{"name": "country", "mode": "accept", "payload": ["US"]}],
        offers=[{"offer_id": 7, "share": 100}],
    )
    result = await client.ok("POST", f"/campaigns/{c['id']}/clone")
    clone = result[0]
    assert clone["id"] != c["id"] and clone["name"] == "Copy of Original"
    assert len(clone["alias"]) == 8 and clone["alias"] != c["alias"]
    assert clone["token"] != c["token"]
    flows = await client.ok("GET", f"/campaigns/{clone['id']}/streams")
    assert len(flows) == 1
    assert flows[0]["filters"][0]["payload"] == ["US"]
    assert flows[0]["offers"][0]["offer_id"] == 7


async def test_put_streams_synchronises_flows(client: Client) -> None:
    c = await client.campaign(alias="sync1")
    keep = await client.stream(c["id"], name="keep")
    drop = await client.stream(c["id"], name="drop")
    body = {
        "streams": [
            {"id": keep["id"], "name": "kept"},
            {"type": "regular", "name": "new", "schema": "redirect", "action_type": "http"},
        ]
    }
    u = await client.ok("PUT", f"/campaigns/{c['id']}", json_body=body)
    assert [s["name"] for s in u["streams"]] == ["kept", "new"]
    assert (await client.ok("GET", f"/streams/{drop['id']}"))["state"] == "deleted"
