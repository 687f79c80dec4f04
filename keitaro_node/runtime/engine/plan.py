"""Loading a workflow for a run: every check in one pass, and what the walker needs to know.

A workflow that cannot run as n8n would run it is refused here, before any node runs or any
request is sent, with one error listing every problem: node keys no run reads, unknown node
types, typeVersions a node does not implement, unknown parameters (with a "did you mean"),
bad fixed values, configurations a node refuses, and n8n's legacy execution order where it
would run the workflow differently. Only what a run can reach from its start node is checked,
as n8n does; disabled nodes are not checked and pinned nodes keep their data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..credentials import CredentialStore
from ..description import NodeDescription
from ..errors import LoadProblem, NodeError
from ..expressions import ExpressionError, compile_template, is_expression
from ..items import Item, items_from_json
from ..node import NodeCheck, NodeSettings, NodeType
from ..parameter_names import did_you_mean, unknown_parameters
from ..parameters import ParameterResolver, visible_parameters
from ..plugins import PluginHost
from ..scope import SCOPE_NAMES
from ..workflow import Workflow, WorkflowNode
from .settings import RunSettings, node_settings

# Where n8n starts a run it is given (command line, sub-workflow): the first Execute Workflow
# Trigger, else the first of these in the order of `nodes`, else the first other trigger.
# The engine option `startNode` names it instead (a server starting at the trigger that fired).
START_FIRST = "n8n-nodes-base.executeWorkflowTrigger"
START_TYPES = frozenset({"n8n-nodes-base.manualTrigger", "n8n-nodes-base.start"})

RequiredInputs = int | tuple[int, ...] | None


@dataclass(frozen=True, slots=True)
class Link:
    """A main connection: into which node, at which of its inputs."""

    target: str
    input: int


@dataclass
class PlannedNode:
    """A node the run can reach, with everything resolved that does not change between runs."""

    node: WorkflowNode
    node_type: NodeType | None  # None for a disabled node whose type is not installed
    settings: NodeSettings
    resolver: ParameterResolver | None  # None when the node never executes (disabled, pinned)
    input_count: int
    output_count: int
    required_inputs: RequiredInputs
    pinned: list[dict[str, Any]] | None
    credential_refs: dict[str, str] = field(default_factory=dict)
    # whether a run must see every input item at once (NodeType.gathers_all_items): a
    # streaming executor gathers before such a node
    gathers_all_items: bool = True

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def position(self) -> tuple[float, float]:
        return (self.node.x, self.node.y)

    def pinned_items(self) -> list[Item]:
        return items_from_json(self.pinned or [])


@dataclass
class Plan:
    """A checked workflow, ready for the walker."""

    workflow: Workflow
    settings: RunSettings
    start: str
    nodes: dict[str, PlannedNode]  # the nodes a run can reach from `start`
    children: dict[str, list[list[Link]]]  # per source node, per output, in the file's order
    input_slots: dict[str, int]  # inputs a node waits on: its highest connected input + 1
    parents: dict[str, set[str]]
    _ancestors: dict[str, frozenset[str]] = field(default_factory=dict)

    def ancestors(self, name: str) -> frozenset[str]:
        """Every node with a path to `name` (not `name` itself), as n8n's getParentNodes."""
        cached = self._ancestors.get(name)
        if cached is None:
            seen: set[str] = set()
            todo = list(self.parents.get(name, ()))
            while todo:
                current = todo.pop()
                if current in seen or current == name:
                    continue
                seen.add(current)
                todo.extend(self.parents.get(current, ()))
            cached = self._ancestors[name] = frozenset(seen)
        return cached


WorkflowChecker = Callable[[Any, str], list[str]]


