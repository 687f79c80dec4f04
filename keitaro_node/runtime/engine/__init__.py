"""The workflow engine: n8n's workflow JSON, checked at load and run in n8n's order.

- plan: loading - every check in one pass, before anything runs (WorkflowLoadError)
- walker: the graph walk with n8n's semantics (order v1, runs, waiting, loops, settings)
- executor: how a node's work on its items is carried out (LocalExecutor today)
- state, results: one execution's state (what expressions see) and what it leaves behind
- order, settings: n8n's sibling order; node and run settings with n8n's bounds
"""

from __future__ import annotations

from .engine import MAX_SUB_WORKFLOW_DEPTH, Engine
from .executor import Executor, LocalExecutor, NodeWork
from .plan import Plan
from .results import RunResult
from .state import RunState

__all__ = [
    "MAX_SUB_WORKFLOW_DEPTH",
    "Engine",
    "Executor",
    "LocalExecutor",
    "NodeWork",
    "Plan",
    "RunResult",
    "RunState",
]
