"""The workflow engine: runs n8n workflow JSON node by node and applies node settings.

Nodes run in topological order over `connections` (ties keep the order of `nodes`); a node
runs once with every item that reached its inputs, and a node that receives no items is
skipped, as n8n does. Settings (`onError`, `retryOnFail`, `executeOnce`, `alwaysOutputData`,
`disabled`) and pinned data are applied here, so nodes only map items to items.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .credentials import CredentialStore
from .errors import NodeError, NodeOperationError, WorkflowError
from .items import Item, PairedItem, items_from_json
from .node import ExecutionContext, ItemsFailed, NodeSettings, NodeType
from .parameters import ParameterResolver
from .plugins import PluginError, PluginHost
from .scope import SCOPE_NAMES, node_scope_factory
from .workflow import Workflow, WorkflowNode

log = logging.getLogger("keitaro_node.engine")


@dataclass
class RunResult:
    """Outputs of every node that ran, by node name, and the order they ran in."""

    outputs: dict[str, list[list[Item]]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    terminal: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # short: asyncio puts results into reprs of finished tasks
        counts = {name: [len(o) for o in outs] for name, outs in self.outputs.items()}
        return f"RunResult(items per node and output: {counts})"

    def items(self, node: str, output: int = 0) -> list[Item]:
        outputs = self.outputs.get(node, [])
        return outputs[output] if output < len(outputs) else []

    def final_items(self) -> list[Item]:
        """Items of every output of the nodes that ran last in their branch."""
        return [
            item
            for name in self.terminal
            for output in self.outputs.get(name, [])
            for item in output
        ]


class _Run:
    """State of one workflow run; expressions see it as a RunView."""

    def __init__(self, workflow: Workflow) -> None:
        self.workflow = workflow
        self.result = RunResult()
        self.execution_id = uuid.uuid4().hex[:12]

    def has_run(self, node: str) -> bool:
        return node in self.result.outputs

    def items(self, node: str, output: int = 0, run: int | None = None) -> list[Item]:
        return self.result.items(node, output)


class Engine:
    """Runs workflows with the node types and credential types of a plugin host."""

    def __init__(
        self,
        host: PluginHost,
        credentials: CredentialStore | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.host = host
        self.credentials = credentials or CredentialStore()
        self.options = dict(options or {})

    async def run(self, workflow: Workflow, input_items: list[Item] | None = None) -> RunResult:
        """Run the workflow; raise WorkflowError when a node stops it."""
        with _fewer_collections():
            return await self._run(workflow, input_items)

    async def _run(self, workflow: Workflow, input_items: list[Item] | None) -> RunResult:
        run = _Run(workflow)
        node_types = self._resolve_types(workflow)
        edges = workflow.edges()
        order = _topological_order(workflow, edges)
        incoming: dict[str, list[tuple[str, int, int]]] = {n.name: [] for n in workflow.nodes}
        has_outgoing: set[str] = set()
        for source, out_index, target, in_index in edges:
            incoming[target].append((source, out_index, in_index))
            has_outgoing.add(source)
        for name in order:
            node = workflow.node(name)
            sources = incoming[name]
            if sources:
                inputs = self._gather(run, sources)
                if not any(inputs):
                    continue
            else:
                start_items = input_items if input_items is not None else [Item()]
                inputs = [list(start_items)]  # nodes read their input; _stamp copies pass-throughs
            outputs = await self._run_node(run, node, node_types[name], inputs)
            run.result.outputs[name] = outputs
            run.result.order.append(name)
        ran = set(run.result.order)
        run.result.terminal = [
            n
            for n in run.result.order
            if n not in has_outgoing or not _downstream_ran(n, edges, ran)
        ]
        return run.result

    def _resolve_types(self, workflow: Workflow) -> dict[str, NodeType]:
        resolved: dict[str, NodeType] = {}
        for node in workflow.nodes:
            try:
                resolved[node.name] = self.host.node_type(node.type)
            except PluginError as exc:
                raise WorkflowError(
                    node.name, NodeOperationError(str(exc), node_name=node.name)
                ) from None
        return resolved

    @staticmethod
    def _gather(run: _Run, sources: list[tuple[str, int, int]]) -> list[list[Item]]:
        width = max(in_index for _, _, in_index in sources) + 1
        inputs: list[list[Item]] = [[] for _ in range(width)]
        for source, out_index, in_index in sources:
            inputs[in_index].extend(run.result.items(source, out_index))
        return inputs

    async def _run_node(
        self, run: _Run, node: WorkflowNode, node_type: NodeType, inputs: list[list[Item]]
    ) -> list[list[Item]]:
        if node.name in run.workflow.pinData:
            pinned = items_from_json(run.workflow.pinData[node.name])
            return self._stamp(node.name, [pinned], inputs)
        if node.disabled:
            return self._stamp(node.name, [list(inputs[0]) if inputs else []], inputs)
        settings = _settings(node)
        if settings.execute_once:
            inputs = [inputs[0][:1], *inputs[1:]]
        items = inputs[0] if inputs else []
        tries = settings.max_tries if settings.retry_on_fail else 1
        attempt = 0
        while True:
            attempt += 1
            try:
                ctx = self._context(run, node, node_type, settings, inputs)
                outputs = await node_type.execute(ctx, items)
                break
            except ItemsFailed as exc:
                raise WorkflowError(node.name, exc.error, completed=exc.completed) from None
            except NodeError as exc:
                exc.with_context(node_name=node.name)
                if attempt < tries and exc.retryable:
                    log.warning("%s: failed (try %d of %d): %s", node.name, attempt, tries, exc)
                    await asyncio.sleep(settings.wait_between_tries_ms / 1000)
                    continue
                if not settings.continue_on_fail:
                    raise WorkflowError(node.name, exc) from None
                outputs = [[self._failed_item(i, item, exc) for i, item in enumerate(items)]]
                break
        outputs = self._apply_error_output(node_type, settings, outputs)
        if settings.always_output_data and not any(outputs):
            outputs[0] = [Item(json={}, paired_item=PairedItem(0))]
        return self._stamp(node.name, outputs, inputs)

    @staticmethod
    def _failed_item(index: int, item: Item, error: NodeError) -> Item:
        return Item(
            json={**item.json, "error": str(error)}, error=error, paired_item=PairedItem(index)
        )

    @staticmethod
    def _apply_error_output(
        node_type: NodeType, settings: NodeSettings, outputs: list[list[Item]]
    ) -> list[list[Item]]:
        width = max(len(node_type.description.outputs), 1)
        outputs = outputs + [[] for _ in range(width - len(outputs))]
        if settings.on_error != "continueErrorOutput":
            return outputs
        good = [[i for i in out if i.error is None] for out in outputs]
        bad = [i for out in outputs for i in out if i.error is not None]
        return [*good, bad]

    def _context(
        self,
        run: _Run,
        node: WorkflowNode,
        node_type: NodeType,
        settings: NodeSettings,
        inputs: list[list[Item]],
    ) -> ExecutionContext:
        description = node_type.description
        resolver = ParameterResolver(
            description,
            node.parameters,
            SCOPE_NAMES,
            node_name=node.name,
            type_version=node.typeVersion,
        )
        items = inputs[0] if inputs else []
        scope = node_scope_factory(
            run, run.workflow, run.execution_id, node.name, node.type, node.parameters, items
        )

        return ExecutionContext(
            node_name=node.name,
            description=description,
            parameters=resolver,
            settings=settings,
            credentials_store=self.credentials,
            credential_types=self.host.credential_types,
            credential_refs=node.credential_refs(),
            scope_factory=scope,
            options=self.options,
            inputs=inputs,
            type_version=node.typeVersion,
        )

    @staticmethod
    def _stamp(name: str, outputs: list[list[Item]], inputs: list[list[Item]]) -> list[list[Item]]:
        """Record provenance on output items, copying items passed through unchanged."""
        input_ids = {id(i) for group in inputs for i in group}
        stamped: list[list[Item]] = []
        for output in outputs:
            fresh: list[Item] = []
            for item in output:
                if id(item) in input_ids:
                    item = Item(
                        json=item.json,
                        binary=item.binary,
                        paired_item=item.paired_item,
                        error=item.error,
                        metadata=item.metadata,
                    )
                pair = item.paired_item
                if (
                    pair is not None
                    and pair.input < len(inputs)
                    and 0 <= pair.item < len(inputs[pair.input])
                ):
                    item.parent = inputs[pair.input][pair.item]
                item.node = name
                fresh.append(item)
            stamped.append(fresh)
        return stamped


_active_runs: list[tuple[int, int, int]] = []  # thresholds saved by the first of concurrent runs


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often while runs hold thousands of live items.

    Every item is alive until its run ends, so the default young-generation threshold (700
    allocations) makes the collector walk the same objects over and over; raising it while
    runs last saves about a tenth of the per-item CPU. When the last concurrent run ends, the
    thresholds it found come back.
    """
    if not _active_runs:
        before = gc.get_threshold()
        gc.set_threshold(max(before[0], 10_000), *before[1:])
        _active_runs.append(before)
    else:
        _active_runs.append(_active_runs[0])
    try:
        yield
    finally:
        saved = _active_runs.pop()
        if not _active_runs:
            gc.set_threshold(*saved)


