"""The starting side: connect, start a durable run, read its status and result, schedule it.

What goes to Temporal is the workflow file (credential *names* only, as n8n exports them), the
input items, engine options and chunking settings - never a credential value: each worker
reads those from its own environment or credentials file.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleSpec,
    WorkflowExecutionStatus,
    WorkflowHandle,
)

from .blobs import data_converter
from .queues import DEFAULT_QUEUE

WORKFLOW_NAME = "keitaro-node.run"
ADDRESS_ENV = "TEMPORAL_ADDRESS"
API_KEY_ENV = "TEMPORAL_API_KEY"


@dataclass
class Connection:
    """Where Temporal is, and how to reach it."""

    address: str = "localhost:7233"
    namespace: str = "default"
    task_queue: str = DEFAULT_QUEUE
    blobs: str | None = None
    tls: bool = False

    async def connect(self) -> Client:
        api_key = os.environ.get(API_KEY_ENV) or None
        return await Client.connect(
            self.address,
            namespace=self.namespace,
            data_converter=data_converter(self.blobs),
            tls=self.tls or bool(api_key),
            api_key=api_key,
        )


@dataclass
class RunRequest:
    """Everything a durable run needs, as JSON: the workflow input of `keitaro-node.run`."""

    workflow: dict[str, Any]
    items: list[dict[str, Any]] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    source: str = "the workflow"
    chunk: int | None = None  # items per activity for work without a tracker budget
    parallel_chunks: int = 4
    all_nodes: bool = False
    # how soon a dead worker's chunk goes to another (its progress is kept in heartbeats)
    heartbeat_timeout_s: float = 15.0

    def as_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "items": self.items,
            "options": self.options,
            "source": self.source,
            "chunk": self.chunk,
            "parallelChunks": self.parallel_chunks,
            "allNodes": self.all_nodes,
            "heartbeatTimeout": self.heartbeat_timeout_s,
        }


def run_id_for(workflow: Mapping[str, Any]) -> str:
    name = str(workflow.get("name") or "workflow")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "workflow"
    return f"keitaro-node-{slug}-{uuid.uuid4().hex[:10]}"


async def start(
    client: Client, connection: Connection, request: RunRequest, run_id: str | None = None
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        WORKFLOW_NAME,
        request.as_json(),
        id=run_id or run_id_for(request.workflow),
        task_queue=connection.task_queue,
    )


async def status(client: Client, run_id: str) -> dict[str, Any]:
    handle = client.get_workflow_handle(run_id)
    info = await handle.describe()
    state = info.status.name if isinstance(info.status, WorkflowExecutionStatus) else "UNKNOWN"
    return {
        "id": run_id,
        "status": state,
        "started": info.start_time.isoformat() if info.start_time else None,
        "closed": info.close_time.isoformat() if info.close_time else None,
        "taskQueue": info.task_queue,
    }


async def result(client: Client, run_id: str) -> dict[str, Any]:
    """The run's result (waits for it to finish)."""
    answer: dict[str, Any] = await client.get_workflow_handle(run_id).result()
    return answer


def schedule_spec(every: str | None, cron: str | None, zone: str | None) -> ScheduleSpec:
    if every:
        return ScheduleSpec(intervals=[ScheduleIntervalSpec(every=parse_every(every))])
    if cron:
        return ScheduleSpec(cron_expressions=[cron], time_zone_name=zone)
    raise ValueError('schedule: give --every (like 1h, 15m) or --cron "0 * * * *"')


_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> timedelta:
    match = _EVERY.match(text)
    if not match:
        raise ValueError(f"--every {text!r}: write a number and a unit: 30s, 15m, 1h, 1d")
    seconds = float(match[1]) * _UNITS[match[2]]
    if seconds < 1:
        raise ValueError(f"--every {text!r}: the shortest interval is 1s")
    return timedelta(seconds=seconds)


async def create_schedule(
    client: Client,
    connection: Connection,
    schedule_id: str,
    request: RunRequest,
    spec: ScheduleSpec,
) -> None:
    """Create (or replace) a Temporal Schedule that starts the run at the spec's times."""
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            WORKFLOW_NAME,
            request.as_json(),
            id=f"{schedule_id}-run",
            task_queue=connection.task_queue,
        ),
        spec=spec,
    )
    handle = client.get_schedule_handle(schedule_id)
    try:
        await handle.describe()
    except Exception:
        await client.create_schedule(schedule_id, schedule)
        return

    def replace(_input: Any) -> Any:
        from temporalio.client import ScheduleUpdate

        return ScheduleUpdate(schedule=schedule)

    await handle.update(replace)
