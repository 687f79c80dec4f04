"""Per-item parameter resolution: defaults, displayOptions, expressions, type checks.

The shape of a node (which parameters are shown) is decided once per run from the raw values;
values that are not expressions are checked once and shared by every item, so per-item work is
only the expressions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from .description import NodeDescription, Parameter
from .errors import NodeOperationError
from .expressions import ExpressionError, compile_template, is_expression
from .raw_parameters import n8n_values, shown_options, value_kind

ScopeFactory = Callable[[int], Mapping[str, Any]]

_MISSING = object()


class ParameterValueError(ValueError):
    """A parameter value has the wrong shape; the message names the parameter."""


class UnknownFieldError(ParameterValueError):
    """A collection value has a key its parameter lacks (found at load by parameter_names)."""


def visible_parameters(
    description: NodeDescription, raw: Mapping[str, Any], type_version: float | None = None
) -> list[Parameter]:
    """The parameters shown for these raw values: one per name, first visible wins.

    `type_version` is what displayOptions see as `@version`.
    """
    return _visible(description, raw, type_version)[0]


def shown_values(
    description: NodeDescription, raw: Mapping[str, Any], type_version: float | None = None
) -> dict[str, Any]:
    """What displayOptions read for these raw values: the raw values over the defaults of the
    parameters they show, and `@version` when a typeVersion is given."""
    return _visible(description, raw, type_version)[1]


def _visible(
    description: NodeDescription, raw: Mapping[str, Any], type_version: float | None
) -> tuple[list[Parameter], dict[str, Any]]:
    values = dict(raw)
    if type_version is not None:
        values["@version"] = type_version
    for _ in range(4):  # defaults may reveal parameters that others depend on
        shown = _shown(description.properties, values)
        changed = False
        for parameter in shown:
            if parameter.name not in values and parameter.default is not None:
                values[parameter.name] = parameter.default
                changed = True
        if not changed:
            return shown, values
    return _shown(description.properties, values), values


def _shown(properties: tuple[Parameter, ...], values: Mapping[str, Any]) -> list[Parameter]:
    out: list[Parameter] = []
    seen: set[str] = set()
    for parameter in properties:
        if parameter.name in seen:
            continue
        if parameter.displayOptions is None or parameter.displayOptions.allows(values):
            out.append(parameter)
            seen.add(parameter.name)
    return out


class ParameterResolver:
    """Resolves a node's parameters for each input item.

    `typed` (the default): values are checked and converted to their parameter's type (text,
    numbers, booleans, parsed JSON), fixed values once when the workflow loads. With
    `typed=False` (nodes that read their values as n8n hands them, through `raw_values`) the
    load check converts nothing and refuses only what does not depend on conversions: values
    outside a fixed list of options, collections of the wrong shape, empty required values (as
    n8n refuses them); `resolve` then evaluates expressions without converting.
    """

    def __init__(
        self,
        description: NodeDescription,
        raw: Mapping[str, Any],
        scope_names: frozenset[str],
        node_name: str | None = None,
        type_version: float | None = None,
        *,
        typed: bool = True,
    ) -> None:
        self.node_name = node_name
        self.scope_names = scope_names
        self.description = description
        self.raw = raw
        self.type_version = type_version
        self.typed = typed
        self.parameters, shown = _visible(description, raw, type_version)
        root = {k: v for k, v in shown.items() if k != "@version"}
        self._static: dict[str, Any] = {}
        self._static_error: NodeOperationError | None = None
        self.static_errors: list[str] = []  # every problem of the values that are not expressions
        self.unknown_field_errors: list[str] = []
        self._dynamic: list[tuple[Parameter, Plan]] = []
        self._n8n_values: dict[str, Any] | None = None
        self.raw_plans: dict[str, Any] = {}  # compiled raw values by path, shared by runs
        check = coerce if typed else check_given
        for parameter in self.parameters:
            if parameter.type == "notice":
                continue
            value = raw.get(parameter.name, _MISSING)
            if value is _MISSING:
                value = parameter.default
            if parameter.type == "collection" and isinstance(value, dict):
                value = shown_options(parameter, value, type_version or 1.0, root)
            dynamic = _has_expression(value)
            if dynamic:
                if parameter.noDataExpression:
                    self._fail_static(f"{parameter.label} cannot be an expression")
                    continue
                self._dynamic.append((parameter, _plan(value, scope_names)))
                if typed:  # checked per item once evaluated
                    continue
            try:  # untyped: the parts that are not expressions are checked now
                checked = check(parameter, value)
            except ParameterValueError as exc:
                self._fail_static(str(exc), listed=not isinstance(exc, UnknownFieldError))
            else:
                if not dynamic:
                    self._static[parameter.name] = checked

    @property
    def n8n_values(self) -> dict[str, Any]:
        """The values as n8n hands them to a node: the parameters shown at this version and
        these values (options of collections too), defaults filled in, expressions kept."""
        if self._n8n_values is None:
            try:
                self._n8n_values = n8n_values(
                    self.description.properties, self.raw, self.type_version or 1.0
                )
            except ValueError as exc:
                raise NodeOperationError(str(exc), node_name=self.node_name) from None
        return self._n8n_values

    def _fail_static(self, message: str, listed: bool = True) -> None:
        # keys a collection lacks go apart: parameter_names lists them with a "did you mean"
        (self.static_errors if listed else self.unknown_field_errors).append(message)
        if self._static_error is None:
            self._static_error = NodeOperationError(message, node_name=self.node_name)

    def static_value(self, name: str, default: Any = None) -> Any:
        """A value that is the same for every item (for resource, operation, options)."""
        return self._static.get(name, default)

    def resolve(self, index: int, scope: ScopeFactory) -> dict[str, Any]:
        """All visible parameters for item `index`, or NodeOperationError naming the item."""
        if self._static_error is not None:
            raise NodeOperationError(
                self._static_error.message, item_index=index, node_name=self.node_name
            )
        if not self._dynamic:
            return dict(self._static)
        values = dict(self._static)
        item_scope = scope(index)
        for parameter, plan in self._dynamic:
            try:
                evaluated = plan(item_scope)
            except ExpressionError as exc:
                raise NodeOperationError(
                    f"the expression in {parameter.label} failed: {exc}",
                    item_index=index,
                    node_name=self.node_name,
                ) from None
            if not self.typed:
                values[parameter.name] = evaluated
                continue
            try:
                values[parameter.name] = coerce(parameter, evaluated)
            except ParameterValueError as exc:
                raise NodeOperationError(
                    str(exc), item_index=index, node_name=self.node_name
                ) from None
        return values


def _has_expression(value: Any) -> bool:
    if is_expression(value):
        return True
    if isinstance(value, dict):
        return any(_has_expression(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_expression(v) for v in value)
    return False


Plan = Callable[[Mapping[str, Any]], Any]


def _plan(value: Any, names: frozenset[str]) -> Plan:
    """Compile a raw value once: expressions parsed, parts without them kept as they are."""
    if is_expression(value):
        try:
            return compile_template(value, names).render
        except ExpressionError as exc:
            error = exc

            def fail(_scope: Mapping[str, Any]) -> Any:
                raise error

            return fail
    if isinstance(value, dict):
        # copy the object and fill in only the keys that hold expressions (order is kept)
        dynamic = [(k, _plan(v, names)) for k, v in value.items() if _has_expression(v)]

        def fill(scope: Mapping[str, Any]) -> dict[str, Any]:
            out = value.copy()
            for key, plan in dynamic:
                out[key] = plan(scope)
            return out

        return fill
    if isinstance(value, list):
        plans = [_plan(v, names) if _has_expression(v) else None for v in value]
        return lambda scope: [
            p(scope) if p is not None else v for p, v in zip(plans, value, strict=True)
        ]
    return lambda _scope: value


# --- type checks -----------------------------------------------------------------------------


def coerce(parameter: Parameter, value: Any) -> Any:
    """Check and normalise one value for its parameter type."""
    handler = _COERCERS.get(parameter.type)
    if handler is None:
        return value
    return handler(parameter, value)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _is_empty_text(value: Any) -> bool:
    """n8n's empty text: nothing or ''; whitespace is a value (a separator of ' ', say)."""
    return value is None or value == ""


