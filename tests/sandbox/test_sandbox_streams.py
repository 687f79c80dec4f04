"""Flow create/read/update semantics (BEHAVIOUR.md §3.3)."""

from __future__ import annotations

from typing import Any

from .conftest import Client


async def _campaign_id(client: Client) -> int:
    return int((await client.campaign(alias=f"c{id(client)}"))["id"])


async def test_create_requires_fields_and_valid_enums(client: Client) -> None:
    status, body = await client.call("POST", "/streams", json_body={})
    assert status == 422
    assert set(body) == {"campaign_id", "type", "name", "schema", "action_type"}
    cid = await _campaign_id(client)
    bad = {
        "campaign_id": cid,
        "type": "weird",
        "name": "x",
        "schema": "offers",
        "action_type": "teleport",
    }
    status, body = await client.call("POST", "/streams", json_body=bad)
    assert status == 422 and {"type", "schema", "action_type"} <= set(body)
    bad_filter = {
        "campaign_id": cid,
        "type": "regular",
        "name": "x",
        "schema": "redirect",
        "action_type": "http",
        "filters": [{"name": "geo", "mode": "maybe"}],
    }
    status, body = await client.call("POST", "/streams", json_body=bad_filter)
    assert status == 422 and "filters" in body
    # an unknown filter name is accepted silently, as trackers do (it never matches)
    unknown_name = {**bad_filter, "filters": [{"name": "geo", "mode": "accept", "payload": ["GB"]}]}
    status, body = await client.call("POST", "/streams", json_body=unknown_name)
    assert status == 200 and body["filters"][0]["name"] == "geo"
    missing = {
        "campaign_id": 987654,
        "type": "regular",
        "name": "x",
        "schema": "redirect",
        "action_type": "http",
    }
    status, body = await client.call("POST", "/streams", json_body=missing)
    assert status == 404 and body == {"error": "Traffic\\Model\\Campaign #987654 not found"}


async def test_create_returns_full_stream(client: Client) -> None:
    cid = await _campaign_id(client)
    s = await client.stream(
        cid,
        collect_clicks=True,
        weight=100,
        filters=[{"name": "country", "mode": "accept", "payload": ["AU"]}],
    )
    assert s["campaign_id"] == cid and s["state"] == "active" and s["position"] == 1
    assert s["action_payload"] == "https://example.com" and s["collect_clicks"] is True
    assert s["filters"][0]["payload"] == ["AU"] and s["filters"][0]["stream_id"] == s["id"]
    assert s["triggers"] == [] and s["landings"] == [] and s["offers"] == []
    assert await client.ok("GET", f"/streams/{s['id']}") == s
    plain = await client.stream(cid)
    assert plain["collect_clicks"] is False and plain["position"] == 2


async def test_offers_keep_row_id_and_created_at(client: Client) -> None:
    cid = await _campaign_id(client)
    s = await client.stream(
        cid, schema="landings", offers=[{"offer_id": 101, "share": 100, "state": "active"}]
    )
    row = s["offers"][0]
    body: dict[str, Any] = {
        "offers": [
            {"offer_id": 101, "share": 37, "state": "active"},
            {"offer_id": 102, "share": 63, "state": "active"},
            {"offer_id": 102, "share": 60},
        ]
    }
    u = await client.ok("PUT", f"/streams/{s['id']}", json_body=body)
    by_offer = {o["offer_id"]: o for o in u["offers"]}
    assert set(by_offer) == {101, 102}
    assert by_offer[101]["id"] == row["id"] and by_offer[101]["created_at"] == row["created_at"]
    assert by_offer[101]["share"] == 37 and by_offer[102]["share"] == 60
    assert u["name"] == s["name"] and u["action_type"] == s["action_type"]
    again = await client.ok("PUT", f"/streams/{s['id']}", json_body=body)
    assert [o["id"] for o in again["offers"]] == [o["id"] for o in u["offers"]]
    cleared = await client.ok("PUT", f"/streams/{s['id']}", json_body={"offers": []})
    assert cleared["offers"] == []


async def test_partial_put_leaves_arrays_alone(client: Client) -> None:
    cid = await _campaign_id(client)
    s = await client.stream(
        cid,
        filters=[{"name": "country", "mode": "accept", "payload": ["US"]}],
    )
    u = await client.ok("PUT", f"/streams/{s['id']}", json_body={"name": "renamed"})
    assert u["name"] == "renamed" and u["filters"] == s["filters"]
    fid = s["filters"][0]["id"]
    body = {
        "filters": [
            {"id": fid, "name": "country", "mode": "reject", "payload": ["CA"]},
            {"name": "os", "mode": "accept", "payload": ["iOS"]},
        ]
    }
    u = await client.ok("PUT", f"/streams/{s['id']}", json_body=body)
    assert u["filters"][0]["id"] == fid and u["filters"][0]["mode"] == "reject"
    assert u["filters"][1]["name"] == "os" and u["filters"][1]["id"] != fid


