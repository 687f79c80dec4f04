"""Fixtures: a sandbox on 127.0.0.1 and a thin aiohttp client that talks plain HTTP to it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import aiohttp
import pytest

from keitaro_node.sandbox import Sandbox, SandboxConfig

API = "/admin_api/v1"
# the synthetic dataset's last day, pinned so that dates in tests mean the same rows every day
DATASET_DAY = date(2026, 1, 31)


class Client:
    """Raw HTTP calls returning (status, parsed body); never raises on HTTP errors."""

    def __init__(self, session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
        self.session = session
        self.sandbox = sandbox

    async def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | str | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        raw: bool = False,
    ) -> tuple[int, Any]:
        url = path if path.startswith("/__sandbox__") else API + path
        kwargs: dict[str, Any] = {"params": params, "headers": headers}
        if json_body is not None:
            kwargs["json"] = json_body
        if data is not None:
            kwargs["data"] = data
        async with self.session.request(method, url, **kwargs) as resp:
            payload = await resp.read()
            if raw:
                return resp.status, payload
            text = payload.decode()
            try:
                return resp.status, json.loads(text) if text else None
            except ValueError:
                return resp.status, text

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        status, body = await self.call(method, path, **kwargs)
        assert status == 200, (method, path, status, body)
        return body

    async def campaign(self, **fields: Any) -> dict[str, Any]:
        body = {"name": "Test campaign", "alias": f"t{id(fields)}{len(fields)}", **fields}
        result: dict[str, Any] = await self.ok("POST", "/campaigns", json_body=body)
        return result

    async def stream(self, campaign_id: int, **fields: Any) -> dict[str, Any]:
        body = {
            "campaign_id": campaign_id,
            "type": "regular",
            "name": "Flow",
            "schema": "redirect",
            "action_type": "http",
            "action_payload": "https://example.com",
            **fields,
        }
        result: dict[str, Any] = await self.ok("POST", "/streams", json_body=body)
        return result


@pytest.fixture
def config() -> SandboxConfig:
    return SandboxConfig(dataset_clicks=3000, today=DATASET_DAY)


@pytest.fixture
async def sandbox(config: SandboxConfig) -> AsyncIterator[Sandbox]:
    async with Sandbox(config) as sb:
        yield sb


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[Client]:
    headers = {"Api-Key": sandbox.api_key}
    async with aiohttp.ClientSession(base_url=sandbox.url, headers=headers) as session:
        yield Client(session, sandbox)
