"""The `keitaro-node serve DIR` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_BODY,
    DEFAULT_PORT,
    DEFAULT_SHUTDOWN_TIMEOUT,
    ServeConfig,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, help="folder of workflow files (n8n JSON, *.json)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (others need a token)"
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT}; 0 = any)"
    )
    parser.add_argument(
        "--token",
        default=None,
        help="API token for /run and /workflows (default: $KEITARO_NODE_SERVE_TOKEN); "
        "callers send 'Authorization: Bearer TOKEN'; webhooks use their own authentication",
    )
    parser.add_argument("--credentials", type=Path, help="credentials file (JSON or YAML)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"executions at once per workflow; more are answered 429 (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        help=f"largest request body in bytes; larger ones are answered 413 (default {DEFAULT_MAX_BODY})",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=DEFAULT_SHUTDOWN_TIMEOUT,
        help="on SIGTERM/SIGINT, seconds to let running executions finish "
        f"(default {DEFAULT_SHUTDOWN_TIMEOUT:g})",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        help="the server's address as callers see it (behind a proxy), for webhookUrl",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="folder that output files of workflows are written under (default: current)",
    )
    parser.add_argument(
        "--skip-broken",
        action="store_true",
        help="serve the other workflows when a file is broken (default: refuse to start)",
    )
    parser.add_argument(
        "--reload", action="store_true", help="load the folder again when its files change"
    )


def config_from(args: argparse.Namespace) -> ServeConfig:
    from .server import token_from_env

    return ServeConfig(
        folder=args.folder,
        host=args.host,
        port=args.port,
        token=token_from_env(args.token),
        max_body=args.max_body,
        concurrency=max(1, args.concurrency),
        shutdown_timeout=max(0.0, args.shutdown_timeout),
        public_url=args.public_url,
        output_dir=args.output_dir,
        skip_broken=args.skip_broken,
        reload=args.reload,
    )


async def serve(args: argparse.Namespace) -> int:
    from keitaro_node.runtime.credentials import CredentialStore

    from .server import StartError, WorkflowServer

    if args.output_dir is not None and not args.output_dir.is_dir():
        print(f"error: --output-dir: no such folder: {args.output_dir}", file=sys.stderr)
        return 2
    store = CredentialStore.from_file(args.credentials) if args.credentials else CredentialStore()
    server = WorkflowServer(config_from(args), credentials=store)
    try:
        return await server.serve_until_signal()
    except StartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
