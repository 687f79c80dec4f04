"""The graph walker: the one place that knows how n8n runs a workflow (execution order v1).

It follows n8n 1.x's own algorithm. A stack of node runs starts with the start node. After a
node runs, each node it feeds with items (its children, in n8n's canvas order) goes on the
front of the stack, so a branch runs to its end before the next starts (depth first, upper
branch first). A node runs once per run that reaches it, with that run's items, and counts
its runs ($runIndex 0, 1, ...); a node with several inputs waits until every input has data,
and when nothing else is left to run, runs with what it has (as its requiredInputs allow).
Connections may loop (Loop Over Items); a node that runs more often than the limit stops the
run. Settings (onError, retryOnFail, executeOnce, alwaysOutputData, disabled, pinned data)
and pairedItem are applied here; how a node's work is carried out is the executor's business.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..credentials import CredentialStore
from ..description import CredentialType
from ..errors import NodeError, NodeOperationError, WorkflowError
from ..items import Item, PairedItem
from ..node import ExecutionContext, ItemsFailed, NodeSettings, SubWorkflows
from ..scope import node_scope_factory
from ..timezone import workflow_zone
from .executor import Executor, NodeWork
from .order import n8n_add_order
from .plan import Link, Plan, PlannedNode
from .results import Outputs, RunResult
from .state import RunState

log = logging.getLogger("keitaro_node.engine")

Inputs = list[list[Item] | None]  # per input of a node run; None: no data came on that input


# Which run fed an input: the node, its output and its run index (n8n's source data)
Source = tuple[str, int, int]


@dataclass(slots=True)
class Task:
    """A node run waiting on the stack: the node, the items on each of its inputs, and the
    run that fed its first input (what `$prevNode` shows)."""

    node: str
    inputs: Inputs
    source: Source | None = None


@dataclass(frozen=True)
class Services:
    """What node contexts get from the host: credentials, options, sub-workflows."""

    credentials: CredentialStore
    credential_types: Mapping[str, CredentialType]
    options: Mapping[str, Any]
    sub_workflows: SubWorkflows | None = None


class Walker:
    """Walks one execution of a planned workflow."""

    def __init__(self, plan: Plan, state: RunState, executor: Executor, services: Services) -> None:
        self.plan = plan
        self.state = state
        self.executor = executor
        self.services = services
        self.stack: deque[Task] = deque()
        self.waiting: dict[str, dict[int, Inputs]] = {}
        self._entry_sources: dict[int, Source] = {}  # id of a waiting entry -> its first source
        self._deadline: float | None = None
        self.zone = workflow_zone(plan.workflow.settings)

    async def walk(self, start_items: list[Item] | None) -> RunResult:
        """Run the workflow; raise WorkflowError (with the run so far) when a node stops it."""
        timeout = self.plan.settings.timeout_s
        self._deadline = time.monotonic() + timeout if timeout else None
        self.stack.append(Task(self.plan.start, [start_items if start_items else [Item()]]))
        try:
            while self.stack:
                task = self.stack.popleft()
                outputs = await self._run(task)
                if outputs is None:  # the node gave no data: not a run, and its branch ends
                    continue
                self._feed_children(task.node, outputs)
                if not self.stack and self.waiting:
                    self._release_waiting()
        finally:
            self.state.result.terminal = self._terminal()
        return self.state.result

    # --- one node run ------------------------------------------------------------------------

    async def _run(self, task: Task) -> Outputs | None:
        planned = self.plan.nodes[task.node]
        run_index = self.state.run_count(task.node)
        self._check_limits(task.node, run_index)
        inputs = [group if group is not None else [] for group in task.inputs]
        if planned.node.disabled:
            outputs: Outputs | None = [list(task.inputs[0])] if task.inputs[0] is not None else None
        elif planned.pinned is not None:
            outputs = [planned.pinned_items()]
        else:
            outputs = await self._execute(planned, inputs, run_index, task.source)
        if planned.settings.always_output_data and (not outputs or not outputs[0]):
            outputs = outputs or [[]]
            # as n8n: paired with every input item
            pairs = [PairedItem(n, g) for g, group in enumerate(inputs) for n in range(len(group))]
            outputs[0] = [Item(json={}, paired_item=pairs or None)]
        if outputs is None:
            return None
        outputs = _stamp(task.node, outputs, inputs)
        self.state.result.record(task.node, outputs)
        return outputs

    async def _execute(
        self,
        planned: PlannedNode,
        inputs: list[list[Item]],
        run_index: int,
        source: Source | None = None,
    ) -> Outputs | None:
        items = next((group for group in inputs if group), None)
        if items is None:  # n8n runs a node on its first input with items; none has any
            return None
        settings = planned.settings
        if settings.execute_once:
            inputs = [group[:1] for group in inputs]
            items = next(group for group in inputs if group)
        node_type = planned.node_type
        assert node_type is not None and planned.resolver is not None
        tries = settings.max_tries if settings.retry_on_fail else 1
        attempt = 0
        while True:
            attempt += 1
            context = self._context(planned, inputs, items, run_index, source)
            try:
                outputs = await self._await(
                    self.executor.execute(NodeWork(node_type, context, items))
                )
                break
            except ItemsFailed as exc:
                completed = _stamp(planned.name, [exc.completed], inputs)[0]
                raise WorkflowError(
                    planned.name, exc.error, completed=completed, result=self.state.result
                ) from None
            except NodeError as exc:
                error: NodeError = exc.with_context(node_name=planned.name)
            except (asyncio.CancelledError, WorkflowError):
                raise
            except Exception as exc:  # a bug or an unexpected library error: say what happened
                error = NodeOperationError(
                    f"unexpected {type(exc).__name__}: {exc}", node_name=planned.name
                )
            if attempt < tries and error.retryable:
                log.warning("%s: failed (try %d of %d): %s", planned.name, attempt, tries, error)
                await asyncio.sleep(settings.wait_between_tries_ms / 1000)
                continue
            if not settings.continue_on_fail:
                raise WorkflowError(planned.name, error, result=self.state.result) from None
            # as n8n: the node's first input goes on, and the run continues past the error
            log.warning("%s: failed, continuing with its input (onError): %s", planned.name, error)
            self.state.result.errors[(planned.name, run_index)] = error
            return [list(inputs[0])] if inputs else [[]]
        if outputs is None:
            return None
        return _error_output(planned, settings, outputs, inputs)

    def _context(
        self,
        planned: PlannedNode,
        inputs: list[list[Item]],
        items: list[Item],
        run_index: int,
        source: Source | None = None,
    ) -> ExecutionContext:
        node = planned.node
        node_type = planned.node_type
        assert node_type is not None and planned.resolver is not None
        scope = node_scope_factory(
            self.state,
            self.plan.workflow,
            self.state.execution_id,
            node.name,
            node.type,
            node.parameters,
            items,
            options=self.services.options,
            previous_node=source[0] if source else None,
            previous_output=source[1] if source else 0,
            previous_run=source[2] if source else 0,
            run_index=run_index,
            zone=self.zone,
        )
        return ExecutionContext(
            node_name=node.name,
            description=node_type.description,
            parameters=planned.resolver,
            settings=planned.settings,
            credentials_store=self.services.credentials,
            credential_types=self.services.credential_types,
            credential_refs=planned.credential_refs,
            scope_factory=scope,
            options=self.services.options,
            inputs=inputs,
            type_version=float(node.typeVersion),
            run_index=run_index,
            node_state=self.state.node_state(node.name),
            sub_workflows=self.services.sub_workflows,
            time_zone=self.zone,
        )

    async def _await(self, work: Any) -> Any:
        if self._deadline is None:
            return await work
        try:
            async with asyncio.timeout(max(0.0, self._deadline - time.monotonic())):
                return await work
        except TimeoutError:
            raise NodeOperationError(self._timeout_message()) from None

    def _check_limits(self, node: str, run_index: int) -> None:
        limit = self.plan.settings.max_node_runs
        if run_index >= limit:
            raise WorkflowError(
                node,
                NodeOperationError(
                    f"node '{node}' would run a {run_index + 1}th time in one execution; the "
                    f"limit is {limit} runs per node, so a loop that does not end stops here. "
                    "If the workflow really needs more runs, raise the limit (engine option "
                    "max_node_runs; keitaro-node run --max-node-runs)",
                    node_name=node,
                ),
                result=self.state.result,
            )
        if self._deadline is not None and time.monotonic() >= self._deadline:
            raise WorkflowError(
                node, NodeOperationError(self._timeout_message()), result=self.state.result
            )

    def _timeout_message(self) -> str:
        return (
            f"the workflow ran longer than its settings.executionTimeout "
            f"({self.plan.settings.timeout_s:g} s) and was stopped"
        )

    # --- what runs next ----------------------------------------------------------------------

    def _feed_children(self, node: str, outputs: Outputs) -> None:
        """Put the nodes `node` fed with items on the stack (or make them wait), as n8n v1."""
        links: list[tuple[Link, int]] = []
        for output_index, targets in enumerate(self.plan.children.get(node, ())):
            if output_index < len(outputs) and outputs[output_index]:
                links.extend((link, output_index) for link in targets)
        if not links:
            return
        nodes = self.plan.nodes
        if len(links) > 1:
            links = n8n_add_order(links, lambda entry: nodes[entry[0].target].position)
        run = self.state.run_count(node) - 1
        for link, output_index in links:
            self._add(link, outputs[output_index], (node, output_index, run))

    def _add(self, link: Link, items: list[Item], source: Source) -> None:
        slots = self.plan.input_slots.get(link.target, 1)
        if slots <= 1:
            self.stack.appendleft(Task(link.target, [items], source))
            return
        entries = self.waiting.setdefault(link.target, {})
        index = next((k for k in sorted(entries) if entries[k][link.input] is None), None)
        if index is None:
            index = len(entries)
            entries[index] = [None] * slots
        entry = entries[index]
        entry[link.input] = items
        if link.input == 0:
            self._entry_sources[id(entry)] = source
        if all(group is not None for group in entry):
            self.stack.appendleft(
                Task(link.target, entry, self._entry_sources.pop(id(entry), None))
            )
            del entries[index]
            if not entries:
                del self.waiting[link.target]

    def _release_waiting(self) -> None:
        """Nothing else to run: start the first waiting node whose inputs allow it, as n8n v1."""
        names = list(self.waiting)
        position = 0
        while position < len(names):
            name = names[position]
            planned = self.plan.nodes[name]
            required = planned.required_inputs
            inputs_declared = planned.input_count
            if required is not None and (
                (isinstance(required, tuple) and len(required) == inputs_declared)
                or required == inputs_declared
            ):
                position += 1  # it needs every input: it never runs on part of them
                continue
            if any(parent in self.waiting for parent in self.plan.ancestors(name)):
                position += 1
                continue
            entries = self.waiting[name]
            first = min(entries, key=str)  # n8n sorts these keys as text
            entry = entries[first]
            with_data = [i for i, group in enumerate(entry) if group is not None]
            if isinstance(required, tuple) and any(r not in with_data for r in required):
                position += 1
                continue
            if isinstance(required, int) and len(with_data) < required:
                position += 1
                continue
            inputs: Inputs = [group if group is not None else [] for group in entry]
            has_data = any(inputs)
            source = self._entry_sources.pop(id(entry), None)
            if has_data:
                inputs.extend([] for _ in range(inputs_declared - len(inputs)))
                self.stack.append(Task(name, inputs, source))
            del entries[first]
            if not entries:
                del self.waiting[name]
            if has_data:
                return
            names = list(self.waiting)
            position = 0

    def _terminal(self) -> list[str]:
        result = self.state.result
        last_run = {name: index for index, name in enumerate(result.order)}
        ends: list[str] = []
        for name in dict.fromkeys(result.order):
            targets = {
                link.target for output in self.plan.children.get(name, ()) for link in output
            }
            if not any(last_run.get(t, -1) > last_run[name] for t in targets):
                ends.append(name)
        return ends


def _error_output(
    planned: PlannedNode, settings: NodeSettings, outputs: Outputs, inputs: list[list[Item]]
) -> Outputs:
    """Pad the outputs to the node's count; with continueErrorOutput, failed items go to an
    extra last output, each with its input item's fields under its own (as n8n does)."""
    width = max(planned.output_count, 1)
    if len(outputs) < width:
        outputs = outputs + [[] for _ in range(width - len(outputs))]
    if settings.on_error != "continueErrorOutput":
        return outputs
    good = [[i for i in out if not _is_error_item(i)] for out in outputs]
    bad = [_with_input_fields(i, inputs) for out in outputs for i in out if _is_error_item(i)]
    return [*good, bad]


