"""Field names with dot notation, read and written the way n8n's item nodes do (lodash paths).

`a.b`, `a[0].b` and `a["x.y"]` reach into nested data; a name that exists as a key of the item
as it is (`"a.b": 1`) is read as that key first. Reading a missing field gives UNDEFINED, not
None: n8n tells the two apart (a missing field is left out of an output item, null is kept).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from .js_values import UNDEFINED, array_index, js_keys

_PROPERTY = re.compile(
    r"""[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))"""
)
_ESCAPE = re.compile(r"\\(\\)?")
_DEEP = re.compile(r"""\.|\[(?:[^[\]]*|(["'])(?:(?!\1)[^\\]|\\.)*?\1)\]""")
_PLAIN = re.compile(r"\w*", re.ASCII)
_UNSAFE_KEYS = frozenset({"__proto__", "constructor", "prototype"})


@lru_cache(maxsize=4096)
def split_path(text: str) -> tuple[str, ...]:
    """The keys of a dotted/bracketed name: `a[0]["b.c"].d` -> ("a", "0", "b.c", "d")."""
    parts: list[str] = [""] if text.startswith(".") else []
    for match in _PROPERTY.finditer(text):
        number, quote, quoted = match.group(1), match.group(2), match.group(3)
        if quote:
            parts.append(_ESCAPE.sub(r"\1", quoted))
        else:
            parts.append(number if number is not None else match.group(0))
    return tuple(parts)


def path_keys(name: str, obj: Any) -> tuple[str, ...]:
    """How lodash reads `name` on `obj`: one key when it is plain or exists as it is."""
    if _PLAIN.fullmatch(name) or not _DEEP.search(name) or has_property(obj, name):
        return (name,)
    return split_path(name)


def has_property(obj: Any, key: str) -> bool:
    if isinstance(obj, dict):
        return key in obj
    if isinstance(obj, (list, str)):
        index = array_index(key)
        return key == "length" or (index is not None and index < len(obj))
    return False


def member(obj: Any, key: str) -> Any:
    """`obj[key]` for JSON data: UNDEFINED where JavaScript has nothing."""
    if isinstance(obj, dict):
        return obj.get(key, UNDEFINED) if key in obj else UNDEFINED
    if isinstance(obj, (list, str)):
        if key == "length":
            return len(obj) if isinstance(obj, list) else len(obj.encode("utf-16-le")) // 2
        index = array_index(key)
        if index is not None and index < len(obj):
            return obj[index]
    return UNDEFINED


def get_keys(obj: Any, keys: Sequence[str]) -> Any:
    current = obj
    index = 0
    while current is not None and current is not UNDEFINED and index < len(keys):
        current = member(current, keys[index])
        index += 1
    return current if index and index == len(keys) else UNDEFINED


def get_path(obj: Any, name: str) -> Any:
    """lodash get(obj, name): the value, or UNDEFINED when any step is missing."""
    return get_keys(obj, path_keys(name, obj))


def field_value(obj: dict[str, Any], name: str, dot_notation: bool = True) -> Any:
    """A field of an item: by path when dot notation is on, else the key as it is."""
    if dot_notation:
        return get_path(obj, name)
    return obj.get(name, UNDEFINED)


def _assign(target: Any, key: str, value: Any) -> None:
    if isinstance(target, dict):
        target[key] = value
    elif isinstance(target, list):
        index = array_index(key)
        if index is None:
            return  # a named property on an array does not survive as JSON
        while len(target) <= index:
            target.append(None)  # JavaScript leaves holes; JSON shows them as null
        target[index] = value


def set_keys(obj: dict[str, Any], keys: Sequence[str], value: Any) -> None:
    nested: Any = obj
    last = len(keys) - 1
    for position, key in enumerate(keys):
        if key in _UNSAFE_KEYS:
            return
        if position == last:
            _assign(nested, key, value)
        else:
            current = member(nested, key)
            if not isinstance(current, (dict, list)):
                following = keys[position + 1]
                current = [] if array_index(following) is not None else {}
            _assign(nested, key, current)
        nested = member(nested, key)
        if nested is None or nested is UNDEFINED:
            return


def set_path(obj: dict[str, Any], name: str, value: Any) -> None:
    """lodash set: creates the objects (or arrays, before a numeric key) on the way."""
    set_keys(obj, path_keys(name, obj), value)


def unset_path(obj: dict[str, Any], name: str) -> None:
    """lodash unset: removes the field; in an array it leaves a hole (null in JSON)."""
    keys = path_keys(name, obj)
    parent = obj if len(keys) < 2 else get_keys(obj, keys[:-1])
    last = keys[-1] if keys else ""
    if isinstance(parent, dict):
        parent.pop(last, None)
    elif isinstance(parent, list):
        index = array_index(last)
        if index is not None and index < len(parent):
            parent[index] = None


def _has_keys(obj: Any, keys: Sequence[str]) -> bool:
    current = obj
    for key in keys:
        if not has_property(current, key):
            return False
        current = member(current, key)
    return bool(keys)


def pick_paths(obj: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """lodash pick: a new object with only these fields (nested ones rebuilt)."""
    out: dict[str, Any] = {}
    for name in names:
        keys = path_keys(name, obj)
        if _has_keys(obj, keys):
            set_keys(out, keys, get_keys(obj, keys))
    return out


def flatten_keys(obj: Any, prefix: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every leaf as `a.b.0`-style name -> value; empty objects and arrays give no leaf."""
    if not isinstance(obj, (dict, list)):
        return {".".join(prefix): obj}
    out: dict[str, Any] = {}
    if isinstance(obj, dict):
        entries = [(key, obj[key]) for key in js_keys(obj)]
    else:
        entries = [(str(i), v) for i, v in enumerate(obj)]
    for key, child in entries:
        out.update(flatten_keys(child, (*prefix, key)))
    if not prefix:
        return {key: out[key] for key in js_keys(out)}
    return out
