"""`keitaro-node mcp` driven by the mcp package's own client: over stdio and streamable HTTP.

The server runs as a subprocess against sandbox trackers of this process, so every request it
sends shows in their counters.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, stream_body

pytest.importorskip("mcp")

from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from keitaro_node.sandbox import Sandbox, SandboxConfig

OTHER_KEY = "sk-other-tracker-0b9e44d1c2"


@pytest.fixture(scope="module")
def other() -> Iterator[Sandbox]:
    """A second tracker, for named credentials and destructive calls."""
    sandbox = Sandbox(SandboxConfig(api_key=OTHER_KEY, dataset_clicks=300))
    sandbox.start_in_thread()
    yield sandbox
    sandbox.stop_thread()


WRONG_KEY = "wrong-" + OTHER_KEY


@pytest.fixture
def creds(tmp_path: Path, tracker: Sandbox, other: Sandbox) -> Path:
    """Three named trackers: the shared one, a second one, and the first with a wrong key."""
    other.reset_counts()
    file = tmp_path / "trackers.json"
    file.write_text(
        json.dumps(
            {
                "main": {"domain": tracker.url, "apiKey": tracker.api_key},
                "other": {"domain": other.url, "apiKey": other.api_key},
                "wrong": {"domain": tracker.url, "apiKey": WRONG_KEY},
            }
        ),
        "utf-8",
    )
    return file


@pytest.fixture
def flows(tmp_path: Path) -> Path:
    """Saved workflows: one that reads, one that creates streams, and an items file."""
    folder = tmp_path / "flows"
    folder.mkdir()
    (folder / "types.json").write_text(
        json.dumps(_workflow({"resource": "stream", "operation": "getTypes"}))
    )
    create = _workflow({"resource": "stream", "operation": "create", "streamData": "={{ $json }}"})
    (folder / "create.json").write_text(json.dumps(create))
    (folder / "create.items.json").write_text(json.dumps([{"a": 1}]))
    return folder


def _workflow(parameters: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "parameters": {}},
            {
                "name": "Keitaro",
                "type": "n8n-nodes-keitaro.keitaro",
                "parameters": parameters,
                "credentials": {"keitaroApi": {"id": "1", "name": "Keitaro account"}},
            },
        ],
        "connections": {"Start": {"main": [[{"node": "Keitaro", "type": "main", "index": 0}]]}},
    }


def secrets_kept(text: str, tracker: Sandbox) -> bool:
    return all(key not in text for key in (tracker.api_key, OTHER_KEY, WRONG_KEY))


class Session:
    """A client session and everything the server said, for the secret checks."""

    def __init__(self, session: ClientSession) -> None:
        self.session = session
        self.seen: list[str] = []
        self.stderr = ""

    async def tools(self) -> dict[str, Any]:
        listed = await self.session.list_tools()
        self.seen += [t.model_dump_json() for t in listed.tools]
        return {t.name: t for t in listed.tools}

    async def call(self, tool: str, **arguments: Any) -> tuple[bool, str]:
        result = await self.session.call_tool(tool, arguments)
        text = "".join(getattr(c, "text", "") for c in result.content)
        self.seen.append(text)
        return result.is_error, text

    def everything(self) -> str:
        """Tool lists, answers and the server's log (after the server stopped)."""
        return "\n".join([*self.seen, self.stderr])


@contextlib.asynccontextmanager
async def mcp_server(*args: str) -> AsyncIterator[Session]:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "keitaro_node.cli", "mcp", *args], cwd=str(ROOT)
    )
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errlog:
        session: Session | None = None
        try:
            async with (
                stdio_client(params, errlog=errlog) as (read, write),
                ClientSession(read, write) as client,
            ):
                await client.initialize()
                session = Session(client)
                yield session
        finally:
            errlog.seek(0)
            if session is not None:
                session.stderr = errlog.read()


# Each test starts one server process (the mcp package alone takes a while to import), and
# goes through several calls with it.


