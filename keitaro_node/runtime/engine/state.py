"""The state of one execution, as the walker keeps it and as expressions see it (RunView)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..items import Item
from ..workflow import Workflow
from .results import RunResult


class RunState:
    """One execution: every node run so far and each node's own state across its runs."""

    def __init__(self, workflow: Workflow, execution_id: str | None = None) -> None:
        self.workflow = workflow
        self.result = RunResult()
        self.execution_id = execution_id or uuid.uuid4().hex[:12]
        self._node_states: dict[str, dict[str, Any]] = {}

    # --- RunView (scope.py) ---------------------------------------------------------------

    def has_run(self, node: str) -> bool:
        return node in self.result.runs

    def items(self, node: str, output: int = 0, run: int | None = None) -> list[Item]:
        """Items of a node's output in one of its runs (None: its latest run)."""
        return self.result.items(node, output, run)

    def context(self, node: str) -> Mapping[str, Any]:
        """A node's state as n8n's `$node["Name"].context` shows it (read only)."""
        return MappingProxyType(self._node_states.get(node, {}))

    # --- for the walker --------------------------------------------------------------------

    def run_count(self, node: str) -> int:
        return len(self.result.runs.get(node, ()))

    def node_state(self, node: str) -> dict[str, Any]:
        """The state `node` keeps across its runs in this execution (n8n's node context)."""
        state = self._node_states.get(node)
        if state is None:
            state = self._node_states[node] = {}
        return state
