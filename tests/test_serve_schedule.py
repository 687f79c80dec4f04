"""Schedule Trigger nodes fired by the running server: on time, one run at a time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_serve_helpers import TOKEN, Probe, host_with, probe_node, serving, workflow


def every_second(version: float = 1.2) -> dict[str, Any]:
    return {
        "name": "Every second",
        "type": "n8n-nodes-base.scheduleTrigger",
        "typeVersion": version,
        "parameters": {"rule": {"interval": [{"field": "seconds", "secondsInterval": 1}]}},
    }


async def test_a_schedule_fires_repeatedly_and_never_overlaps(tmp_path: Path) -> None:
    probe = Probe()
    ticking = workflow(every_second(), probe_node(1.5))
    async with serving(tmp_path, {"ticking": ticking}, host=host_with(probe), token=TOKEN) as s:
        runs = await s.wait_for("run.succeeded", count=2)
        skipped = await s.wait_for("schedule.skipped")
        async with s.session.get(
            f"{s.url}/workflows", headers={"Authorization": f"Bearer {TOKEN}"}
        ) as answer:
            listed = (await answer.json())[0]["schedules"][0]
    assert probe.most_at_once == 1
    assert probe.finished >= 2
    assert {run["trigger"] for run in runs} == {"schedule:Every second"}
    assert skipped[0]["reason"] == "the previous scheduled run of this workflow is still going"
    assert listed["rules"] == ["*/1 * * * * *"]
    assert listed["nextRun"] is not None


async def test_the_run_starts_with_the_trigger_item(tmp_path: Path) -> None:
    probe = Probe()
    zoned = workflow(every_second(1.3), probe_node(0))
    zoned["settings"]["timezone"] = "Asia/Tokyo"
    async with serving(tmp_path, {"zoned": zoned}, host=host_with(probe)) as s:
        await s.wait_for("run.succeeded")
    item = probe.seen[0]
    assert list(item) == [
        "timestamp", "Readable date", "Readable time", "Day of week", "Year", "Month",
        "Day of month", "Hour", "Minute", "Second", "Timezone",
    ]  # fmt: skip
    assert item["Timezone"].startswith("Asia/Tokyo (UTC+09:00)")
    assert item["timestamp"].endswith("+09:00")
    fired = s.events("schedule.fired")[0]
    assert fired["workflow"] == "zoned" and fired["node"] == "Every second"
