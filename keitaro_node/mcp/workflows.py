"""Saved workflows as one tool: `run_workflow` over the workflow files of a folder.

A workflow counts as read-only when every node either only reshapes items (the core data
nodes below) or runs an operation that only reads; anything else (an operation that writes,
an expression choosing the operation, an HTTP Request, a Code node, an unknown node type)
makes it a write, which a read-only server does not run. The folder is read again at every
listing and call, so edited or added files are seen at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keitaro_node.api import run_workflow
from keitaro_node.runtime.expressions import is_expression
from keitaro_node.runtime.plugins import PluginError, PluginHost
from keitaro_node.runtime.workflow import Workflow, WorkflowFormatError, parse_workflow

from .backends import Backend, Effect, OperationInfo

log = logging.getLogger("keitaro_node.mcp")

TOOL_NAME = "run_workflow"

# node types that only reshape the items they get: no I/O, no code
PURE_NODE_TYPES = frozenset(
    f"n8n-nodes-base.{name}"
    for name in (
        "manualTrigger", "noOp", "set", "if", "switch", "merge", "filter", "splitOut",
        "aggregate", "sort", "limit", "removeDuplicates", "summarize", "renameKeys",
        "stickyNote", "splitInBatches", "dateTime", "compareDatasets",
    )
)  # fmt: skip


@dataclass(frozen=True)
class SavedWorkflow:
    """A workflow file of the folder, parsed, with what running it may change."""

    name: str
    path: Path
    data: dict[str, Any]
    workflow: Workflow
    effect: Effect
    nodes: tuple[dict[str, str], ...]


class WorkflowLibrary:
    """The workflow files of one folder, and how to run them."""

    def __init__(self, folder: Path, host: PluginHost, backends: Sequence[Backend]) -> None:
        self.folder = folder
        self.host = host
        self.operations: dict[tuple[str, str, str], OperationInfo] = {}
        for backend in backends:
            for op in backend.operations():
                for type_name in _type_names(host, backend.type_name):
                    self.operations[(type_name, op.resource, op.name)] = op

    def load(self) -> dict[str, SavedWorkflow]:
        found: dict[str, SavedWorkflow] = {}
        for path in sorted(self.folder.rglob("*.json")):
            name = path.relative_to(self.folder).with_suffix("").as_posix()
            try:
                data = json.loads(path.read_text("utf-8"))
                if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
                    continue  # items files and other JSON beside the workflows
                workflow = parse_workflow(data, source=str(path))
            except (OSError, ValueError, WorkflowFormatError) as exc:
                log.warning("skipping %s: %s", path, exc)
                continue
            nodes = tuple(self._node_effect(n.type, n.parameters, n.name) for n in workflow.nodes)
            effects = {n["effect"] for n in nodes}
            effect: Effect = (
                "destructive"
                if "destructive" in effects
                else "write"
                if "write" in effects
                else "read"
            )
            found[name] = SavedWorkflow(name, path, data, workflow, effect, nodes)
        return found

    def _node_effect(self, type_name: str, params: Mapping[str, Any], name: str) -> dict[str, str]:
        out = {"node": name, "type": type_name}
        if type_name in PURE_NODE_TYPES:
            return {**out, "effect": "read"}
        resource, operation = params.get("resource"), params.get("operation")
        if _plain(resource) and _plain(operation):
            op = self.operations.get((type_name, str(resource), str(operation)))
            if op is not None:
                return {**out, "operation": op.title, "effect": op.effect}
        return {**out, "effect": "write"}

    def schema(self, names: Sequence[str], allow_write: bool) -> dict[str, Any] | None:
        """The tool's argument schema, or None when no workflow may run."""
        workflows = [w for w in self.load().values() if allow_write or w.effect == "read"]
        if not workflows:
            return None
        properties: dict[str, Any] = {
            "workflow": {
                "enum": [w.name for w in workflows],
                "description": "Which saved workflow: "
                + "; ".join(f"{w.name} ({w.effect})" for w in workflows),
            },
            "items": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Input items for the trigger (JSON objects); none: one empty item",
            },
            "dry_run": {
                "type": "boolean",
                "default": False,
                "description": "Check the workflow and list what each node would do, without running it",
            },
        }
        required = ["workflow"]
        if names:
            properties["credential"] = {
                "enum": list(names),
                "description": "Which of the configured trackers the workflow's nodes use",
            }
            if len(names) > 1:
                required.append("credential")
        return {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    def find(self, name: str) -> SavedWorkflow | None:
        return self.load().get(name)

    def preview(self, saved: SavedWorkflow) -> dict[str, Any]:
        for node in saved.workflow.nodes:
            self.host.node_type(node.type)  # an unknown type fails here, not midway
        return {
            "dry_run": True,
            "sent": False,
            "workflow": saved.name,
            "effect": saved.effect,
            "nodes": list(saved.nodes),
        }

    async def run(
        self,
        saved: SavedWorkflow,
        items: list[dict[str, Any]] | None,
        credential: str | None,
        store: Any,
    ) -> dict[str, Any]:
        data = json.loads(json.dumps(saved.data))
        if credential is not None:
            for node in data["nodes"]:
                try:
                    requirements = self.host.node_type(node["type"]).description.credentials
                except PluginError:
                    continue  # the run itself reports the unknown type
                refs = node.setdefault("credentials", {})
                for requirement in requirements:
                    refs[requirement.name] = {"id": credential, "name": credential}
        result = await run_workflow(data, items, store, host=self.host)
        return {"items": result.items, "errors": [str(e) for e in result.errors]}


def _plain(value: Any) -> bool:
    """A value fixed in the file (an expression could name any operation)."""
    return isinstance(value, str) and not is_expression(value)


def _type_names(host: PluginHost, type_name: str) -> tuple[str, ...]:
    try:
        return host.node_type(type_name).type_names
    except PluginError:
        return (type_name,)
