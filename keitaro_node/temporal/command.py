"""The Temporal commands of `keitaro-node`: worker, run --temporal, status, result, schedule.

This module imports nothing of the Temporal SDK until a command runs, so the CLI works (and
says what to install) without the `temporal` extra.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from . import MISSING_EXTRA

COMMANDS = ("worker", "status", "result", "schedule")


def _connection_arguments(parser: argparse.ArgumentParser, *, with_flag: bool = True) -> None:
    if with_flag:
        parser.add_argument(
            "--temporal",
            metavar="HOST:PORT",
            default=os.environ.get("TEMPORAL_ADDRESS"),
            help="Temporal's frontend address (default: $TEMPORAL_ADDRESS, else localhost:7233)",
        )
    parser.add_argument("--namespace", default="default", help="Temporal namespace (default)")
    parser.add_argument(
        "--task-queue", default="keitaro-node", help="task queue of the workflows (keitaro-node)"
    )
    parser.add_argument(
        "--blobs",
        metavar="DIR|s3://BUCKET",
        help="blob store for big payloads, shared by every worker and starter (default: "
        "$KEITARO_NODE_BLOBS, else ~/.cache/keitaro-node/temporal-blobs)",
    )
    parser.add_argument(
        "--tls", action="store_true", help="connect with TLS (on by itself with TEMPORAL_API_KEY)"
    )


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """Options of `run` that send the run to Temporal instead of running it here."""
    group = run.add_argument_group("durable runs on Temporal (the temporal extra)")
    group.add_argument(
        "--temporal",
        metavar="HOST:PORT",
        help="start the run on Temporal (workers run it) and print its output as a local run does",
    )
    group.add_argument("--namespace", default="default", help="Temporal namespace")
    group.add_argument("--task-queue", default="keitaro-node", help="task queue of the workflows")
    group.add_argument("--blobs", metavar="DIR|s3://BUCKET", help="blob store for big payloads")
    group.add_argument("--tls", action="store_true", help="connect to Temporal with TLS")
    group.add_argument("--no-wait", action="store_true", help="print the run's id and return")
    group.add_argument("--id", dest="run_id", help="the run's workflow id (default: generated)")
    # --chunk-size (the run command's) is also the items per activity for nodes without a
    # tracker budget (default 50)


def add_commands(sub: Any) -> None:
    worker = sub.add_parser(
        "worker",
        help="host durable runs: a Temporal worker with every installed node",
        description="A Temporal worker: runs keitaro-node workflows and their node activities, "
        "with credentials read here (environment or --credentials), one rate-limited task "
        "queue per tracker. Needs: pip install 'keitaro-node[temporal]'.",
    )
    _connection_arguments(worker)
    worker.add_argument("--credentials", type=Path, help="credentials file (JSON or YAML)")
    worker.add_argument(
        "--tracker",
        action="append",
        default=[],
        metavar="NAME[=RPS[/CONCURRENCY]]",
        help="serve this credential's task queue, with a budget for all workers together "
        "(repeatable; every credential of --credentials and every installed credential type "
        "is served too, without a budget unless given here)",
    )
    worker.add_argument(
        "--chunk-size", type=int, default=50, help="items per activity on tracker queues (50)"
    )
    worker.add_argument(
        "--max-activities", type=int, default=16, help="activities at once in this worker (16)"
    )
    worker.add_argument("--output-dir", type=Path, help="folder for the workflows' output files")
    worker.add_argument(
        "--identity", help="this worker's name in Temporal's history (default: host and pid)"
    )

    for name, text in (
        ("status", "show a durable run's state"),
        ("result", "wait for a durable run and print its output as a local run does"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("run_id", metavar="ID", help="the run's id (run --no-wait prints it)")
        _connection_arguments(command)
        if name == "result":
            command.add_argument(
                "--all-nodes", action="store_true", help="print every node's output"
            )

    schedule = sub.add_parser(
        "schedule",
        help="run a workflow on a Temporal Schedule",
        description="Create or replace a Temporal Schedule that starts the workflow at the "
        "given times; workers run each start. Without --every or --cron, the workflow's "
        "Schedule Trigger says when.",
    )
    schedule.add_argument("workflow", type=Path, help="workflow JSON file (n8n format)")
    schedule.add_argument("--every", help="interval: 30s, 15m, 1h, 1d")
    schedule.add_argument("--cron", help='cron expression, like "0 * * * *"')
    schedule.add_argument("--timezone", help="zone of the cron expression (IANA name)")
    schedule.add_argument("--id", dest="schedule_id", help="schedule id (default: from the name)")
    schedule.add_argument(
        "--input", help="input items: a JSON array or object, JSON Lines or CSV file"
    )
    schedule.add_argument(
        "--input-format", choices=("json", "jsonl", "csv"), help="the input's format"
    )
    _connection_arguments(schedule)


def wants_temporal(args: argparse.Namespace) -> bool:
    return args.command in COMMANDS or (
        args.command == "run" and getattr(args, "temporal", None) is not None
    )


def main(args: argparse.Namespace, run_async: Callable[[Coroutine[Any, Any, int]], int]) -> int:
    """Run a Temporal command on the CLI's event loop; 2 with the remedy when the extra is
    missing."""
    try:
        import temporalio  # noqa: F401
    except ImportError:
        print(f"error: {MISSING_EXTRA}", file=sys.stderr)
        return 2
    from . import commands

    handler = {
        "run": commands.run,
        "worker": commands.worker,
        "status": commands.status,
        "result": commands.result,
        "schedule": commands.schedule,
    }[args.command]
    try:
        return run_async(handler(args))
    except ImportError as exc:  # a missing optional part: the message names the remedy
        print(f"error: {exc}", file=sys.stderr)
        return 2


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))
