"""A node's parameters as n8n hands them to its code: defaults filled in, nothing converted.

n8n fills in defaults when a workflow loads (for the parameters shown at the node's version and
settings, and for every row of a fixed collection) and then evaluates expressions when the node
asks for a parameter - but it never converts the result to the parameter's declared type: an
expression in a number field may give text, and the nodes compare exactly that. The condition
and field nodes depend on this, so they read their parameters here rather than through the
runtime's typed resolver.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..description import Parameter
from ..errors import NodeOperationError
from ..expressions import ExpressionError, compile_template, is_expression
from ..node import ExecutionContext
from ..scope import SCOPE_NAMES
from . import lodash_path
from .conditions.js import UNDEFINED

Plan = Callable[[Mapping[str, Any]], Any]
_NO_DEFAULT: Any = object()


def raw_node_parameters(ctx: ExecutionContext) -> dict[str, Any]:
    """The node's parameters as the workflow file holds them (expressions not evaluated)."""
    raw = ctx.scope_factory(0).get("$parameter")
    return raw if isinstance(raw, dict) else {}


class NodeParameters:
    """Reads parameters per item, as n8n's getNodeParameter does."""

    def __init__(self, ctx: ExecutionContext) -> None:
        self.ctx = ctx
        self.raw = raw_node_parameters(ctx)
        try:
            self.values = normalize(ctx.description.properties, self.raw, ctx.type_version)
        except ValueError as exc:
            raise NodeOperationError(str(exc), node_name=ctx.node_name) from None
        self._plans: dict[str, Plan] = {}
        self._scope_index = -1
        self._scope: Mapping[str, Any] = {}

    def has(self, path: str) -> bool:
        return lodash_path.get(self.values, path) is not lodash_path.MISSING

    def raw_value(self, path: str, fallback: Any = None) -> Any:
        """The value without evaluating expressions (n8n's rawExpressions)."""
        value = lodash_path.get(self.values, path)
        return fallback if value is lodash_path.MISSING else value

    def get(self, path: str, index: int, fallback: Any = _NO_DEFAULT) -> Any:
        """The value at `path` for item `index`, expressions evaluated; read-only."""
        plan = self._plans.get(path)
        if plan is None:
            value = lodash_path.get(self.values, path)
            if value is lodash_path.MISSING:
                if fallback is _NO_DEFAULT:
                    raise NodeOperationError(
                        f"Could not get parameter '{path}'",
                        item_index=index,
                        node_name=self.ctx.node_name,
                    )
                return fallback
            plan = self._plans[path] = plan_value(value)
        try:
            return plan(self.scope(index))
        except ExpressionError as exc:
            raise NodeOperationError(
                f"the expression in parameter '{path}' failed: {exc}",
                item_index=index,
                node_name=self.ctx.node_name,
            ) from None

    def evaluate(self, expression: str, index: int) -> Any:
        """An expression such as `={{ $json.a }}` for item `index` (n8n's evaluateExpression)."""
        try:
            return compile_template(expression, SCOPE_NAMES).render(self.scope(index))
        except ExpressionError as exc:
            raise NodeOperationError(
                f"the expression {expression[1:]} failed: {exc}",
                item_index=index,
                node_name=self.ctx.node_name,
            ) from None

    def scope(self, index: int) -> Mapping[str, Any]:
        if index != self._scope_index:
            self._scope = self.ctx.scope_factory(index)
            self._scope_index = index
        return self._scope


