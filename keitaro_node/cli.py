"""The `keitaro-node` command: run workflows, describe the node, serve the sandbox, test keys.

Heavy modules load inside the commands, so `keitaro-node --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from keitaro_node import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keitaro-node",
        description="Run n8n-format workflows with the Keitaro node, or try them on the built-in sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"keitaro-node {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log requests (-v) and details (-vv)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run a workflow over items from a file (JSON, JSON Lines, CSV) or stdin",
        description="Run an n8n-format workflow once over the input items. Output items "
        "(those of every branch end) go to stdout as a JSON array, or to --output; a summary "
        "line ends every run on stderr, with progress above it on a terminal.",
    )
    run.add_argument("workflow", type=Path, help="workflow JSON file (n8n format)")
    run.add_argument(
        "--input",
        metavar="FILE",
        help="input items: a JSON array or object, JSON Lines or CSV file; '-' for stdin",
    )
    run.add_argument(
        "--input-format",
        choices=("json", "jsonl", "csv"),
        help="format of --input (default: by its extension; stdin: json)",
    )
    run.add_argument(
        "--output", metavar="FILE", help="write output items to FILE (.json or .jsonl)"
    )
    run.add_argument(
        "--format",
        dest="output_format",
        choices=("json", "jsonl", "summary"),
        help="output as a JSON array (default), JSON Lines, or only the summary line",
    )
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="check every item and output the request it would send; send nothing",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--journal",
        type=Path,
        metavar="FILE",
        help="run the items in chunks and keep each one's outcome in FILE, so that a re-run "
        "with --resume sends no write twice",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="go on with the job in --journal FILE: skip items done, refuse unknown outcomes",
    )
    run.add_argument(
        "--chunk-size",
        type=int,
        metavar="N",
        help="read and run the input N items at a time, each chunk its own execution: memory "
        "stays flat however long the job (with --journal: 100 unless told)",
    )
    run.add_argument("--credentials", type=Path, help="credentials file (JSON or YAML)")
    run.add_argument(
        "--sandbox", action="store_true", help="run against a built-in sandbox tracker"
    )
    run.add_argument(
        "--all-nodes",
        action="store_true",
        help="print every run of every node ({runs: {node: [[items per output] per run]}})",
    )
    run.add_argument(
        "--max-node-runs",
        type=int,
        default=None,
        help="stop a run when one node would run more often than this (loops; default 10000)",
    )
    run.add_argument(
        "--output-dir",
        type=Path,
        help="folder that output files of the workflow (options.outputFile) are written "
        "under (default: the current directory); it must exist",
    )
    run.add_argument(
        "--allow-output-outside",
        action="store_true",
        help="let the workflow write output files anywhere (absolute paths, '..')",
    )
    from keitaro_node.temporal import command as temporal_command

    temporal_command.add_run_arguments(run)

    journal = sub.add_parser(
        "journal",
        help="show a run journal and record decisions on items whose outcome is unknown",
        description="List what a job's journal (run --journal FILE) recorded, and the items "
        "whose outcome is unknown (a write left without an answer). After checking the "
        "tracker, record what you found: --mark-done (it happened) or --retry (run it again "
        "on --resume). Positions: 3,7,10-12. Exit status 1 while items wait for a decision.",
    )
    journal.add_argument("file", type=Path, help="the journal file")
    journal.add_argument("--workflow", help="which workflow's records (when it holds several)")
    journal.add_argument("--mark-done", metavar="POSITIONS", help="these items did happen")
    journal.add_argument(
        "--retry", metavar="POSITIONS", help="these items did not happen: run them again"
    )
    journal.add_argument("--json", action="store_true", help="print the records as JSON")

    describe = sub.add_parser(
        "describe", help="show the node's resources, operations and parameters"
    )
    describe.add_argument(
        "--json", action="store_true", help="print the loaded description as JSON"
    )
    describe.add_argument(
        "--node", default="n8n-nodes-keitaro.keitaro", help="node type to describe"
    )

    sandbox = sub.add_parser(
        "sandbox",
        help="serve the Keitaro sandbox (an Admin API emulator) with demo data",
        description="Serve an emulated Keitaro Admin API v1 with demo data (--empty for none) "
        "and print the KEITARO_DOMAIN and KEITARO_API_KEY lines that point `run` at it.",
    )
    from keitaro_node.sandbox.command import add_arguments as add_sandbox_arguments

    add_sandbox_arguments(sandbox)

    coverage = sub.add_parser(
        "coverage", help="compare the node's operations with Keitaro's OpenAPI document"
    )
    coverage.add_argument(
        "--spec",
        type=Path,
        default=None,
        help="Keitaro's Admin API OpenAPI JSON (not shipped with keitaro-node; default: "
        "$KEITARO_OPENAPI, ./keitaro-admin-api-openapi.json, or ../shared/keitaro-api/ "
        "beside the checkout)",
    )

    serve = sub.add_parser(
        "serve",
        help="serve a folder of workflows: webhooks, schedules and POST /run",
        description="Serve every workflow file of DIR: Webhook nodes at /webhook/<path>, "
        "Schedule Trigger nodes on time, POST /run/<name> for callers such as n8n's HTTP "
        "Request node; logs one JSON line per request on stderr.",
    )
    from keitaro_node.serve.command import add_arguments as add_serve_arguments

    add_serve_arguments(serve)

    check = sub.add_parser("test-credentials", help="check that the credentials reach the tracker")
    check.add_argument("--credentials", type=Path, help="credentials file (JSON or YAML)")

    mcp = sub.add_parser(
        "mcp",
        help="serve the nodes' operations as MCP tools (stdio, or --http)",
        description="A Model Context Protocol server: one tool per resource of every node with "
        "resources. Read-only unless --allow-write. Needs: pip install 'keitaro-node[mcp]'.",
    )
    mcp.add_argument(
        "--credentials", type=Path, help="credentials file; several named trackers allowed"
    )
    mcp.add_argument(
        "--allow-write",
        action="store_true",
        help="offer operations that change the tracker (destructive ones still need confirm)",
    )
    mcp.add_argument("--workflows", type=Path, help="folder of saved workflows to offer")
    mcp.add_argument(
        "--tools",
        choices=("resource", "operation"),
        default="resource",
        help="one tool per resource (default) or per operation",
    )
    mcp.add_argument(
        "--max-result-chars",
        type=int,
        default=100_000,
        help="cut longer answers, saying so (default 100000)",
    )
    mcp.add_argument(
        "--sandbox", action="store_true", help="add a built-in sandbox tracker named 'sandbox'"
    )
    mcp.add_argument("--http", action="store_true", help="serve streamable HTTP instead of stdio")
    mcp.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    mcp.add_argument("--port", type=int, default=8000, help="HTTP port (0: any free port)")

    temporal_command.add_commands(sub)
    for command in sub.choices.values():  # -v before or after the command
        command.add_argument(
            "-v",
            "--verbose",
            dest="verbose_after",
            action="count",
            default=0,
            help="log requests (-v) and details (-vv)",
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose + getattr(args, "verbose_after", 0), 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    try:
        from keitaro_node.temporal import command as temporal_command

        if temporal_command.wants_temporal(args):
            return temporal_command.main(args, run_async)
        if args.command == "run":
            return run_async(_run(args))
        if args.command == "journal":
            return _journal(args)
        if args.command == "describe":
            return _describe(args)
        if args.command == "sandbox":
            return _sandbox(args)
        if args.command == "coverage":
            return _coverage(args)
        if args.command == "serve":
            from keitaro_node.serve.command import serve

            return run_async(serve(args))
        if args.command == "test-credentials":
            return run_async(_test_credentials(args))
        if args.command == "mcp":
            return run_async(_mcp(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if _is_user_error(exc):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
    return 2


def run_async(coro: Coroutine[Any, Any, int]) -> int:
    """Run on uvloop when it is installed (the `speed` extra), else on asyncio's own loop.

    KEITARO_NODE_UVLOOP=0 turns uvloop off.
    """
    import asyncio

    factory = None
    if os.environ.get("KEITARO_NODE_UVLOOP", "1") != "0":
        try:
            import uvloop

            factory = uvloop.new_event_loop
        except ImportError:
            pass
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


def _is_user_error(exc: Exception) -> bool:
    from keitaro_node.runtime.description import DescriptionError
    from keitaro_node.runtime.errors import NodeError
    from keitaro_node.runtime.plugins import PluginError
    from keitaro_node.runtime.workflow import WorkflowFormatError

    return isinstance(
        exc,
        (
            WorkflowFormatError,
            DescriptionError,
            PluginError,
            NodeError,
            FileNotFoundError,
            ValueError,
        ),
    )


def _store(path: Path | None) -> Any:
    from keitaro_node.runtime.credentials import CredentialStore

    return CredentialStore.from_file(path) if path else CredentialStore()


async def _run(args: argparse.Namespace) -> int:
    from keitaro_node.bulk.job import Job, run_job

    options: dict[str, Any] = {"allowOutputOutside": bool(args.allow_output_outside)}
    if args.output_dir is not None:
        if not args.output_dir.is_dir():
            raise FileNotFoundError(f"--output-dir: no such folder: {args.output_dir}")
        options["outputDir"] = str(args.output_dir)
    if args.max_node_runs:
        options["max_node_runs"] = args.max_node_runs
    job = Job(
        workflow=args.workflow,
        input=args.input,
        input_format=args.input_format,
        output=args.output,
        output_format=args.output_format,
        credentials=args.credentials,
        sandbox=args.sandbox,
        dry_run=args.dry_run,
        quiet=args.quiet,
        all_nodes=args.all_nodes,
        journal=args.journal,
        resume=args.resume,
        chunk_size=args.chunk_size,
        engine_options=options,
    )
    return await run_job(job)


def _journal(args: argparse.Namespace) -> int:
    from keitaro_node.bulk.journal_command import JournalCommand, run_journal_command

    command = JournalCommand(
        path=args.file,
        workflow=args.workflow,
        mark_done=args.mark_done,
        retry=args.retry,
        as_json=args.json,
    )
    return run_journal_command(command, sys.stdout)


def _describe(args: argparse.Namespace) -> int:
    from keitaro_node.app import plugin_host
    from keitaro_node.describe import describe_json, describe_text

    node_type = plugin_host().node_type(args.node)
    if args.json:
        print(json.dumps(describe_json(node_type), ensure_ascii=False, indent=2))
    else:
        print(describe_text(node_type))
    return 0


def _coverage(args: argparse.Namespace) -> int:
    from keitaro_node.keitaro.coverage import compare, find_spec, report
    from keitaro_node.keitaro.node import KeitaroNode

    result = compare(find_spec(args.spec), KeitaroNode().routes)
    print(report(result))
    return 0 if not result.missing else 1


def _sandbox(args: argparse.Namespace) -> int:
    from keitaro_node.sandbox.command import run as run_sandbox

    return run_sandbox(args)


async def _test_credentials(args: argparse.Namespace) -> int:
    from keitaro_node.app import plugin_host
    from keitaro_node.keitaro.check import test_credentials

    host = plugin_host()
    message = await test_credentials(host.credential_types["keitaroApi"], _store(args.credentials))
    print(message)
    return 0


async def _mcp(args: argparse.Namespace) -> int:
    from keitaro_node.mcp.server import McpSettings, serve

    settings = McpSettings(
        credentials=args.credentials,
        allow_write=args.allow_write,
        workflows=args.workflows,
        tool_style=args.tools,
        max_result_chars=args.max_result_chars,
        sandbox=args.sandbox,
        http=args.http,
        host=args.host,
        port=args.port,
    )
    await serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
