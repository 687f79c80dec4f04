"""The activities: one node's work on a chunk of items, run here with the worker's credentials.

The task names the node, its run, its input items (with the lineage and named nodes' items
expressions need, see codec.py) and the workflow file without pinned data; the worker plans
the workflow once with its own plugins and credentials, builds the node's context through the
engine's own walker, and runs the node as a local run would. Node errors come back as data,
not as activity failures, so Temporal never repeats a node's work because the node failed:
the walker in the workflow applies retryOnFail and onError as it does locally. Temporal
repeats an activity only when its worker is gone, and then the chunk's progress (progress.py)
says which items must not be sent again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.engine.engine import Engine, SubWorkflows
from keitaro_node.runtime.engine.executor import LocalExecutor
from keitaro_node.runtime.engine.state import RunState
from keitaro_node.runtime.engine.walker import Services, Walker
from keitaro_node.runtime.errors import (
    NodeApiError,
    NodeError,
    NodeOperationError,
    WorkflowLoadError,
)
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.node import ErrorItemBuilder, ExecutionContext, ItemHandler, ItemsFailed
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.runtime.workflow import WorkflowFormatError, parse_workflow

from .codec import (
    decode_inputs,
    decode_item,
    decode_items,
    encode_error,
    encode_item,
    encode_outputs,
)
from .progress import AttemptLost, ChunkProgress
from .queues import TrackerBudget, served_name

JsonDict = dict[str, Any]
NODE_ACTIVITY = "keitaro-node.node"
TRACKER_ACTIVITY = "keitaro-node.tracker"
WHOLE = -1  # the progress mark of a node that does not journal item by item


class NodeActivities:
    """Activities bound to one worker's plugins, credentials, options and tracker budgets."""

    def __init__(
        self,
        host: PluginHost,
        credentials: CredentialStore,
        client: Client | None,
        options: Mapping[str, Any] | None = None,
        budgets: Mapping[str, TrackerBudget] | None = None,
        default_chunk: int = 50,
    ) -> None:
        self.host = host
        self.credentials = credentials
        self.client = client
        self.options = dict(options or {})
        self.budgets = dict(budgets or {})
        self.default_chunk = default_chunk
        self._plans: dict[str, Any] = {}  # the engine's Plan, or why the workflow cannot run

    @activity.defn(name=TRACKER_ACTIVITY)
    async def tracker(self, credential: list[str | None]) -> JsonDict:
        """Which tracker queue serves a credential (type, name), and its budget (no secrets)."""
        type_name, reference = str(credential[0]), credential[1]
        key = served_name(type_name, reference, self.budgets)
        budget = self.budgets.get(key) or TrackerBudget(key, chunk=self.default_chunk)
        return budget.as_json()

    @activity.defn(name=NODE_ACTIVITY)
    async def node(self, task: JsonDict) -> JsonDict:
        try:
            return await self._node(task)
        except AttemptLost:
            raise  # Temporal gave the chunk to another attempt: nothing to report here
        except NodeError as exc:
            return {"raised": encode_error(exc)}
        except WorkflowLoadError as exc:
            return {"raised": encode_error(NodeOperationError(str(exc)))}

    async def _node(self, task: JsonDict) -> JsonDict:
        budget = task.get("budget")
        plan = self._plan(task["workflow"], task["digest"], budget)
        name = task["node"]
        planned = plan.nodes[name]
        node_type = planned.node_type
        assert node_type is not None
        state = RunState(plan.workflow, execution_id=task["executionId"])
        _fill_runs(state, task.get("ran") or {}, task.get("referenced") or {})
        inputs = decode_inputs(task["inputs"], task.get("lineage") or [])
        items = inputs[int(task.get("group", 0))]
        options = self._options(task)
        engine = Engine(self.host, self.credentials, options)
        services = Services(
            credentials=self.credentials,
            credential_types=self.host.credential_types,
            options=options,
            sub_workflows=SubWorkflows(engine, plan.workflow, 0),
        )
        walker = Walker(plan, state, LocalExecutor(), services)
        context = walker._context(planned, inputs, items, int(task.get("runIndex", 0)))
        offset = int(task.get("offset", 0))
        if offset:
            context.scope_factory = _shifted(context.scope_factory, offset)
        if not task.get("journal"):
            return await _execute(node_type, context, items, inputs, offset)
        info = activity.info()
        previous = info.heartbeat_details[0] if info.heartbeat_details else None
        async with ChunkProgress(self._recorder(), previous) as progress:
            if progress.started and not (progress.started - {WHOLE}) and not progress.done:
                return _whole_ambiguous(name, items, offset)
            await progress.before(WHOLE)
            journaled = JournaledContext.wrap(context, progress)
            answer = await _execute(node_type, journaled, items, inputs, offset)
            if progress.ambiguous - {WHOLE}:
                answer["ambiguous"] = sorted(i + offset for i in progress.ambiguous - {WHOLE})
            return answer

    def _recorder(self) -> Any:
        info = activity.info()
        if self.client is None:  # tests without a server: the SDK's own buffered heartbeat

            async def buffered(details: JsonDict) -> None:
                activity.heartbeat(details)

            return buffered
        handle = self.client.get_async_activity_handle(task_token=info.task_token)

        async def acknowledged(details: JsonDict) -> None:
            await handle.heartbeat(details)

        return acknowledged

    def _options(self, task: JsonDict) -> dict[str, Any]:
        options = {**self.options}
        for key, value in (task.get("options") or {}).items():
            if key == "outputDir" and "outputDir" in self.options:
                # a folder the run names is taken inside the worker's own output folder
                value = str(Path(self.options["outputDir"]) / value)
            options[key] = value
        return options

    def _plan(self, data: JsonDict, digest: str, budget: JsonDict | None) -> Any:
        key = f"{digest}:{json.dumps(budget, sort_keys=True)}"
        cached = self._plans.get(key)
        if cached is None:
            try:
                workflow = parse_workflow(_budgeted(data, budget, self.host), source="the workflow")
                cached = Engine(self.host, self.credentials, self.options).prepare(workflow)
            except WorkflowFormatError as exc:
                raise NodeOperationError(str(exc)) from None
            except WorkflowLoadError as exc:
                cached = exc
            self._plans[key] = cached
        if isinstance(cached, WorkflowLoadError):
            raise cached
        return cached


