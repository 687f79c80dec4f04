"""Array extensions: removeDuplicates, pluck, sum, chunk, merge, union, ..."""

from __future__ import annotations

import math
import random
from typing import Any

from .. import limits
from ..json_text import json_stringify
from ..values import UNDEFINED, ExpressionError, ExprObject, is_number, tidy
from .objects import compact_object


def deep_equal(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, ExprObject) or isinstance(b, ExprObject):
        return a is b or (type(a) is type(b) and a.expr_plain() == b.expr_plain())
    return type(a) is type(b) and bool(a == b)


def unique(values: list[Any], keys: list[Any]) -> list[Any]:
    limits.charge(len(values) * max(1, min(len(values), 1000)))

    def key_of(item: Any) -> Any:
        if keys and isinstance(item, dict):
            return {str(k): item.get(str(k), UNDEFINED) for k in keys}
        return item

    out: list[Any] = []
    seen: list[Any] = []
    hashed: set[Any] = set()
    for item in values:
        key = key_of(item)
        if (
            isinstance(key, (str, int, float))
            and not isinstance(key, bool)
            and not (isinstance(key, float) and math.isnan(key))
        ):
            marker = ("n", float(key)) if not isinstance(key, str) else ("s", key)
            if marker in hashed:
                continue
            hashed.add(marker)
            out.append(item)
            continue
        if any(deep_equal(key, other) for other in seen):
            continue
        seen.append(key)
        out.append(item)
    return out


def _numbers(values: list[Any], name: str) -> list[float | int]:
    if any(not is_number(v) for v in values):
        raise ExpressionError(f"{name}(): all array elements must be numbers")
    return values


def _sum(values: list[Any], _args: list[Any]) -> Any:
    total: float | int = 0
    for v in _numbers(values, "sum"):
        total = total + v
    return tidy(total)


def _min(values: list[Any], _args: list[Any]) -> Any:
    numbers = _numbers(values, "min")
    if any(isinstance(v, float) and math.isnan(v) for v in numbers):
        return math.nan
    return min(numbers) if numbers else math.inf


def _max(values: list[Any], _args: list[Any]) -> Any:
    numbers = _numbers(values, "max")
    if any(isinstance(v, float) and math.isnan(v) for v in numbers):
        return math.nan
    return max(numbers) if numbers else -math.inf


def average(values: list[Any], _args: list[Any]) -> Any:
    numbers = _numbers(values, "average")
    if not numbers:
        return 0
    return tidy(_sum(numbers, []) / len(numbers))


def _pluck(values: list[Any], args: list[Any]) -> list[Any]:
    if not args:
        return values
    fields = [str(a) for a in args]
    out: list[Any] = []
    for item in values:
        if isinstance(item, dict):
            found = [item[k] for k in item if k in fields]
            if found:
                out.append(found[0] if len(found) == 1 else found)
    return out


