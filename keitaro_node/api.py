"""`run_workflow`: run an n8n workflow from Python and get plain data back.

    result = await keitaro_node.run_workflow("create_streams.json", [{"name": "UK"}],
                                             credentials="creds.yaml")
    result.items        # the final items' JSON, as plain dicts
    result.errors       # items that failed under continueRegularOutput / continueErrorOutput

A workflow that stops (onError: stopWorkflow, the default) raises WorkflowError, which names
the node and carries the items that node completed before the stop (`.completed`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from keitaro_node.app import plugin_host
from keitaro_node.app import run_workflow as _run_workflow
from keitaro_node.client.keitaro import CredentialsSource, credential_store
from keitaro_node.runtime.engine import RunResult
from keitaro_node.runtime.items import Item, items_from_json
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.runtime.workflow import Workflow, load_workflow, parse_workflow

WorkflowSource = Workflow | Mapping[str, Any] | str | os.PathLike[str]
ItemsSource = Iterable[Mapping[str, Any] | Item]


@dataclass(frozen=True)
class ItemError:
    """An item that failed and was kept (the node's onError continues): where and why."""

    node: str
    output: int
    index: int  # the item's position in that output
    input_item: int | None  # the input item it was paired with
    kind: str  # NodeApiError, NodeOperationError, ...
    message: str
    http_code: int | None = None

    def __str__(self) -> str:
        code = f"HTTP {self.http_code}: " if self.http_code is not None else ""
        item = f"item {self.input_item}" if self.input_item is not None else f"#{self.index}"
        return f"{self.node} {item}: {code}{self.message}"


@dataclass
class WorkflowResult:
    """What a run produced, as plain data; `run` keeps the engine's own result."""

    items: list[dict[str, Any]]
    outputs: dict[str, list[list[dict[str, Any]]]]
    errors: list[ItemError]
    run: RunResult = field(repr=False)

    @property
    def ok(self) -> bool:
        """True when no item failed."""
        return not self.errors

    def node(self, name: str, output: int = 0) -> list[dict[str, Any]]:
        """The JSON of one node's output (the first by default)."""
        outputs = self.outputs.get(name)
        if outputs is None:
            ran = ", ".join(self.outputs) or "none"
            raise KeyError(f"node {name!r} did not run (nodes that ran: {ran})")
        return outputs[output] if output < len(outputs) else []


@cache
def _default_host() -> PluginHost:
    return plugin_host()


def _workflow(source: WorkflowSource) -> Workflow:
    if isinstance(source, Workflow):
        return source
    if isinstance(source, (str, os.PathLike)):
        return load_workflow(Path(source))
    return parse_workflow(dict(source))


def _items(source: ItemsSource | None) -> list[Item] | None:
    if source is None:
        return None
    if isinstance(source, Mapping):
        raise TypeError("items must be a list of objects (or Items), not one object")
    out: list[Item] = []
    for value in source:
        out.extend([value] if isinstance(value, Item) else items_from_json([dict(value)]))
    return out


def _error(node: str, output: int, index: int, item: Item) -> ItemError:
    error = item.error
    to_json = getattr(error, "to_json", None)
    data: dict[str, Any] = to_json() if callable(to_json) else {"message": str(error)}
    return ItemError(
        node=node,
        output=output,
        index=index,
        input_item=item.pairs()[0].item if item.pairs() else None,
        kind=str(data.get("name") or type(error).__name__),
        message=str(data.get("message") or error),
        http_code=data.get("httpCode"),
    )


def result_of(run: RunResult) -> WorkflowResult:
    """Plain data from an engine result."""
    outputs = {
        name: [[item.json for item in output] for output in node_outputs]
        for name, node_outputs in run.outputs.items()
    }
    errors = [
        _error(name, o, i, item)
        for name, node_outputs in run.outputs.items()
        for o, output in enumerate(node_outputs)
        for i, item in enumerate(output)
        if item.error is not None
    ]
    return WorkflowResult(
        items=[item.json for item in run.final_items()], outputs=outputs, errors=errors, run=run
    )


async def run_workflow(
    workflow: WorkflowSource,
    items: ItemsSource | None = None,
    credentials: CredentialsSource = None,
    *,
    host: PluginHost | None = None,
    options: Mapping[str, Any] | None = None,
) -> WorkflowResult:
    """Run an n8n workflow: a file path, its JSON as a dict, or a parsed Workflow.

    `items` (dicts or Items) go to the trigger; without them it gets one empty item.
    `credentials`: a mapping such as `{"keitaroApi": {"domain": ..., "apiKey": ...}}`, a
    credentials file (JSON or YAML), a CredentialStore, or None for the environment
    (KEITARO_DOMAIN, KEITARO_API_KEY). Raises WorkflowFormatError for a file that is not a
    workflow and WorkflowError when a node stops the run.
    """
    run = await _run_workflow(
        _workflow(workflow),
        _items(items),
        credential_store(credentials),
        host=host or _default_host(),
        options=options,
    )
    return result_of(run)


def run_workflow_sync(
    workflow: WorkflowSource,
    items: ItemsSource | None = None,
    credentials: CredentialsSource = None,
    *,
    host: PluginHost | None = None,
    options: Mapping[str, Any] | None = None,
) -> WorkflowResult:
    """run_workflow for code without an event loop (scripts, notebooks' plain cells, tests)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError(
            "run_workflow_sync cannot run inside a running event loop; "
            "use 'await keitaro_node.run_workflow(...)' there"
        )
    return asyncio.run(run_workflow(workflow, items, credentials, host=host, options=options))
