"""What a stopped run tells: how far every node got, for the terminal and as JSON.

A run that stops at a node has still done work: the nodes before it ran, and the failing node
may have finished some items (writes that happened). The summary line says where it stopped;
these say what ran, so nothing done is hidden.
"""

from __future__ import annotations

from typing import Any

from keitaro_node.runtime.errors import WorkflowError


def runs_json(result: Any) -> dict[str, Any]:
    """Every run of every node: node -> [run 0, run 1, ...], a run being its outputs' items."""
    return {
        name: [[[i.to_json() for i in output] for output in outputs] for outputs in runs]
        for name, runs in result.runs.items()
    }


def failure_report(exc: WorkflowError) -> dict[str, Any]:
    """`{"runs", "failed"}`: what every node did, and the failing node's error and the items
    it completed before the stop."""
    to_json = getattr(exc.error, "to_json", None)
    failed = {
        "node": exc.node_name,
        "error": to_json() if callable(to_json) else {"message": str(exc.error)},
        "completed": [i.to_json() for i in exc.completed],
    }
    runs = runs_json(exc.result) if exc.result is not None else {}
    return {"runs": runs, "failed": failed}


def how_far(exc: WorkflowError) -> str:
    """One line per fact: the nodes that ran before the stop, and what the failing node did."""
    lines = []
    result = exc.result
    if result is not None and result.runs:
        ran = ", ".join(
            f"'{name}' ({sum(len(outputs[0]) if outputs else 0 for outputs in runs)} items)"
            for name, runs in result.runs.items()
        )
        lines.append(f"ran before the stop: {ran}")
    if exc.completed:
        lines.append(
            f"'{exc.node_name}' completed {len(exc.completed)} item(s) before it stopped "
            "(they are on the output); --all-nodes prints every node's items"
        )
    else:
        lines.append("--all-nodes prints every node's items")
    return "\n".join(lines)
