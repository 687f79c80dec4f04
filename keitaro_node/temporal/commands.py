"""What the Temporal commands do (command.py parses them; this module needs the SDK)."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

from .client import (
    Connection,
    RunRequest,
    create_schedule,
    schedule_spec,
    start,
)
from .client import (
    result as read_result,
)
from .client import (
    status as read_status,
)
from .queues import DEFAULT_CHUNK, DEFAULT_QUEUE


def _connection(args: argparse.Namespace) -> Connection:
    return Connection(
        address=args.temporal or "localhost:7233",
        namespace=args.namespace,
        task_queue=args.task_queue or DEFAULT_QUEUE,
        blobs=args.blobs,
        tls=bool(args.tls),
    )


def _workflow_json(path: Path) -> dict[str, Any]:
    """The workflow file as JSON, checked for format here so mistakes show before a start."""
    from keitaro_node.runtime.workflow import load_workflow

    load_workflow(path)  # raises WorkflowFormatError with the reason
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _input_items(path: str | None, given_format: str | None) -> list[dict[str, Any]] | None:
    """The run's input items, read as a local run reads them (JSON, JSON Lines, CSV, stdin)."""
    if path is None:
        return None
    from keitaro_node.bulk.inputs import open_items

    return [{"json": row} for row in open_items(path, given_format)]


async def run(args: argparse.Namespace) -> int:
    if getattr(args, "sandbox", False):
        raise ValueError(
            "--sandbox and --temporal do not go together: a durable run reads credentials on "
            "the workers. Start a sandbox (keitaro-node sandbox) and give the workers the "
            "KEITARO_DOMAIN and KEITARO_API_KEY lines it prints"
        )
    options: dict[str, Any] = {"allowOutputOutside": bool(args.allow_output_outside)}
    if args.output_dir is not None:
        options["outputDir"] = str(args.output_dir)  # a folder on the workers
    request = RunRequest(
        workflow=_workflow_json(args.workflow),
        items=_input_items(args.input, args.input_format),
        options=options,
        source=str(args.workflow),
        chunk=args.chunk_size,
        all_nodes=bool(args.all_nodes),
    )
    connection = _connection(args)
    client = await connection.connect()
    handle = await start(client, connection, request, args.run_id)
    if args.no_wait:
        print(handle.id)
        return 0
    print(f"durable run {handle.id} started; waiting for its result", file=sys.stderr)
    return print_answer(await handle.result(), bool(args.all_nodes))


def print_answer(answer: dict[str, Any], all_nodes: bool) -> int:
    """Print a run's result exactly as a local run prints it; the exit code too."""
    error = answer.get("error")
    if error is not None:
        completed = answer.get("completed") or []
        if completed:
            _print(completed)
            print(
                f"{len(completed)} item(s) completed before the stop are printed above.",
                file=sys.stderr,
            )
        print(f"error: {error}", file=sys.stderr)
        for line in answer.get("notes") or []:
            print(line, file=sys.stderr)
        return 1
    for line in answer.get("notes") or []:
        print(line, file=sys.stderr)
    if all_nodes and answer.get("allNodes") is not None:
        _print(answer["allNodes"])
    else:
        _print(answer.get("final") or [])
    return 0


def _print(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


async def status(args: argparse.Namespace) -> int:
    client = await _connection(args).connect()
    _print(await read_status(client, args.run_id))
    return 0


async def result(args: argparse.Namespace) -> int:
    client = await _connection(args).connect()
    return print_answer(await read_result(client, args.run_id), bool(args.all_nodes))


async def schedule(args: argparse.Namespace) -> int:
    from .schedules import trigger_spec

    data = _workflow_json(args.workflow)
    if args.every or args.cron:
        spec = schedule_spec(args.every, args.cron, args.timezone)
    else:
        spec = trigger_spec(data)
    request = RunRequest(
        workflow=data, items=_input_items(args.input, args.input_format), source=str(args.workflow)
    )
    connection = _connection(args)
    client = await connection.connect()
    schedule_id = args.schedule_id or "keitaro-node-" + (
        "".join(c if c.isalnum() else "-" for c in str(data.get("name") or args.workflow.stem))
        .strip("-")
        .lower()
    )
    await create_schedule(client, connection, schedule_id, request, spec)
    print(f"schedule {schedule_id} on {connection.address} starts {args.workflow}")
    return 0


async def worker(args: argparse.Namespace) -> int:
    from .worker import WorkerSettings, serve

    settings = WorkerSettings(
        connection=_connection(args),
        credentials=args.credentials,
        trackers=list(args.tracker),
        chunk=args.chunk_size or DEFAULT_CHUNK,
        max_activities=args.max_activities,
        output_dir=args.output_dir,
        identity=args.identity,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(settings, stop)
    return 0
