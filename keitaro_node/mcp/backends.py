"""How a node's operations are described to the MCP surface and how they are carried out.

Any node type a plugin registers with resources and operations gets tools. Two ways run them:

* the Keitaro node goes through the public Python client (keitaro_node.client): its calls
  take plain values (no expressions), stream paged records, and `prepare()` shows the exact
  request a dry run would send; its manifest says which operations only read;
* any other node runs as a one-node workflow through the engine (keitaro_node.api), so it
  behaves as in a workflow. Its description does not say what an operation changes, so only
  operations whose routing declares a GET are taken as reads; everything else is a write.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from keitaro_node.api import run_workflow
from keitaro_node.client import TYPE_NAMES as CLIENT_TYPE_NAMES
from keitaro_node.client import Keitaro, Pages, operation_spec, operation_specs
from keitaro_node.runtime.description import NodeDescription, Operation, Parameter
from keitaro_node.runtime.errors import NodeOperationError, WorkflowError
from keitaro_node.runtime.expressions import is_expression
from keitaro_node.runtime.items import BinaryData
from keitaro_node.runtime.node import NodeType
from keitaro_node.runtime.parameters import ParameterValueError, coerce, visible_parameters
from keitaro_node.runtime.plugins import PluginHost

from .budget import Budget
from .credentials import CredentialSet

Effect = Literal["read", "write", "destructive"]


@dataclass(frozen=True)
class OperationInfo:
    """One resource/operation as a tool offers it."""

    resource: str
    name: str
    display_name: str
    description: str
    effect: Effect
    parameters: tuple[Parameter, ...]
    body_schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.resource}.{self.name}"


class Backend(Protocol):
    """Runs the operations of one node type for the MCP surface."""

    description: NodeDescription
    type_name: str

    def operations(self) -> list[OperationInfo]: ...

    async def run(
        self, op: OperationInfo, args: dict[str, Any], credential: str | None, budget: Budget
    ) -> Any: ...

    def preview(
        self, op: OperationInfo, args: dict[str, Any], credential: str | None
    ) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


# ------------------------------------------------------------------ the Keitaro client


class ClientBackend:
    """The Keitaro node, through the public client: one open client per named credential."""

    def __init__(self, node_type: NodeType, credentials: CredentialSet) -> None:
        self.description = node_type.description
        self.type_name = node_type.type_names[0]
        self._credentials = credentials
        self._clients: dict[str | None, Keitaro] = {}
        self._opening = asyncio.Lock()  # calls arrive concurrently over HTTP

    def operations(self) -> list[OperationInfo]:
        out = []
        for spec in operation_specs().values():
            op = spec.operation
            schema = spec.body_schema
            bodies = {spec.routing.body: schema} if spec.routing.body and schema else {}
            out.append(
                OperationInfo(
                    resource=spec.resource,
                    name=spec.name,
                    display_name=op.action or op.displayName,
                    description=op.description or "",
                    effect=spec.effect,
                    parameters=tuple(p.parameter for p in spec.parameters),
                    body_schemas=bodies,
                )
            )
        return out

    def _offline(self, credential: str | None) -> Keitaro:
        return Keitaro.from_credentials(self._credentials.store, credential)

    async def _client(self, credential: str | None) -> Keitaro:
        async with self._opening:
            client = self._clients.get(credential)
            if client is None:
                client = await self._offline(credential).__aenter__()
                self._clients[credential] = client
        return client

    async def run(
        self, op: OperationInfo, args: dict[str, Any], credential: str | None, budget: Budget
    ) -> Any:
        kt = await self._client(credential)
        if operation_spec(op.resource, op.name).kind == "pages" and args.get("returnAll"):
            return await _records_within(kt.pages(op.resource, op.name, **args), budget)
        data = await kt.call(op.resource, op.name, **args)
        if isinstance(data, BinaryData):
            return {
                "fileName": data.file_name,
                "mimeType": data.mime_type,
                "bytes": len(data.data),
                "note": "the file itself is not returned through this tool",
            }
        return data

    def preview(
        self, op: OperationInfo, args: dict[str, Any], credential: str | None
    ) -> dict[str, Any]:
        prepared = self._offline(credential).prepare(op.resource, op.name, **args)
        return {"dry_run": True, "sent": False, "request": prepared.to_json()}

    async def aclose(self) -> None:
        clients, self._clients = self._clients, {}
        for client in clients.values():
            with contextlib.suppress(Exception):
                await client.__aexit__(None, None, None)


async def _records_within(pages: Pages, budget: Budget) -> dict[str, Any]:
    """Records of every page while they fit the budget; says when it stopped early."""
    records: list[dict[str, Any]] = []
    truncated = False
    async for record in pages:
        if not budget.take(record):
            truncated = True
            break
        records.append(record)
    out: dict[str, Any] = {**pages.info, "records": records, "count": len(records)}
    if truncated:
        out["truncated"] = True
        out["note"] = (
            f"stopped after {len(records)} records to keep the answer under "
            f"{budget.limit} characters; narrow the period, add filters, or use limit"
        )
    return out


# ------------------------------------------------------------------ any node, through the engine


def _generic_effect(op: Operation) -> Effect:
    routing = op.routing
    request = routing.get("request")
    method = routing.get("method") or (request.get("method") if isinstance(request, dict) else None)
    if str(method or "").upper() in ("GET", "HEAD"):
        return "read"
    if any(p.name == "confirm" for p in op.parameters):
        return "destructive"
    return "write"


class EngineBackend:
    """Any node with resources: each call is a Manual Trigger -> node workflow run."""

    def __init__(self, node_type: NodeType, host: PluginHost, credentials: CredentialSet) -> None:
        self.description = node_type.description
        self.type_name = node_type.type_names[0]
        self._host = host
        self._credentials = credentials

    def operations(self) -> list[OperationInfo]:
        return [
            OperationInfo(
                resource=op.resource,
                name=op.name,
                display_name=op.action or op.displayName,
                description=op.description or "",
                effect=_generic_effect(op),
                parameters=op.parameters,
            )
            for op in self.description.all_operations()
        ]

    def _checked(self, op: OperationInfo, args: dict[str, Any]) -> dict[str, Any]:
        """The visible parameters with defaults, coerced as the node will see them."""
        for name, value in args.items():
            if _holds_expression(value):
                raise NodeOperationError(
                    f"'{name}' starts with '=', which a workflow would evaluate as an expression; "
                    "tools take plain values only"
                )
        raw = {"resource": op.resource, "operation": op.name, **args}
        own = {p.name for p in op.parameters}
        checked: dict[str, Any] = {}
        for parameter in visible_parameters(self.description, raw):
            if parameter.name in own:
                try:
                    checked[parameter.name] = coerce(
                        parameter, args.get(parameter.name, parameter.default)
                    )
                except ParameterValueError as exc:
                    raise NodeOperationError(str(exc)) from None
        return checked

    async def run(
        self, op: OperationInfo, args: dict[str, Any], credential: str | None, budget: Budget
    ) -> Any:
        self._checked(op, args)
        refs = {
            c.name: {"id": credential or c.name, "name": credential or c.name}
            for c in self.description.credentials
        }
        workflow = {
            "nodes": [
                {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "parameters": {}},
                {
                    "name": "Node",
                    "type": self.type_name,
                    "typeVersion": _latest(self.description.version),
                    "parameters": {"resource": op.resource, "operation": op.name, **args},
                    "credentials": refs,
                },
            ],
            "connections": {"Start": {"main": [[{"node": "Node", "type": "main", "index": 0}]]}},
        }
        try:
            result = await run_workflow(workflow, None, self._credentials.store, host=self._host)
        except WorkflowError as exc:
            raise exc.error from None
        return [item for output in result.outputs.get("Node", []) for item in output]

    def preview(
        self, op: OperationInfo, args: dict[str, Any], credential: str | None
    ) -> dict[str, Any]:
        return {
            "dry_run": True,
            "sent": False,
            "parameters": self._checked(op, args),
            "note": f"{self.type_name} does not describe its requests; its parameters were "
            "checked and nothing was sent",
        }

    async def aclose(self) -> None:
        return None


def _latest(version: float | tuple[float, ...]) -> float:
    return max(version) if isinstance(version, tuple) else version


def _holds_expression(value: Any) -> bool:
    if is_expression(value):
        return True
    if isinstance(value, dict):
        return any(_holds_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_expression(v) for v in value)
    return False


def backends_for(host: PluginHost, credentials: CredentialSet) -> list[Backend]:
    """A backend for every node type (each once) that has resources and operations."""
    seen: set[int] = set()
    out: list[Backend] = []
    for node_type in host.node_types.values():
        if id(node_type) in seen or not node_type.description.resources:
            continue
        seen.add(id(node_type))
        if set(node_type.type_names) & set(CLIENT_TYPE_NAMES):
            out.append(ClientBackend(node_type, credentials))
        else:
            out.append(EngineBackend(node_type, host, credentials))
    return out
