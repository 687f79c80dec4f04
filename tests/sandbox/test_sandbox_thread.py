"""Synchronous use: the sandbox in its own thread, driven with urllib."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from keitaro_node.sandbox import Sandbox

API = "/admin_api/v1"


def _call(sb: Sandbox, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        sb.url + API + path,
        data=data,
        method=method,
        headers={"Api-Key": sb.api_key, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_start_in_thread_context_manager() -> None:
    with Sandbox() as sb:
        assert sb.url.startswith("http://127.0.0.1:")
        campaign = sb.seed_campaign("Threaded")
        status, body = _call(sb, "GET", f"/campaigns/{campaign['id']}")
        assert status == 200 and body["name"] == "Threaded"
        sb.faults.add("status", path=f"{API}/campaigns", status=504)
        assert _call(sb, "GET", "/campaigns")[0] == 504
        assert sb.request_count("GET", f"{API}/campaigns") == 1
        sb.reset_counts()
        assert sb.request_count() == 0
    with pytest.raises(RuntimeError):
        _ = sb.url


def test_explicit_start_stop_thread() -> None:
    sb = Sandbox()
    sb.start_in_thread()
    try:
        status, body = _call(sb, "POST", "/campaigns", {"name": "x", "alias": "thr1"})
        assert status == 200 and body["alias"] == "thr1"
    finally:
        sb.stop_thread()
