"""``python -m keitaro_node.sandbox``: serve a sandbox until interrupted."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from .config import DEFAULT_API_KEY, SandboxConfig
from .server import serve


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m keitaro_node.sandbox",
        description="Serve an emulated Keitaro Admin API v1 on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 = any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind")
    parser.add_argument("--db", default=None, help="SQLite file (default: in memory)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="accepted API key")
    parser.add_argument(
        "--clicks", type=int, default=SandboxConfig.dataset_clicks, help="synthetic clicks"
    )
    parser.add_argument("--seed", type=int, default=SandboxConfig.seed, help="dataset seed")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay per API request")
    args = parser.parse_args(argv)
    serve(
        args.port,
        args.db,
        args.api_key,
        host=args.host,
        dataset_clicks=args.clicks,
        latency_ms=args.latency_ms,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
