"""The comparisons of n8n's first condition format: If 1, Filter 1 and Switch 1-2.

Conditions there are grouped by data type (`boolean`, `dateTime`, `number`, `string`), each
`{value1, operation, value2}`, and the values are compared as JavaScript compares them, without
any conversion first: `"10" > 9` holds, `5 === "5"` does not. Dates become epoch milliseconds
through JavaScript's `new Date(text)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import regex as js_regex
from .dates import js_date_parse
from .js import compare, is_nan, is_nullish, is_number, js_string, strict_equal, truthy

DATA_TYPES = ("boolean", "dateTime", "number", "string")


class CompareError(ValueError):
    """A comparison fails as it fails in n8n (a method missing on a value, a bad date)."""

    def __init__(self, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.description = description


def _or(value: Any, fallback: Any) -> Any:
    return value if truthy(value) else fallback


def _text(value: Any) -> str:
    """`(value || '').toString()`."""
    return js_string(_or(value, ""))


def _string_method(name: str, value: Any) -> str:
    """`value.<name>(...)` works only on text; anything else throws as JavaScript does."""
    if isinstance(value, str):
        return value
    if is_nullish(value):
        raise CompareError(f"Cannot read properties of {js_string(value)} (reading '{name}')")
    raise CompareError(f"value1.{name} is not a function")


def _is_empty(value: Any) -> bool:
    if is_nullish(value) or value == "" or is_nan(value):
        return True
    return isinstance(value, (dict, list)) and len(value) == 0


def matches_regex(value1: Any, value2: Any) -> bool:
    source, flags = js_regex.parse_literal(_text(value2))
    try:
        return js_regex.test(source, _text(value1), flags)
    except js_regex.RegexError as exc:
        raise CompareError(str(exc)) from None


def _ordered(symbol: str) -> Callable[[Any, Any], bool]:
    return lambda a, b: compare(symbol, _or(a, 0), _or(b, 0))


OPERATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "after": _ordered(">"),
    "before": _ordered("<"),
    "larger": _ordered(">"),
    "largerEqual": _ordered(">="),
    "smaller": _ordered("<"),
    "smallerEqual": _ordered("<="),
    "contains": lambda a, b: _text(b) in _text(a),
    "notContains": lambda a, b: _text(b) not in _text(a),
    "startsWith": lambda a, b: _string_method("startsWith", a).startswith(js_string(b)),
    "notStartsWith": lambda a, b: not _string_method("startsWith", a).startswith(js_string(b)),
    "endsWith": lambda a, b: _string_method("endsWith", a).endswith(js_string(b)),
    "notEndsWith": lambda a, b: not _string_method("endsWith", a).endswith(js_string(b)),
    "equal": strict_equal,
    "notEqual": lambda a, b: not strict_equal(a, b),
    "isEmpty": lambda a, _b: _is_empty(a),
    "isNotEmpty": lambda a, _b: not _is_empty(a),
    "regex": matches_regex,
    "notRegex": lambda a, b: not matches_regex(a, b),
}

# what each data type offers in the editor (and so what a saved workflow may hold)
TYPE_OPERATIONS: dict[str, tuple[str, ...]] = {
    "boolean": ("equal", "notEqual"),
    "dateTime": ("after", "before"),
    "number": (
        "smaller",
        "smallerEqual",
        "equal",
        "notEqual",
        "larger",
        "largerEqual",
        "isEmpty",
        "isNotEmpty",
    ),
    "string": (
        "contains",
        "notContains",
        "endsWith",
        "notEndsWith",
        "equal",
        "notEqual",
        "regex",
        "notRegex",
        "startsWith",
        "notStartsWith",
        "isEmpty",
        "isNotEmpty",
    ),
}


def run_operation(operation: Any, value1: Any, value2: Any, where: str) -> bool:
    check = OPERATIONS.get(operation) if isinstance(operation, str) else None
    if check is None:
        raise CompareError(
            f"{where}: unknown operation {operation!r} - use one of {', '.join(OPERATIONS)}"
        )
    return bool(check(value1, value2))


def date_value(value: Any) -> float:
    """n8n's convertDateTime: epoch ms of text or a number, else the node's error."""
    millis: float | None = None
    if isinstance(value, str):
        millis = js_date_parse(value)
    elif is_number(value):
        millis = float(value)
    if millis is None or math.isnan(millis):
        raise CompareError(f'The value "{js_string(value)}" is not a valid DateTime.')
    return millis
