"""How a node's work on some items is carried out, behind one small interface.

The walker decides what runs, when, on which items and what happens to the outcome; an
executor only carries the work out. The local executor awaits the node in this process; an
executor that hands work to other processes or machines (a Temporal activity per node and
chunk of items) implements the same `execute`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..items import Item
from ..node import ExecutionContext, NodeType


@dataclass(frozen=True, slots=True)
class NodeWork:
    """One run of one node: the node type, its context for this run and its input items."""

    node_type: NodeType
    context: ExecutionContext
    items: list[Item]


class Executor(Protocol):
    async def execute(self, work: NodeWork) -> list[list[Item]] | None:
        """The node's outputs for this work, or None when it gives no data."""
        ...


class LocalExecutor:
    """Runs node work in this process, on the running event loop."""

    async def execute(self, work: NodeWork) -> list[list[Item]] | None:
        return await work.node_type.execute(work.context, work.items)