async def test_a_read_only_server(
    creds: Path, flows: Path, tracker: Sandbox, other: Sandbox
) -> None:
    args = ("--credentials", str(creds), "--workflows", str(flows), "--max-result-chars", "3000")
    async with mcp_server(*args) as mcp:
        # the tools: one per resource, reads only
        tools = await mcp.tools()
        assert len(tools) == 16 and "keitaro_stream" in tools and "run_workflow" in tools
        stream = tools["keitaro_stream"]
        operations = stream.input_schema["properties"]["operation"]["enum"]
        assert "getTypes" in operations and "create" not in operations
        assert "dry_run" not in stream.input_schema["properties"]
        assert stream.annotations is not None and stream.annotations.read_only_hint is True
        assert stream.input_schema["properties"]["credential"]["enum"] == ["main", "other", "wrong"]
        assert "credential" in stream.input_schema["required"]

        # a read reaches the tracker named
        error, text = await mcp.call("keitaro_stream", operation="getTypes", credential="main")
        assert not error and {t["value"] for t in json.loads(text)} >= {"regular", "forced"}
        assert tracker.request_count("GET", "/admin_api/v1/stream_types") == 1
        error, text = await mcp.call("keitaro_log", operation="getTypes", credential="other")
        assert not error and other.request_count("POST", "/admin_api/v1/logs/types") == 1

        # writes are refused, and nothing is sent
        error, text = await mcp.call(
            "keitaro_stream", operation="create", credential="main", streamData=stream_body(1)
        )
        assert error and "read-only" in text and "--allow-write" in text
        error, text = await mcp.call(
            "keitaro_bot_list", operation="clear", credential="main", confirm=True
        )
        assert error and "read-only" in text
        assert tracker.request_count() == 1

        # credentials: required, known, and a refused key is not echoed
        error, text = await mcp.call("keitaro_log", operation="getTypes")
        assert error and "credential" in text
        error, text = await mcp.call("keitaro_log", operation="getTypes", credential="staging")
        assert error and "staging" in text
        error, text = await mcp.call("keitaro_log", operation="getTypes", credential="wrong")
        assert error and "NodeApiError" in text and "401" in text

        # a long export is cut to the answer's limit, with a note, after a page or two
        tracker.reset_counts()
        error, text = await mcp.call(
            "keitaro_click",
            operation="getLog",
            credential="main",
            interval="all_time",
            columns=["sub_id"],
            returnAll=True,
        )
        assert not error, text
        answer = json.loads(text)
        assert answer["truncated"] is True and 0 < answer["count"] < 2000 and len(text) <= 3000
        assert tracker.request_count("POST", "/admin_api/v1/clicks/log") <= 2
        error, text = await mcp.call(
            "keitaro_report",
            operation="build",
            credential="main",
            interval="all_time",
            dimensions=["campaign_id"],
            measures=["clicks"],
            summary=True,
            returnAll=True,
        )
        report = json.loads(text)
        assert not error and report["count"] == len(report["records"]) and "summary" in report

        # saved workflows: only the one that reads is offered and run
        tracker.reset_counts()
        workflow = tools["run_workflow"].input_schema["properties"]["workflow"]
        assert workflow["enum"] == ["types"]
        error, text = await mcp.call("run_workflow", workflow="types", credential="main")
        assert not error and json.loads(text)["items"][0]["operation"] == "getTypes"
        error, text = await mcp.call("run_workflow", workflow="create", credential="main")
        assert error and "read-only" in text and "Keitaro" in text
        assert tracker.request_count() == 1
    assert secrets_kept(mcp.everything(), tracker)


