"""MCP tools for a plugin's own node with resources, run through the engine (in-process client)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client

from keitaro_node.app import default_plugins
from keitaro_node.mcp.credentials import CredentialSet
from keitaro_node.mcp.server import build_server
from keitaro_node.mcp.service import ServerOptions, ToolService
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.description import (
    CredentialType,
    NodeDescription,
    parse_credential_type,
    parse_node_description,
)
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.node import ExecutionContext, NodeType
from keitaro_node.runtime.plugins import PluginHost, hookimpl

NOTES_KEY = "notes-secret-key-5521"


class NotesNode(NodeType):
    """A node of a plugin: notes kept in memory, behind a credential."""

    type_names = ("acme.notes",)

    def __init__(self) -> None:
        self.notes: dict[str, str] = {}
        self.calls: list[str] = []

    @property
    def description(self) -> NodeDescription:
        text = {
            "displayName": "Text",
            "name": "text",
            "type": "string",
            "required": True,
            "default": "",
        }
        title = {
            "displayName": "Title",
            "name": "title",
            "type": "string",
            "required": True,
            "default": "",
        }
        return parse_node_description(
            {
                "name": "acme",
                "displayName": "Acme Notes",
                "description": "Notes",
                "version": 1,
                "credentials": [{"name": "acmeApi"}],
                "resources": [
                    {
                        "name": "note",
                        "displayName": "Note",
                        "description": "Short notes",
                        "operations": [
                            {"name": "get", "displayName": "Get", "parameters": [title],
                             "routing": {"request": {"method": "GET", "url": "/notes"}}},
                            {"name": "create", "displayName": "Create", "parameters": [title, text],
                             "routing": {"request": {"method": "POST", "url": "/notes"}}},
                        ],
                    }
                ],
            }
        )  # fmt: skip

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        ctx.get_credentials("acmeApi")  # fails without them, as a real node would
        operation = ctx.parameters.static_value("operation")
        out = []
        for index in range(len(items)):
            params = ctx.get_parameters(index)
            self.calls.append(operation)
            if operation == "create":
                self.notes[params["title"]] = params["text"]
            out.append(
                Item(json={"title": params["title"], "text": self.notes.get(params["title"])})
            )
        return [out]


def _plugin(node: NotesNode, credential_type: CredentialType) -> object:
    class Plugin:
        @hookimpl
        def register_node_types(self, register: Callable[[NodeType], None]) -> None:
            register(node)

        @hookimpl
        def register_credential_types(self, register: Callable[[CredentialType], None]) -> None:
            register(credential_type)

    return Plugin()


def _service(node: NotesNode, allow_write: bool) -> ToolService:
    credential_type = parse_credential_type(
        {
            "name": "acmeApi",
            "displayName": "Acme",
            "properties": [
                {"name": "key", "displayName": "Key", "type": "string", "required": True,
                 "typeOptions": {"password": True}},
            ],
            "authenticate": {"type": "generic", "properties": {}},
        }
    )  # fmt: skip
    host = PluginHost([*default_plugins(), _plugin(node, credential_type)], load_entry_points=False)
    store = CredentialStore({"acme": {"key": NOTES_KEY}}, environ={})
    credentials = CredentialSet(store, host.credential_types.values())
    return ToolService(host, credentials, ServerOptions(allow_write=allow_write))


async def _call(client: Client, tool: str, **arguments: Any) -> tuple[bool, str]:
    result = await client.call_tool(tool, arguments)
    return result.is_error, "".join(getattr(c, "text", "") for c in result.content)


async def test_a_plugin_node_gets_tools_that_run_through_the_engine() -> None:
    node = NotesNode()
    node.notes["hello"] = "world"
    async with Client(build_server(_service(node, allow_write=False)), mode="legacy") as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert "acme_note" in tools and "keitaro_stream" in tools
        schema = tools["acme_note"].input_schema
        assert schema["properties"]["operation"]["enum"] == ["get"]
        assert schema["properties"]["credential"]["enum"] == ["acme"]

        error, text = await _call(client, "acme_note", operation="get", title="hello")
        assert not error, text
        assert json.loads(text) == [{"title": "hello", "text": "world"}]
        error, text = await _call(client, "acme_note", operation="create", title="a", text="b")
        assert error and "read-only" in text
        assert node.calls == ["get"]


async def test_plugin_writes_dry_runs_and_plain_values() -> None:
    node = NotesNode()
    async with Client(build_server(_service(node, allow_write=True)), mode="legacy") as client:
        error, text = await _call(
            client, "acme_note", operation="create", title="t", text="x", dry_run=True
        )
        assert not error and json.loads(text)["parameters"] == {"title": "t", "text": "x"}
        assert node.calls == []
        error, text = await _call(client, "acme_note", operation="create", title="t", text="")
        assert error and "'Text' (text) is required" in text
        error, text = await _call(
            client, "acme_note", operation="create", title="t", text="={{ 1 + 1 }}"
        )
        assert error and "expression" in text and node.calls == []
        error, text = await _call(client, "acme_note", operation="create", title="t", text="x")
        assert not error and node.notes == {"t": "x"}
        assert NOTES_KEY not in text
