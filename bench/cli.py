"""Command line of the benchmark: ``python -m bench [options]`` from the repository root."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import report, targets
from .measure import use_loop
from .suite import PARTS, Config, run_all


def _ints(text: str) -> list[int]:
    return [int(v) for v in text.split(",") if v.strip()]


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v.strip()]


def _parts(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown part(s) {unknown}; choose from {PARTS}")
    return parts


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure keitaro-node against plain aiohttp: throughput, CPU per item, "
        "start-up and paged exports. Servers run in separate processes on 127.0.0.1.",
    )
    p.add_argument("--n", type=int, default=2000, help="stream creates per run (default 2000)")
    p.add_argument(
        "--concurrency", type=_ints, default=[1, 8, 32], help="comma list (default 1,8,32)"
    )
    p.add_argument(
        "--latency-ms",
        type=_floats,
        default=[0.0, 20.0],
        help="added server latency per request, comma list (default 0,20)",
    )
    p.add_argument("--repeat", type=int, default=3, help="runs per figure, median (default 3)")
    p.add_argument(
        "--parts",
        type=_parts,
        default=list(PARTS),
        help=f"comma list of {','.join(PARTS)} (default all)",
    )
    p.add_argument("--json", action="store_true", help="print JSON on stdout (table on stderr)")
    p.add_argument("--output", type=Path, help="also write the JSON results to this file")
    p.add_argument(
        "--profile",
        action="store_true",
        help="add a cProfile top-20 of the node run and the slowest imports at start-up",
    )
    p.add_argument(
        "--profile-out",
        type=Path,
        help="with --profile, also save the node run's cProfile data here (python -m pstats)",
    )
    p.add_argument(
        "--no-sandbox-check",
        action="store_true",
        help="skip the throughput line against the real sandbox",
    )
    p.add_argument(
        "--startup-runs", type=int, default=7, help="runs per start-up command (default 7)"
    )
    p.add_argument(
        "--scale",
        type=_ints,
        default=[10_000, 100_000, 1_000_000],
        help="rows per export, comma list (default 10000,100000,1000000)",
    )
    p.add_argument(
        "--scale-modes",
        default="stream,items",
        help="stream (options.outputFile) and/or items (records as items); default both",
    )
    p.add_argument("--page-size", type=int, default=1000, help="options.pageSize for exports")
    p.add_argument(
        "--client-n", type=int, default=500, help="calls per run of the client part (default 500)"
    )
    p.add_argument(
        "--scale-params", default="{}", help="extra node parameters for the export (JSON)"
    )
    p.add_argument(
        "--bulk",
        type=_ints,
        default=[10_000, 100_000, 1_000_000],
        help="items per `keitaro-node run` bulk job, comma list (default 10000,100000,1000000)",
    )
    p.add_argument(
        "--loop",
        choices=("asyncio", "uvloop"),
        default="asyncio",
        help="event loop of the measured runs (uvloop needs the speed extra)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if (
        args.n < 1
        or args.client_n < 1
        or args.repeat < 1
        or not args.concurrency
        or min(args.concurrency) < 1
    ):
        print(
            "error: --n, --client-n, --repeat and every --concurrency must be at least 1",
            file=sys.stderr,
        )
        return 2
    try:
        use_loop(args.loop)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = Config(
        n=args.n,
        concurrency=sorted(set(args.concurrency)),
        latency_ms=args.latency_ms,
        repeat=args.repeat,
        parts=args.parts,
        profile=args.profile or args.profile_out is not None,
        profile_out=str(args.profile_out) if args.profile_out else None,
        sandbox_check=not args.no_sandbox_check,
        startup_runs=args.startup_runs,
        scale_rows=args.scale,
        scale_modes=[m.strip() for m in args.scale_modes.split(",") if m.strip()],
        page_size=args.page_size,
        scale_params=json.loads(args.scale_params),
        client_n=args.client_n,
        bulk_sizes=args.bulk,
    )

    def log(message: str) -> None:
        if not args.quiet:
            print(f"... {message}", file=sys.stderr, flush=True)

    results = run_all(config, log)
    results["targets"] = targets.evaluate(results)
    text = report.render(results)
    data = report.to_json(results)
    if args.output:
        args.output.write_text(data + "\n", encoding="utf-8")
    if args.json:
        print(text, file=sys.stderr)
        print(data)
    else:
        print(text)
    failed = [
        name
        for name in (
            "throughput",
            "sandbox",
            "overhead",
            "startup",
            "scale",
            "client",
            "serve",
            "bulk",
        )
        if isinstance(results.get(name), dict) and "error" in results[name]
    ]
    if failed:
        print(f"error: part(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
