"""Fires Schedule Trigger nodes on time: one run at a time per workflow.

Each scheduled node has a loop that sleeps until its next firing time. A firing whose
previous run of the workflow is still going is skipped and logged (n8n would start a second
run); firings that passed while the process could not run (a suspended machine, a blocked
loop) are logged as missed, and only the latest of them runs.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from keitaro_node.runtime.items import Item
from keitaro_node.runtime.schedule import Fire, Schedule, trigger_item

from .executions import Busy, Executions, ShuttingDown
from .logs import EventLog
from .registry import ServedWorkflow

LATE = timedelta(seconds=1)  # a firing handled this much after its time counts as missed


class Scheduler:
    def __init__(self, executions: Executions, log: EventLog) -> None:
        self.executions = executions
        self.log = log
        self._loops: list[asyncio.Task[None]] = []
        self._current: dict[str, asyncio.Task[Any]] = {}  # workflow -> its scheduled run
        self.next_runs: dict[tuple[str, str], datetime | None] = {}

    def start(self, workflows: list[ServedWorkflow]) -> None:
        for served in workflows:
            for node_name, schedule in served.schedules.items():
                loop = asyncio.get_running_loop().create_task(
                    self._loop(served, node_name, schedule), name=f"schedule {served.name}"
                )
                self._loops.append(loop)

    async def stop(self) -> None:
        """No new firings; runs already started go on (the executions own them)."""
        for loop in self._loops:
            loop.cancel()
        if self._loops:
            await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops.clear()

    async def _loop(self, served: ServedWorkflow, node_name: str, schedule: Schedule) -> None:
        key = (served.name, node_name)
        after = datetime.now(UTC)
        while True:
            fire = schedule.next_fire(after)
            self.next_runs[key] = fire.at if fire else None
            if fire is None:
                self.log.write("schedule.ended", workflow=served.name, node=node_name)
                return
            delay = (fire.at - datetime.now(UTC)).total_seconds()
            if delay > 0:
                await asyncio.sleep(delay)
            now = datetime.now(UTC)
            fire = self._latest_due(schedule, fire, now, served.name, node_name)
            schedule.record(fire)
            self._fire(served, node_name, fire, schedule)
            after = max(fire.at, now - LATE)

    def _latest_due(
        self, schedule: Schedule, fire: Fire, now: datetime, workflow: str, node: str
    ) -> Fire:
        missed: list[Fire] = []
        latest = fire
        while True:
            following = schedule.next_fire(latest.at)
            if following is None or following.at > now - LATE:
                break
            missed.append(latest)
            latest = following
        if missed:
            self.log.write(
                "schedule.missed",
                workflow=workflow,
                node=node,
                count=len(missed),
                first=missed[0].at.isoformat(),
                last=missed[-1].at.isoformat(),
                reason="the process could not run at those times; only the latest firing runs",
            )
        return latest

    def _fire(self, served: ServedWorkflow, node_name: str, fire: Fire, schedule: Schedule) -> None:
        current = self._current.get(served.name)
        if current is not None and not current.done():
            self.log.write(
                "schedule.skipped",
                workflow=served.name,
                node=node_name,
                at=fire.at.isoformat(),
                reason="the previous scheduled run of this workflow is still going",
            )
            return
        item = Item(json=trigger_item(datetime.now(UTC), schedule.zone))
        try:
            task = self.executions.start(
                served.name,
                served.starting_at(node_name),
                [item],
                f"schedule:{node_name}",
                {"startNode": node_name},
            )
        except (Busy, ShuttingDown) as exc:
            self.log.write(
                "schedule.skipped",
                workflow=served.name,
                node=node_name,
                at=fire.at.isoformat(),
                reason=str(exc) or "the server is stopping",
            )
            return
        self._current[served.name] = task
        self.log.write(
            "schedule.fired", workflow=served.name, node=node_name, at=fire.at.isoformat()
        )
