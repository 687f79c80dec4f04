"""Results as text tables (for people) and as JSON (for tools and for comparing runs)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.ljust(w) if i == 0 or not _numeric(v) else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _numeric(text: str) -> bool:
    stripped = text.replace(".", "").replace("-", "").replace("%", "").replace(",", "")
    return stripped.isdigit()


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def _failed(title: str, part: Any) -> list[str] | None:
    if isinstance(part, dict) and "error" in part:
        return [f"{title}: failed: {part['error']}"]
    return None


def _throughput(results: dict[str, Any]) -> list[str]:
    blocks = results.get("throughput", [])
    if not blocks:
        return []
    failed = _failed("1. Throughput", blocks)
    if failed:
        return failed
    n = blocks[0]["n"]
    repeat = results["config"]["repeat"]
    rows = []
    for block in blocks:
        for run in block["runs"]:
            rows.append(
                [
                    f"{block['latency_ms']:g} ms",
                    block["server"],
                    run["client"],
                    run["n"],
                    run["concurrency"],
                    run["calls_per_s"],
                    f"{run['spread']:.0%}",
                    run["wall_s"],
                    run["cpu_us_per_item"],
                    run.get("server_cpu_us_per_item"),
                    run.get("node_over_raw"),
                    run.get("node_over_sequential"),
                ]
            )
    sandbox = results.get("sandbox")
    if sandbox and "runs" in sandbox:
        for run in sandbox["runs"]:
            rows.append(
                [
                    f"{sandbox['latency_ms']:g} ms",
                    "sandbox",
                    run["client"],
                    run["n"],
                    run["concurrency"],
                    run["calls_per_s"],
                    f"{run['spread']:.0%}",
                    run["wall_s"],
                    run["cpu_us_per_item"],
                    run.get("server_cpu_us_per_item"),
                    sandbox["node_over_raw"] if run["client"] == "node" else None,
                    None,
                ]
            )
    headers = [
        "latency", "server", "client", "N", "c", "calls/s", "spread", "wall s", "CPU us/item",
        "server CPU us/item", "node/raw", "node/seq",
    ]  # fmt: skip
    lines = [
        f"1. Throughput: stream create, N={n}, median of {repeat} runs, "
        "server in a separate process on 127.0.0.1; CPU = client process, "
        "server CPU = the server process over the same span; spread = (max - min) / median",
        table(headers, rows),
    ]
    for block in blocks:
        r = block["ratios"]
        top = r["max_concurrency"]
        lines.append(
            f"   {block['latency_ms']:g} ms: node(c={top})/sequential = "
            f"{_cell(r['node_max_over_sequential'])}x; node/raw "
            + ", ".join(f"c={c}: {_cell(v)}" for c, v in r["node_over_raw"].items())
        )
    lines.append(f"   sequential = {blocks[0]['sequential']}")
    if sandbox and "error" in sandbox:
        lines.append(f"   sandbox: {sandbox['error']}")
    return lines


def _overhead(results: dict[str, Any]) -> list[str]:
    part = results.get("overhead")
    if not part:
        return []
    failed = _failed("2. CPU per item", part)
    if failed:
        return failed
    rows = [
        [
            r["n"],
            r["concurrency"],
            r["raw_cpu_us_per_item"],
            r["node_cpu_us_per_item"],
            r["our_layers_cpu_us_per_item"],
            r["edit_fields_cpu_us_per_item"],
            r["keitaro_node_cpu_us_per_item"],
            r["node_over_raw_cpu"],
        ]
        for r in part["by_concurrency"]
    ]
    headers = [
        "N", "c", "raw aiohttp", "node total", "our layers", "engine+Edit Fields",
        "Keitaro node+client", "node/raw",
    ]  # fmt: skip
    lines = [
        "2. CPU per item (us, client process), stand-in answering at once (0 ms); "
        "our layers = node total - raw aiohttp",
        table(headers, rows),
    ]
    budget = ", ".join(
        f"c={r['concurrency']}: {r['raw_cpu_us_per_item'] / 0.8:.0f} "
        f"(now {r['node_cpu_us_per_item']:.0f})"
        for r in part["by_concurrency"]
    )
    lines.append(
        "   at 0 ms the client is CPU-bound, so node/raw calls/s ~ raw CPU / node CPU; "
        f"node/raw >= 0.8 needs node CPU us/item <= raw / 0.8: {budget}"
    )
    profile = part.get("profile")
    if profile:
        lines.append(_profile(profile))
    return lines


def _profile(profile: dict[str, Any]) -> str:
    lines = [
        f"   cProfile of one node run (N={profile['n']}, c={profile['concurrency']}, "
        f"{profile['calls_per_s_under_profiler']:.0f} calls/s under the profiler), "
        "us per item:"
    ]
    for key, title in (("by_cumulative", "cumulative"), ("by_tottime", "own time")):
        rows = [
            [p["function"], p["calls"], p["cum_us_per_item"], p["own_us_per_item"]]
            for p in profile[key]
        ]
        lines.append(f"   top {len(rows)} by {title}:")
        lines.append(table(["function", "calls", "cum us/item", "own us/item"], rows))
    areas = profile.get("by_area", [])
    if areas:
        lines.append(
            "   own time by area, node vs raw aiohttp at the same c "
            "(profiler overhead included in both):"
        )
        lines.append(
            table(
                ["area", "node us/item", "share", "raw us/item", "node - raw"],
                [
                    [
                        a["area"],
                        a["own_us_per_item"],
                        f"{a['share']:.0%}",
                        a.get("raw_own_us_per_item"),
                        a["own_us_per_item"] - a.get("raw_own_us_per_item", 0.0),
                    ]
                    for a in areas
                ],
            )
        )
    return "\n".join(lines)


def _startup(results: dict[str, Any]) -> list[str]:
    part = results.get("startup")
    if not part:
        return []
    failed = _failed("3. Start-up", part)
    if failed:
        return failed
    rows = [
        [c["command"], c["runs"], c["median_s"] * 1000, c["min_s"] * 1000, c["max_s"] * 1000]
        for c in part["commands"]
    ]
    lines = [
        "3. Start-up (fresh process each run, wall time)",
        table(["command", "runs", "median ms", "min ms", "max ms"], rows),
    ]
    for name, imports in part.get("import_profile", {}).items():
        lines.append(f"   slowest imports of {name} (python -X importtime):")
        lines.append(
            table(
                ["module", "cumulative ms", "self ms"],
                [
                    ["  " * i["depth"] + i["module"], i["cumulative_ms"], i["self_ms"]]
                    for i in imports
                ],
            )
        )
    return lines


def _scale(results: dict[str, Any]) -> list[str]:
    part = results.get("scale")
    if not part:
        return []
    failed = _failed("4. Scale", part)
    if failed:
        return failed
    if not part.get("available"):
        return [f"4. Scale: {part.get('reason', 'not available')}"]
    lines = [
        f"4. Scale: {part['operation']}, returnAll, pageSize {part['page_size']}, "
        "each export in a fresh child process",
        table(
            ["rows", "server start s", "dataset build s (first request)", "server peak RSS MB"],
            [
                [d["rows"], d["server_start_s"], d["first_request_s"], d.get("server_peak_rss_mb")]
                for d in part["datasets"]
            ],
        ),
    ]
    rows = []
    for e in part["exports"]:
        if "error" in e:
            rows.append([e["rows"], e["mode"], "-", "-", "-", "-", "-", "-", "-", e["error"][:120]])
            continue
        rows.append(
            [
                e["rows"],
                e["mode"],
                e["exported_rows"],
                e["rows_per_s"],
                e["wall_s"],
                e["cpu_us_per_row"],
                e.get("server_cpu_us_per_row"),
                e["rss_after_imports_mb"],
                e["peak_rss_mb"],
                "",
            ]
        )
    lines.append(
        table(
            [
                "rows",
                "mode",
                "exported",
                "rows/s",
                "wall s",
                "CPU us/row",
                "server CPU us/row",
                "RSS base MB",
                "peak RSS MB",
                "",
            ],
            rows,
        )
    )
    lines.append(
        "   stream = options.outputFile (JSON lines written page by page); "
        "items = every record kept as an output item (splitIntoItems)"
    )
    return lines


def _client(results: dict[str, Any]) -> list[str]:
    blocks = results.get("client", [])
    if not blocks:
        return []
    failed = _failed("5. One-off calls", blocks)
    if failed:
        return failed
    repeat = results["config"]["repeat"]
    rows = []
    for block in blocks:
        for run in block["runs"]:
            rows.append(
                [
                    f"{block['latency_ms']:g} ms",
                    run["client"],
                    run["n"],
                    run["concurrency"],
                    run["calls_per_s"],
                    f"{run['spread']:.0%}",
                    run["cpu_us_per_item"],
                    run.get("server_cpu_us_per_item"),
                    run.get("over_raw"),
                    run.get("extra_cpu_us"),
                ]
            )
    headers = [
        "latency", "client", "N", "c", "calls/s", "spread", "CPU us/call", "server CPU us/call",
        "x raw", "extra CPU us/call",
    ]  # fmt: skip
    lines = [
        f"5. One-off calls from Python: stream create via Keitaro(...).stream.create(), "
        f"N={blocks[0]['n']}, median of {repeat} runs, stand-in server in a separate process; "
        "x raw = calls/s over raw aiohttp's at the same c; extra CPU = client - raw",
        table(headers, rows),
    ]
    for block in blocks:
        r = block["ratios"]
        lines.append(
            f"   {block['latency_ms']:g} ms: client/raw "
            + ", ".join(f"c={c}: {_cell(v)}" for c, v in r["client_over_raw"].items())
            + f"; workflow per call/raw (c=1): {_cell(r['workflow_per_call_over_raw_c1'])}"
        )
    lines.append(f"   workflow per call = {blocks[0]['workflow_per_call']}")
    return lines


def _bulk(results: dict[str, Any]) -> list[str]:
    part = results.get("bulk")
    if not part:
        return []
    failed = _failed("7. Bulk jobs", part)
    if failed:
        return failed
    rows = []
    for job in part["jobs"]:
        if "error" in job:
            rows.append([job["items"], job["output"], "-", "-", "-", "-", "-", job["error"][:100]])
            continue
        rows.append(
            [
                job["items"],
                job["output"],
                job["items_per_s"],
                job["us_per_item"],
                job.get("first_output_s"),
                job["peak_rss_mb"],
                job.get("kb_per_item"),
                "",
            ]
        )
    inside = part.get("in_process", {})
    limits = part.get("limits", {})
    return [
        "7. Bulk jobs: `keitaro-node run` over JSON-lines items, Manual Trigger -> Edit Fields "
        f"-> Keitaro stream create ({limits}), stand-in tracker at 0 ms, one fresh process each",
        table(
            [
                "items",
                "output",
                "items/s",
                "wall us/item",
                "first output s",
                "peak RSS MB",
                "KB/item",
                "",
            ],
            rows,
        ),
        f"   the same workflow in-process (run_workflow on a list) on {inside.get('items')} "
        f"items: {_cell(inside.get('items_per_s'))} items/s, peak RSS "
        f"{_cell(inside.get('peak_rss_mb'))} MB",
    ]


def _serve(results: dict[str, Any]) -> list[str]:
    part = results.get("serve")
    if not part:
        return []
    failed = _failed("6. Serve", part)
    if failed:
        return failed
    rows = [
        [r["n"], r["concurrency"], r["calls_per_s"], f"{r['spread']:.0%}", r["wall_s"], r["failed"]]
        for r in part["runs"]
    ]
    return [
        f"6. Serve: keitaro-node serve in its own process, {part['endpoint']}; "
        f"{part['workflow']}; median of {results['config']['repeat']} runs",
        table(["N", "c", "requests/s", "spread", "wall s", "failed"], rows),
    ]


def _targets(results: dict[str, Any]) -> list[str]:
    checks = results.get("targets", [])
    if not checks:
        return []
    rows = [
        [c["target"], c["value"], c["holds"] if c["holds"] is not None else "not measured"]
        for c in checks
    ]
    return ["Targets", table(["target", "value", "holds"], rows)]


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"keitaro-node benchmark at commit {m['commit']}: Python {m['python']}, "
        f"aiohttp {m['aiohttp']}, {m['event_loop']}",
        f"machine: {m['platform']}; {m['note']}; load average at start {m['load_average']}",
        f"command: {results['config']['command']}",
        "",
    ]
    for section in (_throughput, _overhead, _startup, _scale, _client, _serve, _bulk, _targets):
        body = section(results)
        if body:
            lines += [*body, ""]
    return "\n".join(lines).rstrip() + "\n"


def to_json(results: dict[str, Any]) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False)