def prepare(
    workflow: Workflow,
    host: PluginHost,
    options: Mapping[str, Any],
    check_workflow: WorkflowChecker = lambda _data, _source: [],
    credentials: CredentialStore | None = None,
) -> tuple[Plan | None, list[LoadProblem]]:
    """Check the workflow and plan its run; the plan is None when there are problems."""
    problems: list[LoadProblem] = []
    settings = RunSettings.of(workflow, options)
    children, input_slots, parents = _connections(workflow)
    chosen = options.get("startNode")
    if chosen is not None and not any(node.name == chosen for node in workflow.nodes):
        problems.append(LoadProblem(None, f"the start node {chosen!r} is not in the workflow"))
        return None, problems
    start = chosen if isinstance(chosen, str) else _start_node(workflow, host)
    if start is None:
        problems.append(
            LoadProblem(
                None,
                "there is no node to start from: n8n starts a run at an Execute Workflow "
                "Trigger, a Manual Trigger, a Start node or another trigger - add a Manual "
                "Trigger (n8n-nodes-base.manualTrigger) before the first node",
            )
        )
        return None, problems
    reachable = _reachable(start, children)
    nodes: dict[str, PlannedNode] = {}
    for node in workflow.nodes:
        if node.name in reachable:
            planned = _plan_node(node, workflow, host, check_workflow, problems)
            if planned is not None and planned.resolver is not None and credentials is not None:
                for message in _credential_problems(planned, host, credentials):
                    problems.append(LoadProblem(node.name, message))
            if planned is not None:
                nodes[node.name] = planned
    problems.extend(_order_problems(settings, reachable, children))
    if problems:
        return None, problems
    plan = Plan(workflow, settings, start, nodes, children, input_slots, parents)
    return plan, []


def _connections(
    workflow: Workflow,
) -> tuple[dict[str, list[list[Link]]], dict[str, int], dict[str, set[str]]]:
    children: dict[str, list[list[Link]]] = {}
    input_slots: dict[str, int] = {}
    parents: dict[str, set[str]] = {}
    for source, kinds in workflow.connections.items():
        outputs: list[list[Link]] = []
        for targets in kinds.get("main", []):
            links = [Link(t.node, t.index) for t in targets or []]
            outputs.append(links)
            for link in links:
                input_slots[link.target] = max(input_slots.get(link.target, 0), link.input + 1)
                parents.setdefault(link.target, set()).add(source)
        children[source] = outputs
    return children, input_slots, parents


def _canonical_type(node: WorkflowNode, host: PluginHost) -> str:
    node_type = host.node_types.get(node.type)
    return node_type.type_names[0] if node_type is not None and node_type.type_names else node.type


def _start_node(workflow: Workflow, host: PluginHost) -> str | None:
    types = [(node.name, _canonical_type(node, host)) for node in workflow.nodes]
    for name, type_name in types:
        if type_name == START_FIRST:
            return name
    for name, type_name in types:
        if type_name in START_TYPES:
            return name
    for node in workflow.nodes:  # a workflow with only other triggers (Webhook, Schedule)
        node_type = host.node_types.get(node.type)
        if node_type is not None and not node.disabled and "trigger" in node_type.description.group:
            return node.name
    return None


def _reachable(start: str, children: Mapping[str, list[list[Link]]]) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for links in children.get(todo.pop(), ()):
            for link in links:
                if link.target not in seen:
                    seen.add(link.target)
                    todo.append(link.target)
    return seen


def _plan_node(
    node: WorkflowNode,
    workflow: Workflow,
    host: PluginHost,
    check_workflow: WorkflowChecker,
    problems: list[LoadProblem],
) -> PlannedNode | None:
    def problem(message: str) -> None:
        problems.append(LoadProblem(node.name, message))

    for key, why in node.unknown_keys().items():
        problem(f"unknown node setting '{key}' - {why}")
    settings = node_settings(node)
    node_type = host.node_types.get(node.type)
    pinned = workflow.pinData.get(node.name)
    if node.disabled:  # n8n does not check disabled nodes: they pass their input on
        return PlannedNode(node, node_type, settings, None, 1, 1, None, pinned)
    if node_type is None:
        close = _closest_type(node.type, host.node_types)
        hint = f" - did you mean '{close}'?" if close else " (no installed plugin provides it)"
        problem(f"unknown node type '{node.type}'{hint}")
        return None
    description = node_type.description
    version = float(node.typeVersion)
    if version not in description.versions:
        supported = ", ".join(_version_text(v) for v in description.versions)
        problem(
            f"typeVersion {_version_text(version)} of {node.type} is not supported "
            f"(this node implements {supported})"
        )
        return None
    resolver = None
    if pinned is None:
        refused = node_type.check(
            NodeCheck(node.name, node.parameters, version, check_workflow=check_workflow)
        )
        for message in refused:
            problem(message)
        unknown = [] if refused else unknown_parameters(description, node.parameters, version)
        resolver = ParameterResolver(
            description,
            node.parameters,
            SCOPE_NAMES,
            node_name=node.name,
            type_version=version,
            typed=node_type.typed_parameters,
        )
        if not refused:  # a refused configuration would only add noise about its parameters
            # a key known only to a variant of the collection that is not shown is refused
            # by the shown one; parameter_names could not tell
            for message in unknown or resolver.unknown_field_errors:
                problem(message)
            for message in resolver.static_errors:
                problem(message)
    required, error = _required_inputs(description, node.parameters, version)
    if error:
        problem(error)
    return PlannedNode(
        node,
        node_type,
        settings,
        resolver,
        node_type.input_count(node.parameters, version),
        node_type.output_count(node.parameters, version),
        required,
        pinned,
        node.credential_refs(),
        node_type.gathers_all_items(_with_defaults(description, node.parameters, version)),
    )