def _is_error_item(item: Item) -> bool:
    """n8n's test: an error attached to the item, or json that is only {error} or
    {error, message}."""
    if item.error is not None:
        return True
    data = item.json
    if not _js_truthy(data.get("error")):
        return False
    return len(data) == 1 or (len(data) == 2 and _js_truthy(data.get("message")))


def _js_truthy(value: Any) -> bool:
    if isinstance(value, (dict, list)):
        return True  # objects and arrays are truthy in JavaScript, empty or not
    if isinstance(value, float) and value != value:  # NaN
        return False
    return bool(value)


def _with_input_fields(item: Item, inputs: list[list[Item]]) -> Item:
    pairs = item.pairs()  # n8n follows the first of several
    pair = pairs[0] if pairs else None
    if pair is None or not (0 <= pair.input < len(inputs)):
        return item
    group = inputs[pair.input]
    if not 0 <= pair.item < len(group):
        return item
    item.json = {**group[pair.item].json, **item.json}
    return item


def _stamp(name: str, outputs: Outputs, inputs: list[list[Item]]) -> Outputs:
    """Record provenance on output items; items passed through unchanged are copied and
    paired with their place in the input (as n8n pairs them).

    Items a node left unpaired are paired as n8n's engine pairs them: with the input's only
    item, else by position when one input and one output hold as many items."""
    input_ids = {id(i) for group in inputs for i in group}
    places: dict[int, tuple[int, int]] | None = None  # made only when an item is passed on
    single = len(inputs) == 1 and len(inputs[0]) == 1
    same = len(outputs) == 1 and len(inputs) == 1 and len(inputs[0]) == len(outputs[0])
    pairing = single or same
    stamped: Outputs = []
    for output in outputs:
        fresh: list[Item] = []
        for position, item in enumerate(output):
            passed_on = id(item) in input_ids
            if item.paired_item is None and pairing and not passed_on:
                item.paired_item = PairedItem(0 if single else position)
            if passed_on:
                if places is None:
                    places = {
                        id(i): (g, n) for g, group in enumerate(inputs) for n, i in enumerate(group)
                    }
                group_index, item_index = places[id(item)]
                source = inputs[group_index][item_index]
                item = Item(
                    json=item.json,
                    binary=item.binary,
                    paired_item=PairedItem(item_index, group_index),
                    error=item.error,
                    metadata=item.metadata,
                )
                item.parent = source
            elif item.parent is None:
                pair = item.paired_item
                if isinstance(pair, PairedItem):
                    if pair.input < len(inputs) and 0 <= pair.item < len(inputs[pair.input]):
                        item.parent = inputs[pair.input][pair.item]
                elif pair:
                    found = [
                        inputs[p.input][p.item]
                        for p in pair
                        if 0 <= p.input < len(inputs) and 0 <= p.item < len(inputs[p.input])
                    ]
                    if found:
                        item.parent = found[0]
                        item.more_parents = tuple(found[1:])
            item.node = name
            fresh.append(item)
        stamped.append(fresh)
    return stamped
