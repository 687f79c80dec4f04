"""The sandbox command: `keitaro-node sandbox` and `python -m keitaro_node.sandbox`."""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Sequence
from datetime import date

from .config import DEFAULT_API_KEY, SandboxConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the sandbox command, shared by both ways of starting it."""
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 = any free port)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default: 127.0.0.1; others need --allow-remote)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach (control endpoints then need the key)",
    )
    parser.add_argument("--db", default=None, help="SQLite file to keep data in (default: memory)")
    parser.add_argument(
        "--api-key", default=None, help=f"API key to accept (default: {DEFAULT_API_KEY})"
    )
    parser.add_argument(
        "--empty",
        action="store_true",
        help="start without demo data: no campaign, offer or landing page, no clicks, no logs",
    )
    parser.add_argument(
        "--today",
        type=_day,
        default=None,
        help="last day of the synthetic reports and logs, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument(
        "--clicks",
        type=int,
        default=None,
        help=f"synthetic clicks behind reports (default: {SandboxConfig.dataset_clicks})",
    )
    parser.add_argument("--seed", type=int, default=SandboxConfig.seed, help="dataset seed")
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay added to every API answer"
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def run(args: argparse.Namespace) -> int:
    """Serve as ``args`` say; problems a person can fix are one line on stderr, exit 2."""
    from .server import SandboxStartError, is_loopback, serve

    remote = not is_loopback(args.host)
    if remote and not args.allow_remote:
        print(
            f"error: --host {args.host} lets other machines reach the sandbox and its "
            "/__sandbox__ control endpoints; pass --allow-remote to do that on purpose "
            "(they then need the API key too), or keep the default 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    api_key = args.api_key
    if api_key is None:
        # a key everyone knows is no lock on a sandbox other machines can reach
        api_key = secrets.token_hex(16) if remote else DEFAULT_API_KEY
    clicks = args.clicks
    if clicks is None:
        clicks = 0 if args.empty else SandboxConfig.dataset_clicks
    config = SandboxConfig(
        api_key=api_key,
        db_path=args.db,
        seed=args.seed,
        dataset_clicks=clicks,
        latency_ms=args.latency_ms,
        today=args.today,
        log_lines=0 if args.empty else SandboxConfig.log_lines,
    )
    try:
        serve(config, args.host, args.port, demo=not args.empty)
    except SandboxStartError as exc:
        hint = "; choose another with --port N (--port 0 picks a free one)" if exc.in_use else ""
        print(f"error: {exc}{hint}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m keitaro_node.sandbox",
        description="Serve an emulated Keitaro Admin API v1, with demo data unless --empty.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