async def _execute(
    node_type: Any,
    context: ExecutionContext,
    items: list[Item],
    inputs: list[list[Item]],
    offset: int,
) -> JsonDict:
    try:
        outputs = await node_type.execute(context, items)
    except ItemsFailed as exc:
        return {
            "raised": _shift_error(encode_error(exc.error), offset),
            "completed": (encode_outputs([exc.completed], inputs, offset) or [[]])[0],
        }
    except (NodeError, AttemptLost):
        raise
    except Exception as exc:
        raise NodeOperationError(f"unexpected {type(exc).__name__}: {exc}") from None
    return {"outputs": encode_outputs(outputs, inputs, offset)}


def _shift_error(data: JsonDict, offset: int) -> JsonDict:
    if offset and data.get("itemIndex") is not None:
        data["itemIndex"] += offset
    return data


def _whole_ambiguous(name: str, items: list[Item], offset: int) -> JsonDict:
    error = NodeApiError(
        f"the worker running node '{name}' on items {offset}-{offset + len(items) - 1} stopped "
        "while the node ran; what it sent may or may not have reached the service - check "
        "there before running these items again",
        retryable=False,
    )
    return {"raised": encode_error(error), "ambiguous": list(range(offset, offset + len(items)))}


def _fill_runs(state: Any, ran: Mapping[str, int], referenced: Mapping[str, Any]) -> None:
    """The runs expressions may read: named nodes' last runs, and how often each node ran."""
    for node, count in ran.items():
        last = referenced.get(node)
        outputs = [decode_items(group) for group in last] if last is not None else [[]]
        state.result.runs[node] = [[] for _ in range(max(0, count - 1))] + [outputs]


def _shifted(scope_factory: Any, offset: int) -> Any:
    """A chunk's item i is item offset + i of the node's input: `$itemIndex` says so."""

    def scope(index: int) -> Any:
        values = scope_factory(index)
        values["$itemIndex"] = offset + index
        return values

    return scope


def workflow_digest(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _budgeted(data: JsonDict, budget: JsonDict | None, host: PluginHost) -> JsonDict:
    """The workflow with the tracker's budget as an upper bound on its nodes' own limits
    (options.requestsPerSecond and options.concurrency, where a node declares them)."""
    if not budget or (
        budget.get("requestsPerSecond") is None and budget.get("concurrency") is None
    ):
        return data
    nodes = []
    for node in data.get("nodes", []):
        node = dict(node)
        try:
            description = host.node_type(str(node.get("type"))).description
        except Exception:
            nodes.append(node)
            continue
        declared = {
            sub.name
            for p in description.properties
            if p.name == "options"
            for sub in p.sub_parameters
        }
        parameters = dict(node.get("parameters") or {})
        options = dict(parameters.get("options") or {})
        for name, limit in (
            ("requestsPerSecond", budget.get("requestsPerSecond")),
            ("concurrency", budget.get("concurrency")),
        ):
            if limit is None or name not in declared:
                continue
            own = options.get(name)
            if isinstance(own, (int, float)) and not isinstance(own, bool) and 0 < own <= limit:
                continue
            options[name] = int(limit) if name == "concurrency" else float(limit)
        if options:
            parameters["options"] = options
            node["parameters"] = parameters
        nodes.append(node)
    return {**data, "nodes": nodes}


class JournaledContext(ExecutionContext):
    """A node context whose items go through the chunk's progress: answered items are not
    sent again, unanswered ones from a lost attempt fail as ambiguous, the rest are marked
    before they start."""

    progress: ChunkProgress

    @classmethod
    def wrap(cls, context: ExecutionContext, progress: ChunkProgress) -> JournaledContext:
        values = {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
        journaled = cls(**values)
        journaled.progress = progress
        return journaled

    async def map_items(
        self,
        items: list[Item],
        handle: ItemHandler,
        *,
        concurrency: int = 1,
        error_item: ErrorItemBuilder | None = None,
    ) -> list[Item]:
        progress = self.progress
        replay = dict(progress.done)

        async def journaled(index: int, item: Item) -> Item:
            earlier = replay.pop(index, None)
            if earlier is not None:
                if "raised" in earlier:
                    raise _not_again(decode_item({"json": {}, "error": earlier["raised"]}).error)
                return decode_item(earlier)
            if index in progress.ambiguous:
                raise NodeApiError(
                    "the worker sending this item stopped before its answer was recorded; "
                    "the change may or may not have happened - check the service before "
                    "sending it again",
                    item_index=index,
                    retryable=False,
                )
            await progress.before(index)
            try:
                out = await handle(index, item)
            except NodeError as exc:
                progress.answered(index, {"raised": encode_error(exc)})
                raise
            progress.answered(index, encode_item(out))
            return out

        return await super().map_items(
            items, journaled, concurrency=concurrency, error_item=error_item
        )


def _not_again(error: Exception | None) -> Exception:
    if isinstance(error, NodeError):
        error.retryable = False
    return error or NodeOperationError("failed in an earlier attempt")