def _closest_type(name: str, installed: Mapping[str, NodeType]) -> str | None:
    """An installed type whose own name (after the package) is close to `name`'s."""
    by_short = {full.rsplit(".", 1)[-1]: full for full in installed if "." in full}
    close = did_you_mean(name.rsplit(".", 1)[-1], by_short)
    return by_short[close] if close else None


def _credential_problems(
    planned: PlannedNode, host: PluginHost, store: CredentialStore
) -> list[str]:
    """Credentials the node needs with its parameters, missing from the store: refused now
    rather than after the nodes before it have run (and written)."""
    assert planned.node_type is not None
    description = planned.node_type.description
    if not description.credentials:
        return []
    node = planned.node
    version = float(node.typeVersion)
    problems: list[str] = []
    for requirement in description.credentials:
        if not requirement.required:
            continue
        shown = requirement.displayOptions
        if shown is not None:
            values = {**_with_defaults(description, node.parameters, version), "@version": version}
            if not shown.allows(values):
                continue
        credential_type = host.credential_types.get(requirement.name)
        if credential_type is None:
            problems.append(f"credential type '{requirement.name}' is not installed")
            continue
        try:
            store.get(credential_type, planned.credential_refs.get(requirement.name))
        except NodeError as exc:
            problems.append(exc.message)
    return problems


def _with_defaults(
    description: NodeDescription, raw: Mapping[str, Any], version: float
) -> dict[str, Any]:
    """The node's raw values over the defaults of the parameters shown for them."""
    values = {
        p.name: raw.get(p.name, p.default) for p in visible_parameters(description, raw, version)
    }
    values.update(raw)
    return values


def _version_text(version: float) -> str:
    return str(int(version)) if version.is_integer() else str(version)


def _required_inputs(
    description: NodeDescription, raw: Mapping[str, Any], version: float
) -> tuple[RequiredInputs, str | None]:
    """n8n's requiredInputs of a node, with an expression evaluated over its parameters."""
    required = description.requiredInputs
    if not isinstance(required, str):
        return required, None
    values = _with_defaults(description, raw, version)
    try:
        source = required if is_expression(required) else f"={required}"
        names = frozenset({"$parameter", "$version"})
        value = compile_template(source, names).render({"$parameter": values, "$version": version})
    except ExpressionError as exc:
        return None, f"the node's requiredInputs expression failed: {exc}"
    if value is None:
        return None, None
    if isinstance(value, list) and all(_whole(v) for v in value):
        return tuple(int(v) for v in value), None
    if _whole(value):
        return int(value), None
    return None, f"the node's requiredInputs gave {value!r}, not a count or a list of inputs"


def _whole(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == int(value)


def _order_problems(
    settings: RunSettings, reachable: set[str], children: Mapping[str, list[list[Link]]]
) -> list[LoadProblem]:
    """n8n's legacy order (v0) runs here only where it cannot differ from v1."""
    order = settings.execution_order
    if order == "v1":
        return []
    if order != "v0":
        return [LoadProblem(None, f"settings.executionOrder is {order!r}; n8n knows 'v1' and 'v0'")]
    reasons: list[str] = []
    for source in sorted(reachable):
        links = [link for output in children.get(source, ()) for link in output]
        if len(links) > 1:
            reasons.append(f"'{source}' feeds {len(links)} connections")
        reasons.extend(
            f"'{link.target}' has a connection into its input {link.input + 1}"
            for link in links
            if link.input > 0
        )
    if not reasons:
        return []
    said = "is 'v0'" if settings.order_declared else "is missing, which n8n reads as 'v0'"
    return [
        LoadProblem(
            None,
            f"settings.executionOrder {said}: n8n's legacy order runs this workflow in "
            f"another order than v1 ({'; '.join(dict.fromkeys(reasons))}). Only workflows "
            "that both orders run alike (every node feeding at most one connection, no "
            "second inputs) run here with it. Set executionOrder to 'v1' (in n8n: Workflow "
            "settings > Node Execution Order) once you have checked the workflow suits it",
        )
    ]
