"""cProfile of one node run and one raw-aiohttp run: top functions and own time by area.

Figures are per item and include the profiler's own overhead (roughly doubling every
Python call), so compare them with each other, not with the unprofiled CPU figures.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
from typing import Any

from . import raw_client
from .node_runs import NodeRunner

_BENCH = f"{os.sep}bench{os.sep}"


def profile(
    node: NodeRunner, bodies: list[Any], concurrency: int, top: int = 20, save_to: str | None = None
) -> dict[str, Any]:
    """Profile the node and the raw client at ``concurrency`` against the node's server.

    ``save_to`` also writes the node run's raw statistics for ``python -m pstats FILE``.
    """
    n = len(node.items)
    node_profiler = cProfile.Profile()
    sample = node.run(concurrency, node_profiler)
    if save_to:
        node_profiler.dump_stats(save_to)
    raw_profiler = cProfile.Profile()
    raw_client.run(node.server, bodies, concurrency, raw_profiler)
    node_areas = by_area(node_profiler, n)
    raw_areas = {a["area"]: a["own_us_per_item"] for a in by_area(raw_profiler, n)}
    for area in node_areas:
        area["raw_own_us_per_item"] = raw_areas.get(area["area"], 0.0)
    return {
        "n": n,
        "concurrency": concurrency,
        "calls_per_s_under_profiler": round(sample.calls_per_s, 1),
        "by_cumulative": top_functions(node_profiler, "cumulative", top, n),
        "by_tottime": top_functions(node_profiler, "tottime", top, n),
        "by_area": node_areas,
    }


def top_functions(profiler: cProfile.Profile, key: str, top: int, n: int) -> list[dict[str, Any]]:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    stats.sort_stats(key)
    rows: list[dict[str, Any]] = []
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for func in stats.fcn_list:  # type: ignore[attr-defined]
        _cc, ncalls, tottime, cumtime, _callers = raw[func]
        filename, line, name = func
        if _BENCH in filename:
            continue  # the benchmark's own frames
        if len(rows) == top:
            break
        rows.append(
            {
                "function": _where(filename, line, name),
                "calls": ncalls,
                "own_us_per_item": round(tottime / n * 1e6, 2),
                "cum_us_per_item": round(cumtime / n * 1e6, 2),
            }
        )
    return rows


def _area(filename: str) -> str | None:
    """Which layer a function belongs to, for the own-time-by-area summary."""
    if _BENCH in filename:
        return None
    if "/keitaro_node/" in filename:
        return "keitaro_node/" + filename.split("/keitaro_node/", 1)[1]
    if filename == "~":
        return "C functions (builtins, socket, dict/str methods)"
    if filename.startswith("<"):
        return "generated code (compiled body checks)"
    for package in ("aiohttp", "yarl", "multidict", "asyncio", "json", "pydantic"):
        if f"/{package}/" in filename:
            return package
    return "other: " + os.path.basename(filename)


def by_area(profiler: cProfile.Profile, n: int) -> list[dict[str, Any]]:
    stats = pstats.Stats(profiler, stream=io.StringIO())
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        area = _area(filename)
        if area is not None:
            totals[area] = totals.get(area, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    return [
        {
            "area": area,
            "own_us_per_item": round(seconds / n * 1e6, 2),
            "share": round(seconds / whole, 3),
        }
        for area, seconds in ranked
        if seconds / whole >= 0.005
    ]


def _where(filename: str, line: int, name: str) -> str:
    if filename == "~":
        return name
    for marker in ("/site-packages/", "/keitaro_node/", "/lib/python"):
        at = filename.find(marker)
        if at >= 0:
            short = filename[at + 1 :]
            if marker == "/site-packages/":
                short = short[len("site-packages/") :]
            elif marker == "/lib/python":
                short = "stdlib/" + short.split("/", 2)[-1]
            return f"{short}:{line}({name})"
    return f"{filename}:{line}({name})"
