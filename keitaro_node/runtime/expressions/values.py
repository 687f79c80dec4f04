"""What expression values are and how JavaScript's operators treat them.

Values are plain Python data: None is JavaScript's null, UNDEFINED its undefined, int and float
its numbers (whole numbers up to 2**53 are kept as int, everything else is a float, so results
are what JavaScript's doubles give), str, list and dict. Host objects (dates, regular
expressions, namespaces) are ExprObject subclasses that whitelist their members.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

from .limits import MAX_STRING, charge, enter_call, leave_call, size_error

Scope = Mapping[str, Any]
Compiled = Callable[[Scope], Any]

FORBIDDEN_MEMBERS = frozenset(
    {"constructor", "prototype", "__proto__", "caller", "callee", "__defineGetter__"}
)

SAFE_INT = 2**53


class _Undefined:
    """JavaScript's undefined: falsy, distinct from null (None)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()


class ExpressionError(ValueError):
    """The expression cannot be parsed or evaluated; the message says where and why.

    These fail the item, as n8n's ExpressionError does.
    """

    def __init__(self, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.description = description


class JsError(ExpressionError):
    """A JavaScript runtime error (TypeError, RangeError, ...).

    n8n's evaluator swallows these: a `{{ }}` block that throws one is undefined (empty text
    inside a template). The runtime does the same; the kind and message stay for logs.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind


def type_error(message: str) -> JsError:
    return JsError("TypeError", message)


def range_error(message: str) -> JsError:
    return JsError("RangeError", message)


class ExprObject:
    """Base for host objects an expression may touch: members and methods are whitelisted."""

    def expr_get(self, name: str) -> Any:
        return UNDEFINED

    def expr_call(self, name: str, args: list[Any]) -> Any:
        raise type_error(f"{self.expr_name()}.{name} is not a function")

    def expr_name(self) -> str:
        return type(self).__name__

    def expr_plain(self) -> Any:
        """The JSON value this object stands for when it leaves an expression."""
        return {}

    def expr_string(self) -> str:
        """JavaScript's String(value)."""
        return "[object Object]"

    def expr_typeof(self) -> str:
        return "object"

    def expr_number(self) -> float | int:
        """JavaScript's Number(value) (valueOf)."""
        return math.nan

    def expr_callable(self) -> bool:
        return False

    def expr_invoke(self, args: list[Any]) -> Any:
        raise type_error(f"{self.expr_name()} is not a function")

    def expr_new(self, args: list[Any]) -> Any:
        raise type_error(f"{self.expr_name()} is not a constructor")

    def expr_has(self, name: str) -> bool:
        return self.expr_get(name) is not UNDEFINED


class JsFunction:
    """An arrow function (or `function`) defined inside an expression."""

    __slots__ = ("bind", "body", "scope", "source")

    def __init__(
        self,
        bind: Callable[[dict[str, Any], list[Any]], None],
        body: Compiled,
        scope: Scope,
        source: str,
    ) -> None:
        self.bind = bind
        self.body = body
        self.scope = scope
        self.source = source

    def __call__(self, *args: Any) -> Any:
        enter_call()
        try:
            local = _Locals(self.scope)
            self.bind(local, list(args))
            return self.body(local)
        finally:
            leave_call()


class _Locals(dict[str, Any]):
    """A function's own variables, falling back to the scope it was made in."""

    __slots__ = ("parent",)

    def __init__(self, parent: Scope) -> None:
        super().__init__()
        self.parent = parent

    def __missing__(self, key: str) -> Any:
        return self.parent[key]

    def get(self, key: str, default: Any = None) -> Any:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self.parent.get(key, default)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self.parent


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def truthy(value: Any) -> bool:
    if value is None or value is UNDEFINED or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, (int, str)):
        return bool(value)
    return True


