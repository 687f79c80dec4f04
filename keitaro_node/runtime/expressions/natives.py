"""JavaScript's own methods of strings, arrays, numbers and objects, as expressions call them."""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Callable
from typing import Any, Literal

from . import limits
from .numfmt import to_exponential, to_fixed, to_precision, to_radix
from .regexp import RegExpValue, regex_replace, regex_split, string_match, string_match_all
from .values import (
    UNDEFINED,
    ExprObject,
    JsFunction,
    add,
    is_number,
    js_string,
    range_error,
    strict_equal,
    to_number,
    truthy,
    type_error,
)

Method = Callable[..., Any]


def _int_arg(value: Any, default: int = 0) -> int:
    if value is UNDEFINED:
        return default
    number = to_number(value)
    if math.isnan(number):
        return 0
    if math.isinf(number):
        return int(math.copysign(2**53, number))
    return int(number)


def _relative(index: Any, length: int, default: int) -> int:
    n = _int_arg(index, default)
    if n < 0:
        return max(0, length + n)
    return min(n, length)


def call_fn(fn: Any, *args: Any) -> Any:
    if isinstance(fn, JsFunction):
        return fn(*args)
    if isinstance(fn, ExprObject) and fn.expr_callable():
        limits.charge()
        return fn.expr_invoke(list(args))
    raise type_error(f"{js_string(fn)[:40]} is not a function")


# --- strings ------------------------------------------------------------------------------


def _s_slice(s: str, start: Any = UNDEFINED, end: Any = UNDEFINED) -> str:
    a = _relative(start, len(s), 0)
    b = _relative(end, len(s), len(s))
    return s[a:b]


def _s_substring(s: str, start: Any = UNDEFINED, end: Any = UNDEFINED) -> str:
    a = min(max(_int_arg(start), 0), len(s))
    b = len(s) if end is UNDEFINED else min(max(_int_arg(end), 0), len(s))
    a, b = min(a, b), max(a, b)
    return s[a:b]


def _s_substr(s: str, start: Any = UNDEFINED, length: Any = UNDEFINED) -> str:
    a = _relative(start, len(s), 0)
    n = len(s) - a if length is UNDEFINED else max(0, _int_arg(length))
    return s[a : a + n]


