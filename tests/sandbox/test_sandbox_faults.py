"""Fault modes on the wire, request counting and the control endpoints."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from keitaro_node.sandbox import Sandbox

from .conftest import API, Client


async def test_counts_include_faulted_requests(sandbox: Sandbox, client: Client) -> None:
    sandbox.faults.add("status", path=f"{API}/campaigns", status=503, times=2)
    assert (await client.call("GET", "/campaigns"))[0] == 503
    assert (await client.call("GET", "/campaigns"))[0] == 503
    assert (await client.call("GET", "/campaigns"))[0] == 200
    assert sandbox.request_count("GET", f"{API}/campaigns") == 3
    assert sandbox.request_count(path=f"{API}/streams") == 0
    stats = await client.ok("GET", "/__sandbox__/stats")
    assert stats["total"] == 3
    assert stats["requests"] == [{"method": "GET", "path": f"{API}/campaigns", "count": 3}]
    await client.ok("POST", "/__sandbox__/reset_stats")
    assert sandbox.request_count() == 0


async def test_status_fault_with_retry_after(sandbox: Sandbox, client: Client) -> None:
    sandbox.faults.add("status", path=f"{API}/campaigns", method="GET", status=429, retry_after=3)
    async with client.session.get(f"{API}/campaigns") as r:
        assert r.status == 429
        assert r.headers["Retry-After"] == "3"
        assert "error" in await r.json()
    sandbox.faults.add("status", path=f"{API}/*", status=502, text="Bad Gateway")
    async with client.session.get(f"{API}/offers") as r:
        assert r.status == 502 and await r.text() == "Bad Gateway"


async def test_latency_fault_and_method_filter(sandbox: Sandbox, client: Client) -> None:
    sandbox.faults.add("latency", path=f"{API}/campaigns", method="POST", ms=150)
    await client.ok("GET", "/campaigns")
    assert [f["times"] for f in sandbox.faults.describe()] == [1]  # a GET does not use it
    started = time.perf_counter()
    await client.campaign(alias="slow1")
    assert time.perf_counter() - started >= 0.14
    assert sandbox.faults.describe() == []  # the POST did


async def test_reset_after_handler_performs_the_write(sandbox: Sandbox, client: Client) -> None:
    cid = sandbox.seed_campaign()["id"]
    sandbox.faults.add("reset", path=f"{API}/streams", method="POST", after_handler=True)
    body = {
        "campaign_id": cid,
        "type": "regular",
        "name": "ghost",
        "schema": "redirect",
        "action_type": "http",
    }
    with pytest.raises(aiohttp.ClientError):
        await client.call("POST", "/streams", json_body=body)
    flows = await client.ok("GET", f"/campaigns/{cid}/streams")
    assert [s["name"] for s in flows] == ["ghost"]
    sandbox.faults.add("reset", path=f"{API}/streams")
    with pytest.raises(aiohttp.ClientError):
        await client.call("POST", "/streams", json_body={**body, "name": "never"})
    flows = await client.ok("GET", f"/campaigns/{cid}/streams")
    assert [s["name"] for s in flows] == ["ghost"]
    assert sandbox.request_count("POST", f"{API}/streams") == 2


async def test_truncated_body(sandbox: Sandbox, client: Client) -> None:
    sandbox.seed_campaign()
    sandbox.faults.add("truncated", path=f"{API}/campaigns")
    with pytest.raises(aiohttp.ClientPayloadError):
        await client.call("GET", "/campaigns")
    sandbox.faults.add("truncated", path=f"{API}/campaigns", full_length=False)
    status, body = await client.call("GET", "/campaigns")
    assert status == 200 and isinstance(body, str)
    async with client.session.get(f"{API}/campaigns") as r:
        assert r.status == 200 and isinstance(await r.json(), list)


async def test_html_cloudflare_and_plain_404(sandbox: Sandbox, client: Client) -> None:
    sandbox.faults.add("html", path=f"{API}/campaigns")
    async with client.session.get(f"{API}/campaigns") as r:
        text = await r.text()
        assert r.status == 200 and r.content_type == "text/html"
        assert text.startswith("<!DOCTYPE html>") and "Keitaro" in text
    sandbox.faults.add("cloudflare", path=f"{API}/*")
    async with client.session.get(f"{API}/offers") as r:
        text = await r.text()
        assert r.status == 403 and r.headers["Server"] == "cloudflare" and r.headers["CF-RAY"]
        assert "Cloudflare" in text and "Error" in text and "1010" in text and "Ray ID" in text
    sandbox.faults.add("plain_404", path=f"{API}/campaigns/*")
    async with client.session.get(f"{API}/campaigns/1001") as r:
        assert r.status == 404 and r.content_type == "text/plain"
        assert await r.text() == "Traffic\\Model\\Campaign #1001 not found"


async def test_control_endpoints(sandbox: Sandbox, client: Client) -> None:
    added = await client.ok(
        "POST",
        "/__sandbox__/faults",
        json_body={
            "method": "GET",
            "path": f"{API}/campaigns",
            "mode": "status",
            "status": 500,
            "times": -1,
        },
    )
    assert added["ok"] is True
    for _ in range(3):
        assert (await client.call("GET", "/campaigns"))[0] == 500
    assert len(await client.ok("GET", "/__sandbox__/faults")) == 1
    await client.ok("DELETE", "/__sandbox__/faults")
    assert (await client.call("GET", "/campaigns"))[0] == 200
    status, body = await client.call("POST", "/__sandbox__/faults", json_body={"mode": "boom"})
    assert status == 400 and "error" in body
    seeded = await client.ok("POST", "/__sandbox__/seed_campaign", json_body={"name": "Remote"})
    assert seeded["name"] == "Remote"
    async with (
        aiohttp.ClientSession(base_url=sandbox.url) as anonymous,
        anonymous.get("/__sandbox__/stats") as r,
    ):
        assert r.status == 200
    with pytest.raises(ValueError):
        sandbox.faults.add("nonsense")


async def test_global_latency() -> None:
    from keitaro_node.sandbox import SandboxConfig

    async with (
        Sandbox(SandboxConfig(latency_ms=60)) as sb,
        aiohttp.ClientSession(base_url=sb.url) as s,
    ):
        started = time.perf_counter()
        async with s.get(f"{API}/campaigns", headers={"Api-Key": sb.api_key}) as r:
            assert r.status == 200
        assert time.perf_counter() - started >= 0.055
    await asyncio.sleep(0)