def tidy(value: float | int) -> float | int:
    """Keep whole numbers within 2**53 as int, everything else as a double."""
    if isinstance(value, int):
        return value if -SAFE_INT <= value <= SAFE_INT else float(value)
    if value.is_integer() and -SAFE_INT <= value <= SAFE_INT:
        if value == 0 and math.copysign(1, value) < 0:
            return value  # -0 stays a float
        return int(value)
    return value


def _string_to_number(text: str) -> float | int:
    text = text.strip(" \t\n\r\v\f\u00a0\ufeff\u2028\u2029")
    if text == "":
        return 0
    lowered = text.lower()
    try:
        if lowered.startswith(("0x", "0o", "0b")):
            return int(text[2:], {"x": 16, "o": 8, "b": 2}[lowered[1]])
    except ValueError:
        return math.nan
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    if not all(c in "0123456789+-.eE" for c in text) or "_" in text:
        return math.nan
    try:
        return tidy(float(text))
    except ValueError:
        return math.nan


def to_number(value: Any) -> float | int:
    """JavaScript's Number(value)."""
    if value is True:
        return 1
    if value is False or value is None:
        return 0
    if isinstance(value, (int, float)):
        return value
    if value is UNDEFINED:
        return math.nan
    if isinstance(value, str):
        return _string_to_number(value)
    if isinstance(value, ExprObject):
        return value.expr_number()
    if isinstance(value, list):
        return _string_to_number(js_string(value))
    return math.nan


def number_string(value: float | int) -> str:
    """JavaScript's Number.prototype.toString() for base 10."""
    if isinstance(value, int):
        if -SAFE_INT <= value <= SAFE_INT:
            return str(value)
        value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) <= SAFE_INT:
        return str(int(value))
    sign = "-" if value < 0 else ""
    text = repr(abs(value))
    mantissa, _, exp = text.partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + (int(exp) if exp else 0)
    if whole == "0":
        stripped = frac.lstrip("0")
        point = -(len(frac) - len(stripped)) + (int(exp) if exp else 0)
        digits = stripped
    digits = digits.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    exp_text = f"e+{e}" if e >= 0 else f"e-{-e}"
    if k == 1:
        return sign + digits + exp_text
    return sign + digits[0] + "." + digits[1:] + exp_text


