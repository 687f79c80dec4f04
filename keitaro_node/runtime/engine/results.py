"""What a run leaves behind: every run of every node, in the order they ran."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..items import Item

Outputs = list[list[Item]]


@dataclass
class RunResult:
    """Every run of every node, by node name, and the order the runs happened in.

    `runs[node]` lists the node's runs (run index 0, 1, ...), each with one item list per
    output. `outputs`, `items()` and `final_items()` read the last run of a node, as n8n's
    expressions do; `final_items()` is what n8n returns from a workflow: the last run of the
    node that ran last.
    """

    runs: dict[str, list[Outputs]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # one entry per node run
    # nodes that ran and fed no node that ran after them: the ends of the branches
    terminal: list[str] = field(default_factory=list)
    # (node, run index) -> the error a run continued past (onError continue...), as n8n
    # marks such runs
    errors: dict[tuple[str, int], Exception] = field(default_factory=dict)

    def __repr__(self) -> str:  # short: asyncio puts results into reprs of finished tasks
        counts = {
            name: [[len(o) for o in outs] for outs in node_runs]
            for name, node_runs in self.runs.items()
        }
        return f"RunResult(items per node, run and output: {counts})"

    def record(self, node: str, outputs: Outputs) -> int:
        """Add a run of `node`; returns its run index."""
        node_runs = self.runs.setdefault(node, [])
        node_runs.append(outputs)
        self.order.append(node)
        return len(node_runs) - 1

    @property
    def outputs(self) -> dict[str, Outputs]:
        """The outputs of each node's last run."""
        return {name: node_runs[-1] for name, node_runs in self.runs.items() if node_runs}

    def items(self, node: str, output: int = 0, run: int | None = None) -> list[Item]:
        """Items of one output of a node's run (the last run when `run` is None)."""
        node_runs = self.runs.get(node)
        if not node_runs:
            return []
        try:
            outputs = node_runs[-1 if run is None else run]
        except IndexError:
            return []
        return outputs[output] if 0 <= output < len(outputs) else []

    @property
    def last_node(self) -> str | None:
        """The node that ran last (n8n's lastNodeExecuted)."""
        return self.order[-1] if self.order else None

    def last_outputs(self) -> Outputs:
        """The outputs of the last run of the node that ran last: n8n's result of a workflow."""
        last = self.last_node
        return self.runs[last][-1] if last is not None else []

    def final_items(self) -> list[Item]:
        """Items of every output of the last run of the node that ran last."""
        return [item for output in self.last_outputs() for item in output]
