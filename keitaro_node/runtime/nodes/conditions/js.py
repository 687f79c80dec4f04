"""JavaScript's value rules where n8n's condition and field code leans on them.

n8n's nodes compare with `<`, `===` and `includes`, turn values into text with `String()` and
into numbers with `Number()`. These helpers give the same answers for JSON values. None is
JavaScript's null and UNDEFINED its undefined (a field the item does not have): `null < 5`
holds while `undefined < 5` does not, and an undefined field is left out of JSON.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from ...expressions import UNDEFINED as EXPRESSION_UNDEFINED

NAN = math.nan


class _Undefined:
    """JavaScript's undefined."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Any = _Undefined()


# the expression language hands out an undefined of its own
_UNDEFINED_TYPES = frozenset({_Undefined, type(EXPRESSION_UNDEFINED)})


def is_undefined(value: Any) -> bool:
    return type(value) in _UNDEFINED_TYPES


def is_nullish(value: Any) -> bool:
    """`value == null`: null or undefined."""
    return value is None or is_undefined(value)


_WHITESPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_WHITESPACE += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")
_RADIX = {"0x": 16, "0o": 8, "0b": 2}


def js_trim(text: str) -> str:
    return text.strip(_WHITESPACE)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def typeof(value: Any) -> str:
    """`typeof` (null is "object")."""
    if is_undefined(value):
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def number_text(value: float | int) -> str:
    """Number.prototype.toString(): shortest digits, fixed notation up to 1e21."""
    if isinstance(value, int):
        if abs(value) < 10**21:
            return str(value)
        value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits)
    exponent = int(digits_tuple.exponent)
    k = len(digits)
    n = k + exponent  # value = 0.digits * 10**n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    mark = "+" if e >= 0 else "-"
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{mark}{abs(e)}"


def js_string(value: Any, *, none: str = "null") -> str:
    """String(value). `none` is what None becomes where None may stand for undefined."""
    if value is None:
        return none
    if is_undefined(value):
        return "undefined"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if is_number(value):
        return number_text(value)
    if isinstance(value, list):
        return ",".join("" if is_nullish(v) else js_string(v) for v in value)
    return "[object Object]"


def js_number(value: Any) -> float | int:
    """Number(value); NaN when JavaScript gives NaN (null is 0, undefined NaN)."""
    if value is None:
        return 0
    if is_undefined(value):
        return NAN
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return string_to_number(value)
    if isinstance(value, list):
        return string_to_number(js_string(value))
    return NAN


def string_to_number(text: str) -> float | int:
    text = js_trim(text)
    if text == "":
        return 0
    radix = _RADIX.get(text[:2].lower())
    if radix is not None:
        try:
            return int(text[2:], radix)
        except ValueError:
            return NAN
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    if not _DECIMAL.fullmatch(text):
        return NAN
    return tidy(float(text))


def tidy(number: float | int) -> float | int:
    """Whole doubles as ints, so that JSON output reads 5 rather than 5.0."""
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def truthy(value: Any) -> bool:
    if value is None or value is False or is_undefined(value):
        return False
    if isinstance(value, str):
        return value != ""
    if is_number(value):
        return not (value == 0 or math.isnan(value))
    return True


def strict_equal(a: Any, b: Any) -> bool:
    """`a === b` (objects and arrays are equal only when they are the same object)."""
    if is_undefined(a) or is_undefined(b):
        return is_undefined(a) and is_undefined(b)
    if a is None or b is None:
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is b


def same_value_zero(a: Any, b: Any) -> bool:
    """What Array.prototype.includes uses: === except that NaN equals NaN."""
    return strict_equal(a, b) or (is_nan(a) and is_nan(b))


def _primitive(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return js_string(value)
    return value


def _utf16(text: str) -> Any:
    return text.encode("utf-16-be") if any(ord(c) > 0xFFFF for c in text) else text


def less_than(a: Any, b: Any) -> bool | None:
    """The abstract relational comparison a < b: None where JavaScript gets undefined (NaN)."""
    a, b = _primitive(a), _primitive(b)
    if isinstance(a, str) and isinstance(b, str):
        left, right = _utf16(a), _utf16(b)
        if type(left) is not type(right):
            left, right = a.encode("utf-16-be"), b.encode("utf-16-be")
        return bool(left < right)
    x, y = js_number(a), js_number(b)
    if math.isnan(x) or math.isnan(y):
        return None
    return x < y


def compare(operator: str, a: Any, b: Any) -> bool:
    """`a < b`, `a > b`, `a <= b`, `a >= b` as JavaScript evaluates them."""
    if operator == "<":
        return less_than(a, b) is True
    if operator == ">":
        return less_than(b, a) is True
    if operator == "<=":
        return less_than(b, a) is False
    return less_than(a, b) is False


def json_stringify(value: Any) -> str:
    """JSON.stringify with JavaScript's number text (1.0 -> 1, NaN -> null)."""
    if value is None or isinstance(value, (bool, str)):
        return json.dumps(value, ensure_ascii=False)
    if is_number(value):
        return number_text(value) if math.isfinite(value) else "null"
    if isinstance(value, list):
        return "[" + ",".join("null" if is_undefined(v) else json_stringify(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(
                json.dumps(str(k), ensure_ascii=False) + ":" + json_stringify(v)
                for k, v in value.items()
                if not is_undefined(v)
            )
            + "}"
        )
    return "null"


def describe_value(value: Any) -> str:
    """n8n's getValueDescription: 'text' in quotes, or object / array / 'null'."""
    if value is None:
        return "'null'"
    if is_undefined(value):
        return "'undefined'"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return f"'{js_string(value)}'"
