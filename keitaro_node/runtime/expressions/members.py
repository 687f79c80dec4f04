"""Reading members and calling methods: only data and a fixed set of methods, never Python."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .values import (
    FORBIDDEN_MEMBERS,
    MAX_STRING,
    ExpressionError,
    ExprObject,
    JsFunction,
    _add,
    _describe,
    _number,
    _strict_equal,
    to_text,
    truthy,
)


def _check_member(name: str) -> None:
    if name in FORBIDDEN_MEMBERS or name.startswith("__"):
        raise ExpressionError(f"access to '{name}' is not allowed in expressions")


def get_member(obj: Any, key: Any, optional: bool = False) -> Any:
    name = key if isinstance(key, str) else to_text(key)
    _check_member(name)
    if obj is None:
        if optional:
            return None
        raise ExpressionError(f"cannot read '{name}' of undefined")
    if isinstance(obj, dict):
        return obj.get(name)
    if isinstance(obj, (list, str)):
        if name == "length":
            return len(obj)
        if (isinstance(key, (int, float)) and not isinstance(key, bool)) or name.isdigit():
            index = int(key) if not isinstance(key, str) else int(name)
            return obj[index] if 0 <= index < len(obj) else None
        return None
    if isinstance(obj, ExprObject):
        return obj.expr_get(name)
    return None


def _str_split(s: str, sep: Any = None, limit: Any = None) -> list[str]:
    parts = [s] if sep is None else (list(s) if sep == "" else s.split(str(sep)))
    return parts if limit is None else parts[: int(_number(limit))]


def _slice(seq: Any, start: Any = None, end: Any = None) -> Any:
    a = None if start is None else int(_number(start))
    b = None if end is None else int(_number(end))
    return seq[a:b]


def _substring(s: str, start: Any = 0, end: Any = None) -> str:
    a = max(0, int(_number(start)))
    b = len(s) if end is None else max(0, int(_number(end)))
    a, b = min(a, b), max(a, b)
    return s[a:b]


def _pad(s: str, length: Any, fill: Any = " ", left: bool = True) -> str:
    width = int(_number(length))
    if width > MAX_STRING:
        raise ExpressionError("the text built by the expression is too long")
    fill_text = to_text(fill) or " "
    missing = max(0, width - len(s))
    pad = (fill_text * (missing // len(fill_text) + 1))[:missing]
    return pad + s if left else s + pad


def _repeat(s: str, count: Any) -> str:
    n = int(_number(count))
    if n < 0 or len(s) * n > MAX_STRING:
        raise ExpressionError("the text built by the expression is too long")
    return s * n


def _index_of(seq: Any, value: Any) -> int:
    if isinstance(seq, str):
        return seq.find(to_text(value))
    for i, item in enumerate(seq):
        if _strict_equal(item, value):
            return i
    return -1


def _call_fn(fn: Any, *args: Any) -> Any:
    if not isinstance(fn, JsFunction):
        raise ExpressionError(f"expected a function such as x => x.id, got {_describe(fn)}")
    return fn(*args)


def _to_fixed(n: Any, digits: Any = 0) -> str:
    return f"{float(_number(n)):.{int(_number(digits))}f}"


_STRING_METHODS: dict[str, Callable[..., Any]] = {
    "toUpperCase": lambda s: s.upper(),
    "toLowerCase": lambda s: s.lower(),
    "trim": lambda s: s.strip(),
    "trimStart": lambda s: s.lstrip(),
    "trimEnd": lambda s: s.rstrip(),
    "split": _str_split,
    "replace": lambda s, a, b: s.replace(to_text(a), to_text(b), 1),
    "replaceAll": lambda s, a, b: s.replace(to_text(a), to_text(b)),
    "includes": lambda s, v: to_text(v) in s,
    "startsWith": lambda s, v: s.startswith(to_text(v)),
    "endsWith": lambda s, v: s.endswith(to_text(v)),
    "indexOf": _index_of,
    "slice": _slice,
    "substring": _substring,
    "padStart": lambda s, n, f=" ": _pad(s, n, f, left=True),
    "padEnd": lambda s, n, f=" ": _pad(s, n, f, left=False),
    "charAt": lambda s, i=0: s[int(_number(i))] if 0 <= int(_number(i)) < len(s) else "",
    "concat": lambda s, *more: _add(s, "".join(to_text(m) for m in more)),
    "repeat": _repeat,
    "toString": lambda s: s,
}

_ARRAY_METHODS: dict[str, Callable[..., Any]] = {
    "join": lambda a, sep=",": to_text(sep).join(to_text(v) for v in a),
    "includes": lambda a, v: any(_strict_equal(x, v) for x in a),
    "indexOf": _index_of,
    "slice": _slice,
    "concat": lambda a, *more: a + [x for m in more for x in (m if isinstance(m, list) else [m])],
    "map": lambda a, fn: [_call_fn(fn, v, i) for i, v in enumerate(a)],
    "filter": lambda a, fn: [v for i, v in enumerate(a) if truthy(_call_fn(fn, v, i))],
    "find": lambda a, fn: next((v for i, v in enumerate(a) if truthy(_call_fn(fn, v, i))), None),
    "some": lambda a, fn: any(truthy(_call_fn(fn, v, i)) for i, v in enumerate(a)),
    "every": lambda a, fn: all(truthy(_call_fn(fn, v, i)) for i, v in enumerate(a)),
    "reverse": lambda a: list(reversed(a)),
    "first": lambda a: a[0] if a else None,
    "last": lambda a: a[-1] if a else None,
    "toString": lambda a: ",".join(to_text(v) for v in a),
}

_NUMBER_METHODS: dict[str, Callable[..., Any]] = {
    "toFixed": _to_fixed,
    "toString": lambda n: to_text(n),
}


def call_method(obj: Any, name: str, args: list[Any], optional: bool = False) -> Any:
    _check_member(name)
    if obj is None:
        if optional:
            return None
        raise ExpressionError(f"cannot call '{name}()' on undefined")
    table: dict[str, Callable[..., Any]] | None = None
    if isinstance(obj, ExprObject):
        return obj.expr_call(name, args)
    if isinstance(obj, str):
        table = _STRING_METHODS
    elif isinstance(obj, list):
        table = _ARRAY_METHODS
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        table = _NUMBER_METHODS
    elif isinstance(obj, dict):
        member = obj.get(name)
        if isinstance(member, JsFunction):
            return member(*args)
    if table is None or name not in table:
        raise ExpressionError(f"'{name}()' is not available on {_describe(obj)}")
    try:
        return table[name](obj, *args)
    except ExpressionError:
        raise
    except (TypeError, ValueError, IndexError) as exc:
        raise ExpressionError(f"'{name}()' failed: {exc}") from None
