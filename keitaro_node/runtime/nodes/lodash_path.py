"""Field paths as n8n's nodes read and write them (lodash's get, set and unset).

`a.b[0].c` reaches into objects and arrays; a missing step is created as an array when the next
key is an index and as an object otherwise; a path that is itself a key of the object is that
key. Writes copy every container they change unless it is in `owned` (made for the output), so
input items are never changed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .conditions.js import is_undefined

MISSING: Any = object()

_PROP = re.compile(
    r"""[^.[\]]+|\[(?:(-?\d+(?:\.\d+)?)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))"""
)
_PLAIN = re.compile(r"^\w*$")
_DEEP = re.compile(r"""\.|\[(?:[^[\]]*|(["'])(?:(?!\1)[^\\]|\\.)*?\1)\]""")
_INDEX = re.compile(r"^(?:0|[1-9]\d*)$")
_FORBIDDEN = frozenset({"__proto__", "constructor", "prototype"})


@lru_cache(maxsize=2048)
def _string_to_path(path: str) -> tuple[str, ...]:
    parts: list[str] = []
    if path.startswith("."):
        parts.append("")
    for match in _PROP.finditer(path):
        number, quote, quoted = match.group(1), match.group(2), match.group(3)
        if quote:
            parts.append(re.sub(r"\\(\\)?", r"\1", quoted))
        else:
            parts.append(number if number is not None else match.group(0))
    return tuple(parts)


@lru_cache(maxsize=2048)
def _deep_path(path: str) -> tuple[str, ...] | None:
    """The steps of a path that reaches into objects (None: a key of its own)."""
    if _PLAIN.match(path) or not _DEEP.search(path):
        return None
    return _string_to_path(path)


def to_path(path: str, target: Any) -> tuple[str, ...]:
    """lodash's castPath: a plain key, a key the object has, or the parsed path."""
    steps = _deep_path(path)
    if steps is None or _has(target, path):
        return (path,)
    return steps


def _has(target: Any, key: str) -> bool:
    if isinstance(target, dict):
        return key in target
    if isinstance(target, list):
        return key == "length" or (bool(_INDEX.match(key)) and int(key) < len(target))
    return False


def _child(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key, MISSING)
    if isinstance(node, list):
        if _INDEX.match(key) and int(key) < len(node):
            return node[int(key)]
        if key == "length":
            return len(node)
        return MISSING
    if isinstance(node, str):
        if key == "length":
            return len(node)
        if _INDEX.match(key) and int(key) < len(node):
            return node[int(key)]
    return MISSING


def get(target: Any, path: str) -> Any:
    """The value at `path`, or MISSING."""
    node = target
    for key in to_path(path, target):
        if node is None or node is MISSING:
            return MISSING
        node = _child(node, key)
    return node


def _writable(node: Any, owned: set[int]) -> Any:
    if id(node) in owned:
        return node
    copy: Any = dict(node) if isinstance(node, dict) else list(node)
    owned.add(id(copy))
    return copy


def _put(node: Any, key: str, value: Any) -> None:
    """node[key] = value; an undefined value leaves the key out (as JSON does)."""
    if isinstance(node, dict):
        if is_undefined(value):
            node.pop(key, None)
        else:
            node[key] = value
    elif _INDEX.match(key):  # a list: an index past the end leaves holes (null in JSON)
        index = int(key)
        if index >= len(node):
            node.extend([None] * (index + 1 - len(node)))
        node[index] = None if is_undefined(value) else value


def set_path(root: dict[str, Any], path: str, value: Any, owned: set[int]) -> None:
    """lodash set on `root` (which must be owned), copying shared containers on the way."""
    steps = _deep_path(path)
    if steps is None or path in root:  # a key of its own: the common case, kept short
        if path not in _FORBIDDEN:
            _put(root, path, value)
        return
    forbidden, next_is_index = _step_facts(steps)
    if forbidden:
        return
    node: Any = root
    last = len(steps) - 1
    for position in range(last):
        key = steps[position]
        if isinstance(node, dict):
            child = node.get(key, MISSING)
        elif _INDEX.match(key):
            child = _child(node, key)
        else:
            return  # a named property on an array does not survive into JSON
        if isinstance(child, (dict, list)):
            if id(child) in owned:  # made for this output already: change it in place
                node = child
                continue
            child = _writable(child, owned)
        else:
            child = [] if next_is_index[position] else {}
            owned.add(id(child))
        _put(node, key, child)
        node = child
    _put(node, steps[last], value)


@lru_cache(maxsize=2048)
def _step_facts(steps: tuple[str, ...]) -> tuple[bool, tuple[bool, ...]]:
    """Whether a step is forbidden, and for each step whether the next one is an index."""
    forbidden = any(step in _FORBIDDEN for step in steps)
    return forbidden, tuple(bool(_INDEX.match(step)) for step in steps[1:])


def unset(root: dict[str, Any], path: str, owned: set[int]) -> None:
    """lodash unset: remove the last key (an array keeps a hole, null in JSON)."""
    keys = to_path(path, root)
    node: Any = root
    for key in keys[:-1]:
        child = _child(node, key)
        if not isinstance(child, (dict, list)):
            return
        node = child
    last = keys[-1] if keys else ""
    if _child(node, last) is MISSING:
        return
    # copy the containers on the way down, then remove
    node = root
    for key in keys[:-1]:
        child = _writable(_child(node, key), owned)
        _put(node, key, child)
        node = child
    if isinstance(node, dict):
        del node[last]
    elif _INDEX.match(last):
        node[int(last)] = None
