"""A node's parameters as n8n hands them to its code: defaults filled in, nothing converted.

n8n fills in defaults when a workflow loads (for the parameters shown at the node's version and
values, and for every row of a fixed collection) and evaluates expressions when the node asks
for a parameter - but it never converts the result to the parameter's declared type: an
expression in a number field may give text, and a node compares exactly that. Nodes that follow
n8n that closely (If, Filter, Switch, Edit Fields) read their parameters through
`ExecutionContext.raw_parameters`, a RawParameters, rather than the typed resolver.

`n8n_values` is n8n's getNodeParameters with defaults: it also drops the options of a
collection that their displayOptions hide, which the typed resolver does not do.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from .description import Parameter
from .errors import NodeOperationError
from .expressions import UNDEFINED, ExpressionError, compile_template, is_expression
from .scope import SCOPE_NAMES

Plan = Callable[[Mapping[str, Any]], Any]
ScopeFactory = Callable[[int], Mapping[str, Any]]
MISSING: Any = object()
_NO_DEFAULT: Any = object()


class RawParameters:
    """Reads one node run's parameters per item, as n8n's getNodeParameter does.

    Expressions are evaluated when a path is read, for the item asked about, so an expression
    the node never reads for an item cannot fail it. `plans` (compiled values by path) may be
    shared by every run of the node.
    """

    def __init__(
        self,
        values: Mapping[str, Any],
        scope_factory: ScopeFactory,
        node_name: str | None = None,
        plans: dict[str, Plan] | None = None,
        type_version: float = 1.0,
    ) -> None:
        self.values = values
        self.node_name = node_name
        self.type_version = type_version
        self._scope_factory = scope_factory
        self._plans: dict[str, Plan] = plans if plans is not None else {}
        self._scope_index = -1
        self._scope: Mapping[str, Any] = {}

    def has(self, path: str) -> bool:
        return get_path(self.values, path) is not MISSING

    def raw_value(self, path: str, fallback: Any = None) -> Any:
        """The value without evaluating expressions (n8n's rawExpressions)."""
        value = get_path(self.values, path)
        return fallback if value is MISSING else value

    def get(self, path: str, index: int, fallback: Any = _NO_DEFAULT) -> Any:
        """The value at `path` for item `index`, expressions evaluated; read-only."""
        plan = self._plans.get(path)
        if plan is None:
            value = get_path(self.values, path)
            if value is MISSING:
                if fallback is _NO_DEFAULT:
                    raise NodeOperationError(
                        f"Could not get parameter '{path}'",
                        item_index=index,
                        node_name=self.node_name,
                    )
                return fallback
            plan = self._plans[path] = plan_value(value)
        try:
            return plan(self.scope(index))
        except ExpressionError as exc:
            raise NodeOperationError(
                f"the expression in parameter '{path}' failed: {exc}",
                item_index=index,
                node_name=self.node_name,
            ) from None

    def evaluate(self, expression: str, index: int) -> Any:
        """An expression such as `={{ $json.a }}` for item `index` (n8n's evaluateExpression)."""
        try:
            return compile_template(expression, SCOPE_NAMES).render(self.scope(index))
        except ExpressionError as exc:
            raise NodeOperationError(
                f"the expression {expression[1:]} failed: {exc}",
                item_index=index,
                node_name=self.node_name,
            ) from None

    def scope(self, index: int) -> Mapping[str, Any]:
        """What item `index`'s expressions see (made once per item in a row)."""
        if index != self._scope_index:
            self._scope = self._scope_factory(index)
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
        return _field_reader(template.render, field.group(1).replace("?.", "."))
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
        if value is None and get_path(scope["$json"], path) is MISSING:
            return UNDEFINED
        return value

    return read


# --- paths ------------------------------------------------------------------------------------

_STEP = re.compile(r"\.?([^.[\]]+)|\[(\d+)\]|\['([^'\\]*)'\]|\[\"([^\"\\]*)\"\]")


@lru_cache(maxsize=1024)
def _steps(path: str) -> tuple[str | int, ...]:
    steps: list[str | int] = []
    position = 0
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            return (path,)  # not a path: a key of its own
        name, index, single, double = match.groups()
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(name if name is not None else single if single is not None else double)
        position = match.end()
    return tuple(steps)


def get_path(target: Any, path: str) -> Any:
    """The value at a path such as `rules.values[0].conditions`, or MISSING."""
    node = target
    for step in _steps(path):
        if isinstance(node, dict):
            node = (
                node.get(step, MISSING) if isinstance(step, str) else node.get(str(step), MISSING)
            )
        elif isinstance(node, list) and isinstance(step, int):
            node = node[step] if step < len(node) else MISSING
        else:
            return MISSING
        if node is MISSING:
            return MISSING
    return node


# --- n8n's parameter values (getNodeParameters with defaults) ----------------------------------


def n8n_values(
    properties: tuple[Parameter, ...],
    values: Mapping[str, Any],
    version: float,
    root: Mapping[str, Any] | None = None,
    *,
    in_collection: bool = False,
) -> dict[str, Any]:
    """The parameters shown for these values, with defaults, as a node will read them.

    `root` is what `/name` in displayOptions refers to: the node's top-level values. Raises
    ValueError for a collection or fixed collection that is not shaped as one.
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
        out[name] = _one(parameter, values, version, root)
    return out


def _one(
    parameter: Parameter, values: Mapping[str, Any], version: float, root: Mapping[str, Any]
) -> Any:
    name = parameter.name
    present = name in values
    value = values.get(name)
    if parameter.type == "collection":
        if not present:
            return copy.deepcopy(parameter.default) if parameter.default is not None else {}
        if not isinstance(value, dict):
            raise ValueError(f"{parameter.label} must be an object, got {value_kind(value)}")
        return n8n_values(parameter.sub_parameters, value, version, root, in_collection=True)
    if parameter.type == "fixedCollection":
        if not present or value is None:
            value = copy.deepcopy(parameter.default) if parameter.default is not None else {}
        return _fixed(parameter, value, version, root)
    if parameter.type in ("boolean", "number", "options"):
        result = value if present else parameter.default
    else:
        result = value if value is not None else parameter.default
    if parameter.noDataExpression and isinstance(result, str) and is_expression(result):
        result = result[1:]
    return result


def _fixed(
    parameter: Parameter, value: Any, version: float, root: Mapping[str, Any]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{parameter.label} must be an object, got {value_kind(value)}")
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
            out[key] = [n8n_values(group.values, row, version, root) for row in rows]
        else:
            if not isinstance(rows, dict):
                raise ValueError(f"{parameter.label}: '{key}' must be an object")
            entry = n8n_values(group.values, rows, version, root)
            if entry:
                out[key] = entry
    return out


def shown_options(
    parameter: Parameter, value: Mapping[str, Any], version: float, root: Mapping[str, Any]
) -> dict[str, Any]:
    """A collection's value without the options its displayOptions hide for these values
    (n8n drops them before a node reads the collection)."""
    if not any(sub.displayOptions is not None for sub in parameter.sub_parameters):
        return dict(value)
    shown = _display_values(parameter.sub_parameters, value, version, root)
    declared = {sub.name for sub in parameter.sub_parameters}
    visible = {
        sub.name
        for sub in parameter.sub_parameters
        if sub.displayOptions is None or sub.displayOptions.allows(shown)
    }
    return {k: v for k, v in value.items() if k in visible or k not in declared}


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


def value_kind(value: Any) -> str:
    """What a value is, in the words of an error message ("got a number")."""
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
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
