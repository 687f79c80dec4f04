"""n8n's workflow JSON, read into typed models and checked before anything runs.

A file exported from n8n loads as it is: a numeric `id`, sticky notes, and n8n's other
top-level keys (`meta`, `tags`, `active`, `versionId`, `staticData`, `triggerCount`,
`createdAt`, ...) are accepted; only `nodes`, `connections`, `pinData` and `settings` mean
something for a run. Node keys are stricter (see NODE_KEYS_WITHOUT_EFFECT): a misspelt
setting such as `executeOnce` must not be dropped silently.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class WorkflowFormatError(ValueError):
    """The workflow file is not a workflow we can run; the message says what is wrong."""


class Connection(BaseModel):
    model_config = ConfigDict(extra="allow")

    node: str
    type: str = "main"
    index: int = 0


# Node keys n8n's editor writes that mean nothing for a run: accepted and ignored on purpose.
# Every other key is read by the engine or refused at load (see unknown_node_keys).
NODE_KEYS_WITHOUT_EFFECT: dict[str, str] = {
    "id": "the editor's own identifier of the node; runs, connections and $() use its name",
    "notes": "the note text of the node's settings, for people",
    "notesInFlow": "whether the canvas shows that note under the node",
    "webhookId": "the path id of a webhook-started node; nothing here serves webhooks",
    "extendsCredential": "which credential a credential-only node builds on, for the editor",
    "color": "the node's colour on the canvas, a setting of n8n before 1.0",
}

# Node keys n8n reads when it runs AI tools; they change what runs and are not implemented.
NODE_KEYS_NOT_SUPPORTED: dict[str, str] = {
    "rewireOutputLogTo": "AI tool nodes are not supported",
    "forceCustomOperation": "AI tool nodes are not supported",
}


class WorkflowNode(BaseModel):
    """One node of a workflow, with n8n's field names."""

    model_config = ConfigDict(extra="allow")

    id: str | None = None
    name: str
    type: str
    typeVersion: float = 1
    position: list[float] = Field(default_factory=lambda: [0.0, 0.0])
    parameters: dict[str, Any] = Field(default_factory=dict)
    credentials: dict[str, Any] = Field(default_factory=dict)
    disabled: bool = False
    retryOnFail: bool = False
    maxTries: int = 3
    waitBetweenTries: int = 1000
    alwaysOutputData: bool = False
    executeOnce: bool = False
    onError: Literal["stopWorkflow", "continueRegularOutput", "continueErrorOutput"] | None = None
    continueOnFail: bool = False
    notes: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("maxTries")
    @classmethod
    def _tries(cls, value: int) -> int:
        if value < 1:
            raise ValueError("maxTries must be at least 1")
        return value

    @field_validator("waitBetweenTries")
    @classmethod
    def _wait(cls, value: int) -> int:
        if value < 0:
            raise ValueError("waitBetweenTries must not be negative")
        return value

    def unknown_keys(self) -> dict[str, str]:
        """Keys this node has that no run reads: key -> why it is refused."""
        out: dict[str, str] = {}
        for key in self.model_extra or {}:
            if key in NODE_KEYS_WITHOUT_EFFECT:
                continue
            if key in NODE_KEYS_NOT_SUPPORTED:
                out[key] = NODE_KEYS_NOT_SUPPORTED[key]
                continue
            known = [*WorkflowNode.model_fields, *NODE_KEYS_WITHOUT_EFFECT]
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
            out[key] = f"did you mean '{close[0]}'?" if close else "n8n has no such node setting"
        return out

    @property
    def x(self) -> float:
        return float(self.position[0]) if self.position else 0.0

    @property
    def y(self) -> float:
        return float(self.position[1]) if len(self.position) > 1 else 0.0

    def credential_refs(self) -> dict[str, str]:
        """Credential type -> the name the workflow gives that credential."""
        refs: dict[str, str] = {}
        for type_name, ref in self.credentials.items():
            if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                refs[type_name] = ref["name"]
            elif isinstance(ref, str):
                refs[type_name] = ref
        return refs


class Workflow(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str = ""
    id: str | None = None  # n8n writes text; exports of older versions hold a number
    nodes: list[WorkflowNode]
    connections: dict[str, dict[str, list[list[Connection] | None]]] = Field(default_factory=dict)
    pinData: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("settings", "pinData", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @model_validator(mode="after")
    def _consistent(self) -> Workflow:
        names = [n.name for n in self.nodes]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"node names must be unique: {', '.join(duplicates)}")
        known = set(names)
        by_id = {n.id: n.name for n in self.nodes if n.id}
        for source, kinds in self.connections.items():
            if source not in known:
                raise ValueError(
                    f"connections mention node '{source}', which is not in nodes"
                    + _named_by_id(source, by_id)
                )
            for outputs in kinds.values():
                for targets in outputs:
                    for target in targets or []:
                        if target.node not in known:
                            raise ValueError(
                                f"'{source}' connects to '{target.node}', which is not in nodes"
                                + _named_by_id(target.node, by_id)
                            )
        for pinned in self.pinData:
            if pinned not in known:
                raise ValueError(f"pinData mentions node '{pinned}', which is not in nodes")
        return self

    def node(self, name: str) -> WorkflowNode:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def edges(self) -> list[tuple[str, int, str, int]]:
        """(source, output index, target, input index) for every main connection."""
        out: list[tuple[str, int, str, int]] = []
        for source, kinds in self.connections.items():
            for output_index, targets in enumerate(kinds.get("main", [])):
                for target in targets or []:
                    out.append((source, output_index, target.node, target.index))
        return out


def _named_by_id(key: str, by_id: dict[str, str]) -> str:
    if key not in by_id:
        return ""
    return (
        f" ('{key}' is the id of node '{by_id[key]}': n8n connects nodes by name, and runs "
        "nothing past a connection that names a node by its id)"
    )


def parse_workflow(data: Any, source: str = "workflow") -> Workflow:
    if not isinstance(data, dict):
        raise WorkflowFormatError(
            f"{source}: a workflow is a JSON object with 'nodes' and 'connections'"
        )
    try:
        return Workflow.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}"
            for err in exc.errors()[:10]
        )
        raise WorkflowFormatError(f"{source}: {problems}") from None


def load_workflow(path: str | Path) -> Workflow:
    file = Path(path)
    try:
        data = json.loads(file.read_text("utf-8"))
    except FileNotFoundError:
        raise WorkflowFormatError(f"workflow file not found: {file}") from None
    except json.JSONDecodeError as exc:
        raise WorkflowFormatError(
            f"{file} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    return parse_workflow(data, source=str(file))
