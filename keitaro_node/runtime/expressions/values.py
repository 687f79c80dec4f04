"""What expression values are and how JavaScript-like operators treat them."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

Scope = Mapping[str, Any]
Compiled = Callable[[Scope], Any]

MAX_STRING = 1_000_000  # longest string an expression may build (repeat/padStart/concatenation)

# Variables that hold plain JSON data only (item data, node parameters).
DATA_NAMES = frozenset({"$json", "$parameter"})

FORBIDDEN_MEMBERS = frozenset({"constructor", "prototype", "__proto__", "caller", "callee"})


class ExpressionError(ValueError):
    """The expression cannot be parsed or evaluated; the message says where and why."""


class ExprObject:
    """Base for host objects an expression may touch: members and methods are whitelisted."""

    members: frozenset[str] = frozenset()

    def expr_get(self, name: str) -> Any:
        raise ExpressionError(f"'{name}' is not available on {self.expr_name()}")

    def expr_call(self, name: str, args: list[Any]) -> Any:
        raise ExpressionError(f"'{name}()' is not available on {self.expr_name()}")

    def expr_name(self) -> str:
        return type(self).__name__

    def expr_plain(self) -> Any:
        """The JSON value this object stands for when it leaves an expression."""
        raise ExpressionError(f"{self.expr_name()} cannot be used as a value")


class JsFunction:
    """An arrow function defined inside an expression (`x => x.id`)."""

    __slots__ = ("body", "params", "scope")

    def __init__(self, params: list[str], body: Compiled, scope: Scope) -> None:
        self.params = params
        self.body = body
        self.scope = scope

    def __call__(self, *args: Any) -> Any:
        local = dict(self.scope)
        for index, name in enumerate(self.params):
            local[name] = args[index] if index < len(args) else None
        return self.body(local)


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, (list, dict, ExprObject, JsFunction)):
        return True
    return bool(value)


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if value is None:
        return 0
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                pass
    raise ExpressionError(f"{_describe(value)} is not a number")


def _tidy(value: float | int) -> float | int:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def to_text(value: Any) -> str:
    """How a value reads inside text: JavaScript's String(), with objects as JSON."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(_tidy(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    return json.dumps(to_plain(value), ensure_ascii=False)


def to_plain(value: Any) -> Any:
    """Turn an expression result into plain JSON data (the same object when it already is)."""
    if isinstance(value, ExprObject):
        return value.expr_plain()
    if isinstance(value, JsFunction):
        raise ExpressionError("a function cannot be used as a value")
    if isinstance(value, list):
        for index, item in enumerate(value):
            plain = to_plain(item)
            if plain is not item:
                return value[:index] + [plain] + [to_plain(v) for v in value[index + 1 :]]
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            plain = to_plain(item)
            if plain is not item or not isinstance(key, str):
                return {str(k): to_plain(v) for k, v in value.items()}
        return value
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the text {value[:30]!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, ExprObject):
        return value.expr_name()
    return "a function"


def _strict_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, dict)):
        return a is b
    return bool(a == b)


def _loose_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if (isinstance(a, (int, float, bool)) and isinstance(b, str)) or (
        isinstance(b, (int, float, bool)) and isinstance(a, str)
    ):
        try:
            return _number(a) == _number(b)
        except ExpressionError:
            return False
    if isinstance(a, bool) or isinstance(b, bool):
        try:
            return _number(a) == _number(b)
        except ExpressionError:
            return False
    return _strict_equal(a, b)


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, str) or isinstance(b, str):
        left = a if isinstance(a, str) else ("null" if a is None else to_text(a))
        right = b if isinstance(b, str) else ("null" if b is None else to_text(b))
        if len(left) + len(right) > MAX_STRING:
            raise ExpressionError("the text built by the expression is too long")
        return left + right
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        raise ExpressionError(f"cannot add {_describe(a)} and {_describe(b)}")
    return _tidy(_number(a) + _number(b))


def _arith(op: str, a: Any, b: Any) -> Any:
    x, y = _number(a), _number(b)
    if op == "-":
        return _tidy(x - y)
    if op == "*":
        return _tidy(x * y)
    if op == "/":
        if y == 0:
            return math.nan if x == 0 else math.copysign(math.inf, x)
        return _tidy(x / y)
    if y == 0:
        return math.nan
    return _tidy(math.fmod(x, y))


def _compare(op: str, a: Any, b: Any) -> bool:
    if not (isinstance(a, str) and isinstance(b, str)):
        a, b = _number(a), _number(b)
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)


def _typeof(value: Any) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, JsFunction):
        return "function"
    return "object"