def js_string(value: Any) -> str:
    """JavaScript's String(value)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return number_string(value)
    if isinstance(value, list):
        charge(len(value))
        return ",".join("" if v is None or v is UNDEFINED else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, ExprObject):
        return value.expr_string()
    if isinstance(value, JsFunction):
        return value.source
    return str(value)


def to_text(value: Any) -> str:
    """Text for nodes that convert a value to a string field: objects as JSON, null as ''."""
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(to_plain(value), ensure_ascii=False)
    return js_string(value)


def template_text(value: Any) -> str:
    """How a `{{ }}` block reads inside a longer text: empty for null, undefined and NaN."""
    if isinstance(value, str):
        return value
    if value is True or value is False or value == 0 or truthy(value):
        return js_string(value)
    return ""


def to_plain(value: Any) -> Any:
    """An expression's value as it leaves the expression: JSON data (the same object when it
    already is). As JSON has it, undefined inside an object is left out and inside an array
    becomes null; a function inside fails, as it does in n8n ("could not be cloned")."""
    if value is UNDEFINED:
        return None
    if isinstance(value, list):
        for index, item in enumerate(value):
            plain = to_plain(item)
            if plain is not item:
                return value[:index] + [plain] + [to_plain(v) for v in value[index + 1 :]]
        return value
    if isinstance(value, dict):
        for item in value.values():
            if item is UNDEFINED or to_plain(item) is not item:
                return {k: to_plain(v) for k, v in value.items() if v is not UNDEFINED}
        return value
    if isinstance(value, (ExprObject, JsFunction)):
        if typeof(value) == "function":
            raise ExpressionError(f"{js_string(value)} could not be cloned")
        assert isinstance(value, ExprObject)
        return value.expr_plain()
    return value


def strict_equal(a: Any, b: Any) -> bool:
    if a is b:
        return not (isinstance(a, float) and math.isnan(a))
    if isinstance(a, bool) or isinstance(b, bool):
        return False
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


def _primitive(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return js_string(value)
    if isinstance(value, ExprObject):
        number = value.expr_number()
        return (
            number
            if not (isinstance(number, float) and math.isnan(number))
            else (value.expr_string())
        )
    return value


def loose_equal(a: Any, b: Any) -> bool:
    nullish_a = a is None or a is UNDEFINED
    nullish_b = b is None or b is UNDEFINED
    if nullish_a or nullish_b:
        return nullish_a and nullish_b
    if type(a) is type(b) or (is_number(a) and is_number(b)):
        return strict_equal(a, b)
    if isinstance(a, (list, dict, ExprObject, JsFunction)) and isinstance(
        b, (list, dict, ExprObject, JsFunction)
    ):
        return a is b
    a, b = _primitive(a), _primitive(b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    x, y = to_number(a), to_number(b)
    return bool(x == y)


def add(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return tidy(a + b)
    if isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > MAX_STRING:
            raise size_error()
        return a + b
    a, b = _primitive(a), _primitive(b)
    if isinstance(a, str) or isinstance(b, str):
        left, right = js_string(a), js_string(b)
        if len(left) + len(right) > MAX_STRING:
            raise size_error()
        return left + right
    x, y = to_number(a), to_number(b)
    try:
        return tidy(x + y)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def arith(op: str, a: Any, b: Any) -> Any:
    x, y = to_number(a), to_number(b)
    if op == "-":
        return tidy(x - y)
    if op == "*":
        if type(x) is int and type(y) is int:
            return tidy(x * y)
        return tidy(float(x) * float(y))
    if op == "/":
        if y == 0:
            if x == 0 or math.isnan(x):
                return math.nan
            negative = (x < 0) != (math.copysign(1, y) < 0)
            return -math.inf if negative else math.inf
        return tidy(x / y)
    if op == "**":
        return power(x, y)
    # %
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return math.nan
    if math.isinf(y):
        return x
    return tidy(math.fmod(x, y))


def power(x: float | int, y: float | int) -> float | int:
    if math.isnan(y):
        return math.nan
    if y == 0:
        return 1
    if type(x) is int and type(y) is int and 0 <= y <= 64 and abs(x) < 2**20:
        return tidy(x**y)
    try:
        return tidy(math.pow(x, y))
    except OverflowError:
        if x < 0 and float(y).is_integer() and int(y) % 2 == 1:
            return -math.inf
        return math.inf
    except (ValueError, ZeroDivisionError):
        if x == 0 and y < 0:
            return math.inf
        return math.nan


def to_int32(value: Any) -> int:
    number = to_number(value)
    if math.isnan(number) or math.isinf(number):
        return 0
    n = int(number) & 0xFFFFFFFF
    return n - 2**32 if n >= 2**31 else n


def bitwise(op: str, a: Any, b: Any) -> int:
    x = to_int32(a)
    y = to_int32(b)
    if op == "&":
        return x & y
    if op == "|":
        return x | y
    if op == "^":
        return x ^ y
    if op == "<<":
        return to_int32(x << (y & 31))
    if op == ">>":
        return x >> (y & 31)
    return (x & 0xFFFFFFFF) >> (y & 31)  # >>>


def compare(op: str, a: Any, b: Any) -> bool:
    a, b = _primitive(a), _primitive(b)
    if not (isinstance(a, str) and isinstance(b, str)):
        a, b = to_number(a), to_number(b)
        if math.isnan(a) or math.isnan(b):
            return False
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)


def typeof(value: Any) -> str:
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "object"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, JsFunction):
        return "function"
    if isinstance(value, ExprObject):
        return value.expr_typeof()
    return "object"
