"""If: routes items to the true or false output by conditions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..expressions import to_text
from ..items import Item, PairedItem
from ..node import ExecutionContext
from .base import DescribedNode


class If(DescribedNode):
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
