"""The Temporal workflow `keitaro-node.run`: the engine's walker, with node work as activities.

The walk is deterministic: it reads no clock, random number or id of its own (the
execution's id is the workflow id; the executionTimeout deadline is read on Temporal's
clock), and every node's work that is not pure routing runs as an activity whose result
Temporal keeps. So when a worker dies, another replays the walk from the history up to where
it was, and goes on. keitaro_node's modules are passed through the sandbox: they keep no state
a replay could see, and the worker loads the plugins once, outside any workflow.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from keitaro_node.runtime.credentials import CredentialStore
    from keitaro_node.runtime.engine.plan import prepare
    from keitaro_node.runtime.engine.state import RunState
    from keitaro_node.runtime.engine.walker import Services, Walker
    from keitaro_node.runtime.errors import WorkflowError, WorkflowLoadError
    from keitaro_node.runtime.items import Item, items_from_json
    from keitaro_node.runtime.workflow import WorkflowFormatError, parse_workflow

    from . import hosting
    from .activities import workflow_digest
    from .executor import ExecutorSettings, TemporalExecutor
    from .queues import DEFAULT_CHUNK

WORKFLOW_NAME = "keitaro-node.run"


@workflow.defn(name=WORKFLOW_NAME)
class RunWorkflow:
    """One durable run of an n8n-format workflow (input: client.RunRequest.as_json())."""

    @workflow.run
    async def run(self, request: dict[str, Any]) -> dict[str, Any]:
        data = request["workflow"]
        source = str(request.get("source") or "the workflow")
        try:
            parsed = parse_workflow(data, source=source)
        except WorkflowFormatError as exc:
            return {"error": str(exc), "completed": []}
        host = hosting.host()
        options = dict(request.get("options") or {})
        # credentials are the workers' business: none are read here, and none are checked
        plan, problems = prepare(parsed, host, options, lambda _d, _s: [], None)
        if plan is None:
            return {"error": str(WorkflowLoadError(problems, source)), "completed": []}
        shipped = {k: v for k, v in data.items() if k != "pinData"}
        info = workflow.info()
        state = RunState(plan.workflow, execution_id=info.workflow_id)
        executor = TemporalExecutor(
            plan,
            state,
            shipped,
            workflow_digest(shipped),
            ExecutorSettings(
                task_queue=info.task_queue,
                chunk=int(request.get("chunk") or DEFAULT_CHUNK),
                parallel_chunks=int(request.get("parallelChunks") or 4),
                heartbeat_timeout_s=float(request.get("heartbeatTimeout") or 15.0),
                options=options,
            ),
        )
        services = Services(
            credentials=CredentialStore({}, environ={}),
            credential_types=host.credential_types,
            options=options,
        )
        walker = Walker(plan, state, executor, services)
        raw_items = request.get("items")
        items: list[Item] | None = items_from_json(raw_items) if raw_items is not None else None
        answer: dict[str, Any] = {}
        try:
            # The walk reads no clock or id of its own here (the execution's id is the
            # workflow id). Node contexts it makes read the zone file, $now and $env where
            # they are made; only nodes that run in the workflow (kinds.py) use them.
            with workflow.unsafe.sandbox_unrestricted():
                result = await walker.walk(items)
        except WorkflowError as exc:
            answer = {
                "error": str(exc),
                "errorNode": exc.node_name,
                "completed": [item.to_json() for item in exc.completed],
            }
        else:
            answer["final"] = [item.to_json() for item in result.final_items()]
            if request.get("allNodes"):
                answer["allNodes"] = {
                    name: [[i.to_json() for i in out] for out in outputs]
                    for name, outputs in result.outputs.items()
                }
        notes = [
            f"node '{node}': {len(positions)} item(s) were being sent when a worker stopped "
            f"and may or may not have reached the service (items {_listed(positions)}); "
            "they were not sent again"
            for node, positions in executor.ambiguous.items()
        ]
        if notes:
            answer["notes"] = notes
            answer["ambiguous"] = executor.ambiguous
        return answer


def _listed(positions: list[int]) -> str:
    shown = ", ".join(str(p) for p in sorted(positions)[:20])
    return shown + (f" and {len(positions) - 20} more" if len(positions) > 20 else "")
