"""Golden runs: a workflow file, what real n8n gave for it, and our engine's run beside it.

`NAME.workflow.json` sits beside `NAME.n8n.json` (written by record_n8n.py). Our run is put in
the same compact shape - per node, a list of runs, each with its status and the `json` of the
items of every output - and compared node for node.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from keitaro_node.app import run_workflow
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.runtime.workflow import parse_workflow

HERE = Path(__file__).resolve().parent
RECORDER_NODES = {"Recorder Trigger"}


def cases(folder: Path | None = None) -> list[Path]:
    """Every workflow under `folder` that has a recorded n8n run beside it."""
    root = folder or HERE
    return sorted(
        p
        for p in root.rglob("*.workflow.json")
        if p.with_name(p.name.replace(".workflow.json", ".n8n.json")).exists()
    )


def case_id(path: Path) -> str:
    return str(path.relative_to(HERE)).removesuffix(".workflow.json")


def expected_run(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        path.with_name(path.name.replace(".workflow.json", ".n8n.json")).read_text("utf-8")
    )
    return data


def _items_json(items: list[Item]) -> list[dict[str, Any]]:
    return [{"json": item.json} for item in items]


async def our_run(
    path: Path, credentials: CredentialStore | None = None, host: PluginHost | None = None
) -> dict[str, Any]:
    """Run the workflow file through our engine; the result in the recorder's compact shape."""
    workflow = parse_workflow(json.loads(path.read_text("utf-8")), source=str(path))
    run_data: dict[str, list[dict[str, Any]]] = {}
    out: dict[str, Any] = {"runData": run_data}
    try:
        result = await run_workflow(workflow, None, credentials, host=host)
    except WorkflowError as exc:
        partial = getattr(exc, "result", None)
        order = list(getattr(partial, "order", []))
        if partial is not None:
            _fill(run_data, partial)
        run_data.setdefault(exc.node_name, []).append({"status": "error", "error": str(exc.error)})
        _number_runs(run_data, [*order, exc.node_name])
        out["error"] = str(exc.error)
        out["lastNodeExecuted"] = exc.node_name
        return out
    _fill(run_data, result)
    _number_runs(run_data, result.order)
    out["lastNodeExecuted"] = result.order[-1] if result.order else None
    return out


def _number_runs(run_data: dict[str, list[dict[str, Any]]], order: list[str]) -> None:
    """Give our runs an executionIndex from the order they ran in, as n8n's runs have."""
    seen: dict[str, int] = {}
    for index, name in enumerate(order):
        number = seen.get(name, 0)
        seen[name] = number + 1
        runs = run_data.get(name, [])
        if number < len(runs):
            runs[number]["executionIndex"] = index


def _fill(run_data: dict[str, list[dict[str, Any]]], result: Any) -> None:
    runs = getattr(result, "runs", None)
    errors = getattr(result, "errors", {})  # runs that went on past an error (onError)
    if runs is not None:  # an engine that keeps every run of a node
        for name, node_runs in runs.items():
            run_data[name] = [
                {
                    "status": "error" if (name, number) in errors else "success",
                    "main": [_items_json(o) for o in outputs],
                }
                for number, outputs in enumerate(node_runs)
            ]
        return
    for name, outputs in result.outputs.items():
        run_data[name] = [{"status": "success", "main": [_items_json(o) for o in outputs]}]


def normalize(value: Any) -> Any:
    """JSON as both sides mean it: 1 and 1.0 are one number, NaN equals NaN."""
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    """What differs, node for node and run for run; empty when the runs agree."""
    problems: list[str] = []
    expected = {k: v for k, v in theirs["runData"].items() if k not in RECORDER_NODES}
    for name, runs in expected.items():
        mine = ours["runData"].get(name)
        if mine is None:
            problems.append(f"{name}: n8n ran it {len(runs)} time(s), we did not run it")
            continue
        if len(mine) != len(runs):
            problems.append(f"{name}: n8n ran it {len(runs)} time(s), we ran it {len(mine)}")
        for number, (a, b) in enumerate(zip(mine, runs, strict=False)):
            where = f"{name} run {number}"
            if b["status"] == "error" or a["status"] == "error":
                if a["status"] != b["status"]:
                    problems.append(
                        f"{where}: n8n {b['status']} ({b.get('error')}), "
                        f"we {a['status']} ({a.get('error')})"
                    )
                continue
            want = normalize([[i["json"] for i in o] for o in b.get("main", [])])
            got = normalize([[i["json"] for i in o] for o in a.get("main", [])])
            # n8n leaves out trailing outputs that got nothing in some versions
            while len(got) > len(want) and not got[-1]:
                got.pop()
            while len(want) > len(got) and not want[-1]:
                want.pop()
            if got != want:
                problems.append(
                    f"{where}: outputs differ\n  n8n: {json.dumps(want)[:1500]}"
                    f"\n  we:  {json.dumps(got)[:1500]}"
                )
    problems.extend(_order_differences(ours["runData"], expected))
    extra = set(ours["runData"]) - set(expected) - RECORDER_NODES
    if extra:
        problems.append(f"we ran nodes n8n did not: {sorted(extra)}")
    return problems


def _run_order(run_data: dict[str, Any]) -> list[str] | None:
    """`node#run` in the order the runs started, when every run says when (executionIndex)."""
    runs = [
        (run.get("executionIndex"), f"{name}#{number}")
        for name, node_runs in run_data.items()
        for number, run in enumerate(node_runs)
    ]
    if not runs or any(index is None for index, _ in runs):
        return None
    return [label for _, label in sorted(runs)]


def _order_differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    want = _run_order(theirs)
    got = _run_order({k: v for k, v in ours.items() if k in theirs})
    if want is None or got is None or want == got:
        return []
    return [f"the runs happened in another order\n  n8n: {want}\n  we:  {got}"]
