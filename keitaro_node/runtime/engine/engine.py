"""The engine: loads a workflow (every check first), then walks it with an executor."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Mapping
from typing import Any

from ..credentials import CredentialStore
from ..errors import LoadProblem, NodeOperationError, WorkflowError, WorkflowLoadError
from ..items import Item
from ..plugins import PluginHost
from ..workflow import Workflow, WorkflowFormatError, parse_workflow
from .executor import Executor, LocalExecutor
from .plan import Plan, prepare
from .results import Outputs, RunResult
from .state import RunState
from .walker import Services, Walker

# Sub-workflows calling sub-workflows: deeper than this is taken for endless recursion.
MAX_SUB_WORKFLOW_DEPTH = 16


class Engine:
    """Runs workflows with the node types and credential types of a plugin host."""

    def __init__(
        self,
        host: PluginHost,
        credentials: CredentialStore | None = None,
        options: Mapping[str, Any] | None = None,
        executor: Executor | None = None,
    ) -> None:
        self.host = host
        self.credentials = credentials or CredentialStore()
        self.options = dict(options or {})
        self.executor: Executor = executor or LocalExecutor()

    def prepare(self, workflow: Workflow, source: str = "the workflow") -> Plan:
        """Check everything a run needs; WorkflowLoadError lists every problem found."""
        checker = _WorkflowChecker(self, workflow, {source})
        plan, problems = prepare(workflow, self.host, self.options, checker, self.credentials)
        if plan is None:
            raise WorkflowLoadError(problems, source)
        return plan

    async def run(self, workflow: Workflow, input_items: list[Item] | None = None) -> RunResult:
        """Run the workflow; raise WorkflowError (with `result`: the run so far) on a stop."""
        with _fewer_collections():
            plan = self.prepare(workflow)
            return await self.walk(plan, input_items)

    async def walk(self, plan: Plan, input_items: list[Item] | None, depth: int = 0) -> RunResult:
        state = RunState(plan.workflow)
        services = Services(
            credentials=self.credentials,
            credential_types=self.host.credential_types,
            options=self.options,
            sub_workflows=SubWorkflows(self, plan.workflow, depth),
        )
        return await Walker(plan, state, self.executor, services).walk(input_items)

    def sub_workflow(self, data: Any, source: str, parent: Workflow) -> Workflow:
        """Parse a sub-workflow as n8n does: without settings of its own it takes its caller's."""
        if isinstance(data, dict) and not data.get("settings"):
            data = {**data, "settings": dict(parent.settings)}
        return parse_workflow(data, source=source)


class SubWorkflows:
    """Execute Workflow's way into the engine: same host, credentials, options, executor."""

    def __init__(self, engine: Engine, parent: Workflow, depth: int) -> None:
        self.engine = engine
        self.parent = parent
        self.depth = depth

    async def run(self, data: Any, source: str, items: list[Item]) -> Outputs:
        if self.depth + 1 > MAX_SUB_WORKFLOW_DEPTH:
            raise NodeOperationError(
                f"sub-workflows call each other more than {MAX_SUB_WORKFLOW_DEPTH} levels "
                f"deep (at {source}) - a workflow that calls itself without end?"
            )
        try:
            workflow = self.engine.sub_workflow(data, source, self.parent)
            plan = self.engine.prepare(workflow, source=source)
        except (WorkflowFormatError, WorkflowLoadError) as exc:
            raise NodeOperationError(str(exc)) from None
        try:
            result = await self.engine.walk(plan, items, self.depth + 1)
        except WorkflowError as exc:
            raise NodeOperationError(
                f"the sub-workflow {source} stopped at its node '{exc.node_name}': {exc.error}"
            ) from None
        return result.last_outputs()


class _WorkflowChecker:
    """Load-time checks of the workflows a node would run, each file once."""

    def __init__(self, engine: Engine, parent: Workflow, seen: set[str]) -> None:
        self.engine = engine
        self.parent = parent
        self.seen = seen

    def __call__(self, data: Any, source: str) -> list[str]:
        if source in self.seen:
            return []
        self.seen.add(source)
        try:
            workflow = self.engine.sub_workflow(data, source, self.parent)
        except WorkflowFormatError as exc:
            return [str(exc)]
        checker = _WorkflowChecker(self.engine, workflow, self.seen)
        engine = self.engine
        _plan, problems = prepare(
            workflow, engine.host, engine.options, checker, engine.credentials
        )
        return [f"{source}: {_problem_text(p)}" for p in problems]


def _problem_text(problem: LoadProblem) -> str:
    return str(problem)


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
