"""The workflow's time zone: one choice, as n8n makes it, for expressions and nodes alike."""

from __future__ import annotations

import pytest
from support import chain, node, run

from keitaro_node.runtime.timezone import N8N_DEFAULT_ZONE, workflow_zone


@pytest.fixture
def no_zone_variables(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("GENERIC_TIMEZONE", raising=False)
    monkeypatch.delenv("TZ", raising=False)
    return monkeypatch


def test_the_workflow_setting_then_the_instance_then_n8ns_default(
    no_zone_variables: pytest.MonkeyPatch,
) -> None:
    assert workflow_zone(None).name == N8N_DEFAULT_ZONE == "America/New_York"
    no_zone_variables.setenv("TZ", "Asia/Tokyo")
    assert workflow_zone({}).name == "Asia/Tokyo"
    no_zone_variables.setenv("GENERIC_TIMEZONE", "Europe/Moscow")
    assert workflow_zone({"timezone": "DEFAULT"}).name == "Europe/Moscow"
    assert workflow_zone({"timezone": "Europe/Berlin"}).name == "Europe/Berlin"
    assert workflow_zone({"timezone": "Mars/Olympus"}).name == "Europe/Moscow"


async def test_expressions_and_conditions_read_dates_in_the_same_zone(
    no_zone_variables: pytest.MonkeyPatch,
) -> None:
    no_zone_variables.setenv("GENERIC_TIMEZONE", "Asia/Tokyo")
    conditions = {
        "options": {"caseSensitive": True, "leftValue": "", "typeValidation": "strict"},
        "conditions": [
            {
                "leftValue": "={{ $json.when }}",
                "rightValue": "2024-01-01T15:30:00Z",  # 00:30 on Jan 2 in Tokyo
                "operator": {"type": "dateTime", "operation": "after"},
            }
        ],
        "combinator": "and",
    }
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node(
            "Zone", "n8n-nodes-base.set", {"mode": "raw", "jsonOutput": ZONE_JSON}, typeVersion=3.4
        ),
        node("If", "n8n-nodes-base.if", {"conditions": conditions}, typeVersion=2.2),
    )
    result = await run(workflow, [{"when": "2024-01-02 00:00:00"}, {"when": "2024-01-02 01:00:00"}])
    assert [item.json["zone"] for item in result.items("Zone")] == ["Asia/Tokyo"] * 2
    assert [item.json["when"] for item in result.items("If", 0)] == ["2024-01-02 01:00:00"]
    assert [item.json["when"] for item in result.items("If", 1)] == ["2024-01-02 00:00:00"]


ZONE_JSON = '={ "zone": "{{ $now.zoneName }}", "when": "{{ $json.when }}" }'
