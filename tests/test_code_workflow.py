"""workflows/campaign_with_streams.json against the sandbox: Keitaro -> Code -> Keitaro -> Keitaro."""

from __future__ import annotations

import json

import aiohttp
from support import ROOT, run

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.sandbox import Sandbox

WORKFLOW = ROOT / "workflows" / "campaign_with_streams.json"


async def test_a_campaign_and_its_three_streams_are_created_and_reported(
    tracker: Sandbox, credentials: CredentialStore
) -> None:
    workflow = json.loads(WORKFLOW.read_text("utf-8"))
    items = json.loads((ROOT / "workflows" / "campaign_with_streams.items.json").read_text())
    items[0]["alias"] = "spring-sale-code-workflow"  # unique in the session's sandbox
    result = await run(workflow, items, credentials)

    [campaign] = [i.json["data"] for i in result.items("Create Campaign")]
    report = [i.json["data"] for i in result.items("Report Streams")]
    assert [s["name"] for s in report] == [
        "Spring sale - UK",
        "Spring sale - Germany",
        "Spring sale - Everyone else",
    ]
    assert {s["campaign_id"] for s in report} == {campaign["id"]}
    assert [i.paired_item.item for i in result.items("Plan Streams") if i.paired_item] == [0] * 3

    async with (
        aiohttp.ClientSession(headers={"Api-Key": tracker.api_key}) as session,
        session.get(f"{tracker.url}/admin_api/v1/campaigns/{campaign['id']}/streams") as answer,
    ):
        held = await answer.json()
    assert sorted(s["id"] for s in held) == sorted(s["id"] for s in report)
    countries = {s["name"]: [f["payload"] for f in s.get("filters") or []] for s in held}
    assert countries == {
        "Spring sale - UK": [["GB"]],
        "Spring sale - Germany": [["DE"]],
        "Spring sale - Everyone else": [],
    }
