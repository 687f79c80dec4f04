"""Networks, sources, domains, groups, users, bot list, logs and integrations."""

from __future__ import annotations

import pytest

from .conftest import Client


async def test_affiliate_network_round_trip(client: Client) -> None:
    net = await client.ok(
        "POST", "/affiliate_networks", json_body={"name": "N1", "offer_param": "sub1={subid}"}
    )
    assert net["state"] == "active" and net["offers"] == 0
    nid = net["id"]
    assert (await client.ok("PUT", f"/affiliate_networks/{nid}", json_body={"notes": "x"}))[
        "notes"
    ] == "x"
    clone = await client.ok("POST", f"/affiliate_networks/{nid}/clone")
    assert clone["offer_param"] == "sub1={subid}" and clone["id"] != nid
    assert (await client.ok("DELETE", f"/affiliate_networks/{nid}"))["state"] == "deleted"
    assert nid not in [n["id"] for n in await client.ok("GET", "/affiliate_networks")]
    assert (await client.ok("POST", f"/affiliate_networks/{nid}/restore"))["state"] == "active"


async def test_traffic_source_delete_is_real(client: Client) -> None:
    params = {"sub_id_1": {"name": "zone", "placeholder": "{zoneid}", "alias": "Zone"}}
    src = await client.ok(
        "POST",
        "/traffic_sources",
        json_body={"name": "TS", "parameters": params, "postback_statuses": ["sale"]},
    )
    assert src["parameters"] == params and src["postback_statuses"] == ["sale"]
    sid = src["id"]
    assert (await client.ok("PUT", f"/traffic_sources/{sid}", json_body={"name": "TS2"}))[
        "parameters"
    ] == params
    clone = await client.ok("POST", f"/traffic_sources/{sid}/clone")
    status, body = await client.call("DELETE", f"/traffic_sources/{sid}")
    assert status == 200 and body is None
    assert (await client.call("GET", f"/traffic_sources/{sid}"))[0] == 404
    assert [s["id"] for s in await client.ok("GET", "/traffic_sources")] == [clone["id"]]


async def test_domains(client: Client) -> None:
    created = await client.ok("POST", "/domains", json_body={"name": "track.example.com"})
    assert isinstance(created, list) and created[0]["name"] == "track.example.com"
    did = created[0]["id"]
    status, body = await client.call("POST", "/domains", json_body={"name": "track.example.com"})
    assert status == 422 and "name" in body
    many = await client.ok("POST", "/domains", json_body={"name": "a.example.org\nb.example.org"})
    assert [d["name"] for d in many] == ["a.example.org", "b.example.org"]
    checked = await client.ok("POST", f"/domains/{did}/check")
    assert checked["network_status"] == "active"
    updated = await client.ok("PUT", f"/domains/{did}", json_body={"notes": "main"})
    assert updated["notes"] == "main"
    status, body = await client.call("DELETE", f"/domains/{did}")
    assert status == 201 and body["state"] == "deleted"
    assert [d["id"] for d in await client.ok("GET", "/domains/deleted")] == [did]
    assert (await client.ok("POST", f"/domains/{did}/restore"))["state"] == "active"
    assert await client.ok("GET", "/domains/ip") == ["127.0.0.1"]


async def test_groups(client: Client) -> None:
    g = await client.ok("POST", "/groups", json_body={"name": "G", "type": "offers"})
    assert g == {"id": g["id"], "name": "G", "position": 1, "type": "offers"}
    assert await client.ok("GET", "/groups") == []
    assert [x["id"] for x in await client.ok("GET", "/groups", params={"type": "offers"})] == [
        g["id"]
    ]
    assert (await client.call("GET", "/groups", params={"type": "nope"}))[0] == 400
    status, body = await client.call("POST", "/groups", json_body={"name": "G", "type": "offers"})
    assert status == 422 and "name" in body
    renamed = await client.ok("PUT", f"/groups/{g['id']}", json_body={"name": "H"})
    assert renamed["name"] == "H"
    assert (await client.call("DELETE", f"/groups/{g['id']}"))[0] == 400
    assert (await client.ok("DELETE", f"/groups/{g['id']}/delete"))["id"] == g["id"]
    assert await client.ok("GET", "/groups", params={"type": "offers"}) == []


async def test_users(client: Client) -> None:
    users = await client.ok("GET", "/users")
    assert users[0]["login"] == "admin"
    status, body = await client.call(
        "POST",
        "/users",
        json_body={"login": "bob", "new_password": "secret1", "new_password_confirmation": "x",
                   "type": "USER"},
    )  # fmt: skip
    assert status == 422 and "new_password_confirmation" in body
    status, body = await client.call("POST", "/users", json_body={})
    assert set(body) == {"login", "new_password", "new_password_confirmation", "type"}
    user = await client.ok(
        "POST",
        "/users",
        json_body={"login": "bob", "new_password": "secret1",
                   "new_password_confirmation": "secret1", "type": "USER",
                   "preferences": {"language": "ru"}},
    )  # fmt: skip
    assert "secret1" not in str(user) and "password" not in str(user)
    assert user["preferences"]["language"] == "ru"
    uid = user["id"]
    access = {"access_data": {"offers_access_type": "full_access", "reports": ["clicks"]}}
    changed = await client.ok("PUT", f"/users/{uid}/access", json_body=access)
    assert changed["access_data"]["offers_access_type"] == "full_access"
    bad = {"access_data": {"offers_access_type": "god_mode"}}
    assert (await client.call("PUT", f"/users/{uid}/access", json_body=bad))[0] == 422
    renamed = await client.ok("PUT", f"/users/{uid}", json_body={"login": "robert"})
    assert renamed["login"] == "robert"
    status, body = await client.call("DELETE", f"/users/{uid}")
    assert status == 201 and body is None
    assert (await client.call("GET", f"/users/{uid}"))[0] == 404


