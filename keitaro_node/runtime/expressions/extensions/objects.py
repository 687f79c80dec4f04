"""Object extensions: isEmpty, hasField, removeField, compact, urlEncode, keys, ..."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from ..json_text import json_stringify
from ..values import UNDEFINED, ExpressionError, ExprObject, js_string


def _plain(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, ExprObject):
        plain = value.expr_plain()
        return plain if isinstance(plain, dict) else {}
    return {}


def _text_arg(args: list[Any], message: str) -> str:
    match = args[0] if args else UNDEFINED
    if not isinstance(match, str) or match == "":
        raise ExpressionError(message)
    return match


def _remove_containing(value: Any, args: list[Any]) -> dict[str, Any]:
    match = _text_arg(args, "removeFieldsContaining(): expected non-empty string arg")
    return {k: v for k, v in _plain(value).items() if not (isinstance(v, str) and match in v)}


def _keep_containing(value: Any, args: list[Any]) -> dict[str, Any]:
    match = _text_arg(args, "argument of keepFieldsContaining must be a non-empty string")
    return {k: v for k, v in _plain(value).items() if isinstance(v, str) and match in v}


def compact_object(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is None or item is UNDEFINED or item == "nil" or item == "":
            continue
        if isinstance(item, dict):
            if not item:
                continue
            out[key] = compact_object(item)
        elif isinstance(item, list):
            if not item:
                continue
            out[key] = compact_object({str(i): v for i, v in enumerate(item)})
        else:
            out[key] = item
    return out


def _url_encode(value: Any, _args: list[Any]) -> str:
    return "&".join(
        f"{quote_plus(k, safe='*-._')}={quote_plus(js_string(v), safe='*-._')}"
        for k, v in _plain(value).items()
    )


def _remove_field(value: Any, args: list[Any]) -> Any:
    name = js_string(args[0]) if args else "undefined"
    plain = _plain(value)
    if name in plain:
        return {k: v for k, v in plain.items() if k != name}
    return value


OBJECT_EXTENSIONS: dict[str, Any] = {
    "isEmpty": lambda o, _a: len(_plain(o)) == 0,
    "isNotEmpty": lambda o, _a: len(_plain(o)) != 0,
    "hasField": lambda o, a: (js_string(a[0]) if a else "undefined") in _plain(o),
    "removeField": _remove_field,
    "removeFieldsContaining": _remove_containing,
    "keepFieldsContaining": _keep_containing,
    "compact": lambda o, _a: compact_object(_plain(o)),
    "urlEncode": _url_encode,
    "keys": lambda o, _a: list(_plain(o)),
    "values": lambda o, _a: list(_plain(o).values()),
    "toJsonString": lambda o, _a: json_stringify(o),
    "toInt": lambda o, _a: UNDEFINED,
    "toFloat": lambda o, _a: UNDEFINED,
    "toBoolean": lambda o, _a: UNDEFINED,
    "toDateTime": lambda o, _a: UNDEFINED,
}
