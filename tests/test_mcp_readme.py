"""The README's MCP section: its client configuration starts a working server, as printed."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from support import ROOT

pytest.importorskip("mcp")

from mcp import ClientSession, StdioServerParameters, stdio_client


def section(name: str) -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    start = text.index(f"\n## {name}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_the_commands_are_the_cli_s() -> None:
    commands = re.findall(r"^keitaro-node mcp(.*?)(?:#|$)", section("MCP"), flags=re.MULTILINE)
    assert len(commands) >= 4
    from keitaro_node.cli import _parser

    for rest in commands:
        args = _parser().parse_args(["mcp", *rest.split()])
        assert args.command == "mcp"


async def test_the_client_configuration_starts_the_server() -> None:
    [config] = [
        json.loads(block)
        for block in re.findall(r"```json\n(.*?)```", section("MCP"), flags=re.DOTALL)
        if "mcpServers" in block
    ]
    server = config["mcpServers"]["keitaro"]
    command = Path(sys.executable).with_name(server["command"])  # the console script
    assert command.is_file(), f"{command} is not installed"
    params = StdioServerParameters(command=str(command), args=server["args"], cwd=str(ROOT))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {t.name for t in (await session.list_tools()).tools}
        assert {"keitaro_campaign", "keitaro_report"} <= tools
        result = await session.call_tool("keitaro_campaign", {"operation": "getAll"})
        text = "".join(getattr(c, "text", "") for c in result.content)
        assert not result.is_error, text
        assert [c["name"] for c in json.loads(text)] == ["Sandbox campaign"]