async def test_botlist_string_format(client: Client) -> None:
    assert await client.ok("GET", "/botlist") == {"value": ""}
    assert await client.ok("PUT", "/botlist", json_body={"value": "1.1.1.1\n2.2.2.2"}) == {
        "count": 2
    }
    added = await client.ok("POST", "/botlist/add", json_body={"value": "3.3.3.0/24,2.2.2.2"})
    assert added == {"count": 3}
    assert await client.ok("GET", "/botlist") == {"value": "1.1.1.1\n2.2.2.2\n3.3.3.0/24"}
    assert await client.ok("POST", "/botlist/exclude", json_body={"value": "1.1.1.1"}) == {
        "count": 2
    }
    status, body = await client.call("POST", "/botlist/add", json_body={"value": "not-an-ip"})
    assert status == 422 and "value" in body
    assert (await client.call("POST", "/botlist/add", json_body={"ips": "1.1.1.1"}))[0] == 422
    status, body = await client.call("DELETE", "/botlist")
    assert status == 200
    assert await client.ok("GET", "/botlist") == {"value": ""}


async def test_logs_require_limit(client: Client) -> None:
    assert await client.ok("POST", "/logs/types") == [
        "system", "traffic", "postbacks", "ssl", "sent_postbacks",
    ]  # fmt: skip
    status, body = await client.call("GET", "/logs/system")
    assert status == 400 and "limit" in body["error"]
    page = await client.ok("GET", "/logs/traffic", params={"limit": 5, "offset": 2})
    assert len(page) == 5 and set(page[0]) == {"datetime", "jid", "message"}
    assert page[0]["datetime"] >= page[-1]["datetime"]
    found = await client.ok("GET", "/logs/postbacks", params={"limit": 1000, "query": "sale"})
    assert found and all("sale" in e["message"] for e in found)
    assert (await client.call("GET", "/logs/nope", params={"limit": 1}))[0] == 400
    assert (await client.call("DELETE", "/logs/ssl"))[0] == 200
    assert await client.ok("GET", "/logs/ssl", params={"limit": 10}) == []


async def test_integrations(client: Client) -> None:
    assert await client.ok("GET", "/integrations/avscan") == {"avscan_key": ""}
    assert (await client.call("PUT", "/integrations/avscan"))[0] == 400
    assert await client.ok("PUT", "/integrations/avscan", params={"avscan_key": "k1"}) == {
        "avscan_key": "k1"
    }
    assert await client.ok("GET", "/integrations/avscan") == {"avscan_key": "k1"}
    url = "https://imklo.example/api"
    await client.ok("PUT", "/integrations/imklo", params={"imklo_api_url": url})
    assert await client.ok("GET", "/integrations/imklo") == {"imklo_api_url": url}
    fb = await client.ok(
        "POST",
        "/integrations/facebook",
        json_body={"name": "FB", "ad_account_id": "act_1", "token": "t",
                   "proxy": {"protocol": "socks5", "address": "10.0.0.1", "port": 1080}},
    )  # fmt: skip
    assert fb["integration"] == "facebook" and fb["proxy"]["port"] == 1080
    fid = fb["id"]
    assert (await client.ok("GET", "/integrations/facebook"))["data"][0]["id"] == fid
    updated = await client.ok("PUT", f"/integrations/facebook/{fid}", json_body={"name": "FB2"})
    assert updated["data"]["name"] == "FB2"
    assert (await client.ok("GET", f"/integrations/facebook/{fid}"))["data"]["name"] == "FB2"
    campaign = await client.campaign(alias="fbcamp", name="FB campaign")
    base = f"/integrations/facebook/{fid}/campaign"
    await client.ok("POST", base, json_body={"campaign_id": campaign["id"]})
    assert await client.ok("GET", base) == [{"name": "FB campaign", "value": campaign["id"]}]
    await client.ok("DELETE", base, json_body={"campaign_id": campaign["id"]})
    assert await client.ok("GET", base) == []
    assert await client.ok("DELETE", f"/integrations/facebook/{fid}") == {"success": True}


@pytest.mark.parametrize("path", ["/stream_types", "/stream_schemas", "/streams_actions"])
async def test_catalogues_are_lists(client: Client, path: str) -> None:
    assert isinstance(await client.ok("GET", path), list)
