"""Helpers for tests: workflow builders and a runner over the real engine."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

from keitaro_node.app import run_workflow
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.engine import RunResult
from keitaro_node.runtime.items import Item, items_from_json
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.runtime.workflow import parse_workflow

ROOT = Path(__file__).resolve().parents[1]
KEITARO = "n8n-nodes-keitaro.keitaro"


def node(
    name: str, type_: str, parameters: dict[str, Any] | None = None, **settings: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "typeVersion": 1,
        "position": [0, 0],
        "parameters": parameters or {},
        **settings,
    }


def chain(*nodes: dict[str, Any], pin: dict[str, Any] | None = None) -> dict[str, Any]:
    """A workflow where each node feeds the next."""
    connections = {
        a["name"]: {"main": [[{"node": b["name"], "type": "main", "index": 0}]]}
        for a, b in itertools.pairwise(nodes)
    }
    return {"name": "test", "nodes": list(nodes), "connections": connections, "pinData": pin or {}}


def keitaro_workflow(parameters: dict[str, Any], **settings: Any) -> dict[str, Any]:
    """Manual Trigger -> Keitaro node with these parameters and node settings."""
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node(
            "Keitaro",
            KEITARO,
            parameters,
            credentials={"keitaroApi": {"id": "1", "name": "test"}},
            **settings,
        ),
    )


def stream_body(campaign_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "type": "regular",
        "name": "Flow",
        "schema": "redirect",
        "action_type": "http",
        "action_payload": "https://example.com/",
        **fields,
    }


async def run(
    workflow: dict[str, Any],
    items: list[dict[str, Any]] | None = None,
    credentials: CredentialStore | None = None,
    host: PluginHost | None = None,
    options: dict[str, Any] | None = None,
) -> RunResult:
    parsed = parse_workflow(copy.deepcopy(workflow))
    inputs: list[Item] | None = items_from_json(items) if items is not None else None
    return await run_workflow(parsed, inputs, credentials, host=host, options=options)


def dump(value: Any) -> str:
    """Everything a user could see of a result, as text (for secret checks)."""
    if isinstance(value, RunResult):
        value = {
            n: [[i.to_json() for i in out] for out in outs] for n, outs in value.outputs.items()
        }
    return json.dumps(value, ensure_ascii=False, default=str)
