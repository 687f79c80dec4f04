"""Core nodes under n8n's type names: Manual Trigger, Edit Fields (Set), If, No Op.

They register through the same hook as any third-party node.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import Any, ClassVar

from .description import CredentialType, NodeDescription, parse_node_description
from .errors import NodeOperationError
from .expressions import to_text
from .items import Item, PairedItem
from .node import ExecutionContext, NodeType
from .plugins import hookimpl


class _DescribedNode(NodeType):
    description_data: ClassVar[dict[str, Any]] = {}

    @cached_property
    def description(self) -> NodeDescription:
        return parse_node_description(
            self.description_data, source=f"{self.type_names[0]} description"
        )


class ManualTrigger(_DescribedNode):
    """Starts a workflow with the run's input items (one empty item when there are none)."""

    type_names = ("n8n-nodes-base.manualTrigger", "manualTrigger")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "manualTrigger",
        "displayName": "Manual Trigger",
        "description": "Starts the workflow with the items given to the run",
        "version": 1,
        "group": ["trigger"],
        "inputs": [],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        return [[Item(json=item.json, binary=item.binary) for item in items] or [Item()]]


class NoOp(_DescribedNode):
    """Passes items through unchanged."""

    type_names = ("n8n-nodes-base.noOp", "noOp")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "noOp",
        "displayName": "No Operation, do nothing",
        "description": "Passes its input items through",
        "version": 1,
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        return [
            [
                Item(json=item.json, binary=item.binary, paired_item=PairedItem(i))
                for i, item in enumerate(items)
            ]
        ]


class EditFields(_DescribedNode):
    """n8n's Edit Fields (Set): assignments with types, or a raw JSON object per item."""

    type_names = ("n8n-nodes-base.set", "set")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "set",
        "displayName": "Edit Fields (Set)",
        "description": "Sets fields on items, with values from expressions",
        "version": [3, 3.1, 3.2, 3.3, 3.4],
        "properties": [
            {
                "displayName": "Mode",
                "name": "mode",
                "type": "options",
                "noDataExpression": True,
                "default": "manual",
                "options": [
                    {"name": "Manual Mapping", "value": "manual"},
                    {"name": "JSON", "value": "raw"},
                ],
            },
            {
                "displayName": "Fields to Set",
                "name": "assignments",
                "type": "json",
                "default": {"assignments": []},
                "description": "{assignments: [{name, value, type}]} where type is string, number, boolean, array or object",
                "displayOptions": {"show": {"mode": ["manual"]}},
            },
            {
                "displayName": "JSON Output",
                "name": "jsonOutput",
                "type": "json",
                "default": "{}",
                "displayOptions": {"show": {"mode": ["raw"]}},
            },
            {
                "displayName": "Include Other Input Fields",
                "name": "includeOtherFields",
                "type": "boolean",
                "default": False,
            },
            {
                "displayName": "Options",
                "name": "options",
                "type": "collection",
                "default": {},
                "options": [
                    {
                        "displayName": "Support Dot Notation",
                        "name": "dotNotation",
                        "type": "boolean",
                        "default": True,
                    },
                    {
                        "displayName": "Ignore Type Conversion Errors",
                        "name": "ignoreConversionErrors",
                        "type": "boolean",
                        "default": False,
                    },
                    {
                        "displayName": "Include Binary File",
                        "name": "includeBinary",
                        "type": "boolean",
                        "default": True,
                    },
                ],
            },
        ],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        def handle(index: int, item: Item) -> Item:
            params = ctx.get_parameters(index)
            options = params.get("options") or {}
            dot = options.get("dotNotation", True)
            # shallow: _set_path copies nested objects before it changes them
            out: dict[str, Any] = dict(item.json) if params.get("includeOtherFields") else {}
            owned = {id(out)}  # objects made here, safe to change in place
            if params.get("mode") == "raw":
                raw = params.get("jsonOutput")
                if not isinstance(raw, dict):
                    raise NodeOperationError("'JSON Output' must be a JSON object")
                out.update(raw)
            else:
                _assign(out, params.get("assignments"), options, dot, owned)
            binary = item.binary if options.get("includeBinary", True) else None
            return Item(json=out, binary=binary, paired_item=PairedItem(index))

        return [await ctx.map_each(items, handle)]


