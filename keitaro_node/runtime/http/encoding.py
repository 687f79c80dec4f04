"""Request bodies and query strings as n8n's HTTP Request node puts them on the wire.

Query strings and form bodies follow the `qs` library's rules that n8n uses: nested objects as
`a[b]=c`, arrays as `a[0]=x` (indices, the default), `a[]=x` (brackets) or `a=x&a=y` (repeat),
values converted as JavaScript's String() does. Multipart bodies are encoded here, as bytes,
so that a retry or a redirect can send the same body again.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

ArrayFormat = Literal["indices", "brackets", "repeat"]


def js_text(value: Any) -> str:
    """A value as JavaScript's String() writes it (objects as compact JSON)."""
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
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    return js_json(value)


def js_json(value: Any) -> str:
    """JSON.stringify(value): compact, with whole floats written as integers."""
    return json.dumps(_tidy(value), ensure_ascii=False, separators=(",", ":"))


def _tidy(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {str(k): _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def query_pairs(
    params: Mapping[str, Any], array_format: ArrayFormat = "indices"
) -> list[tuple[str, str]]:
    """Flatten `params` into (key, value) pairs the way qs.stringify does."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten(str(key), value, array_format, pairs)
    return pairs


def _flatten(
    prefix: str, value: Any, array_format: ArrayFormat, pairs: list[tuple[str, str]]
) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}[{key}]", inner, array_format, pairs)
        return
    if isinstance(value, list):
        for index, inner in enumerate(value):
            if array_format == "repeat":
                key = prefix
            elif array_format == "brackets":
                key = f"{prefix}[]"
            else:
                key = f"{prefix}[{index}]"
            _flatten(key, inner, array_format, pairs)
        return
    pairs.append((prefix, js_text(value)))


def encode_pairs(pairs: Iterable[tuple[str, str]]) -> str:
    """`a=1&b=x%20y`: RFC 3986 percent-encoding, as qs does by default."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    """`url` with `pairs` appended to whatever query it already has."""
    if not pairs:
        return url
    url, hash_mark, fragment = url.partition("#")
    joiner = "&" if "?" in url else "?"
    if url.endswith(("?", "&")):
        joiner = ""
    return f"{url}{joiner}{encode_pairs(pairs)}{hash_mark}{fragment}"


@dataclass(frozen=True, slots=True)
class FilePart:
    """A file in a multipart body."""

    data: bytes
    file_name: str | None
    content_type: str


def multipart(fields: Iterable[tuple[str, str | FilePart]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type (with the boundary)."""
    boundary = "--------------------------keitaro" + secrets.token_hex(12)
    chunks: list[bytes] = []
    for name, value in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"'
        if isinstance(value, FilePart):
            if value.file_name is not None:
                head += f'; filename="{_quoted(value.file_name)}"'
            head += f"\r\nContent-Type: {value.content_type}\r\n\r\n"
            chunks += [head.encode("utf-8"), value.data, b"\r\n"]
        else:
            head += "\r\n\r\n"
            chunks += [head.encode("utf-8"), value.encode("utf-8"), b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at a path such as `a.b[0].c` (lodash's _.set), creating what is missing:
    an array where the next step is an index, an object otherwise."""
    steps = _steps(path)
    node: Any = target
    for step, following in zip(steps, [*steps[1:], None], strict=True):
        if following is None:
            _put(node, step, value)
            return
        child = _get(node, step)
        if not isinstance(child, (dict, list)):
            child = [] if isinstance(following, int) else {}
            _put(node, step, child)
        node = child


_STEP = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


def _steps(path: str) -> list[str | int]:
    """`a.b[0].c` -> ['a', 'b', 0, 'c']; an empty path is the empty key."""
    steps: list[str | int] = []
    for bracket, plain in _STEP.findall(path):
        text = plain or bracket
        steps.append(int(text) if text.isdigit() else text)
    return steps or [path]


def _get(node: Any, step: str | int) -> Any:
    if isinstance(node, list) and isinstance(step, int):
        return node[step] if step < len(node) else None
    if isinstance(node, dict):
        return node.get(str(step))
    return None


def _put(node: Any, step: str | int, value: Any) -> None:
    if isinstance(node, list) and isinstance(step, int):
        while len(node) <= step:
            node.append(None)
        node[step] = value
    elif isinstance(node, dict):
        node[str(step)] = value