async def test_a_server_that_may_write(
    creds: Path, flows: Path, tracker: Sandbox, other: Sandbox, campaign_id: int
) -> None:
    args = ("--credentials", str(creds), "--workflows", str(flows), "--allow-write")
    async with mcp_server(*args) as mcp:
        tools = await mcp.tools()
        stream = tools["keitaro_stream"]
        assert "create" in stream.input_schema["properties"]["operation"]["enum"]
        assert "dry_run" in stream.input_schema["properties"]
        assert tools["keitaro_bot_list"].annotations.destructive_hint is True

        # a dry run validates and shows the request, and sends nothing
        body = stream_body(campaign_id, name="From MCP")
        error, text = await mcp.call(
            "keitaro_stream", operation="create", credential="main", streamData=body, dry_run=True
        )
        assert not error, text
        preview = json.loads(text)
        assert preview["sent"] is False
        request = preview["request"]
        assert (request["method"], request["url"]) == ("POST", tracker.api_url + "/streams")
        assert request["body"]["name"] == "From MCP" and request["headers"]["Api-Key"] == "***"
        error, text = await mcp.call(
            "keitaro_stream", operation="create", credential="main", streamData={}, dry_run=True
        )
        assert error and "Данные Потока" in text
        assert tracker.request_count() == 0

        # the write itself, and a body the node refuses
        error, text = await mcp.call(
            "keitaro_stream", operation="create", credential="main", streamData=body
        )
        assert not error and json.loads(text)["name"] == "From MCP"
        error, text = await mcp.call(
            "keitaro_stream", operation="create", credential="main", streamData={"name": 5}
        )
        assert error and "NodeOperationError" in text and "Данные Потока" in text
        assert tracker.request_count("POST", "/admin_api/v1/streams") == 1

        # destructive: refused without confirm, shown by a dry run, done with confirm
        error, text = await mcp.call("keitaro_bot_list", operation="clear", credential="other")
        assert error and "Nothing was sent" in text and "confirm" in text
        error, text = await mcp.call(
            "keitaro_bot_list", operation="clear", credential="other", confirm=True, dry_run=True
        )
        assert not error and json.loads(text)["request"]["method"] == "DELETE"
        assert other.request_count() == 0
        error, text = await mcp.call(
            "keitaro_bot_list", operation="clear", credential="other", confirm=True
        )
        assert not error, text
        assert other.request_count("DELETE", "/admin_api/v1/botlist") == 1

        # saved workflows that write: a dry run lists the nodes, a run creates
        tracker.reset_counts()
        workflow = tools["run_workflow"].input_schema["properties"]["workflow"]
        assert workflow["enum"] == ["create", "types"]
        error, text = await mcp.call(
            "run_workflow", workflow="create", credential="main", dry_run=True
        )
        assert not error and json.loads(text)["nodes"][1]["effect"] == "write"
        assert tracker.request_count() == 0
        error, text = await mcp.call(
            "run_workflow",
            workflow="create",
            credential="main",
            items=[stream_body(campaign_id, name="Saved flow")],
        )
        assert not error, text
        assert json.loads(text)["items"][0]["data"]["name"] == "Saved flow"
        assert tracker.request_count("POST", "/admin_api/v1/streams") == 1
    assert secrets_kept(mcp.everything(), tracker)


async def test_one_tool_per_operation_with_the_body_schema(creds: Path, tracker: Sandbox) -> None:
    args = ("--credentials", str(creds), "--allow-write", "--tools", "operation")
    async with mcp_server(*args) as mcp:
        tools = await mcp.tools()
        assert len(tools) == 114
        create = tools["keitaro_stream_create"].input_schema
        assert create["required"] == ["streamData", "credential"]
        assert "campaign_id" in create["properties"]["streamData"]["required"]
        assert "filter" in create["$defs"]
        error, text = await mcp.call("keitaro_stream_create", credential="main", streamData={})
        assert error and "invalid arguments" in text and "'campaign_id' is a required" in text
        error, text = await mcp.call("keitaro_stream_get_types", credential="main")
        assert not error and json.loads(text)
    assert tracker.request_count() == 1
    assert secrets_kept(mcp.everything(), tracker)


@contextlib.contextmanager
def http_server(*args: str) -> Iterator[str]:
    """`keitaro-node mcp --http` on a free port; yields its URL; stopped by its own pid."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "keitaro_node.cli", "mcp", "--http", "--port", "0", *args],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
        )
        try:
            url = None
            deadline = time.monotonic() + 60
            while url is None and time.monotonic() < deadline and process.poll() is None:
                errors.seek(0)
                for line in errors.read().splitlines():
                    if line.startswith("MCP server: "):
                        url = line.split(": ", 1)[1]
                time.sleep(0.05)
            errors.seek(0)
            assert url is not None, errors.read()
            yield url
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        errors.seek(0)
        assert "Traceback" not in errors.read()


async def test_streamable_http(creds: Path, tracker: Sandbox) -> None:
    with http_server("--credentials", str(creds)) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/mcp")
        async with (
            streamable_http_client(url) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            tools = {t.name for t in (await session.list_tools()).tools}
            assert "keitaro_campaign" in tools
            result = await session.call_tool(
                "keitaro_campaign", {"operation": "getAll", "credential": "main", "limit": 2}
            )
            text = "".join(getattr(c, "text", "") for c in result.content)
            assert not result.is_error, text
            assert 1 <= len(json.loads(text)) <= 2
            refused = await session.call_tool(
                "keitaro_campaign",
                {"operation": "cleanArchive", "credential": "main", "confirm": True},
            )
            assert refused.is_error
    assert tracker.request_count("GET", "/admin_api/v1/campaigns") == 1
    assert tracker.request_count() == 1