def _assign(
    out: dict[str, Any], raw: Any, options: dict[str, Any], dot: bool, owned: set[int]
) -> None:
    """Apply the assignments form `{assignments: [{name, value, type}]}` to `out`."""
    entries = raw.get("assignments", []) if type(raw) is dict else raw
    if type(entries) is not list:
        raise NodeOperationError("'Fields to Set' must be {assignments: [{name, value, type}]}")
    for number, entry in enumerate(entries):
        name = entry.get("name") if type(entry) is dict else None
        if type(name) is not str or not name:
            raise NodeOperationError(f"field {number + 1} of 'Fields to Set' needs a name")
        value = entry.get("value")
        kind = entry.get("type", "string")
        if type(value) is not _WANTED.get(kind):
            try:
                value = _convert(value, kind)
            except ValueError as exc:
                if not options.get("ignoreConversionErrors"):
                    raise NodeOperationError(f"field '{name}': {exc}") from None
        if dot and "." in name:
            _set_path(out, _path_parts(name), value, owned)
        else:
            out[name] = value


def _convert(value: Any, kind: str) -> Any:
    if kind == "string":
        return to_text(value) if not isinstance(value, str) else value
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError(f"cannot use {value!r} as a number")
        if isinstance(value, (int, float)):
            return value
        try:
            text = str(value).strip()
            return int(text) if re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no", ""):
            return False
        raise ValueError(f"{value!r} is not a boolean")
    if kind in ("array", "object"):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        wanted = list if kind == "array" else dict
        if not isinstance(value, wanted):
            raise ValueError(f"expected an {kind}")
        return value
    raise ValueError(f"unknown field type '{kind}'")


_WANTED: dict[str, type] = {
    "string": str,
    "number": int,
    "boolean": bool,
    "array": list,
    "object": dict,
}


@lru_cache(maxsize=1024)
def _path_parts(name: str) -> tuple[str, ...]:
    return tuple(name.split("."))


def _set_path(target: dict[str, Any], parts: tuple[str, ...], value: Any, owned: set[int]) -> None:
    """Set `a.b.c`; objects not in `owned` (shared with the input) are copied before changing."""
    node = target
    for part in parts[:-1]:
        child = node.get(part)
        if type(child) is not dict or id(child) not in owned:
            child = dict(child) if isinstance(child, dict) else {}
            owned.add(id(child))
            node[part] = child
        node = child
    node[parts[-1]] = value


class If(_DescribedNode):
    """n8n's If (v2): conditions on strings, numbers and booleans; true and false outputs."""

    type_names = ("n8n-nodes-base.if", "if")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "if",
        "displayName": "If",
        "description": "Routes items to true or false by conditions",
        "version": [2, 2.1, 2.2],
        "outputs": ["main", "main"],
        "properties": [
            {
                "displayName": "Conditions",
                "name": "conditions",
                "type": "json",
                "default": {"conditions": [], "combinator": "and"},
                "description": "{conditions: [{leftValue, rightValue, operator: {type, operation}}], combinator}",
            },
            {
                "displayName": "Convert Types Where Required",
                "name": "looseTypeValidation",
                "type": "boolean",
                "default": False,
            },
            {"displayName": "Options", "name": "options", "type": "json", "default": {}},
        ],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        true_items: list[Item] = []
        false_items: list[Item] = []

        def handle(index: int, item: Item) -> Item:
            params = ctx.get_parameters(index)
            spec = params.get("conditions") or {}
            loose = bool(params.get("looseTypeValidation"))
            passed = _evaluate_conditions(spec, loose)
            out = Item(json=item.json, binary=item.binary, paired_item=PairedItem(index))
            out.metadata = {"branch": passed}
            return out

        results = await ctx.map_each(items, handle)
        for out in results:
            if out.error is not None:
                true_items.append(
                    out
                )  # error items leave on the first output; the engine may move them
                continue
            branch = out.metadata.pop("branch") if out.metadata else False
            out.metadata = None
            (true_items if branch else false_items).append(out)
        return [true_items, false_items]


