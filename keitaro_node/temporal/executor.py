"""The executor the walker uses inside a Temporal workflow: node work becomes activities.

The walker decides what runs and applies every node setting, exactly as locally; this
executor only carries a node run out: in the workflow itself for nodes that hold or route
items (kinds.py), as a local activity for nodes that reshape items, and as activities on a
task queue for nodes that send requests - item-by-item nodes cut into chunks that run side
by side, on the credential's rate-limited queue. Outputs of chunks are put back together in
input order, and a failure under stopWorkflow starts no further chunk and reports what the
others completed, as a local run reports the items that completed before a stop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

from keitaro_node.runtime.errors import NodeError
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.node import ItemsFailed

from .activities import NODE_ACTIVITY, TRACKER_ACTIVITY
from .codec import (
    JsonDict,
    decode_error,
    decode_outputs,
    encode_inputs,
    encode_items,
    mentioned_nodes,
)
from .kinds import chunkable, place_of
from .queues import credential_of, tracker_queue

Outputs = list[list[Item]]


@dataclass
class ExecutorSettings:
    task_queue: str
    chunk: int = 50
    parallel_chunks: int = 4
    heartbeat_timeout_s: float = 15.0
    node_timeout_s: float = 24 * 3600.0
    options: Mapping[str, Any] | None = None


class TemporalExecutor:
    """Carries node work out as Temporal activities (see the module's doc)."""

    def __init__(
        self,
        plan: Any,
        state: Any,
        workflow_json: JsonDict,
        digest: str,
        settings: ExecutorSettings,
    ) -> None:
        self.plan = plan
        self.state = state
        self.workflow_json = workflow_json
        self.digest = digest
        self.settings = settings
        self._budgets: dict[str, JsonDict] = {}
        self.ambiguous: dict[str, list[int]] = {}

    async def execute(self, work: Any) -> Outputs | None:
        name = work.context.node_name
        planned = self.plan.nodes[name]
        node_json = planned.node
        place = place_of(node_json.type)
        if place == "workflow":
            # routing nodes read their parameters here; the zone file and clock they may read
            # are the worker's (the same on every replay where GENERIC_TIMEZONE is set)
            with workflow.unsafe.sandbox_unrestricted():
                outputs: Outputs | None = await work.node_type.execute(work.context, work.items)
                return outputs
        inputs = work.context.inputs
        group = next(i for i, g in enumerate(inputs) if g is work.items)
        if place == "local":
            answer = await workflow.execute_local_activity(
                NODE_ACTIVITY,
                self._task(work, inputs, group, 0, journal=False),
                start_to_close_timeout=timedelta(minutes=10),
            )
            return self._outputs(answer, inputs, name)
        credential = credential_of(
            planned.credential_refs, [c.name for c in work.node_type.description.credentials]
        )
        queue = self.settings.task_queue
        chunk = self.settings.chunk
        budget: JsonDict | None = None
        if credential is not None:
            budget = await self._budget(*credential)
            queue = tracker_queue(self.settings.task_queue, str(budget["credential"]))
            chunk = int(budget.get("chunk") or chunk)
        items = work.items
        if not chunkable(planned.gathers_all_items, node_json.parameters) or len(items) <= chunk:
            answer = await self._remote(self._task(work, inputs, group, 0, True, budget), queue)
            return self._outputs(answer, inputs, name)
        return await self._chunks(work, inputs, group, chunk, queue, budget)

    # --- activities ------------------------------------------------------------------------

    async def _budget(self, type_name: str, reference: str | None) -> JsonDict:
        """Ask a worker once per run which queue serves the credential, and its budget."""
        key = f"{type_name}/{reference}"
        known = self._budgets.get(key)
        if known is None:
            known = await workflow.execute_local_activity(
                TRACKER_ACTIVITY,
                [type_name, reference],
                start_to_close_timeout=timedelta(seconds=30),
            )
            self._budgets[key] = known
        return known

    async def _remote(self, task: JsonDict, queue: str) -> JsonDict:
        answer: JsonDict = await workflow.execute_activity(
            NODE_ACTIVITY,
            task,
            task_queue=queue,
            start_to_close_timeout=timedelta(seconds=self.settings.node_timeout_s),
            heartbeat_timeout=timedelta(seconds=self.settings.heartbeat_timeout_s),
            # repeated only when its worker is gone; the journal in its heartbeats says which
            # items not to send again (node errors come back as results, never as failures)
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=1),
                backoff_coefficient=2.0,
                maximum_interval=timedelta(seconds=30),
                maximum_attempts=0,
            ),
        )
        return answer

    async def _chunks(
        self,
        work: Any,
        inputs: list[list[Item]],
        group: int,
        chunk: int,
        queue: str,
        budget: JsonDict | None,
    ) -> Outputs | None:
        items = work.items
        starts = list(range(0, len(items), chunk))
        answers: dict[int, JsonDict] = {}
        # a tracker with a request budget gets one chunk at a time: each activity spaces its
        # requests 1/rate apart, so one after another they keep to the rate in any second;
        # chunks side by side would each take the whole rate
        paced = budget is not None and budget.get("requestsPerSecond") is not None
        gate = asyncio.Semaphore(1 if paced else max(1, self.settings.parallel_chunks))
        stopped = False

        async def one(start: int) -> None:
            nonlocal stopped
            async with gate:
                if stopped:
                    return
                sliced = [list(g) for g in inputs]
                sliced[group] = items[start : start + chunk]
                task = self._task(work, sliced, group, start, True, budget)
                answer = await self._remote(task, queue)
                answers[start] = answer
                if "raised" in answer:
                    stopped = True

        await asyncio.gather(*(one(start) for start in starts))
        name = work.context.node_name
        failed = [s for s in starts if s in answers and "raised" in answers[s]]
        for start in starts:
            if start in answers:
                self._note_ambiguous(name, answers[start])
        if failed:
            first = answers[failed[0]]
            error = decode_error(first["raised"])
            completed: list[Item] = []
            for start in starts:
                answer = answers.get(start)
                if answer is None:
                    continue
                if "raised" in answer:
                    done = decode_outputs(
                        [answer.get("completed") or []], inputs_whole(inputs, group, items)
                    )
                    completed += done[0] if done else []
                else:
                    outputs = decode_outputs(answer["outputs"], inputs_whole(inputs, group, items))
                    completed += outputs[0] if outputs else []
            if "completed" in first or len(starts) > 1:
                assert isinstance(error, NodeError)
                raise ItemsFailed(error, completed)
            raise error
        merged: Outputs = []
        for start in starts:
            outputs = decode_outputs(answers[start]["outputs"], inputs_whole(inputs, group, items))
            if outputs is None:
                continue
            for index, output in enumerate(outputs):
                while len(merged) <= index:
                    merged.append([])
                merged[index].extend(output)
        return merged

    def _outputs(self, answer: JsonDict, inputs: list[list[Item]], name: str) -> Outputs | None:
        self._note_ambiguous(name, answer)
        if "raised" in answer:
            error = decode_error(answer["raised"])
            if "completed" in answer:
                assert isinstance(error, NodeError)
                raise ItemsFailed(error, (decode_outputs([answer["completed"]], inputs) or [[]])[0])
            raise error
        return decode_outputs(answer.get("outputs"), inputs)

    def _note_ambiguous(self, name: str, answer: JsonDict) -> None:
        if answer.get("ambiguous"):
            self.ambiguous.setdefault(name, []).extend(answer["ambiguous"])

    def _task(
        self,
        work: Any,
        inputs: list[list[Item]],
        group: int,
        offset: int,
        journal: bool,
        budget: JsonDict | None = None,
    ) -> JsonDict:
        name = work.context.node_name
        planned = self.plan.nodes[name]
        result = self.state.result
        named = mentioned_nodes(planned.node.parameters, self.plan.nodes, name)
        groups, lineage = encode_inputs(inputs, named)
        referenced = {
            node: [encode_items(output) for output in result.runs[node][-1]]
            for node in named
            if result.runs.get(node)
        }
        return {
            "workflow": self.workflow_json,
            "digest": self.digest,
            "node": name,
            "runIndex": work.context.run_index,
            "executionId": self.state.execution_id,
            "inputs": groups,
            "lineage": lineage,
            "group": group,
            "offset": offset,
            "ran": {node: len(runs) for node, runs in result.runs.items()},
            "referenced": referenced,
            "options": dict(self.settings.options or {}),
            "journal": journal,
            "budget": budget,
        }


def inputs_whole(inputs: list[list[Item]], group: int, items: list[Item]) -> list[list[Item]]:
    """The node's inputs with its whole item list (chunk answers number items in it)."""
    whole = list(inputs)
    whole[group] = items
    return whole
