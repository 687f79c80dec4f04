"""The work every throughput run does: input items, the n8n workflow, and the request bodies.

Each input item describes one flow (name, country, offer URL, weight, offers). The workflow
is the one a user builds in n8n: Manual Trigger -> Edit Fields (expressions build the
stream) -> Keitaro "stream: create". The raw client sends the very bodies that the Edit
Fields step produces, so both clients put the same bytes on the wire.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

KEITARO = "n8n-nodes-keitaro.keitaro"
COUNTRIES = ("GB", "DE", "FR", "US", "ES", "IT", "BR", "IN")
DEVICES = ("mobile", "desktop", "tablet")
STREAMS_PATH = "/admin_api/v1/streams"


def input_items(n: int, campaign_id: int = 1) -> list[dict[str, Any]]:
    """``n`` deterministic input items, each describing one flow to create."""
    items = []
    for i in range(n):
        country = COUNTRIES[i % len(COUNTRIES)]
        items.append(
            {
                "campaign_id": campaign_id,
                "name": f"Flow {i + 1}",
                "country": country,
                "device": DEVICES[i % len(DEVICES)],
                "url": f"https://offer.example.com/{country.lower()}?click={{subid}}&n={i}",
                "weight": 10 + i % 90,
                "offers": [
                    {"offer_id": 1 + i % 5, "share": 60},
                    {"offer_id": 6 + i % 5, "share": 40},
                ],
            }
        )
    return items


def _assignment(key: str, name: str, value: Any, type_: str) -> dict[str, Any]:
    return {"id": key, "name": name, "value": value, "type": type_}


_FILTERS = (
    "={{ $json.country ? ["
    "{name: 'country', mode: 'accept', payload: [$json.country]}, "
    "{name: 'device_type', mode: 'accept', payload: [$json.device ?? 'mobile']}, "
    "{name: 'bot', mode: 'reject', payload: null}"
    "] : [] }}"
)


def _edit_fields() -> dict[str, Any]:
    assignments = [
        _assignment("a1", "stream.campaign_id", "={{ $json.campaign_id ?? 1 }}", "number"),
        _assignment("a2", "stream.type", "regular", "string"),
        _assignment(
            "a3",
            "stream.name",
            "={{ ($json.country ?? 'ALL') + ' - ' + ($json.name ?? 'Flow ' + ($itemIndex + 1)) }}",
            "string",
        ),
        _assignment("a4", "stream.schema", "landings", "string"),
        _assignment("a5", "stream.action_type", "http", "string"),
        _assignment(
            "a6",
            "stream.action_payload",
            "={{ $json.url ?? 'https://example.com/?sub=' + $itemIndex }}",
            "string",
        ),
        _assignment("a7", "stream.weight", "={{ $json.weight ?? 100 }}", "number"),
        _assignment("a8", "stream.collect_clicks", True, "boolean"),
        _assignment("a9", "stream.filters", _FILTERS, "array"),
        _assignment("a10", "stream.offers", "={{ $json.offers ?? [] }}", "array"),
    ]
    return {
        "name": "Build Stream",
        "type": "n8n-nodes-base.set",
        "typeVersion": 3.4,
        "position": [220, 0],
        "parameters": {
            "mode": "manual",
            "assignments": {"assignments": assignments},
            "options": {},
        },
    }


def _trigger() -> dict[str, Any]:
    return {
        "name": "Manual Trigger",
        "type": "n8n-nodes-base.manualTrigger",
        "typeVersion": 1,
        "position": [0, 0],
        "parameters": {},
    }


def _keitaro(concurrency: int) -> dict[str, Any]:
    return {
        "name": "Keitaro",
        "type": KEITARO,
        "typeVersion": 1,
        "position": [440, 0],
        "parameters": {
            "resource": "stream",
            "operation": "create",
            "streamData": "={{ $json.stream }}",
            # requestsPerSecond 0 turns the default 25/s limit off: it would be all we measure
            "options": {"concurrency": concurrency, "requestsPerSecond": 0},
        },
        "credentials": {"keitaroApi": {"id": "1", "name": "Keitaro account"}},
    }


def _link(a: str, b: str) -> dict[str, Any]:
    return {a: {"main": [[{"node": b, "type": "main", "index": 0}]]}}


def create_workflow(concurrency: int) -> dict[str, Any]:
    """Manual Trigger -> Edit Fields -> Keitaro stream create, as n8n exports it."""
    return {
        "name": "Create streams (benchmark)",
        "nodes": [_trigger(), _edit_fields(), _keitaro(concurrency)],
        "connections": {
            **_link("Manual Trigger", "Build Stream"),
            **_link("Build Stream", "Keitaro"),
        },
        "pinData": {},
        "settings": {"executionOrder": "v1"},
    }


def edit_fields_workflow() -> dict[str, Any]:
    """Manual Trigger -> Edit Fields only: the engine's share of the work, without HTTP."""
    return {
        "name": "Build streams (benchmark)",
        "nodes": [_trigger(), _edit_fields()],
        "connections": _link("Manual Trigger", "Build Stream"),
        "pinData": {},
        "settings": {"executionOrder": "v1"},
    }


def stream_bodies(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stream bodies the Edit Fields step makes of ``items`` (what the node will send)."""
    from keitaro_node.app import run_workflow
    from keitaro_node.runtime.items import items_from_json
    from keitaro_node.runtime.workflow import parse_workflow

    workflow = parse_workflow(edit_fields_workflow())
    result = asyncio.run(run_workflow(workflow, items_from_json(copy.deepcopy(items))))
    return [item.json["stream"] for item in result.items("Build Stream")]
