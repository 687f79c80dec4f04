"""Synchronous use: the sandbox in its own thread, driven with urllib."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from keitaro_node.sandbox import Sandbox, SandboxConfig

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


def test_file_database_persists(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.sqlite3")
    with Sandbox(SandboxConfig(db_path=db, dataset_clicks=500)) as sb:
        campaign = sb.seed_campaign("Kept")
        status, report = _call(
            sb, "POST", "/report/build", {"range": {"interval": "all_time"}, "measures": ["clicks"]}
        )
        assert status == 200 and report["rows"][0]["clicks"] == 500
    with Sandbox(SandboxConfig(db_path=db, dataset_clicks=500)) as sb:
        status, body = _call(sb, "GET", f"/campaigns/{campaign['id']}")
        assert status == 200 and body["name"] == "Kept"
        assert len(_call(sb, "GET", "/users")[1]) == 1


def test_module_entry_point_prints_url_and_key() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "keitaro_node.sandbox",
            "--port",
            "0",
            "--api-key",
            "k-123",
            "--empty",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        second = process.stdout.readline().strip()
        assert first.startswith("Keitaro sandbox: http://127.0.0.1:")
        assert second == "API key: k-123"
        url = first.split(": ", 1)[1]
        request = urllib.request.Request(url + API + "/campaigns", headers={"Api-Key": "k-123"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert json.loads(resp.read()) == []
    finally:
        process.terminate()
        process.wait(10)
