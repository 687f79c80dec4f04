"""Rules the CRUD resources share, and the quirks each one keeps on top of them."""

from __future__ import annotations

import pytest

from .conftest import Client

# (collection, archive path suffix): offers archive at DELETE .../archive.
ARCHIVED = [
    ("/affiliate_networks", ""),
    ("/offers", "/archive"),
    ("/landing_pages", ""),
]


@pytest.mark.parametrize(("base", "suffix"), ARCHIVED)
async def test_archived_rows_are_hidden_and_archived_once(
    client: Client, base: str, suffix: str
) -> None:
    ident = (await client.ok("POST", base, json_body={"name": "A"}))["id"]
    assert (await client.ok("DELETE", f"{base}/{ident}{suffix}"))["state"] == "deleted"
    assert (await client.call("DELETE", f"{base}/{ident}{suffix}"))[0] == 404
    assert ident not in [r["id"] for r in await client.ok("GET", base)]
    assert (await client.ok("GET", f"{base}/{ident}"))["state"] == "deleted"
    clone_verb = "PUT" if base == "/landing_pages" else "POST"
    assert (await client.call(clone_verb, f"{base}/{ident}/clone"))[0] == 404


@pytest.mark.parametrize("base", ["/affiliate_networks", "/offers", "/traffic_sources"])
async def test_update_may_not_blank_the_name(client: Client, base: str) -> None:
    ident = (await client.ok("POST", base, json_body={"name": "A"}))["id"]
    status, body = await client.call("PUT", f"{base}/{ident}", json_body={"name": "  "})
    assert status == 422 and body == {"name": ["Name is required"]}
    assert (await client.ok("GET", f"{base}/{ident}"))["name"] == "A"


async def test_missing_rows_are_404_worded_after_the_model(client: Client) -> None:
    status, body = await client.call("PUT", "/affiliate_networks/77", json_body={"name": "X"})
    assert status == 404
    assert body == {"error": "Traffic\\Model\\AffiliateNetwork #77 not found"}


async def test_domain_rename_takes_one_valid_name(client: Client) -> None:
    did = (await client.ok("POST", "/domains", json_body={"name": "one.example.com"}))[0]["id"]
    await client.ok("POST", "/domains", json_body={"name": "two.example.com"})
    renamed = await client.ok("PUT", f"/domains/{did}", json_body={"name": "New.Example.com"})
    assert renamed["name"] == "new.example.com"
    status, body = await client.call(
        "PUT", f"/domains/{did}", json_body={"name": "a.example.com\nb.example.com"}
    )
    assert status == 422 and body == {"name": ["Only one domain name can be set"]}
    status, body = await client.call(
        "PUT", f"/domains/{did}", json_body={"name": "two.example.com"}
    )
    assert status == 422 and body == {"name": ["Domain 'two.example.com' already exists"]}


async def test_disabled_traffic_sources_are_listed_and_cloned(client: Client) -> None:
    src = await client.ok("POST", "/traffic_sources", json_body={"name": "TS", "state": "disabled"})
    assert [s["id"] for s in await client.ok("GET", "/traffic_sources")] == [src["id"]]
    clone = await client.ok("POST", f"/traffic_sources/{src['id']}/clone")
    assert clone["name"] == "Copy of TS" and clone["state"] == "disabled"


async def test_only_local_landings_get_a_starter_page(client: Client) -> None:
    local = await client.ok("POST", "/landing_pages", json_body={"name": "L"})
    external = await client.ok(
        "POST",
        "/landing_pages",
        json_body={"name": "E", "landing_type": "external", "url": "https://example.com/"},
    )
    assert local["action_type"] == "local_file"
    assert external["action_type"] == "http"
    assert external["action_payload"] == "https://example.com/"
    tree = await client.ok("GET", f"/landing_pages/{local['id']}/get_structure")
    assert [c["name"] for c in tree["children"]] == ["index.html"]
    tree = await client.ok("GET", f"/landing_pages/{external['id']}/get_structure")
    assert tree["children"] == []
