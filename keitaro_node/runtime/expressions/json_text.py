"""JSON.stringify and JSON.parse with JavaScript's rules and the evaluator's limits."""

from __future__ import annotations

import json
import math
from typing import Any

from . import limits
from .values import UNDEFINED, ExprObject, JsFunction, is_number, js_string, to_number


def _jsonable(value: Any, depth: int = 0) -> Any:
    if depth > 200:
        raise limits.data_depth_error()
    if isinstance(value, ExprObject):
        to_json = value.expr_plain()
        return to_json if not isinstance(to_json, (dict, list)) else _jsonable(to_json, depth + 1)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        limits.charge(len(value))
        return [
            None if v is UNDEFINED or isinstance(v, JsFunction) else _jsonable(v, depth + 1)
            for v in value
        ]
    if isinstance(value, dict):
        limits.charge(len(value))
        return {
            k: _jsonable(v, depth + 1)
            for k, v in value.items()
            if v is not UNDEFINED and not isinstance(v, JsFunction)
        }
    return value


def _dump(value: Any, indent: str | None) -> str:
    return json.dumps(
        value,
        ensure_ascii=False,
        separators=(",", ":") if indent is None else (",", ": "),
        indent=indent,
    )


def json_stringify(value: Any, _replacer: Any = UNDEFINED, space: Any = UNDEFINED) -> Any:
    if value is UNDEFINED or isinstance(value, JsFunction):
        return UNDEFINED
    indent: str | None = None
    if isinstance(space, str):
        indent = space[:10] or None
    elif is_number(space):
        count = min(10, int(to_number(space)))
        indent = " " * count if count >= 1 else None
    try:
        data = _jsonable(value)
        text = _dump(data, indent)
    except RecursionError:
        raise limits.data_depth_error() from None
    if "e" in text or "E" in text:
        text = _js_floats(text, data)
    return limits.check_string(text)


def _js_floats(text: str, data: Any) -> str:
    """Floats written as JavaScript writes them (1e+21, 1e-7 rather than Python's 1e-07)."""
    floats: list[float] = []

    def collect(v: Any) -> None:
        if isinstance(v, float):
            floats.append(v)
        elif isinstance(v, list):
            for item in v:
                collect(item)
        elif isinstance(v, dict):
            for item in v.values():
                collect(item)

    collect(data)
    for number in floats:
        python, js = repr(number), js_string(number)
        if python != js:
            text = text.replace(python, js)
    return text


def json_parse(text: Any) -> Any:
    from .values import JsError

    source = js_string(text)
    try:
        return json.loads(source)
    except RecursionError:
        raise limits.data_depth_error() from None
    except json.JSONDecodeError as exc:
        raise JsError("SyntaxError", f"JSON.parse: {exc}") from None