def _settings(node: WorkflowNode) -> NodeSettings:
    on_error = node.onError or ("continueRegularOutput" if node.continueOnFail else "stopWorkflow")
    return NodeSettings(
        on_error=on_error,
        retry_on_fail=node.retryOnFail,
        max_tries=node.maxTries,
        wait_between_tries_ms=node.waitBetweenTries,
        always_output_data=node.alwaysOutputData,
        execute_once=node.executeOnce,
        disabled=node.disabled,
    )


def _topological_order(workflow: Workflow, edges: list[tuple[str, int, str, int]]) -> list[str]:
    position = {n.name: i for i, n in enumerate(workflow.nodes)}
    pending = {n.name: 0 for n in workflow.nodes}
    children: dict[str, list[str]] = {n.name: [] for n in workflow.nodes}
    for source, _, target, _ in edges:
        pending[target] += 1
        children[source].append(target)
    ready = sorted((n for n, count in pending.items() if count == 0), key=position.__getitem__)
    order: list[str] = []
    while ready:
        name = ready.pop(0)
        order.append(name)
        for child in children[name]:
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
                ready.sort(key=position.__getitem__)
    if len(order) != len(workflow.nodes):
        stuck = sorted(set(pending) - set(order))
        raise WorkflowError(
            stuck[0], NodeOperationError(f"the workflow has a loop through: {', '.join(stuck)}")
        )
    return order


def _downstream_ran(name: str, edges: list[tuple[str, int, str, int]], ran: set[str]) -> bool:
    return any(source == name and target in ran for source, _, target, _ in edges)