def has_expression(value: Any) -> bool:
    if is_expression(value):
        return True
    if isinstance(value, dict):
        return any(has_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(has_expression(v) for v in value)
    return False


_JSON_PATH = re.compile(
    r"=\{\{\s*\$json((?:\??\.[A-Za-z_$][\w$]*|\[\d+\]|\['[^'\\]*'\]|\[\"[^\"\\]*\"\])*)\s*\}\}"
)


def plan_value(value: Any) -> Plan:
    """Compile a value once: its expressions evaluated per item, the rest shared as it is."""
    if is_expression(value):
        try:
            template = compile_template(value, SCOPE_NAMES)
        except ExpressionError as exc:
            error = exc

            def fail(_scope: Mapping[str, Any]) -> Any:
                raise error

            return fail
        field = _JSON_PATH.fullmatch(value)
        if field is None:
            return template.render
        path = field.group(1).replace("?.", ".").removeprefix(".")
        return _field_reader(template.render, path)
    if isinstance(value, dict) and has_expression(value):
        dynamic = [(k, plan_value(v)) for k, v in value.items() if has_expression(v)]

        def fill(scope: Mapping[str, Any]) -> dict[str, Any]:
            out = dict(value)
            for key, plan in dynamic:
                out[key] = plan(scope)
            return out

        return fill
    if isinstance(value, list) and has_expression(value):
        plans = [plan_value(v) for v in value]
        return lambda scope: [plan(scope) for plan in plans]
    return lambda _scope: value


def _field_reader(render: Plan, path: str) -> Plan:
    """`{{ $json.a.b }}`: undefined (not null) when the item has no such field, as in n8n."""

    def read(scope: Mapping[str, Any]) -> Any:
        value = render(scope)
        if value is None and lodash_path.get(scope["$json"], path) is lodash_path.MISSING:
            return UNDEFINED
        return value

    return read


# --- n8n's parameter normalisation (getNodeParameters with defaults) --------------------------


def normalize(
    properties: tuple[Parameter, ...],
    values: Mapping[str, Any],
    version: float,
    root: Mapping[str, Any] | None = None,
    *,
    in_collection: bool = False,
) -> dict[str, Any]:
    """The parameters shown for these values, with defaults, as a node will read them.

    `root` is what `/name` in displayOptions refers to: the node's top-level values.
    """
    shown = _display_values(properties, values, version, root)
    if root is None:
        root = {k: v for k, v in shown.items() if not k.startswith(("/", "@"))}
    out: dict[str, Any] = {}
    for parameter in properties:
        name = parameter.name
        if name in out or parameter.type == "notice":
            continue
        if in_collection and name not in values:
            continue
        display = parameter.displayOptions
        if display is not None and not display.allows(shown):
            continue
        out[name] = _normalize_one(parameter, values, version, root)
    return out


def _normalize_one(
    parameter: Parameter, values: Mapping[str, Any], version: float, root: Mapping[str, Any]
) -> Any:
    name = parameter.name
    present = name in values
    value = values.get(name)
    if parameter.type == "collection":
        if not present:
            return copy.deepcopy(parameter.default) if parameter.default is not None else {}
        if not isinstance(value, dict):
            raise ValueError(f"{parameter.label} must be an object, got {_kind(value)}")
        return normalize(parameter.sub_parameters, value, version, root, in_collection=True)
    if parameter.type == "fixedCollection":
        if not present or value is None:
            value = copy.deepcopy(parameter.default) if parameter.default is not None else {}
        return _normalize_fixed(parameter, value, version, root)
    if parameter.type in ("boolean", "number", "options"):
        result = value if present else parameter.default
    else:
        result = value if value is not None else parameter.default
    if parameter.noDataExpression and isinstance(result, str) and is_expression(result):
        result = result[1:]
    return result


def _normalize_fixed(
    parameter: Parameter, value: Any, version: float, root: Mapping[str, Any]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{parameter.label} must be an object, got {_kind(value)}")
    groups = {group.name: group for group in parameter.groups}
    many = parameter.typeOptions.multipleValues
    out: dict[str, Any] = {}
    for key, rows in value.items():
        group = groups.get(key)
        if group is None:
            listed = ", ".join(sorted(groups)) or "none"
            raise ValueError(f"{parameter.label} has no group '{key}' (groups: {listed})")
        if many:
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise ValueError(f"{parameter.label}: '{key}' must be a list of objects")
            out[key] = [normalize(group.values, row, version, root) for row in rows]
        else:
            if not isinstance(rows, dict):
                raise ValueError(f"{parameter.label}: '{key}' must be an object")
            entry = normalize(group.values, rows, version, root)
            if entry:
                out[key] = entry
    return out


def _display_values(
    properties: tuple[Parameter, ...],
    values: Mapping[str, Any],
    version: float,
    root: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What displayOptions look at: these values with defaults, `@version`, `/root` values.

    At the top level (no `root`), `/name` is the parameter itself.
    """
    top = root is None
    shown: dict[str, Any] = {f"/{k}": v for k, v in (values if top else root or {}).items()}
    shown.update(values)
    shown["@version"] = version
    for _ in range(3):  # a default may show a parameter whose own default shows another
        added = False
        for parameter in properties:
            if parameter.name in shown or parameter.type in ("collection", "fixedCollection"):
                continue
            display = parameter.displayOptions
            if display is None or display.allows(shown):
                shown[parameter.name] = parameter.default
                if top:
                    shown[f"/{parameter.name}"] = parameter.default
                added = True
        if not added:
            break
    return shown


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
