"""Where items leave a workflow: the branch ends, and which input item each one came from.

A bulk job's output is every item that leaves the workflow, not only the last node's: a node
output with no connection is a branch end (a node with none at all, the `false` side of an If
that leads nowhere, the error output of a node set to continueErrorOutput). Items of each
branch end keep input order. n8n's own result of a run is the last node's items only, which
would drop the other branches of a bulk job.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from keitaro_node.runtime.items import Item
from keitaro_node.runtime.workflow import Workflow


@dataclass(frozen=True, slots=True)
class BranchEnd:
    """One node output that leads nowhere."""

    node: str
    output: int
    label: str


class BranchEnds:
    """The unconnected outputs of a workflow's nodes, with labels for the summary."""

    def __init__(self, workflow: Workflow) -> None:
        self.connected: dict[str, set[int]] = {}
        for source, output, _target, _input in workflow.edges():
            self.connected.setdefault(source, set()).add(output)
        self.error_output = {
            node.name
            for node in workflow.nodes
            if node.onError == "continueErrorOutput" and not node.disabled
        }

    def of(self, node: str, outputs: int) -> list[BranchEnd]:
        """The branch ends among a node's `outputs` outputs."""
        connected = self.connected.get(node, set())
        ends = []
        for output in range(outputs):
            if output in connected:
                continue
            if node in self.error_output and output == outputs - 1 and outputs > 1:
                label = f"{node} (errors)"
            elif outputs > 1:
                label = f"{node} (output {output})"
            else:
                label = node
            ends.append(BranchEnd(node, output, label))
        return ends

    def items(
        self, order: Iterable[str], runs: Mapping[str, list[list[list[Item]]]]
    ) -> Iterator[tuple[BranchEnd, list[Item]]]:
        """Items at each branch end of a finished run, nodes in the order they first ran, every
        run of a node (a node fed by two branches, or inside a loop, runs more than once)."""
        for node in dict.fromkeys(order):
            for node_outputs in runs.get(node, []):
                for end in self.of(node, len(node_outputs)):
                    yield end, node_outputs[end.output]


def root_of(item: Item) -> Item:
    """The start item an item descends from (following pairedItem provenance)."""
    while item.parent is not None:
        item = item.parent
    return item
