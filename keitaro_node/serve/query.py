"""Query strings read as n8n's web server reads them (the `qs` library's "extended" parser).

`a=1&a=2` gives a list, `a[b]=1` an object, `a[]=1&a[]=2` and `a[0]=1` lists; brackets nest
at most five levels deep (deeper ones stay part of the key, as in qs); list indexes above 20
become object keys; at most 1000 parameters are read. `flat=True` is Node's `querystring`
(form bodies): repeated names give lists, brackets are plain characters.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_plus

MAX_PARAMETERS = 1000
MAX_DEPTH = 5
MAX_INDEX = 20
_KEY = re.compile(r"^([^\[\]]*)((?:\[[^\[\]]*\])*)(.*)$")


class _Indexed(dict[int, Any]):
    """A list being built from `a[]` and `a[3]` keys."""


def parse_query(text: str, *, flat: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in text.split("&")[:MAX_PARAMETERS]:
        if not part:
            continue
        raw_key, _, raw_value = part.partition("=")
        key, value = unquote_plus(raw_key), unquote_plus(raw_value)
        if not key:
            continue
        if flat:
            _add_leaf(out, key, value)
        else:
            _assign(out, _segments(key), value)
    finished: dict[str, Any] = _finish(out)
    return finished


def _segments(key: str) -> list[str]:
    match = _KEY.match(key)
    if match is None or not match.group(1) or match.group(3):
        return [key]
    brackets = re.findall(r"\[([^\[\]]*)\]", match.group(2))
    kept = brackets[:MAX_DEPTH]
    segments = [match.group(1), *kept]
    rest = brackets[MAX_DEPTH:]
    if rest:
        segments.append("".join(f"[{r}]" for r in rest))
    return segments


def _add_leaf(target: dict[Any, Any], key: Any, value: Any) -> None:
    if key in target:
        existing = target[key]
        target[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
    else:
        target[key] = value


def _assign(target: dict[Any, Any], segments: list[str], value: Any) -> None:
    head, rest = segments[0], segments[1:]
    key: Any = head
    if isinstance(target, _Indexed):
        if head == "":
            key = len(target)
        elif head.isdigit() and int(head) <= MAX_INDEX:
            key = int(head)
    if not rest:
        _add_leaf(target, key, value)
        return
    child = target.get(key)
    wants_list = rest[0] == "" or (rest[0].isdigit() and int(rest[0]) <= MAX_INDEX)
    if child is None or isinstance(child, (str, list)):
        child = _Indexed() if wants_list else {}
        target[key] = child
    elif isinstance(child, _Indexed) and not wants_list:
        child = {str(k): v for k, v in child.items()}
        target[key] = child
    _assign(child, rest, value)


def _finish(value: Any) -> Any:
    if isinstance(value, _Indexed):
        return [_finish(value[k]) for k in sorted(value)]
    if isinstance(value, dict):
        return {str(k): _finish(v) for k, v in value.items()}
    return value