def _evaluate_conditions(spec: Any, loose: bool) -> bool:
    if not isinstance(spec, dict):
        raise NodeOperationError("'Conditions' must be an object with a 'conditions' list")
    conditions = spec.get("conditions", [])
    combinator = spec.get("combinator", "and")
    options = spec.get("options") or {}
    case_sensitive = options.get("caseSensitive", True)
    loose = loose or options.get("typeValidation") == "loose"
    if combinator not in ("and", "or"):
        raise NodeOperationError(f"unknown combinator '{combinator}' - use 'and' or 'or'")
    if not isinstance(conditions, list):
        raise NodeOperationError("'Conditions' must hold a list of conditions")
    results = [_condition(c, n, loose, case_sensitive) for n, c in enumerate(conditions)]
    if not results:
        return True
    return all(results) if combinator == "and" else any(results)


def _condition(condition: Any, number: int, loose: bool, case_sensitive: bool) -> bool:
    if not isinstance(condition, dict) or not isinstance(condition.get("operator"), dict):
        raise NodeOperationError(f"condition {number + 1} needs an operator {{type, operation}}")
    operator = condition["operator"]
    kind = operator.get("type", "string")
    operation = operator.get("operation", "equals")
    left, right = condition.get("leftValue"), condition.get("rightValue")
    checks = _OPERATIONS.get(kind)
    if checks is None or operation not in checks:
        raise NodeOperationError(f"condition {number + 1}: unknown operator {kind}.{operation}")
    try:
        left = _as_type(left, kind, loose, number)
        if operation not in _UNARY:
            right = _as_type(right, kind, loose, number)
        if kind == "string" and not case_sensitive:
            left = left.lower() if isinstance(left, str) else left
            right = right.lower() if isinstance(right, str) else right
        return bool(checks[operation](left, right))
    except (TypeError, re.error) as exc:
        raise NodeOperationError(f"condition {number + 1}: {exc}") from None


_UNARY = {"exists", "notExists", "empty", "notEmpty", "true", "false"}


def _as_type(value: Any, kind: str, loose: bool, number: int) -> Any:
    if value is None or kind == "any":
        return value
    if kind == "string":
        if isinstance(value, str):
            return value
        if loose or isinstance(value, (int, float)):
            return to_text(value)
    if kind == "number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if loose or isinstance(value, str):
            try:
                return float(value)
            except (TypeError, ValueError):
                pass
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if loose and str(value).lower() in ("true", "false", "1", "0"):
            return str(value).lower() in ("true", "1")
    if kind in ("array", "object") and isinstance(value, (list, dict)):
        return value
    raise NodeOperationError(f"condition {number + 1}: {to_text(value)[:40]!r} is not a {kind}")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


Check = Callable[[Any, Any], bool]
_COMMON: dict[str, Check] = {
    "exists": lambda a, _b: a is not None,
    "notExists": lambda a, _b: a is None,
    "empty": lambda a, _b: _empty(a),
    "notEmpty": lambda a, _b: not _empty(a),
    "equals": lambda a, b: a == b,
    "notEquals": lambda a, b: a != b,
}
_OPERATIONS: dict[str, dict[str, Check]] = {
    "string": {
        **_COMMON,
        "contains": lambda a, b: b in a,
        "notContains": lambda a, b: b not in a,
        "startsWith": lambda a, b: a.startswith(b),
        "notStartsWith": lambda a, b: not a.startswith(b),
        "endsWith": lambda a, b: a.endswith(b),
        "notEndsWith": lambda a, b: not a.endswith(b),
        "regex": lambda a, b: re.search(b, a) is not None,
        "notRegex": lambda a, b: re.search(b, a) is None,
    },
    "number": {
        **_COMMON,
        "gt": lambda a, b: a > b,
        "lt": lambda a, b: a < b,
        "gte": lambda a, b: a >= b,
        "lte": lambda a, b: a <= b,
    },
    "boolean": {**_COMMON, "true": lambda a, _b: a is True, "false": lambda a, _b: a is False},
    "array": {**_COMMON, "contains": lambda a, b: b in a, "notContains": lambda a, b: b not in a},
    "object": dict(_COMMON),
    "any": dict(_COMMON),
}

CORE_NODE_TYPES: tuple[NodeType, ...] = (ManualTrigger(), NoOp(), EditFields(), If())


@hookimpl
def register_node_types(register: Callable[[NodeType], None]) -> None:
    for node_type in CORE_NODE_TYPES:
        register(node_type)


@hookimpl
def register_credential_types(register: Callable[[CredentialType], None]) -> None:
    """The core registers no credential types."""