def _pad(s: str, length: Any, fill: Any, left: bool) -> str:
    width = _int_arg(length)
    if width > limits.MAX_STRING:
        raise limits.size_error()
    fill_text = " " if fill is UNDEFINED else js_string(fill)
    missing = width - len(s)
    if missing <= 0 or not fill_text:
        return s
    pad = (fill_text * (missing // len(fill_text) + 1))[:missing]
    return pad + s if left else s + pad


def _repeat(s: str, count: Any) -> str:
    n = to_number(count)
    if n < 0 or math.isinf(n):
        raise range_error(f"Invalid count value: {js_string(n)}")
    n = 0 if math.isnan(n) else int(n)
    if len(s) * n > limits.MAX_STRING:
        raise limits.size_error()
    return s * n


def _s_index_of(s: str, value: Any = UNDEFINED, start: Any = 0) -> int:
    return s.find(js_string(value), max(0, _int_arg(start)))


def _s_last_index_of(s: str, value: Any = UNDEFINED, start: Any = UNDEFINED) -> int:
    end = len(s) if start is UNDEFINED else _int_arg(start) + len(js_string(value))
    return s.rfind(js_string(value), 0, max(0, end))


def _s_split(s: str, sep: Any = UNDEFINED, limit: Any = UNDEFINED) -> list[str]:
    if isinstance(sep, RegExpValue):
        parts = regex_split(sep, s)
    elif sep is UNDEFINED:
        parts = [s]
    elif js_string(sep) == "":
        parts = list(s)
    else:
        parts = s.split(js_string(sep))
    limits.check_length(len(parts))
    return parts if limit is UNDEFINED else parts[: max(0, _int_arg(limit))]


def _s_replace(s: str, pattern: Any, replacement: Any = UNDEFINED, every: bool = False) -> str:
    if isinstance(pattern, RegExpValue):
        if every and not pattern.is_global:
            raise type_error("replaceAll must be called with a global RegExp")
        return regex_replace(pattern, s, replacement)
    needle = js_string(pattern)
    return regex_replace(RegExpValue.literal(needle, every), s, replacement)


def _s_includes(s: str, value: Any = UNDEFINED, start: Any = 0) -> bool:
    if isinstance(value, RegExpValue):
        raise type_error(
            "First argument to String.prototype.includes must not be a regular expression"
        )
    return js_string(value) in s[max(0, _int_arg(start)) :]


def _s_char_at(s: str, index: Any = 0) -> str:
    i = _int_arg(index)
    return s[i] if 0 <= i < len(s) else ""


def _s_char_code_at(s: str, index: Any = 0) -> float | int:
    i = _int_arg(index)
    units = s.encode("utf-16-le")
    if not 0 <= i < len(units) // 2:
        return math.nan
    return int.from_bytes(units[2 * i : 2 * i + 2], "little")


def _s_code_point_at(s: str, index: Any = 0) -> Any:
    i = _int_arg(index)
    return ord(s[i]) if 0 <= i < len(s) else UNDEFINED


def _s_at(s: str, index: Any = 0) -> Any:
    i = _int_arg(index)
    i = i + len(s) if i < 0 else i
    return s[i] if 0 <= i < len(s) else UNDEFINED


def _s_locale_compare(s: str, other: Any) -> int:
    a, b = s, js_string(other)
    key_a, key_b = (a.casefold(), a), (b.casefold(), b)
    return (key_a > key_b) - (key_a < key_b)


_NORMAL_FORMS: dict[str, Literal["NFC", "NFD", "NFKC", "NFKD"]] = {
    "NFC": "NFC",
    "NFD": "NFD",
    "NFKC": "NFKC",
    "NFKD": "NFKD",
}


def _s_normalize(s: str, form: Any = "NFC") -> str:
    name = _NORMAL_FORMS.get("NFC" if form is UNDEFINED else js_string(form))
    if name is None:
        raise range_error("The normalization form should be one of NFC, NFD, NFKC, NFKD.")
    return unicodedata.normalize(name, s)


def _s_concat(s: str, *more: Any) -> str:
    out = s
    for item in more:
        out = add(out, js_string(item))
    return out


_JS_SPACE = " \t\n\r\v\f\u00a0\ufeff\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

STRING_METHODS: dict[str, Method] = {
    "toUpperCase": lambda s: s.upper(),
    "toLowerCase": lambda s: s.lower(),
    "toLocaleUpperCase": lambda s, *_: s.upper(),
    "toLocaleLowerCase": lambda s, *_: s.lower(),
    "trim": lambda s: s.strip(_JS_SPACE),
    "trimStart": lambda s: s.lstrip(_JS_SPACE),
    "trimEnd": lambda s: s.rstrip(_JS_SPACE),
    "trimLeft": lambda s: s.lstrip(_JS_SPACE),
    "trimRight": lambda s: s.rstrip(_JS_SPACE),
    "split": _s_split,
    "replace": _s_replace,
    "replaceAll": lambda s, p, r=UNDEFINED: _s_replace(s, p, r, every=True),
    "match": lambda s, p=UNDEFINED: string_match(s, p),
    "matchAll": lambda s, p: string_match_all(s, p),
    "search": lambda s, p: string_match(s, p, search=True),
    "includes": _s_includes,
    "startsWith": lambda s, v=UNDEFINED, at=0: s.startswith(js_string(v), max(0, _int_arg(at))),
    "endsWith": lambda s, v=UNDEFINED, end=UNDEFINED: s[: _relative(end, len(s), len(s))].endswith(
        js_string(v)
    ),
    "indexOf": _s_index_of,
    "lastIndexOf": _s_last_index_of,
    "slice": _s_slice,
    "substring": _s_substring,
    "substr": _s_substr,
    "padStart": lambda s, n=0, f=UNDEFINED: _pad(s, n, f, left=True),
    "padEnd": lambda s, n=0, f=UNDEFINED: _pad(s, n, f, left=False),
    "charAt": _s_char_at,
    "charCodeAt": _s_char_code_at,
    "codePointAt": _s_code_point_at,
    "at": _s_at,
    "concat": _s_concat,
    "repeat": _repeat,
    "localeCompare": _s_locale_compare,
    "normalize": _s_normalize,
    "toString": lambda s: s,
    "valueOf": lambda s: s,
}


# --- arrays -------------------------------------------------------------------------------


def _visit(a: list[Any]) -> list[Any]:
    limits.charge(len(a))
    return a


def _a_join(a: list[Any], sep: Any = ",") -> str:
    separator = "," if sep is UNDEFINED else js_string(sep)
    text = separator.join("" if v is None or v is UNDEFINED else js_string(v) for v in _visit(a))
    return limits.check_string(text)


def _same_value_zero(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return strict_equal(a, b)


def _a_index_of(a: list[Any], value: Any = UNDEFINED, start: Any = 0) -> int:
    for i in range(_relative(start, len(a), 0), len(_visit(a))):
        if strict_equal(a[i], value):
            return i
    return -1


def _a_last_index_of(a: list[Any], value: Any = UNDEFINED) -> int:
    for i in range(len(_visit(a)) - 1, -1, -1):
        if strict_equal(a[i], value):
            return i
    return -1


def _a_slice(a: list[Any], start: Any = UNDEFINED, end: Any = UNDEFINED) -> list[Any]:
    return a[_relative(start, len(a), 0) : _relative(end, len(a), len(a))]


def _a_concat(a: list[Any], *more: Any) -> list[Any]:
    out = list(a)
    for m in more:
        if isinstance(m, list):
            out.extend(m)
        else:
            out.append(m)
        limits.check_length(len(out))
    limits.charge(len(out))
    return out


def _a_reduce(a: list[Any], fn: Any, *initial: Any, right: bool = False) -> Any:
    order = list(range(len(a)))
    if right:
        order.reverse()
    if initial:
        acc = initial[0]
    elif not order:
        raise type_error("Reduce of empty array with no initial value")
    else:
        acc = a[order.pop(0)]
    for i in order:
        acc = call_fn(fn, acc, a[i], i, a)
    return acc


def _default_compare(x: Any, y: Any) -> int:
    if x is UNDEFINED:
        return 0 if y is UNDEFINED else 1
    if y is UNDEFINED:
        return -1
    a, b = js_string(x), js_string(y)
    ua, ub = a.encode("utf-16-be"), b.encode("utf-16-be")
    return (ua > ub) - (ua < ub)


def _a_sort(a: list[Any], fn: Any = UNDEFINED) -> list[Any]:
    limits.charge(len(a) * max(1, int(math.log2(len(a) + 1))))
    if fn is UNDEFINED:
        return sorted(a, key=functools.cmp_to_key(_default_compare))

    def cmp(x: Any, y: Any) -> int:
        if x is UNDEFINED or y is UNDEFINED:
            return _default_compare(x, y)
        result = to_number(call_fn(fn, x, y))
        if math.isnan(result):
            return 0
        return (result > 0) - (result < 0)

    return sorted(a, key=functools.cmp_to_key(cmp))


def _a_flat(a: list[Any], depth: Any = 1) -> list[Any]:
    level = _int_arg(depth, 1)
    out: list[Any] = []

    def walk(items: list[Any], remaining: int) -> None:
        for item in _visit(items):
            if isinstance(item, list) and remaining > 0:
                walk(item, remaining - 1)
            else:
                out.append(item)
                if len(out) > limits.MAX_ITEMS:
                    limits.check_length(len(out))

    walk(a, min(level, limits.MAX_NESTING))
    return out


def _a_fill(
    a: list[Any], value: Any = UNDEFINED, start: Any = UNDEFINED, end: Any = UNDEFINED
) -> list[Any]:
    lo, hi = _relative(start, len(a), 0), _relative(end, len(a), len(a))
    for i in range(lo, hi):
        a[i] = value
    return a


def _a_at(a: list[Any], index: Any = 0) -> Any:
    i = _int_arg(index)
    i = i + len(a) if i < 0 else i
    return a[i] if 0 <= i < len(a) else UNDEFINED


def _a_find(a: list[Any], fn: Any, last: bool = False, index: bool = False) -> Any:
    order = range(len(a) - 1, -1, -1) if last else range(len(a))
    for i in order:
        if truthy(call_fn(fn, a[i], i, a)):
            return i if index else a[i]
    return -1 if index else UNDEFINED


def _a_map(a: list[Any], fn: Any) -> list[Any]:
    if isinstance(fn, JsFunction):
        return [fn(v, i, a) for i, v in enumerate(a)]
    return [call_fn(fn, v, i, a) for i, v in enumerate(a)]


def _a_flat_map(a: list[Any], fn: Any) -> list[Any]:
    out: list[Any] = []
    for i, v in enumerate(a):
        result = call_fn(fn, v, i, a)
        if isinstance(result, list):
            out.extend(result)
        else:
            out.append(result)
        limits.check_length(len(out))
    return out


def _a_push(a: list[Any], *values: Any) -> int:
    a.extend(values)
    limits.check_length(len(a))
    return len(a)


def _a_entries(a: list[Any]) -> list[Any]:
    return [[i, v] for i, v in enumerate(_visit(a))]


ARRAY_METHODS: dict[str, Method] = {
    "join": _a_join,
    "includes": lambda a, v=UNDEFINED: any(_same_value_zero(x, v) for x in _visit(a)),
    "indexOf": _a_index_of,
    "lastIndexOf": _a_last_index_of,
    "slice": _a_slice,
    "concat": _a_concat,
    "map": _a_map,
    "filter": lambda a, fn: [v for i, v in enumerate(a) if truthy(call_fn(fn, v, i, a))],
    "find": _a_find,
    "findIndex": lambda a, fn: _a_find(a, fn, index=True),
    "findLast": lambda a, fn: _a_find(a, fn, last=True),
    "findLastIndex": lambda a, fn: _a_find(a, fn, last=True, index=True),
    "some": lambda a, fn: any(truthy(call_fn(fn, v, i, a)) for i, v in enumerate(a)),
    "every": lambda a, fn: all(truthy(call_fn(fn, v, i, a)) for i, v in enumerate(a)),
    "forEach": lambda a, fn: ([call_fn(fn, v, i, a) for i, v in enumerate(a)], UNDEFINED)[1],
    "reduce": _a_reduce,
    "reduceRight": lambda a, fn, *init: _a_reduce(a, fn, *init, right=True),
    # Item data is never changed in place: these give new arrays (see README, deviations).
    "sort": _a_sort,
    "toSorted": _a_sort,
    "reverse": lambda a: list(reversed(_visit(a))),
    "toReversed": lambda a: list(reversed(_visit(a))),
    "flat": _a_flat,
    "flatMap": _a_flat_map,
    "fill": lambda a, *args: _a_fill(list(a), *args),
    "at": _a_at,
    "push": lambda a, *values: _a_push(list(a), *values),
    "pop": lambda a: a[-1] if a else UNDEFINED,
    "shift": lambda a: a[0] if a else UNDEFINED,
    "unshift": lambda a, *values: len(a) + len(values),
    "splice": lambda a, start, count=UNDEFINED, *items: _splice(list(a), start, count, items),
    "keys": lambda a: list(range(len(_visit(a)))),
    "values": lambda a: list(_visit(a)),
    "entries": _a_entries,
    "toString": lambda a: js_string(a),
    "valueOf": lambda a: a,
}


def _splice(a: list[Any], start: Any, count: Any, items: tuple[Any, ...]) -> list[Any]:
    lo = _relative(start, len(a), 0)
    n = len(a) - lo if count is UNDEFINED else max(0, _int_arg(count))
    removed = a[lo : lo + n]
    a[lo : lo + n] = list(items)
    return removed


# --- numbers and booleans -----------------------------------------------------------------


def _n_to_string(n: float | int, radix: Any = UNDEFINED) -> str:
    if radix is UNDEFINED or to_number(radix) == 10:
        return js_string(n)
    base = _int_arg(radix)
    if not 2 <= base <= 36:
        raise range_error("toString() radix must be between 2 and 36")
    return to_radix(n, base)


NUMBER_METHODS: dict[str, Method] = {
    "toFixed": lambda n, d=0: to_fixed(n, to_number(d) if d is not UNDEFINED else 0),
    "toPrecision": lambda n, p=UNDEFINED: to_precision(n, p),
    "toExponential": lambda n, d=UNDEFINED: to_exponential(n, d),
    "toString": _n_to_string,
    "toLocaleString": lambda n, *_: _locale_number(n),
    "valueOf": lambda n: n,
}


def _locale_number(n: float | int) -> str:
    from .extensions.numbers import format_number

    return format_number(n, ["en-US"])


BOOLEAN_METHODS: dict[str, Method] = {
    "toString": lambda b: js_string(b),
    "valueOf": lambda b: b,
}


# --- objects ------------------------------------------------------------------------------


def _o_has_own(o: dict[str, Any], key: Any = UNDEFINED) -> bool:
    return (key if isinstance(key, str) else js_string(key)) in o


OBJECT_METHODS: dict[str, Method] = {
    "hasOwnProperty": _o_has_own,
    "propertyIsEnumerable": _o_has_own,
    "toString": lambda o: "[object Object]",
    "toLocaleString": lambda o: "[object Object]",
    "valueOf": lambda o: o,
}


# Names that read as a method of some plain value (`'a'.trim`, `[].map`): a member read with
# one of these names may give a function rather than data.
METHOD_NAMES = (
    frozenset(STRING_METHODS) | set(ARRAY_METHODS) | set(NUMBER_METHODS) | set(BOOLEAN_METHODS)
)


def native_method(obj: Any, name: str) -> Method | None:
    if isinstance(obj, str):
        return STRING_METHODS.get(name)
    if isinstance(obj, list):
        return ARRAY_METHODS.get(name)
    if isinstance(obj, bool):
        return BOOLEAN_METHODS.get(name)
    if is_number(obj):
        return NUMBER_METHODS.get(name)
    if isinstance(obj, dict):
        member = obj.get(name)
        if isinstance(member, JsFunction):
            return lambda _o, *args: member(*args)
        return OBJECT_METHODS.get(name)
    return None


__all__ = ["ARRAY_METHODS", "METHOD_NAMES", "NUMBER_METHODS", "STRING_METHODS", "native_method"]
