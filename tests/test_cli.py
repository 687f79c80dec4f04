"""The keitaro-node command, run as a user runs it (the installed console script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
from support import ROOT

SCRIPT = Path(sys.executable).parent / "keitaro-node"


def cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**clean, **(env or {})},
        cwd=ROOT,
    )


def test_demo_workflow_creates_streams_on_the_sandbox() -> None:
    done = cli(
        "run",
        "workflows/create_stream.json",
        "--input",
        "workflows/create_stream.items.json",
        "--sandbox",
    )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert len(items) == 3
    for index, item in enumerate(items):
        envelope = item["json"]
        assert envelope["success"] is True
        assert isinstance(envelope["data"]["id"], int)
        assert envelope["request"]["method"] == "POST"
        assert envelope["request"]["url"].endswith("/admin_api/v1/streams")
        assert envelope["request"]["headers"]["Api-Key"] == "***"
        assert item["pairedItem"]["item"] == index
    assert [i["json"]["data"]["filters"] for i in items][2] == []
    assert "sandbox-api-key" not in done.stdout + done.stderr


def test_demo_workflow_without_input_file_fails_the_item_without_a_campaign() -> None:
    done = cli("run", "workflows/create_stream.json", "--sandbox")
    assert done.returncode == 1, done.stderr
    item = json.loads(done.stdout)[0]["json"]
    assert item["success"] is False
    assert "campaign_id: is empty (null) and must be integer" in item["error"]["message"]


def test_run_without_credentials_explains_both_remedies() -> None:
    done = cli("run", "workflows/create_stream.json")
    assert done.returncode == 1
    assert "--credentials" in done.stderr and "KEITARO_API_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_malformed_input_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "items.json"
    bad.write_text('[{"a": 1},')
    done = cli("run", "workflows/create_stream.json", "--input", str(bad), "--sandbox")
    assert done.returncode == 2
    assert "is not valid JSON" in done.stderr and "Traceback" not in done.stderr
    bad.write_text("[1, 2]")
    done = cli("run", "workflows/create_stream.json", "--input", str(bad), "--sandbox")
    assert "items.json: item 0 is a number, expected an object" in done.stderr


def test_missing_workflow_file() -> None:
    done = cli("run", "no/such/workflow.json")
    assert done.returncode == 2 and "workflow file not found" in done.stderr


def test_describe_lists_operations_for_people_and_tools() -> None:
    done = cli("describe")
    assert done.returncode == 0, done.stderr
    assert "Работа с API Keitaro" in done.stdout
    assert "streamData" in done.stdout and "Данные Потока" in done.stdout
    machine = json.loads(cli("describe", "--json").stdout)
    stream = next(r for r in machine["resources"] if r["name"] == "stream")
    create = next(o for o in stream["operations"] if o["name"] == "create")
    assert create["routing"]["method"] == "POST" and create["routing"]["path"] == "/streams"


async def test_sandbox_command_serves_the_api() -> None:
    process = subprocess.Popen(
        [str(SCRIPT), "sandbox", "--port", "0", "--api-key", "cli-key"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().split(": ", 1)[1]
        assert process.stdout.readline().strip() == "API key: cli-key"
        async with aiohttp.ClientSession() as session:
            async with session.get(
                url + "/admin_api/v1/campaigns", headers={"Api-Key": "cli-key"}
            ) as resp:
                assert resp.status == 200 and isinstance(await resp.json(), list)
            async with session.get(
                url + "/admin_api/v1/campaigns", headers={"Api-Key": "nope"}
            ) as resp:
                assert resp.status == 401
    finally:
        process.terminate()
        process.wait(timeout=10)