def _compact(values: list[Any], _args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if isinstance(v, (dict, list)) and len(v) == 0:
            continue
        if v is None or v is UNDEFINED or v == "nil" or v == "":
            continue
        if isinstance(v, dict):
            out.append(compact_object(v))
        elif isinstance(v, list):
            out.append(compact_object({str(i): x for i, x in enumerate(v)}))
        else:
            out.append(v)
    return out


def _smart_join(values: list[Any], args: list[Any]) -> dict[str, Any]:
    key_field = args[0] if args else UNDEFINED
    value_field = args[1] if len(args) > 1 else UNDEFINED
    if not (
        isinstance(key_field, str) and key_field and isinstance(value_field, str) and value_field
    ):
        raise ExpressionError(
            'smartJoin(): expected two string args, e.g. .smartJoin("name", "value")'
        )
    out: dict[str, Any] = {}
    for item in values:
        if isinstance(item, dict) and key_field in item and value_field in item:
            from ..values import js_string

            key = item[key_field]
            out[key if isinstance(key, str) else js_string(key)] = item[value_field]
    return out


def _chunk(values: list[Any], args: list[Any]) -> list[Any]:
    size = args[0] if args else UNDEFINED
    if not is_number(size) or size == 0:
        raise ExpressionError("chunk(): expected non-zero numeric arg, e.g. .chunk(5)")
    step = int(size)
    if step <= 0:
        return []
    return [values[i : i + step] for i in range(0, len(values), step)]


def _rename_keys(values: list[Any], args: list[Any]) -> list[Any]:
    if not args or len(args) % 2:
        raise ExpressionError(
            "renameKeys(): expected an even amount of args: from1, to1 [, from2, to2, ...]. "
            'e.g. .renameKeys("name", "title")'
        )
    pairs = [(str(args[i]), str(args[i + 1])) for i in range(0, len(args), 2)]
    out: list[Any] = []
    for item in values:
        if not isinstance(item, dict):
            out.append(item)
            continue
        renamed = dict(item)
        for old, new in pairs:
            if old in renamed:
                value = renamed.pop(old)
                renamed[new] = value
        out.append(renamed)
    return out


def _merge_objects(base: Any, other: Any) -> Any:
    if not other:
        return base
    merged = dict(base) if isinstance(base, dict) else {}
    for key, value in other.items() if isinstance(other, dict) else []:
        merged.setdefault(key, value)
    return merged


def _merge(values: list[Any], args: list[Any]) -> Any:
    others = args[0] if args else UNDEFINED
    if others is UNDEFINED:
        out: dict[str, Any] = {}
        for item in values:
            if isinstance(item, dict):
                out = _merge_objects(out, item)
        return out
    if not isinstance(others, list):
        raise ExpressionError(
            "merge(): expected array arg, e.g. .merge([{ id: 1, otherValue: 3 }])"
        )
    merged: dict[str, Any] = {}
    for i in range(max(len(values), len(others))):
        if i < len(values) and isinstance(values[i], dict):
            pair = _merge_objects(values[i], others[i] if i < len(others) else UNDEFINED)
            merged.update(pair)
    return merged


def _array_arg(args: list[Any], name: str) -> list[Any]:
    others = args[0] if args else UNDEFINED
    if not isinstance(others, list):
        raise ExpressionError(f"{name}(): expected array arg, e.g. .{name}([1, 2, 3, 4])")
    return others


def _union(values: list[Any], args: list[Any]) -> list[Any]:
    others = _array_arg(args, "union")
    out = list(values)
    for v in others:
        if not any(deep_equal(w, v) for w in out):
            out.append(v)
    return unique(out, [])


def _difference(values: list[Any], args: list[Any]) -> list[Any]:
    others = _array_arg(args, "difference")
    return unique([v for v in values if not any(deep_equal(w, v) for w in others)], [])


def _intersection(values: list[Any], args: list[Any]) -> list[Any]:
    others = _array_arg(args, "intersection")
    found = [v for v in values if any(deep_equal(w, v) for w in others)]
    found += [v for v in others if any(deep_equal(w, v) for w in values)]
    return unique(found, [])


ARRAY_EXTENSIONS: dict[str, Any] = {
    "removeDuplicates": lambda a, args: unique(a, args),
    "unique": lambda a, args: unique(a, args),
    "first": lambda a, _x: a[0] if a else UNDEFINED,
    "last": lambda a, _x: a[-1] if a else UNDEFINED,
    "pluck": _pluck,
    "randomItem": lambda a, _x: random.choice(a) if a else UNDEFINED,
    "sum": _sum,
    "min": _min,
    "max": _max,
    "average": average,
    "isNotEmpty": lambda a, _x: len(a) > 0,
    "isEmpty": lambda a, _x: len(a) == 0,
    "compact": _compact,
    "smartJoin": _smart_join,
    "chunk": _chunk,
    "renameKeys": _rename_keys,
    "merge": _merge,
    "union": _union,
    "difference": _difference,
    "intersection": _intersection,
    "append": lambda a, args: a + list(args),
    "toJsonString": lambda a, _x: json_stringify(a),
    "toInt": lambda a, _x: UNDEFINED,
    "toFloat": lambda a, _x: UNDEFINED,
    "toBoolean": lambda a, _x: UNDEFINED,
    "toDateTime": lambda a, _x: UNDEFINED,
}
