"""JavaScript and lodash value rules for item data, as n8n's item nodes apply them.

n8n's Merge, Sort, Summarize and friends compare, order, group and print JSON values with
JavaScript operators and lodash helpers. Python's own rules differ in ways users would see
(`True == 1`, `"10" < "9"` with numbers, key order, number printing), so the nodes use these
functions instead. `UNDEFINED` stands for JavaScript's `undefined`: a missing field, which is
not the same as `null` (None).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Hashable
from decimal import Decimal
from typing import Any, Final


class _Undefined:
    """JavaScript's `undefined`: what reading a missing field gives."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = _Undefined()

_MAX_INDEX = 2**32 - 2
_SAFE_INTEGER = 2**53
# JavaScript's WhiteSpace and LineTerminator characters (what trim() and Number() skip)
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_RADIX = {"x": (16, re.compile(r"[0-9a-fA-F]+")), "o": (8, re.compile(r"[0-7]+"))}
_RADIX["b"] = (2, re.compile(r"[01]+"))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def typeof(value: Any) -> str:
    """JavaScript's `typeof` for JSON data."""
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"  # null, arrays and objects


def js_trim(text: str) -> str:
    return text.strip(_JS_SPACE)


def array_index(key: str) -> int | None:
    """The index a property name stands for on an array (canonical "0", "1", ...), else None."""
    if not key.isdigit() or not key.isascii() or (len(key) > 1 and key[0] == "0"):
        return None
    index = int(key)
    return index if index <= _MAX_INDEX else None


def js_keys(obj: dict[str, Any]) -> list[str]:
    """Object.keys order: integer-like keys ascending first, then the others as inserted."""
    indices: list[tuple[int, str]] = []
    others: list[str] = []
    for key in obj:
        index = array_index(key)
        if index is None:
            others.append(key)
        else:
            indices.append((index, key))
    if not indices:
        return others
    indices.sort()
    return [key for _, key in indices] + others


def in_js_order(obj: dict[str, Any]) -> dict[str, Any]:
    """The same object with its keys in JavaScript's enumeration order."""
    keys = js_keys(obj)
    if keys == list(obj):
        return obj
    return {key: obj[key] for key in keys}


# --- text ------------------------------------------------------------------------------------


def number_to_string(value: float | int) -> str:
    """Number.prototype.toString(): the shortest digits, in JavaScript's layout."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) < _SAFE_INTEGER:
            return str(value)
        value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    decimal = Decimal(repr(abs(value))).normalize()
    _, digit_tuple, exponent = decimal.as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + int(exponent)  # value = 0.digits * 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    power = n - 1
    return f"{sign}{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"


def to_string(value: Any) -> str:
    """String(value) as JavaScript gives it (arrays joined with commas, objects as a tag)."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if is_number(value):
        return number_to_string(value)
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else to_string(v) for v in value)
    return "[object Object]"


def json_stringify(value: Any) -> str | None:
    """JSON.stringify(value) with no spacing; None where JavaScript gives undefined."""
    if value is UNDEFINED:
        return None
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if is_number(value):
        return number_to_string(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list):
        return "[" + ",".join(json_stringify(v) or "null" for v in value) + "]"
    if isinstance(value, dict):
        parts = []
        for key in js_keys(value):
            text = json_stringify(value[key])
            if text is not None:
                parts.append(_quote(key) + ":" + text)
        return "{" + ",".join(parts) + "}"
    return None