def _open_list(parameter: Parameter) -> bool:
    """Options n8n loads from the node when editing (loadOptionsMethod), or that are only the
    usual values (openOptions): the ones declared are not all there are, so other values are
    the node's to judge."""
    return bool(parameter.typeOptions.loadOptionsMethod or parameter.typeOptions.openOptions)


# --- the check of values read as n8n hands them ------------------------------------------------


def check_given(parameter: Parameter, value: Any) -> Any:
    """Check a value a node will read unconverted; returns it as it is.

    Refused: a value outside a fixed list of options, a collection of the wrong shape or with
    unknown keys, and an empty required value as n8n refuses it before a run (text, date and
    options '' or missing, multiOptions []). Expressions are left for the run.
    """
    if is_expression(value):
        return value
    kind = parameter.type
    if parameter.required and _empty_for_n8n(kind, value):
        raise ParameterValueError(f"{parameter.label} is required{_hint(parameter)}")
    if kind == "options":
        if not _is_empty_text(value) and not _open_list(parameter):
            _options(parameter, value)
    elif kind == "multiOptions":
        if isinstance(value, list) and not _open_list(parameter):
            _multi_options(parameter, [v for v in value if not is_expression(v)])
    elif kind == "collection":
        _check_collection(parameter, value)
    elif kind == "fixedCollection":
        _check_fixed_collection(parameter, value)
    return value


