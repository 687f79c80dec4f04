"""The `keitaro-node` command: run workflows, describe the node, serve the sandbox, test keys.

Heavy modules load inside the commands, so `keitaro-node --help` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
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

    run = sub.add_parser("run", help="run a workflow and print the output items as JSON")
    run.add_argument("workflow", type=Path, help="workflow JSON file (n8n format)")
    run.add_argument("--input", type=Path, help="JSON file with the input items (array of objects)")
    run.add_argument("--credentials", type=Path, help="credentials file (JSON or YAML)")
    run.add_argument(
        "--sandbox", action="store_true", help="run against a built-in sandbox tracker"
    )
    run.add_argument(
        "--all-nodes", action="store_true", help="print every node's output, not only the last"
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    try:
        from keitaro_node.temporal import command as temporal_command

        if temporal_command.wants_temporal(args):
            return temporal_command.main(args, run_async)
        if args.command == "run":
            return run_async(_run(args))
        if args.command == "describe":
            return _describe(args)
        if args.command == "sandbox":
            return _sandbox(args)
        if args.command == "coverage":
            return _coverage(args)
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


def _read_items(path: Path | None) -> Any:
    from keitaro_node.runtime.items import items_from_json

    if path is None:
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"input file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    try:
        return items_from_json(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _store(path: Path | None) -> Any:
    from keitaro_node.runtime.credentials import CredentialStore

    return CredentialStore.from_file(path) if path else CredentialStore()


async def _run(args: argparse.Namespace) -> int:
    from keitaro_node.app import run_workflow
    from keitaro_node.runtime.errors import WorkflowError
    from keitaro_node.runtime.workflow import load_workflow

    workflow = load_workflow(args.workflow)
    items = _read_items(args.input)
    options: dict[str, Any] = {"allowOutputOutside": bool(args.allow_output_outside)}
    if args.output_dir is not None:
        if not args.output_dir.is_dir():
            raise FileNotFoundError(f"--output-dir: no such folder: {args.output_dir}")
        options["outputDir"] = str(args.output_dir)
    store = _store(args.credentials)
    sandbox = None
    if args.sandbox:
        from keitaro_node.sandbox import Sandbox

        sandbox = Sandbox()
        await sandbox.start()
        demo = sandbox.seed_demo()  # the same demo data as `keitaro-node sandbox`
        store.override("keitaroApi", {"domain": sandbox.url, "apiKey": sandbox.api_key})
        print(
            f"sandbox tracker at {sandbox.url} with {demo.describe() if demo else 'no demo data'}",
            file=sys.stderr,
        )
    try:
        result = await run_workflow(workflow, items, store, options=options)
    except WorkflowError as exc:
        if exc.completed:
            _print_items(exc.completed)
            print(
                f"{len(exc.completed)} item(s) completed before the stop are printed above.",
                file=sys.stderr,
            )
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if sandbox is not None:
            await sandbox.stop()
    if args.all_nodes:
        everything = {
            name: [[i.to_json() for i in out] for out in outputs]
            for name, outputs in result.outputs.items()
        }
        print(json.dumps(everything, ensure_ascii=False, indent=2))
    else:
        _print_items(result.final_items())
    return 0


def _print_items(items: list[Any]) -> None:
    print(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=2))


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
