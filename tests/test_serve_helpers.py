"""Helpers for the workflow server's tests: a real server on a free loopback port, workflow
builders for trigger nodes, and a plugin node that takes its time and counts overlaps."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar

import aiohttp

from keitaro_node.app import plugin_host
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.items import Item, PairedItem
from keitaro_node.runtime.node import ExecutionContext
from keitaro_node.runtime.nodes.base import DescribedNode
from keitaro_node.runtime.plugins import PluginHost, hookimpl
from keitaro_node.serve import ServeConfig, WorkflowServer
from keitaro_node.serve.logs import EventLog

TOKEN = "serve-token-5b1e9c0d7a"


def workflow(
    *nodes: dict[str, Any], edges: list[tuple[str, str, int]] | None = None
) -> dict[str, Any]:
    """Nodes chained in order, or connected by (source, target, source output) edges."""
    if edges is None:
        edges = [(a["name"], b["name"], 0) for a, b in itertools.pairwise(nodes)]
    connections: dict[str, Any] = {}
    for source, target, output in edges:
        outputs = connections.setdefault(source, {"main": []})["main"]
        while len(outputs) <= output:
            outputs.append([])
        outputs[output].append({"node": target, "type": "main", "index": 0})
    return {
        "name": "test",
        "nodes": list(nodes),
        "connections": connections,
        "settings": {"executionOrder": "v1"},
    }


def webhook_node(
    path: str, version: float = 2, name: str = "Webhook", **parameters: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "type": "n8n-nodes-base.webhook",
        "typeVersion": version,
        "parameters": {"path": path, **parameters},
        "webhookId": "4f1c2a9e-0000-4000-8000-000000000001",
    }


def set_node(name: str, fields: dict[str, str], version: float = 3.4) -> dict[str, Any]:
    assignments = [
        {"id": str(i), "name": key, "value": value, "type": "string"}
        for i, (key, value) in enumerate(fields.items())
    ]
    return {
        "name": name,
        "type": "n8n-nodes-base.set",
        "typeVersion": version,
        "parameters": {"assignments": {"assignments": assignments}, "options": {}},
    }


def manual() -> dict[str, Any]:
    return {
        "name": "Start",
        "type": "n8n-nodes-base.manualTrigger",
        "typeVersion": 1,
        "parameters": {},
    }


class Probe(DescribedNode):
    """Waits `seconds`, counts how many of its runs overlap, marks its items."""

    type_names = ("test-nodes.probe",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "probe",
        "displayName": "Probe",
        "description": "Takes its time and counts overlapping runs",
        "version": 1,
        "properties": [
            {"displayName": "Seconds", "name": "seconds", "type": "number", "default": 0}
        ],
    }

    def __init__(self) -> None:
        self.active = 0
        self.most_at_once = 0
        self.started = 0
        self.finished = 0
        self.seen: list[dict[str, Any]] = []

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        seconds = float(ctx.get_parameters(0).get("seconds") or 0)
        self.active += 1
        self.started += 1
        self.most_at_once = max(self.most_at_once, self.active)
        self.seen.extend(item.json for item in items)
        try:
            await asyncio.sleep(seconds)
        finally:
            self.active -= 1
            self.finished += 1
        return [
            [
                Item(json={**item.json, "probed": True}, paired_item=PairedItem(i))
                for i, item in enumerate(items)
            ]
        ]


def probe_node(seconds: float, name: str = "Probe") -> dict[str, Any]:
    return {
        "name": name,
        "type": "test-nodes.probe",
        "typeVersion": 1,
        "parameters": {"seconds": seconds},
    }


class ProbePlugin:
    def __init__(self, probe: Probe) -> None:
        self.probe = probe

    @hookimpl
    def register_node_types(self, register: Callable[[Any], None]) -> None:
        register(self.probe)


def host_with(probe: Probe) -> PluginHost:
    host = plugin_host(load_entry_points=False)
    host.register(ProbePlugin(probe), name="probe")
    return host


class Served:
    """A running server, a client session and the log lines it wrote."""

    def __init__(
        self,
        server: WorkflowServer,
        session: aiohttp.ClientSession,
        log: EventLog,
        text: io.StringIO,
    ) -> None:
        self.server = server
        self.session = session
        self.log = log
        self.text = text

    @property
    def url(self) -> str:
        return self.server.url

    def events(self, name: str) -> list[dict[str, Any]]:
        return [line for line in self.log.lines or [] if line["event"] == name]

    async def wait_for(
        self, name: str, count: int = 1, seconds: float = 30
    ) -> list[dict[str, Any]]:
        """Poll the log until `count` lines of this event came (a bound against hanging only)."""
        for _ in range(int(seconds * 20)):
            found = self.events(name)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"{count} '{name}' log line(s) expected, got {len(self.events(name))}")


@asynccontextmanager
async def serving(
    folder: Path,
    workflows: dict[str, dict[str, Any]],
    *,
    credentials: dict[str, Any] | None = None,
    host: PluginHost | None = None,
    **config: Any,
) -> AsyncIterator[Served]:
    for name, data in workflows.items():
        (folder / f"{name}.json").write_text(json.dumps(data), "utf-8")
    text = io.StringIO()
    log = EventLog(text)
    log.lines = []
    server = WorkflowServer(
        ServeConfig(folder=folder, port=0, **config),
        host=host or plugin_host(load_entry_points=False),
        credentials=CredentialStore(credentials or {}, environ={}),
        log=log,
    )
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            yield Served(server, session, log, text)
    finally:
        await server.stop()
