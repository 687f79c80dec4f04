"""Dry runs: every item is resolved and checked, the request it would send is output, and
nothing reaches the tracker or the service - for the Keitaro node and HTTP Request alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SECRET_KEY
from http_request_support import Service, http_node, running_service
from support import ROOT, chain, dump, keitaro_workflow, node, run, stream_body

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.sandbox import Sandbox

DRY = {"dryRun": True}
TOKEN = "tok-dry-1f2e3d4c5b6a"
SCRIPT = Path(sys.executable).parent / "keitaro-node"


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


def test_the_command_prints_every_request_and_sends_none(tracker: Sandbox) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}
    done = subprocess.run(
        [
            str(SCRIPT),
            "run",
            "workflows/create_stream.json",
            "--input",
            "workflows/create_stream.items.json",
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**clean, "KEITARO_DOMAIN": tracker.url, "KEITARO_API_KEY": tracker.api_key},
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert tracker.request_count() == 0
    items = json.loads(done.stdout)
    assert len(items) == 3
    for index, item in enumerate(items):
        envelope = item["json"]
        assert envelope["dryRun"] is True and envelope["data"] is None
        request = envelope["request"]
        assert request["method"] == "POST"
        assert request["url"] == f"{tracker.url}/admin_api/v1/streams"
        assert request["headers"]["Api-Key"] == "***"
        assert request["body"]["campaign_id"] == 1 and request["body"]["type"] == "regular"
        assert item["pairedItem"]["item"] == index
    assert [i["json"]["request"]["body"]["name"] for i in items] == [
        "GB - UK traffic",
        "DE - German traffic",
        "ALL - Everyone else",
    ]
    assert SECRET_KEY not in done.stdout + done.stderr
    assert "dry run, nothing sent: 3 items in: 3 ok, 0 failed" in done.stderr
    assert "0 requests" in done.stderr


async def test_checks_still_fail_items_and_the_destructive_guard_holds(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    workflow = keitaro_workflow(
        {"resource": "stream", "operation": "create", "streamData": "={{ $json.stream }}"},
        onError="continueRegularOutput",
    )
    rows = [
        {"stream": stream_body(campaign_id, offers=[{"offer_id": 1, "share": 60}])},
        {"stream": stream_body(campaign_id, position="3")},
    ]
    result = await run(workflow, rows, credentials, options=DRY)
    bad, good = result.items("Keitaro")
    assert "add up to 60, not 100" in bad.json["error"]["message"] and bad.json["dryRun"]
    assert good.json["request"]["body"]["position"] == 3
    assert good.metadata == {
        "dryRun": True,
        "warnings": [
            "'Данные Потока' (streamData): position: the text \"3\" was sent as the number 3"
        ],
    }
    with pytest.raises(WorkflowError, match=r"would .*Nothing was sent"):
        await run(
            keitaro_workflow({"resource": "botList", "operation": "clear"}),
            None,
            credentials,
            options=DRY,
        )
    confirmed = await run(
        keitaro_workflow({"resource": "botList", "operation": "clear", "confirm": True}),
        None,
        credentials,
        options=DRY,
    )
    assert confirmed.items("Keitaro")[0].json["request"]["method"] == "DELETE"
    assert tracker.request_count() == 0


async def test_a_paged_export_shows_its_first_request_and_creates_no_file(
    tracker: Sandbox, credentials: CredentialStore, tmp_path: Path
) -> None:
    workflow = keitaro_workflow(
        {
            "resource": "click",
            "operation": "getLog",
            "returnAll": True,
            "interval": "today",
            "options": {"outputFile": "clicks.jsonl"},
        }
    )
    result = await run(workflow, None, credentials, options={**DRY, "outputDir": str(tmp_path)})
    request = result.items("Keitaro")[0].json["request"]
    assert request["method"] == "POST" and request["url"].endswith("/clicks/log")
    assert request["body"]["limit"] == 1000 and request["body"]["offset"] == 0
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "clicks.jsonl").write_text("an earlier export\n")
    with pytest.raises(WorkflowError, match="already exists"):
        await run(workflow, None, credentials, options={**DRY, "outputDir": str(tmp_path)})
    assert tracker.request_count() == 0


async def test_http_request_shows_the_request_with_secrets_masked(service: Service) -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        http_node(
            {
                "method": "POST",
                "url": f"={service.url}/echo/{{{{ $json.n }}}}",
                "authentication": "genericCredentialType",
                "genericAuthType": "httpHeaderAuth",
                "sendQuery": True,
                "queryParameters": {"parameters": [{"name": "n", "value": "={{ $json.n }}"}]},
                "sendBody": True,
                "bodyParameters": {"parameters": [{"name": "token", "value": TOKEN}]},
            },
            credentials={"httpHeaderAuth": {"id": "1", "name": "my credential"}},
        ),
        node(
            "After",
            "n8n-nodes-base.set",
            {
                "mode": "manual",
                "assignments": {
                    "assignments": [
                        {
                            "id": "1",
                            "name": "would",
                            "value": "={{ $json.request.method + ' ' + $json.request.url }}",
                            "type": "string",
                        }
                    ]
                },
                "options": {},
            },
            typeVersion=3.4,
        ),
    )
    store = CredentialStore({"my credential": {"name": "X-Token", "value": TOKEN}}, environ={})
    result = await run(workflow, [{"n": 1}, {"n": 2}], store, options=DRY)
    assert service.seen == []
    shown = [i.json for i in result.items("HTTP")]
    assert shown[0]["dryRun"] is True
    request: dict[str, Any] = shown[1]["request"]
    assert request["method"] == "POST"
    assert request["url"] == f"{service.url}/echo/2?n=2"
    assert request["query"] == {"n": 2}
    assert request["headers"]["X-Token"] == "***"
    assert request["body"] == {"token": "***"}
    assert [i.json["would"] for i in result.items("After")] == [
        f"POST {service.url}/echo/1?n=1",
        f"POST {service.url}/echo/2?n=2",
    ]
    assert TOKEN not in dump(result)
