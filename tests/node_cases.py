"""Recorded n8n runs of the condition and field nodes, checked where a plain golden run cannot be.

A golden case whose workflow fails compares whole runs, and our engine does not keep the runs
of the nodes before the failing one yet. These checks still hold such cases to n8n's answer:
the same node fails with n8n's message, and every node that ran gave n8n's output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from golden.golden import HERE, cases, expected_run, normalize

from keitaro_node.app import run_workflow
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.workflow import parse_workflow


def error_cases(topic: str) -> list[Path]:
    """Cases of `topic` where a node of n8n's run ended in an error."""
    return [
        path
        for path in cases(HERE / topic)
        if any(
            run["status"] == "error"
            for runs in expected_run(path)["runData"].values()
            for run in runs
        )
    ]


def outputs_of(run: dict[str, Any]) -> Any:
    return normalize([[item["json"] for item in output] for output in run.get("main", [])])


async def check_against_n8n(path: Path) -> None:
    theirs = expected_run(path)
    workflow = parse_workflow(json.loads(path.read_text("utf-8")), source=str(path))
    failure: WorkflowError | None = None
    outputs: dict[str, Any] = {}
    try:
        result = await run_workflow(workflow, None, None)
        outputs = result.outputs
    except WorkflowError as exc:
        failure = exc
    for name, runs in theirs["runData"].items():
        run = runs[-1]
        if run["status"] == "error" and "main" not in run:
            assert failure is not None, f"{name}: n8n failed with {run['error']!r}, we did not"
            assert failure.node_name == name
            message = getattr(failure.error, "message", str(failure.error))
            # n8n's text is empty where an error from its regex sandbox loses its message;
            # ours then says what is wrong
            if run["error"]:
                assert message == run["error"], f"{name}: n8n said {run['error']!r}, we {message!r}"
            else:
                assert message
        elif name in outputs:
            ours = normalize([[i.json for i in output] for output in outputs[name]])
            want = outputs_of(run)
            while len(ours) > len(want) and not ours[-1]:
                ours.pop()
            assert ours == want, f"{name}: n8n gave {want}, we {ours}"
    if failure is not None:
        assert "error" in theirs, f"we failed ({failure}), n8n did not"
