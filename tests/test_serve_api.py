"""POST /run, the API token, size and concurrency limits, the log, loading the folder."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from test_serve_helpers import (
    TOKEN,
    Probe,
    host_with,
    manual,
    probe_node,
    serving,
    set_node,
    webhook_node,
    workflow,
)

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.sandbox import Sandbox
from keitaro_node.serve import ServeConfig, StartError, WorkflowServer

AUTH = {"Authorization": f"Bearer {TOKEN}"}
RENAME = workflow(manual(), set_node("Edit Fields", {"offer": "={{ $json.name }}"}))
NUMBER = workflow(
    manual(),
    {
        "name": "Number",
        "type": "n8n-nodes-base.set",
        "typeVersion": 3.4,
        "parameters": {
            "assignments": {
                "assignments": [
                    {"id": "1", "name": "n", "value": "={{ $json.v }}", "type": "number"}
                ]
            },
            "options": {},
        },
    },
)


async def test_run_needs_the_token_and_returns_the_items(tmp_path: Path) -> None:
    async with serving(tmp_path, {"rename": RENAME}, token=TOKEN) as s:
        body = [{"name": "A"}, {"name": "B"}]
        async with s.session.post(f"{s.url}/run/rename", json=body) as answer:
            assert answer.status == 401
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
        async with s.session.post(
            f"{s.url}/run/rename", json=body, headers={"Authorization": "Bearer wrong"}
        ) as answer:
            assert answer.status == 401
        async with s.session.get(f"{s.url}/workflows") as answer:
            assert answer.status == 401
        async with s.session.post(f"{s.url}/run/rename", json=body, headers=AUTH) as answer:
            assert answer.status == 200
            assert await answer.json() == [
                {"json": {"offer": "A"}, "pairedItem": {"item": 0, "input": 0}},
                {"json": {"offer": "B"}, "pairedItem": {"item": 1, "input": 0}},
            ]
        async with s.session.post(
            f"{s.url}/run/rename", json={"name": "C"}, headers=AUTH
        ) as answer:
            assert (await answer.json())[0]["json"] == {"offer": "C"}
        async with s.session.post(
            f"{s.url}/run/rename?output=json", json=body, headers=AUTH
        ) as answer:
            assert await answer.json() == [{"offer": "A"}, {"offer": "B"}]
        async with s.session.get(f"{s.url}/healthz") as answer:
            assert await answer.json() == {"status": "ok"}
        async with s.session.get(f"{s.url}/workflows", headers=AUTH) as answer:
            listed = await answer.json()
            assert [w["name"] for w in listed] == ["rename"]
    assert TOKEN not in s.text.getvalue()


async def test_a_failing_run_answers_422_with_node_item_and_message(tmp_path: Path) -> None:
    async with serving(tmp_path, {"number": NUMBER}) as s:
        answer = await s.session.post(f"{s.url}/run/number", json=[{"v": "1"}, {"v": "abc"}])
        assert answer.status == 422
        body = await answer.json()
    assert body["node"] == "Number"
    assert body["item"] == 1
    assert "'n' expects a number but we got 'abc'" in body["message"]
    assert body["kind"] == "NodeOperationError"
    assert "Traceback" not in json.dumps(body)


async def test_a_tracker_error_names_the_item_and_never_the_key(
    tmp_path: Path, tracker: Sandbox, credentials: CredentialStore
) -> None:
    keitaro = workflow(
        manual(),
        {
            "name": "Keitaro",
            "type": "n8n-nodes-keitaro.keitaro",
            "typeVersion": 1,
            "parameters": {
                "resource": "campaign",
                "operation": "get",
                "campaignId": "={{ $json.id }}",
            },
            "credentials": {"keitaroApi": {"id": "1", "name": "sandbox"}},
        },
    )
    async with serving(tmp_path, {"campaign": keitaro}, credentials=credentials.data) as s:
        answer = await s.session.post(f"{s.url}/run/campaign", json=[{"id": 999999}])
        text = await answer.text()
        assert answer.status == 422
    body = json.loads(text)
    assert body["node"] == "Keitaro" and body["item"] == 0 and body["httpCode"] == 404
    assert tracker.api_key not in text
    assert tracker.api_key not in s.text.getvalue()


async def test_unknown_workflow_and_bad_bodies(tmp_path: Path) -> None:
    async with serving(tmp_path, {"rename": RENAME}) as s:
        async with s.session.post(f"{s.url}/run/nope", json=[]) as answer:
            assert answer.status == 404
            assert "rename" in (await answer.json())["message"]
        async with s.session.post(f"{s.url}/run/rename", data="[1, 2]") as answer:
            assert answer.status == 400
        async with s.session.post(f"{s.url}/run/rename", data="{not json") as answer:
            assert answer.status == 400


async def test_a_body_over_the_limit_is_413(tmp_path: Path) -> None:
    async with serving(
        tmp_path,
        {"rename": RENAME, "hook": workflow(webhook_node("hook", httpMethod="POST"))},
        max_body=1024,
    ) as s:
        big = [{"name": "x" * 100} for _ in range(40)]
        async with s.session.post(f"{s.url}/run/rename", json=big) as answer:
            assert answer.status == 413
            assert (await answer.json())["limit"] == 1024
        async with s.session.post(f"{s.url}/webhook/hook", data=b"y" * 4096) as answer:
            assert answer.status == 413
        async with s.session.post(f"{s.url}/run/rename", json=big[:2]) as answer:
            assert answer.status == 200
    assert not s.events("run.succeeded")[1:]  # only the small run ran


async def test_a_full_workflow_answers_429_with_retry_after(tmp_path: Path) -> None:
    probe = Probe()
    slow = workflow(manual(), probe_node(2))
    async with serving(tmp_path, {"slow": slow}, host=host_with(probe), concurrency=1) as s:
        first = asyncio.ensure_future(s.session.post(f"{s.url}/run/slow", json=[{"n": 1}]))
        for _ in range(400):
            if probe.started:
                break
            await asyncio.sleep(0.01)
        async with s.session.post(f"{s.url}/run/slow", json=[{"n": 2}]) as answer:
            assert answer.status == 429
            assert answer.headers["Retry-After"] == "1"
        answer = await first
        assert answer.status == 200
        assert (await answer.json())[0]["json"] == {"n": 1, "probed": True}
        answer.release()
    assert probe.started == 1 and probe.most_at_once == 1


async def test_every_request_is_one_json_line_without_secrets(tmp_path: Path) -> None:
    secured = workflow(
        {
            **webhook_node("secured", authentication="headerAuth"),
            "credentials": {"httpHeaderAuth": {"id": "1", "name": "k"}},
        }
    )
    creds = {"k": {"name": "X-Key", "value": "hdr-secret-77"}}
    async with serving(
        tmp_path, {"rename": RENAME, "secured": secured}, token=TOKEN, credentials=creds
    ) as s:
        await (await s.session.post(f"{s.url}/run/rename", json=[], headers=AUTH)).release()
        await (
            await s.session.get(
                f"{s.url}/webhook/secured?api_key=query-secret-55&subid=9",
                headers={"X-Key": "hdr-secret-77"},
            )
        ).release()
    lines = [json.loads(line) for line in s.text.getvalue().splitlines()]
    requests = [line for line in lines if line["event"] == "request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("POST", "/run/rename", 200),
        ("GET", "/webhook/secured", 200),
    ]
    assert requests[1]["query_keys"] == ["api_key", "subid"]
    assert requests[1]["workflow"] == "secured"
    text = s.text.getvalue()
    for secret in (TOKEN, "hdr-secret-77", "query-secret-55"):
        assert secret not in text


def _files(folder: Path, files: dict[str, Any]) -> None:
    for name, data in files.items():
        (folder / name).write_text(data if isinstance(data, str) else json.dumps(data), "utf-8")


async def test_broken_files_are_named_and_refused(tmp_path: Path) -> None:
    _files(
        tmp_path,
        {
            "good.json": RENAME,
            "truncated.json": '{"nodes": [',
            "unknown.json": workflow(
                manual(), {"name": "X", "type": "n8n-nodes-base.nope", "parameters": {}}
            ),
            "respond.json": workflow(webhook_node("r", responseMode="responseNode")),
            "cron.json": workflow(
                {
                    "name": "Every",
                    "type": "n8n-nodes-base.scheduleTrigger",
                    "typeVersion": 1.2,
                    "parameters": {
                        "rule": {
                            "interval": [{"field": "cronExpression", "expression": "0 0 L * *"}]
                        }
                    },
                }
            ),
            "same_path.json": workflow(
                webhook_node("r2"),
            ),
            "same_path_too.json": workflow(webhook_node("r2", name="Other")),
        },
    )
    server = WorkflowServer(ServeConfig(folder=tmp_path, port=0))
    with pytest.raises(StartError) as refused:
        await server.start()
    text = str(refused.value)
    assert "truncated.json: " in text and "not valid JSON" in text
    assert "unknown.json: node 'X'" in text and "n8n-nodes-base.nope" in text
    assert "respond.json: node 'Webhook'" in text and "Respond to Webhook" in text
    assert "cron.json: node 'Every'" in text and "Invalid cron expression" in text
    assert "same_path_too.json: node 'Other' listens to GET /webhook/r2" in text
    assert "good.json" not in text

    skipping = WorkflowServer(ServeConfig(folder=tmp_path, port=0, skip_broken=True))
    await skipping.start()
    try:
        assert skipping.state is not None
        assert sorted(skipping.state.workflows) == ["good", "same_path"]
    finally:
        assert await skipping.stop() == 0


async def test_a_reachable_host_needs_a_token(tmp_path: Path) -> None:
    with pytest.raises(StartError, match="API token"):
        await WorkflowServer(ServeConfig(folder=tmp_path, host="0.0.0.0", port=0)).start()


async def test_reload_serves_changed_files_and_keeps_the_old_set_on_errors(tmp_path: Path) -> None:
    async with serving(tmp_path, {"rename": RENAME}) as s:
        _files(tmp_path, {"number.json": NUMBER})
        assert await s.server.reload()
        async with s.session.post(f"{s.url}/run/number", json=[{"v": "2"}]) as answer:
            assert (await answer.json())[0]["json"] == {"n": 2}
        _files(tmp_path, {"broken.json": "{"})
        assert not await s.server.reload()
        assert s.events("reload.refused")[0]["problems"][0].startswith("broken.json: ")
        async with s.session.post(f"{s.url}/run/rename", json=[{"name": "k"}]) as answer:
            assert answer.status == 200


async def test_the_shipped_serving_examples_run_against_a_tracker(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    """workflows/serve/ as the README serves it: a postback and a /run workflow."""
    import aiohttp

    folder = Path(__file__).resolve().parents[1] / "workflows" / "serve"
    server = WorkflowServer(
        ServeConfig(folder=folder, port=0, token=TOKEN), credentials=credentials
    )
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            url = f"{server.url}/webhook/postback?subid=3f2a9c&status=sale&payout=12.5&campaign_id={campaign_id}"
            async with session.get(url) as answer:
                assert await answer.json() == {
                    "subid": "3f2a9c",
                    "status": "sale",
                    "payout": 12.5,
                    "campaign": "Campaign for a test",
                }
            async with session.post(
                f"{server.url}/run/campaign_streams",
                json=[{"campaign_id": campaign_id}],
                headers=AUTH,
            ) as answer:
                assert answer.status == 200
                assert isinstance(await answer.json(), list)
    finally:
        await server.stop()
