"""`keitaro-node worker`: host durable runs - the workflow, and node activities per queue.

One process polls the main task queue (workflows, local activities, work without
credentials) and one queue per tracker: each credential named with --tracker or found in the
credentials file, and each installed credential type (for credentials given by environment
variables, which a workflow names by type). A tracker's budget sets its queue's dispatch rate
for all workers together (queues.py); credential values are read here and never leave.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from keitaro_node.runtime.credentials import CredentialStore

from . import hosting
from .activities import NodeActivities
from .client import Connection
from .queues import DEFAULT_CHUNK, TrackerBudget, parse_budget, tracker_queue
from .workflow import RunWorkflow

# modules the workflow uses as they are in the worker (no state a replay could see)
PASSED_THROUGH = (
    "keitaro_node",
    "pydantic",
    "pydantic_core",
    "yaml",
    "jsonschema",
    "jsonschema_rs",
    "referencing",
    "rpds",
    "regex",
    "pluggy",
    "aiohttp",
    "multidict",
    "yarl",
)


@dataclass
class WorkerSettings:
    connection: Connection = field(default_factory=Connection)
    credentials: Path | None = None
    trackers: Sequence[str] = ()
    chunk: int = DEFAULT_CHUNK
    max_activities: int = 16
    output_dir: Path | None = None
    identity: str | None = None


def budgets_of(
    settings: WorkerSettings, store: CredentialStore, types: Sequence[str]
) -> dict[str, TrackerBudget]:
    """Every credential this worker serves, with the budgets --tracker gives."""
    budgets = {t: TrackerBudget(t, chunk=settings.chunk) for t in types}
    for name, section in store.data.items():
        if isinstance(section, dict):
            budgets[name] = TrackerBudget(name, chunk=settings.chunk)
    for text in settings.trackers:
        budget = parse_budget(text, settings.chunk)
        budgets[budget.credential] = budget
    return budgets


def sandbox_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
    )


async def serve(settings: WorkerSettings, stop: asyncio.Event) -> None:
    from keitaro_node.app import plugin_host

    host = plugin_host()
    hosting.set_host(host)
    store = (
        CredentialStore.from_file(settings.credentials)
        if settings.credentials
        else CredentialStore()
    )
    options: dict[str, object] = {}
    if settings.output_dir is not None:
        if not settings.output_dir.is_dir():
            raise FileNotFoundError(f"--output-dir: no such folder: {settings.output_dir}")
        options["outputDir"] = str(settings.output_dir)
    connection = settings.connection
    client = await connection.connect()
    budgets = budgets_of(settings, store, sorted(host.credential_types))
    activities = NodeActivities(host, store, client, options, budgets, settings.chunk)
    identity = settings.identity or f"keitaro-node@{socket.gethostname()}:{os.getpid()}"
    main = Worker(
        client,
        task_queue=connection.task_queue,
        workflows=[RunWorkflow],
        activities=[activities.node, activities.tracker],
        workflow_runner=sandbox_runner(),
        max_concurrent_activities=settings.max_activities,
        identity=identity,
    )
    workers = [main]
    for budget in budgets.values():
        workers.append(
            Worker(
                client,
                task_queue=tracker_queue(connection.task_queue, budget.credential),
                activities=[activities.node, activities.tracker],
                max_concurrent_activities=settings.max_activities,
                max_task_queue_activities_per_second=budget.activities_per_second(),
                identity=identity,
            )
        )
    limited = [b for b in budgets.values() if b.requests_per_second is not None]
    print(
        f"worker {identity} on {connection.address} ({connection.namespace}): queue "
        f"{connection.task_queue} and {len(budgets)} tracker queue(s)"
        + (
            "; budgets: "
            + ", ".join(f"{b.credential} {b.requests_per_second:g} req/s" for b in limited)
            if limited
            else ""
        ),
        file=sys.stderr,
        flush=True,
    )
    runs = [asyncio.create_task(w.run()) for w in workers]
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([*runs, stopping], return_when=asyncio.FIRST_COMPLETED)
    for w in workers:
        with contextlib.suppress(Exception):
            await w.shutdown()
    for task in runs:
        if task in done and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