def _empty_for_n8n(kind: str, value: Any) -> bool:
    if kind in ("string", "dateTime", "options"):
        return _is_empty_text(value)
    if kind == "multiOptions":
        return isinstance(value, list) and not value
    return False


def _check_collection(parameter: Parameter, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise ParameterValueError(f"{parameter.label} must be an object, got {value_kind(value)}")
    known = {p.name: p for p in parameter.sub_parameters}
    for key, item in value.items():
        sub = known.get(key)
        if sub is None:
            listed = ", ".join(sorted(known)) or "none"
            raise UnknownFieldError(f"{parameter.label} has no field '{key}' (fields: {listed})")
        check_given(sub, item)


def _check_fixed_collection(parameter: Parameter, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise ParameterValueError(f"{parameter.label} must be an object, got {value_kind(value)}")
    groups = {g.name: g for g in parameter.groups}
    many = parameter.typeOptions.multipleValues
    for key, entries in value.items():
        group = groups.get(key)
        if group is None:
            listed = ", ".join(sorted(groups))
            raise UnknownFieldError(f"{parameter.label} has no group '{key}' (groups: {listed})")
        if is_expression(entries):
            continue
        if many and not isinstance(entries, list):
            raise ParameterValueError(f"{parameter.label}: '{key}' must be a list of objects")
        rows = entries if many else [entries]
        fields = {p.name: p for p in group.values}
        for number, row in enumerate(rows):
            where = f"{parameter.label} {key}[{number}]" if many else f"{parameter.label} {key}"
            if not isinstance(row, dict):
                raise ParameterValueError(f"{where} must be an object, got {value_kind(row)}")
            unknown = set(row) - set(fields)
            if unknown:
                raise UnknownFieldError(f"{where} has unknown fields {sorted(unknown)}")
            for name, field in fields.items():
                try:
                    check_given(field, row.get(name, field.default))
                except UnknownFieldError:
                    raise
                except ParameterValueError as exc:
                    raise ParameterValueError(f"{where}: {exc}") from None


def _required(parameter: Parameter) -> Any:
    if parameter.required:
        raise ParameterValueError(f"{parameter.label} is required{_hint(parameter)}")
    return None


def _hint(parameter: Parameter) -> str:
    return f" - {parameter.hint}" if parameter.hint else ""


def _string(parameter: Parameter, value: Any) -> Any:
    if _is_empty_text(value):  # whitespace is kept: n8n does not take it for empty
        if parameter.required:
            return _required(parameter)
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if not isinstance(value, str):
        raise ParameterValueError(f"{parameter.label} must be text, got {value_kind(value)}")
    return value


def _number(parameter: Parameter, value: Any) -> Any:
    if _is_blank(value):
        return _required(parameter)
    number: int | float
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ParameterValueError(f"{parameter.label} must be a number, got {value_kind(value)}")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ParameterValueError(
                    f"{parameter.label} must be a number, got {value[:40]!r}"
                ) from None
    else:
        number = value
    if isinstance(number, float) and (math.isnan(number) or math.isinf(number)):
        raise ParameterValueError(f"{parameter.label} must be a finite number")
    options = parameter.typeOptions
    if options.minValue is not None and number < options.minValue:
        raise ParameterValueError(
            f"{parameter.label} must be at least {_num(options.minValue)}, got {number}"
        )
    if options.maxValue is not None and number > options.maxValue:
        raise ParameterValueError(
            f"{parameter.label} must be at most {_num(options.maxValue)}, got {number}"
        )
    if options.numberPrecision == 0 and isinstance(number, float):
        if not number.is_integer():
            raise ParameterValueError(f"{parameter.label} must be a whole number, got {number}")
        number = int(number)
    return number


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _boolean(parameter: Parameter, value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if _is_blank(value):
        return bool(parameter.default)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ParameterValueError(f"{parameter.label} must be true or false, got {value_kind(value)}")


def _options(parameter: Parameter, value: Any) -> Any:
    allowed = [o.value for o in parameter.choices]
    if value in allowed and not (
        isinstance(value, bool) and not any(isinstance(a, bool) for a in allowed)
    ):
        return value  # '' and ' ' too, where they are choices (Summarize's separators)
    if _is_blank(value):
        if parameter.required:
            return _required(parameter)
        return parameter.default
    if _open_list(parameter):
        return value
    listed = ", ".join(repr(a) for a in allowed)
    shown = repr(value) if isinstance(value, (str, int, float)) else value_kind(value)
    raise ParameterValueError(
        f"unknown {parameter.name} {shown} - {parameter.label} must be one of: {listed}"
    )


def _multi_options(parameter: Parameter, value: Any) -> Any:
    if _is_blank(value):
        return _required(parameter) if parameter.required else []
    values = value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
    allowed = {o.value for o in parameter.choices}
    unknown = [v for v in values if v not in allowed]
    if unknown:
        listed = ", ".join(repr(o.value) for o in parameter.choices)
        raise ParameterValueError(
            f"{parameter.label} has unknown values {unknown} - allowed: {listed}"
        )
    return values


def _json(parameter: Parameter, value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return _required(parameter) if parameter.required else None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParameterValueError(
                f"{parameter.label} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                f"column {exc.colno} (character {exc.pos})"
            ) from None
    if value is None or (parameter.required and value in ({}, [])):
        if parameter.required:
            what = "is empty" if value is not None else "is missing"
            raise ParameterValueError(f"{parameter.label} {what}{_hint(parameter)}")
        return value
    if not isinstance(value, (dict, list, str, int, float, bool)):
        raise ParameterValueError(f"{parameter.label} must be JSON, got {value_kind(value)}")
    return value


def _collection(parameter: Parameter, value: Any) -> Any:
    if _is_blank(value):
        return {}
    if not isinstance(value, dict):
        raise ParameterValueError(f"{parameter.label} must be an object, got {value_kind(value)}")
    known = {p.name: p for p in parameter.sub_parameters}
    out: dict[str, Any] = {}
    for key, item in value.items():
        sub = known.get(key)
        if sub is None:
            listed = ", ".join(sorted(known)) or "none"
            raise UnknownFieldError(f"{parameter.label} has no field '{key}' (fields: {listed})")
        out[key] = coerce(sub, item)
    return out


def _fixed_collection(parameter: Parameter, value: Any) -> Any:
    if _is_blank(value):
        return {}
    if not isinstance(value, dict):
        raise ParameterValueError(f"{parameter.label} must be an object, got {value_kind(value)}")
    groups = {g.name: g for g in parameter.groups}
    out: dict[str, Any] = {}
    for key, entries in value.items():
        group = groups.get(key)
        if group is None:
            listed = ", ".join(sorted(groups))
            raise UnknownFieldError(f"{parameter.label} has no group '{key}' (groups: {listed})")
        fields = {p.name: p for p in group.values}
        many = parameter.typeOptions.multipleValues
        rows = entries if isinstance(entries, list) else [entries]
        checked = []
        for row in rows:
            if not isinstance(row, dict):
                raise ParameterValueError(f"{parameter.label}.{key} entries must be objects")
            entry: dict[str, Any] = {}
            for name, field in fields.items():
                entry[name] = coerce(field, row.get(name, field.default))
            unknown = set(row) - set(fields)
            if unknown:
                raise UnknownFieldError(
                    f"{parameter.label}.{key} has unknown fields {sorted(unknown)}"
                )
            checked.append(entry)
        out[key] = checked if many else (checked[0] if checked else {})
    return out


_COERCERS: dict[str, Callable[[Parameter, Any], Any]] = {
    "string": _string,
    "number": _number,
    "boolean": _boolean,
    "options": _options,
    "multiOptions": _multi_options,
    "json": _json,
    "collection": _collection,
    "fixedCollection": _fixed_collection,
    "dateTime": _string,
}
