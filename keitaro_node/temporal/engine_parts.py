"""The engine's pieces a durable run drives: the walker, the plan, the executor seam.

Looked up by name so that this package loads (and says what is missing) on an engine without
them; the walker and its executor seam live in keitaro_node/runtime/engine/.
"""

from __future__ import annotations

import importlib
from typing import Any

MISSING = (
    "durable runs need the workflow engine as a package with its executor seam "
    "(keitaro_node/runtime/engine/walker.py, executor.py)"
)


def lookup(module: str, name: str, missing: str = MISSING) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ImportError(missing) from None


def part(module: str, name: str) -> Any:
    return lookup(f"keitaro_node.runtime.engine.{module}", name)


Engine: Any = part("engine", "Engine")
SubWorkflows: Any = part("engine", "_SubWorkflows")
LocalExecutor: Any = part("executor", "LocalExecutor")
NodeWork: Any = part("executor", "NodeWork")
Plan: Any = part("plan", "Plan")
prepare: Any = part("plan", "prepare")
RunState: Any = part("state", "RunState")
Services: Any = part("walker", "Services")
Walker: Any = part("walker", "Walker")
WorkflowLoadError: Any = lookup("keitaro_node.runtime.errors", "WorkflowLoadError")