def _quote(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    if any("\ud800" <= c <= "\udfff" for c in text):  # lone surrogates are escaped, as in JS
        quoted = "".join(f"\\u{ord(c):04x}" if "\ud800" <= c <= "\udfff" else c for c in quoted)
    return quoted


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_parse(text: str) -> Any:
    """JSON.parse: strict JSON (no NaN or Infinity); ValueError when it is not JSON."""
    return json.loads(text, parse_constant=_no_constant)


# --- numbers ---------------------------------------------------------------------------------


def to_number(value: Any) -> float:
    """Number(value) (also lodash's toNumber for JSON data): NaN where it is not a number."""
    if value is UNDEFINED:
        return math.nan
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if is_number(value):
        return float(value)
    if isinstance(value, (list, dict)):
        value = to_string(value)
    if not isinstance(value, str):
        return math.nan
    text = js_trim(value)
    if text == "":
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    if len(text) > 2 and text[0] == "0" and text[1].lower() in _RADIX:
        base, digits = _RADIX[text[1].lower()]
        if digits.fullmatch(text[2:]):
            return float(int(text[2:], base))
    return math.nan


def tidy_number(value: float) -> float | int:
    """A whole double as an int (how JSON prints it), other numbers unchanged."""
    if math.isfinite(value) and value.is_integer() and abs(value) < _SAFE_INTEGER:
        return int(value)
    return value


def add_numbers(left: float | int, right: float | int) -> float | int:
    """`left + right` on two numbers, with doubles as JavaScript has them."""
    total = float(left) + float(right)
    return tidy_number(total)


# --- comparing -------------------------------------------------------------------------------


def _astral(text: str) -> bool:
    return bool(text) and max(text) >= "\U00010000"


def string_less(left: str, right: str) -> bool:
    """JavaScript's string order: by UTF-16 code units, not by code points."""
    if _astral(left) or _astral(right):
        return left.encode("utf-16-be", "surrogatepass") < right.encode(
            "utf-16-be", "surrogatepass"
        )
    return left < right


def _primitive(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return to_string(value)
    return value


def less_than(left: Any, right: Any) -> bool:
    """JavaScript's `left < right`, with its conversions."""
    left, right = _primitive(left), _primitive(right)
    if isinstance(left, str) and isinstance(right, str):
        return string_less(left, right)
    return to_number(left) < to_number(right)


def lodash_lt(left: Any, right: Any) -> bool:
    """lodash's lt: text against text in code unit order, anything else as numbers."""
    if isinstance(left, str) and isinstance(right, str):
        return string_less(left, right)
    return to_number(left) < to_number(right)


def is_equal(left: Any, right: Any) -> bool:
    """lodash's isEqual for JSON data: deep, with NaN equal to NaN and true not equal to 1."""
    if left is right:
        return True
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left is right
    if is_number(left) and is_number(right):
        return bool(left == right) or (left != left and right != right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(is_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        if len(left) != len(right):
            return False
        return all(key in right and is_equal(value, right[key]) for key, value in left.items())
    return False


def same_value_key(value: Any) -> Hashable:
    """A key under which a JavaScript Set or Map keeps `value` (SameValueZero)."""
    if value is UNDEFINED:
        return ("undefined",)
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("boolean", value)
    if is_number(value):
        number = float(value)
        return ("number", "NaN") if math.isnan(number) else ("number", number)
    if isinstance(value, str):
        return ("string", value)
    return ("object", id(value))


def _falsy_for_fuzzy(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list) and not value)


def _parsed_equals(text: str, value: Any) -> bool:
    try:
        return is_equal(json_parse(text), value)
    except ValueError:
        return False


def fuzzy_equal(left: Any, right: Any) -> bool:
    """n8n's "fuzzy compare" (first version): small type differences tolerated.

    3 equals "3", true equals "true", "1" and 1, null equals "" and [], a missing field
    equals an empty one, an object equals its JSON text.
    """
    if left is not None and right is not None and typeof(left) == typeof(right):
        return is_equal(left, right)
    if _falsy_for_fuzzy(left) and _falsy_for_fuzzy(right):
        return True
    if (_falsy_for_fuzzy(left) and right is UNDEFINED) or (
        left is UNDEFINED and _falsy_for_fuzzy(right)
    ):
        return True
    for a, b in ((left, right), (right, left)):
        if is_number(a) and isinstance(b, str):
            return number_to_string(a) == b
    for a, b in ((left, right), (right, left)):
        if isinstance(a, (list, dict)) and isinstance(b, str):
            return _parsed_equals(b, a)
    for a, b in ((left, right), (right, left)):
        if isinstance(a, bool) and isinstance(b, str) and b.lower() == ("true" if a else "false"):
            return True
        if isinstance(a, bool) and is_number(b) and b == (1 if a else 0):
            return True
    for a, b in ((left, right), (right, left)):
        if isinstance(a, bool) and isinstance(b, str) and b == ("1" if a else "0"):
            return True
    return is_equal(left, right)
