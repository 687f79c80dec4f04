"""What a node type is, and what it gets when it runs.

A node type has a description (data) and an async `execute(ctx, items)` returning one list of
items per output. `ExecutionContext.map_items` gives nodes n8n's per-item behaviour - bounded
concurrency, input order kept, `pairedItem`, onError and retryOnFail - in one place.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Literal, Protocol

from .credentials import CredentialStore, CredentialValues
from .description import CredentialType, NodeDescription
from .errors import NodeError, NodeOperationError
from .expressions.luxon.zones import Zone
from .items import Item, PairedItem
from .parameters import ParameterResolver
from .raw_parameters import RawParameters
from .timezone import workflow_zone

OnError = Literal["stopWorkflow", "continueRegularOutput", "continueErrorOutput"]

log = logging.getLogger("keitaro_node.runtime")


@dataclass(slots=True)
class NodeSettings:
    """Per-node settings with n8n's names and meaning."""

    on_error: OnError = "stopWorkflow"
    retry_on_fail: bool = False
    max_tries: int = 3
    wait_between_tries_ms: int = 1000
    always_output_data: bool = False
    execute_once: bool = False
    disabled: bool = False

    @property
    def continue_on_fail(self) -> bool:
        return self.on_error != "stopWorkflow"


class NodeType:
    """Base class for node types. Subclasses set `type_names` and implement `execute`.

    The description's `version` lists the typeVersions the node implements; a workflow naming
    another one is refused at load.
    """

    type_names: tuple[str, ...] = ()
    # False for nodes that read their parameters as n8n hands them (ctx.raw_parameters):
    # nothing is converted for them, so the load check refuses only what does not depend on
    # a conversion (see ParameterResolver)
    typed_parameters: ClassVar[bool] = True

    @property
    def description(self) -> NodeDescription:
        raise NotImplementedError

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]] | None:
        """One list of items per output; None when the node gives no data at all (n8n then
        does not record the run and the branch ends there)."""
        raise NotImplementedError

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Whether a run must see every input item at once (True), or the node maps items one
        by one, so that an engine streaming items may hand them over in chunks (False).

        `parameters` are the node's values as the workflow holds them, over the defaults of
        the parameters they show. True is the safe answer: a streaming engine gathers before
        such a node, and the run is the one n8n makes.
        """
        return True

    def check(self, node: NodeCheck) -> list[str]:
        """Problems of this node's configuration that refuse the workflow at load (none by
        default). Parameter names, types and versions are checked by the engine already."""
        return []

    def input_count(self, parameters: Mapping[str, Any], type_version: float) -> int:
        """How many inputs the node has with these parameters (the description's by default)."""
        return len(self.description.inputs)

    def output_count(self, parameters: Mapping[str, Any], type_version: float) -> int:
        """How many outputs the node has with these parameters (the description's by default)."""
        return len(self.description.outputs)


@dataclass(frozen=True)
class NodeCheck:
    """What a node type sees of a node when the workflow loads."""

    name: str
    parameters: Mapping[str, Any]
    type_version: float
    # checks a workflow the node would run (Execute Workflow): its load problems, as text
    check_workflow: Callable[[Any, str], list[str]] = lambda _data, _source: []


class SubWorkflows(Protocol):
    """Runs other workflows on the same engine, credentials and options (Execute Workflow)."""

    async def run(self, data: Any, source: str, items: list[Item]) -> list[list[Item]]:
        """Run the workflow JSON `data` (read from `source`) on `items`: the outputs of the
        node that ran last, as n8n returns them."""
        ...


ItemHandler = Callable[[int, Item], Awaitable[Item]]
ErrorItemBuilder = Callable[[int, Item, NodeError], Item]


class ItemsFailed(NodeError):
    """Raised by map_items under stopWorkflow: the first error, plus what did complete."""

    def __init__(self, error: NodeError, completed: list[Item]) -> None:
        super().__init__(
            error.message,
            description=error.description,
            item_index=error.item_index,
            node_name=error.node_name,
            retryable=False,
        )
        self.error = error
        self.completed = completed

    def __str__(self) -> str:
        return str(self.error)

    def to_json(self) -> dict[str, Any]:
        return self.error.to_json()


@dataclass
class ExecutionContext:
    """Everything a node needs for one run: parameters per item, credentials, settings."""

    node_name: str
    description: NodeDescription
    parameters: ParameterResolver
    settings: NodeSettings
    credentials_store: CredentialStore
    credential_types: Mapping[str, CredentialType] = field(default_factory=dict)
    credential_refs: Mapping[str, str] = field(default_factory=dict)
    scope_factory: Callable[[int], Mapping[str, Any]] = lambda _i: {}
    options: Mapping[str, Any] = field(default_factory=dict)
    logger: logging.Logger = log
    inputs: list[list[Item]] = field(default_factory=list)
    type_version: float = 1
    run_index: int = 0
    # State a node keeps across its runs in one execution (n8n's node context): Loop Over
    # Items keeps the items still to hand out here. One dict per node and execution.
    node_state: dict[str, Any] = field(default_factory=dict)
    sub_workflows: SubWorkflows | None = None
    # the workflow's time zone (timezone.workflow_zone): where nodes read dates without an
    # offset, as n8n's do
    time_zone: Zone = field(default_factory=workflow_zone)

    @property
    def continue_on_fail(self) -> bool:
        return self.settings.continue_on_fail

    def get_parameters(self, index: int) -> dict[str, Any]:
        """The parameters for item `index`, checked and converted to their types."""
        return self.parameters.resolve(index, self.scope_factory)

    @cached_property
    def raw_parameters(self) -> RawParameters:
        """The parameters as n8n hands them to a node: shown ones with their defaults,
        expressions evaluated per item when read, nothing converted."""
        resolver = self.parameters
        return RawParameters(
            resolver.n8n_values,
            self.scope_factory,
            self.node_name,
            resolver.raw_plans,
            self.type_version,
        )

    def get_credentials(self, type_name: str) -> CredentialValues:
        for requirement in self.description.credentials:
            if requirement.name == type_name:
                break
        else:
            raise NodeOperationError(
                f"node '{self.node_name}' does not use credentials '{type_name}'"
            )
        credential_type = self.credential_types.get(type_name)
        if credential_type is None:
            raise NodeOperationError(f"credential type '{type_name}' is not installed")
        return self.credentials_store.get(credential_type, self.credential_refs.get(type_name))

    async def map_items(
        self,
        items: list[Item],
        handle: ItemHandler,
        *,
        concurrency: int = 1,
        error_item: ErrorItemBuilder | None = None,
    ) -> list[Item]:
        """Run `handle` for every item with at most `concurrency` at once, keeping input order.

        A failing item is retried when retryOnFail is set and the error allows it; then it
        becomes an error item (continue modes) or stops the node: no new items start, items
        already running finish, and ItemsFailed reports the first error with what completed.
        """
        run = _ItemRun(self, items, error_item)
        next_index = 0

        async def attempt(index: int) -> Item:
            return await handle(index, items[index])

        async def worker() -> None:
            nonlocal next_index
            while not run.failures and next_index < len(items):
                index = next_index
                next_index += 1
                try:
                    out = await handle(index, items[index])
                except Exception as exc:
                    await run.recover(index, exc, attempt)
                else:
                    run.done(index, out)

        workers = max(1, min(concurrency, len(items)))
        if workers == 1:
            await worker()
        else:
            await asyncio.gather(*(worker() for _ in range(workers)))
        return run.finish()

    async def map_each(
        self,
        items: list[Item],
        handle: Callable[[int, Item], Item],
        *,
        error_item: ErrorItemBuilder | None = None,
    ) -> list[Item]:
        """map_items for handlers that do no I/O: one plain loop, no coroutine per item."""
        run = _ItemRun(self, items, error_item)

        async def attempt(index: int) -> Item:
            return handle(index, items[index])

        for index, item in enumerate(items):
            if run.failures:
                break
            try:
                out = handle(index, item)
            except Exception as exc:
                await run.recover(index, exc, attempt)
            else:
                run.done(index, out)
        return run.finish()

    def _error_item(
        self, index: int, item: Item, error: NodeError, builder: ErrorItemBuilder | None
    ) -> Item:
        out = (
            builder(index, item, error)
            if builder
            else Item(json={"error": str(error), **error.to_json()})
        )
        out.error = error
        out.paired_item = PairedItem(index)
        return out


class _ItemRun:
    """Outcomes of one node's items: results in input order, retries, error items, failures."""

    def __init__(
        self, ctx: ExecutionContext, items: list[Item], error_item: ErrorItemBuilder | None
    ) -> None:
        self.ctx = ctx
        self.items = items
        self.error_item = error_item
        self.results: list[Item | None] = [None] * len(items)
        self.failures: list[NodeError] = []

    def done(self, index: int, out: Item) -> None:
        if out.paired_item is None:
            out.paired_item = PairedItem(index)
        self.results[index] = out

    async def recover(
        self, index: int, exc: Exception, attempt: Callable[[int], Awaitable[Item]]
    ) -> None:
        """After a failed first try: retry while allowed, then an error item or a failure."""
        ctx = self.ctx
        settings = ctx.settings
        tries = max(1, settings.max_tries) if settings.retry_on_fail else 1
        error = self._node_error(index, exc)
        for number in range(1, tries):
            if not error.retryable:
                break
            ctx.logger.warning(
                "%s: item %d failed (try %d of %d), retrying in %d ms: %s",
                ctx.node_name,
                index,
                number,
                tries,
                settings.wait_between_tries_ms,
                error,
            )
            await asyncio.sleep(settings.wait_between_tries_ms / 1000)
            try:
                out = await attempt(index)
            except Exception as again:
                error = self._node_error(index, again)
            else:
                self.done(index, out)
                return
        if ctx.continue_on_fail:
            self.results[index] = ctx._error_item(index, self.items[index], error, self.error_item)
        else:
            self.failures.append(error)

    def _node_error(self, index: int, exc: Exception) -> NodeError:
        if isinstance(exc, NodeError):
            return exc.with_context(item_index=index, node_name=self.ctx.node_name)
        # a bug or an unexpected library error: keep the item and say what happened
        return NodeOperationError(
            f"unexpected {type(exc).__name__}: {exc}",
            item_index=index,
            node_name=self.ctx.node_name,
        )

    def finish(self) -> list[Item]:
        completed = [r for r in self.results if r is not None]
        if self.failures:
            first = min(self.failures, key=lambda e: e.item_index or 0)
            raise ItemsFailed(first, completed)
        return completed
