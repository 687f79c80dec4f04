"""Where each node's work runs in a durable run, by what the node does.

- **in the workflow**: nodes that only route or hold items for the walk (Loop Over Items keeps
  items in the run's node state, Wait becomes a durable timer, No Operation, triggers). They
  do no I/O and Temporal replays them exactly.
- **a local activity** (in the worker that runs the workflow, its result kept in the history):
  nodes that reshape items and send nothing - Edit Fields, If, Merge, Aggregate, Code... They
  are safe to run again, so Temporal may retry them freely.
- **an activity on a task queue**: everything else - nodes that send requests (the Keitaro
  node, HTTP Request, any plugin node not listed here). Their items are journaled before a
  request leaves (progress.py); nodes that work item by item (gathers_all_items False) are
  cut into chunks, and their
  requests go through the credential's rate-limited queue (queues.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Place = Literal["workflow", "local", "remote"]

IN_WORKFLOW = frozenset(
    {
        "n8n-nodes-base.splitInBatches",
        "n8n-nodes-base.wait",
        "n8n-nodes-base.noOp",
        "noOp",
        "n8n-nodes-base.manualTrigger",
        "manualTrigger",
        "n8n-nodes-base.start",
        "n8n-nodes-base.executeWorkflowTrigger",
        "n8n-nodes-base.stickyNote",
    }
)

# reshape items, send nothing: safe to repeat
LOCAL = frozenset(
    {
        "n8n-nodes-base.set",
        "set",
        "n8n-nodes-base.if",
        "if",
        "n8n-nodes-base.filter",
        "filter",
        "n8n-nodes-base.switch",
        "switch",
        "n8n-nodes-base.merge",
        "merge",
        "n8n-nodes-base.splitOut",
        "splitOut",
        "n8n-nodes-base.aggregate",
        "aggregate",
        "n8n-nodes-base.itemLists",
        "itemLists",
        "n8n-nodes-base.sort",
        "sort",
        "n8n-nodes-base.limit",
        "limit",
        "n8n-nodes-base.removeDuplicates",
        "removeDuplicates",
        "n8n-nodes-base.summarize",
        "summarize",
        "n8n-nodes-base.dateTime",
        "dateTime",
        "n8n-nodes-base.code",
        "code",
        "n8n-nodes-base.function",
        "function",
        "n8n-nodes-base.functionItem",
        "functionItem",
        "n8n-nodes-base.scheduleTrigger",
    }
)


def place_of(node_type: str) -> Place:
    if node_type in IN_WORKFLOW:
        return "workflow"
    if node_type in LOCAL:
        return "local"
    return "remote"


def parameter_texts(parameters: Any) -> list[str]:
    """Every text inside a node's parameters, however deep (where expressions can be)."""
    texts: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, Mapping):
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    collect(parameters)
    return texts


def chunkable(gathers_all_items: bool, parameters: Mapping[str, Any]) -> bool:
    """A node may be cut into chunks when it works item by item (NodeType.gathers_all_items
    answers False) and none of its expressions reads the other items of its input
    (`$input.all()`, `.first()`, `.last()`, `$items()`), nor does it batch them."""
    if gathers_all_items:
        return False
    joined = "\n".join(parameter_texts(parameters))
    reads_all = ("$input.all", "$input.first", "$input.last", "$items(", "batching")
    return not any(word in joined for word in reads_all)