async def test_forced_clearing(client: Client) -> None:
    cid = await _campaign_id(client)
    s = await client.stream(
        cid,
        schema="landings",
        filters=[{"name": "country", "mode": "accept", "payload": ["US"]}],
        landings=[{"landing_id": 3, "share": 100}],
        offers=[{"offer_id": 5, "share": 100}],
    )
    assert s["landings"] and s["offers"]
    u = await client.ok("PUT", f"/streams/{s['id']}", json_body={"schema": "redirect"})
    assert u["landings"] == [] and u["offers"] == [] and u["filters"]
    u = await client.ok("PUT", f"/streams/{s['id']}", json_body={"type": "default"})
    assert u["filters"] == [] and u["triggers"] == []
    d = await client.stream(
        cid,
        type="forced",
        schema="action",
        action_type="do_nothing",
        action_payload="ignored",
        offers=[{"offer_id": 1, "share": 1}],
    )
    assert d["action_payload"] == "" and d["offers"] == []


async def test_one_active_default_per_campaign(client: Client) -> None:
    cid = await _campaign_id(client)
    await client.stream(cid, type="default")
    status, body = await client.call(
        "POST",
        "/streams",
        json_body={
            "campaign_id": cid,
            "type": "default",
            "name": "d2",
            "schema": "redirect",
            "action_type": "http",
        },
    )
    assert status == 422 and "type" in body


async def test_positions_and_campaign_order(client: Client) -> None:
    cid = await _campaign_id(client)
    a = await client.stream(cid, name="a")
    b = await client.stream(cid, name="b")
    d = await client.stream(cid, name="d", type="default")
    f = await client.stream(cid, name="f", type="forced")
    c = await client.stream(cid, name="c", position=1)
    flows = await client.ok("GET", f"/campaigns/{cid}/streams")
    assert [s["name"] for s in flows] == ["f", "c", "a", "b", "d"]
    assert [s["position"] for s in flows] == [1, 1, 2, 3, 1]
    archived = await client.ok("DELETE", f"/streams/{a['id']}")
    assert archived["state"] == "deleted"
    flows = await client.ok("GET", f"/campaigns/{cid}/streams")
    assert [(s["name"], s["position"]) for s in flows] == [("f", 1), ("c", 1), ("b", 2), ("d", 1)]
    assert a["id"] in [s["id"] for s in await client.ok("GET", "/streams/deleted")]
    restored = await client.ok("POST", f"/streams/{a['id']}/restore")
    assert restored["state"] == "active" and restored["position"] == 3
    moved = await client.ok("PUT", f"/streams/{b['id']}", json_body={"position": 1})
    assert moved["position"] == 1
    flows = await client.ok("GET", f"/campaigns/{cid}/streams")
    assert [s["name"] for s in flows] == ["f", "b", "c", "a", "d"]
    off = await client.ok("POST", f"/streams/{c['id']}/disable")
    assert off["state"] == "disabled"
    on = await client.ok("POST", f"/streams/{c['id']}/enable")
    assert on["state"] == "active"
    events = await client.ok("GET", f"/streams/{c['id']}/events")
    assert events["total"] == 2 and len(events["items"]) == 2
    assert d["id"] and f["id"]


async def test_triggers_read_as_taget(client: Client) -> None:
    cid = await _campaign_id(client)
    trig = {"condition": "not_respond", "action": "disable", "target": "landings", "interval": 300}
    s = await client.stream(cid, triggers=[trig])
    t = s["triggers"][0]
    assert t["taget"] == "landings" and "target" not in t and t["interval"] == 300
    status, body = await client.call(
        "PUT", f"/streams/{s['id']}", json_body={"triggers": [{"condition": "always"}]}
    )
    assert status == 422 and "triggers" in body


async def test_search(client: Client) -> None:
    cid = await _campaign_id(client)
    await client.stream(cid, name="needle flow")
    await client.stream(cid, name="other", action_payload="https://needle.example")
    await client.stream(cid, name="unrelated")
    found = await client.ok("GET", "/streams/search", params={"query": "needle"})
    assert sorted(s["name"] for s in found) == ["needle flow", "other"]
    assert (await client.call("GET", "/streams/search"))[0] == 400
