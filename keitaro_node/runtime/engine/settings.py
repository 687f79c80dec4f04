"""Settings with n8n's meaning: a node's (onError, retryOnFail, ...) and a run's (order, limits)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..node import NodeSettings
from ..workflow import Workflow, WorkflowNode

# n8n runs a node with retryOnFail at least twice and at most five times, and waits at most
# five seconds between tries, whatever the workflow file says.
MIN_TRIES, MAX_TRIES = 2, 5
MAX_WAIT_BETWEEN_TRIES_MS = 5000

DEFAULT_MAX_NODE_RUNS = 10_000


def node_settings(node: WorkflowNode) -> NodeSettings:
    on_error = node.onError or ("continueRegularOutput" if node.continueOnFail else "stopWorkflow")
    return NodeSettings(
        on_error=on_error,
        retry_on_fail=node.retryOnFail,
        max_tries=min(MAX_TRIES, max(MIN_TRIES, node.maxTries)) if node.retryOnFail else 1,
        # n8n reads 0 as its default of 1000 ms (a falsy value); here 0 means no wait
        wait_between_tries_ms=min(MAX_WAIT_BETWEEN_TRIES_MS, node.waitBetweenTries),
        always_output_data=node.alwaysOutputData,
        execute_once=node.executeOnce,
        disabled=node.disabled,
    )


@dataclass(frozen=True)
class RunSettings:
    """What a run obeys besides the graph: n8n's execution order and the limits of this host."""

    execution_order: str  # "v1", or "v0" (n8n's legacy order, also when the file has none)
    order_declared: bool
    timeout_s: float | None  # settings.executionTimeout in seconds, when positive
    max_node_runs: int  # runs of one node in one execution before the run is stopped

    @classmethod
    def of(cls, workflow: Workflow, options: Mapping[str, Any]) -> RunSettings:
        settings = workflow.settings
        declared = settings.get("executionOrder")
        timeout = settings.get("executionTimeout")
        limit = options.get("max_node_runs", DEFAULT_MAX_NODE_RUNS)
        return cls(
            execution_order=str(declared) if declared is not None else "v0",
            order_declared=declared is not None,
            timeout_s=float(timeout) if timeout is not None and _positive(timeout) else None,
            max_node_runs=int(limit),
        )


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
