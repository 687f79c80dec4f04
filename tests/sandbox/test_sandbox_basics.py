"""Auth, routing, error shapes and the public Python API."""

from __future__ import annotations

import aiohttp
import pytest

from keitaro_node.sandbox import DEFAULT_API_KEY, Sandbox, SandboxConfig, create_app

from .conftest import API, Client


def test_public_api() -> None:
    assert DEFAULT_API_KEY == "sandbox-api-key"
    assert SandboxConfig().api_key == DEFAULT_API_KEY
    app = create_app()
    assert app is not None


async def test_missing_and_wrong_key_is_401(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession(base_url=sandbox.url) as s:
        async with s.get(f"{API}/campaigns") as r:
            assert r.status == 401
            assert await r.json() == {"error": "Invalid API key"}
        async with s.get(f"{API}/campaigns", headers={"Api-Key": "nope-secret"}) as r:
            assert r.status == 401
            assert "nope-secret" not in await r.text()
        auth = {"Authorization": f"Bearer {sandbox.api_key}"}
        async with s.get(f"{API}/campaigns", headers=auth) as r:
            assert r.status == 200
            assert await r.json() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nothing_here"),
        ("POST", "/streams/1"),
        ("GET", "/streams/abc"),
        ("GET", "/campaigns/"),
        ("PATCH", "/campaigns/1"),
        ("GET", "/streams"),
        ("GET", "/stream_actions"),
    ],
)
async def test_unknown_route_is_400(client: Client, method: str, path: str) -> None:
    status, body = await client.call(method, path)
    assert status == 400
    assert body == {"error": f"URL '{method} {path}' does not match any route"}


async def test_non_api_path_serves_admin_html(client: Client) -> None:
    async with client.session.get("/admin/") as r:
        assert r.status == 200
        assert r.content_type == "text/html"
        assert "Keitaro" in await r.text()


async def test_invalid_json_is_400(client: Client) -> None:
    status, body = await client.call(
        "POST", "/campaigns", data="{nope", headers={"Content-Type": "application/json"}
    )
    assert status == 400
    assert "error" in body
    status, body = await client.call("POST", "/campaigns", json_body=[1, 2])
    assert status == 400


async def test_validation_is_422_field_map(client: Client) -> None:
    status, body = await client.call("POST", "/campaigns", json_body={})
    assert status == 422
    assert body == {"alias": ["Alias is required"], "name": ["Name is required"]}


async def test_not_found_is_json_404(client: Client) -> None:
    status, body = await client.call("GET", "/streams/123")
    assert status == 404
    assert body == {"error": "Traffic\\Model\\Stream #123 not found"}


@pytest.mark.parametrize("config", [SandboxConfig(validation_status=406)])
async def test_validation_status_is_configurable(client: Client) -> None:
    status, body = await client.call("POST", "/campaigns", json_body={"name": "x"})
    assert status == 406
    assert body == {"alias": ["Alias is required"]}


async def test_seed_campaign_and_catalogues(sandbox: Sandbox, client: Client) -> None:
    seeded = sandbox.seed_campaign("Seeded")
    assert seeded["name"] == "Seeded" and len(seeded["alias"]) == 8
    assert await client.ok("GET", f"/campaigns/{seeded['id']}") == seeded
    types = await client.ok("GET", "/stream_types")
    assert {t["value"] for t in types} == {"regular", "forced", "default"}
    schemas = await client.ok("GET", "/stream_schemas")
    assert {s["value"] for s in schemas} == {"landings", "redirect", "action"}
    actions = await client.ok("GET", "/streams_actions")
    assert {"http", "do_nothing", "campaign", "show_html"} <= {a["key"] for a in actions}
    assert set(actions[0]) == {"key", "name", "field", "type", "description"}
    filters = await client.ok("GET", "/stream_filters")
    names = {f["value"] for f in filters}
    assert {"country", "sub_id_1", "limit", "schedule"} <= names and "geo" not in names
