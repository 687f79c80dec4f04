"""The workflows a server serves: every `*.json` of a folder, loaded and checked at start.

A workflow is checked before it is served: it parses, every node type is installed and
implements the node's typeVersion, every Webhook node can be served as n8n serves it (and no
two listen to the same method and path), and every Schedule Trigger's rules can be scheduled.
Problems come back per file, named, so a server can refuse to start with all of them at once.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from keitaro_node.runtime.nodes.webhook import WebhookConfigError, WebhookSpec
from keitaro_node.runtime.plugins import PluginError, PluginHost
from keitaro_node.runtime.schedule import Schedule, ScheduleError
from keitaro_node.runtime.workflow import Workflow, WorkflowFormatError, load_workflow


@runtime_checkable
class WebhookSource(Protocol):
    """A node type that starts workflows from HTTP requests."""

    def webhook_spec(
        self,
        node_name: str,
        parameters: Any,
        type_version: float,
        credential_refs: Any,
        node_id: str | None = None,
        webhook_id: str | None = None,
    ) -> WebhookSpec: ...


@runtime_checkable
class ScheduleSource(Protocol):
    """A node type that starts workflows on a schedule."""

    def schedule_for(
        self,
        parameters: Any,
        type_version: float,
        settings: Any,
        rng: random.Random | None = None,
    ) -> Schedule: ...


@dataclass
class ServedWorkflow:
    """One workflow file and what starts it."""

    name: str  # the file name without .json: /run/{name}
    path: Path
    workflow: Workflow
    webhooks: list[WebhookSpec] = field(default_factory=list)
    schedules: dict[str, Schedule] = field(default_factory=dict)  # node name -> schedule

    def starting_at(self, node_name: str) -> Workflow:
        """The workflow as a run started by one trigger sees it: that node and what it feeds.

        n8n runs only the trigger that fired and the nodes downstream of it; other triggers
        (a Manual Trigger kept for testing, a second webhook) do not run.
        """
        edges = self.workflow.edges()
        reached = {node_name}
        frontier = [node_name]
        while frontier:
            source = frontier.pop()
            for from_node, _, to_node, _ in edges:
                if from_node == source and to_node not in reached:
                    reached.add(to_node)
                    frontier.append(to_node)
        if len(reached) == len(self.workflow.nodes):
            return self.workflow
        return self.workflow.model_copy(
            update={
                "nodes": [n for n in self.workflow.nodes if n.name in reached],
                "connections": {s: c for s, c in self.workflow.connections.items() if s in reached},
                "pinData": {k: v for k, v in self.workflow.pinData.items() if k in reached},
            }
        )


@dataclass
class Loaded:
    workflows: dict[str, ServedWorkflow]
    problems: list[str]  # "file: what is wrong", one per broken file


def load_folder(folder: Path, host: PluginHost, rng: random.Random | None = None) -> Loaded:
    files = sorted(p for p in folder.glob("*.json") if p.is_file())
    workflows: dict[str, ServedWorkflow] = {}
    problems: list[str] = []
    routes: dict[tuple[str, str], str] = {}
    for path in files:
        try:
            served = load_one(path, host, rng)
            _claim_routes(served, routes)
        except LoadError as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        workflows[served.name] = served
    return Loaded(workflows, problems)


class LoadError(ValueError):
    """A workflow file cannot be served; the message says why."""


def load_one(path: Path, host: PluginHost, rng: random.Random | None = None) -> ServedWorkflow:
    try:
        workflow = load_workflow(path)
    except WorkflowFormatError as exc:
        raise LoadError(str(exc).replace(f"{path}: ", "").replace(str(path), "the file")) from None
    served = ServedWorkflow(path.stem, path, workflow)
    for node in workflow.nodes:
        try:
            node_type = host.node_type(node.type)
        except PluginError as exc:
            raise LoadError(f"node '{node.name}': {exc}") from None
        versions = node_type.description.version
        listed = versions if isinstance(versions, tuple) else (versions,)
        if node.typeVersion not in listed:
            known = ", ".join(_label(v) for v in listed)
            raise LoadError(
                f"node '{node.name}' ({node.type}) has typeVersion {_label(node.typeVersion)}; "
                f"this runtime implements {known}"
            )
        if node.disabled:
            continue
        extra = node.model_extra or {}
        if isinstance(node_type, WebhookSource):
            try:
                spec = node_type.webhook_spec(
                    node.name,
                    node.parameters,
                    node.typeVersion,
                    node.credential_refs(),
                    node_id=node.id,
                    webhook_id=extra.get("webhookId"),
                )
            except WebhookConfigError as exc:
                raise LoadError(f"node '{node.name}': {exc}") from None
            served.webhooks.append(spec)
        if isinstance(node_type, ScheduleSource):
            try:
                served.schedules[node.name] = node_type.schedule_for(
                    node.parameters, node.typeVersion, workflow.settings, rng
                )
            except ScheduleError as exc:
                raise LoadError(f"node '{node.name}': {exc}") from None
    return served


def _claim_routes(served: ServedWorkflow, routes: dict[tuple[str, str], str]) -> None:
    mine: dict[tuple[str, str], str] = {}
    for spec in served.webhooks:
        for method in spec.methods:
            key = (method, spec.path)
            owner = routes.get(key) or mine.get(key)
            if owner is not None:
                raise LoadError(
                    f"node '{spec.node_name}' listens to {method} /webhook/{spec.path}, which "
                    f"{owner} already serves; give one of them another path"
                )
            mine[key] = f"node '{spec.node_name}' of {served.path.name}"
    routes.update(mine)


def _label(version: float) -> str:
    return str(int(version)) if float(version).is_integer() else str(version)


def webhook_routes(
    workflows: Iterable[ServedWorkflow],
) -> dict[tuple[str, str], tuple[ServedWorkflow, WebhookSpec]]:
    return {
        (method, spec.path): (served, spec)
        for served in workflows
        for spec in served.webhooks
        for method in spec.methods
    }
