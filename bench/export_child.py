"""One paged export by the node, in a process of its own so that its peak RSS is the export's.

``python -m bench.export_child --url U --api-key K --resource R --operation O --mode M``
runs Manual Trigger -> Keitaro (returnAll) and prints one JSON line: rows, wall and CPU
seconds, the RSS after imports and the peak RSS (VmHWM) of this process.

Modes: ``stream`` sets ``options.outputFile`` (records go to a JSON-lines file page by page,
the node outputs a summary item); ``items`` keeps every record as an output item
(``options.splitIntoItems``), as a workflow without an output file would; ``first`` asks for
one page of one record (``returnAll`` off), which is how the benchmark makes the sandbox
build its dataset before anything is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _status_kb(field: str) -> int | None:
    """A ``/proc/self/status`` figure in kB (VmRSS, VmHWM), or None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak_rss_mb() -> float:
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def workflow(
    resource_name: str, operation: str, mode: str, page_size: int, out: str, extra: dict[str, Any]
) -> dict[str, Any]:
    options: dict[str, Any] = {"requestsPerSecond": 0, "pageSize": page_size}
    parameters: dict[str, Any] = {"resource": resource_name, "operation": operation, **extra}
    if mode == "first":
        parameters.update(returnAll=False, limit=1)
    else:
        parameters["returnAll"] = True
        if mode == "stream":
            options["outputFile"] = out
            options["overwriteOutputFile"] = True
        else:
            options["splitIntoItems"] = True
    parameters["options"] = {**options, **parameters.get("options", {})}
    return {
        "name": "Export (benchmark)",
        "nodes": [
            {
                "name": "Manual Trigger",
                "type": "n8n-nodes-base.manualTrigger",
                "typeVersion": 1,
                "position": [0, 0],
                "parameters": {},
            },
            {
                "name": "Keitaro",
                "type": "n8n-nodes-keitaro.keitaro",
                "typeVersion": 1,
                "position": [220, 0],
                "parameters": parameters,
                "credentials": {"keitaroApi": {"id": "1", "name": "Keitaro account"}},
            },
        ],
        "connections": {
            "Manual Trigger": {"main": [[{"node": "Keitaro", "type": "main", "index": 0}]]}
        },
    }


def _rows_in(out: list[Any], mode: str, path: str) -> int:
    if mode == "stream":
        with open(path, "rb") as lines:
            return sum(1 for _ in lines)
    if mode == "items":
        return len(out)
    data = out[0].json.get("data") if out else None
    return len(data) if isinstance(data, list) else (1 if data else 0)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export_child")
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--resource", required=True)
    parser.add_argument("--operation", required=True)
    parser.add_argument("--mode", choices=("stream", "items", "first"), required=True)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--params", default="{}", help="extra node parameters (JSON)")
    parser.add_argument("--out", default=None, help="output file for --mode stream")
    args = parser.parse_args(argv)

    from keitaro_node.app import plugin_host, run_workflow
    from keitaro_node.runtime.credentials import CredentialStore
    from keitaro_node.runtime.workflow import parse_workflow

    out_path = args.out or os.path.join(tempfile.mkdtemp(prefix="keitaro-bench-"), "rows.jsonl")
    parsed = parse_workflow(
        workflow(
            args.resource,
            args.operation,
            args.mode,
            args.page_size,
            out_path,
            json.loads(args.params),
        )
    )
    store = CredentialStore(
        {"keitaroApi": {"domain": args.url, "apiKey": args.api_key}}, environ={}
    )
    host = plugin_host(load_entry_points=False)
    rss_before = (_status_kb("VmRSS") or 0) / 1024

    async def run() -> tuple[list[Any], float, float]:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        # the benchmark's own file, in a folder it made or was given
        options = {"allowOutputOutside": True}
        result = await run_workflow(parsed, None, store, host=host, options=options)
        wall1, cpu1 = time.perf_counter(), time.process_time()
        return result.items("Keitaro"), wall1 - wall0, cpu1 - cpu0

    items, wall, cpu = asyncio.run(run())
    peak = peak_rss_mb()
    rows = _rows_in(items, args.mode, out_path)
    file_mb = os.path.getsize(out_path) / 2**20 if args.mode == "stream" else 0.0
    if args.mode == "stream" and args.out is None:
        Path(out_path).unlink(missing_ok=True)
        Path(out_path).parent.rmdir()
    print(
        json.dumps(
            {
                "mode": args.mode,
                "rows": rows,
                "wall_s": wall,
                "cpu_s": cpu,
                "rss_after_imports_mb": round(rss_before, 1),
                "peak_rss_mb": round(peak, 1),
                "file_mb": round(file_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
