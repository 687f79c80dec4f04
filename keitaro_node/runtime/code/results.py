"""What code returned, checked and turned into items by n8n's rules.

Values come back from the JavaScript engine or the Python process as JSON plus the kind the
value had there (`Returned`), because n8n's checks depend on what JSON loses: `undefined`
against `null`, a function against an object. The wording of the errors is n8n's.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any

from ..items import BinaryData, Item, PairedItem, Pairing
from .errors import CodeError, shape_error

RESERVED_KEYS = ("json", "binary", "pairedItem", "error", "index")


@dataclass(frozen=True, slots=True)
class Returned:
    """A returned value: its kind where it was made (`undefined`, `null`, `object`, `array`,
    `number`, `string`, `boolean`, `function`, ...) and its JSON value."""

    kind: str
    value: Any = None

    @property
    def truthy(self) -> bool:
        if self.kind in ("undefined", "null"):
            return False
        return js_truthy(self.value)


@dataclass(frozen=True, slots=True)
class Words:
    """How errors name the returned thing: 'object' for JavaScript, 'dictionary' for Python."""

    singular: str
    plural: str

    @property
    def with_article(self) -> str:
        article = "an" if self.singular[0] in "aeiou" else "a"
        return f"{article} {self.singular}"


JS_WORDS = Words("object", "objects")
PYTHON_WORDS = Words("dictionary", "dictionaries")


def js_truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return not (value == 0 or (isinstance(value, float) and math.isnan(value)))
    return not (isinstance(value, str) and value == "")


def js_text(value: Any) -> str:
    """JavaScript's String(value) for JSON values, for messages that quote a value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, list):
        return ",".join("" if v is None else js_text(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _type_name(returned: Returned) -> str:
    return "undefined" if returned.kind == "undefined" else js_text(returned.value)


def _js_typeof(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"


def all_items(returned: Returned, words: Words) -> list[dict[str, Any]]:
    """A "Run Once for All Items" result: an array of items (or one item), checked."""
    not_items = shape_error(
        "Code doesn't return items properly",
        f"return an array of {words.plural}, one for each output item",
    )
    if returned.kind not in ("object", "array"):
        raise not_items
    value = returned.value
    if isinstance(value, list):
        if not all(isinstance(entry, dict) for entry in value):
            raise not_items
        if any(key in RESERVED_KEYS for entry in value for key in entry):
            for index, entry in enumerate(value):
                _top_level_keys(entry, index, None)
    elif not isinstance(value, dict):
        raise not_items
    items = normalize_items(value)
    for index, item in enumerate(items):
        _check_item(item, index, words, None)
    return items


def each_item(returned: Returned, index: int, words: Words) -> dict[str, Any]:
    """A "Run Once for Each Item" result as n8n's sandbox checks it (Python, Function Item)."""
    if returned.kind not in ("object", "array", "null"):
        raise shape_error(
            f"Code doesn't return {words.with_article}",
            f"return {words.with_article} for the output item; "
            f"'{_type_name(returned)}' was returned",
            shown_index=index,
            item_index=index,
        )
    value = returned.value
    if isinstance(value, list):
        first = (
            f"An array of {_js_typeof(value[0])}s was returned."
            if value
            else "An empty array was returned."
        )
        raise shape_error(
            f"Code doesn't return a single {words.singular}",
            f"{first} To output several items, use the 'Run Once for All Items' mode",
            shown_index=index,
            item_index=index,
        )
    if not isinstance(value, dict):
        raise shape_error(
            f"Code doesn't return {words.with_article}",
            f"return {words.with_article} for the output item; 'null' was returned",
            shown_index=index,
            item_index=index,
        )
    [item] = normalize_items([value])
    _check_item(item, index, words, index)
    _top_level_keys(item, index, index)
    return item


def each_item_js(returned: Returned, index: int) -> dict[str, Any] | None:
    """A "Run Once for Each Item" JavaScript result as n8n's task runner takes it.

    A falsy result (`null`, `undefined`, `0`, `''`) outputs nothing for the item; an object
    with `json` gives that; any other value becomes the item's json (and fails unless it is
    an object); `binary` is kept when set.
    """
    if not returned.truthy:
        return None
    value = returned.value
    json: Any = value
    binary: Any = None
    if isinstance(value, dict):
        if "json" in value:
            json = value["json"]
        elif "binary" in value:
            json = value.get("json") if value.get("json") is not None else {}
        if js_truthy(value.get("binary")):
            binary = value["binary"]
    item: dict[str, Any] = {"json": json, "pairedItem": {"item": index}}
    if binary is not None:
        item["binary"] = binary
    _check_item(item, index, JS_WORDS, index)
    return item


def normalize_items(value: Any) -> list[dict[str, Any]]:
    """n8n's normalizeItems: one object or an array, with or without the `json` wrapper."""
    entries: list[Any]
    if isinstance(value, dict):
        entries = [value] if js_truthy(value.get("json")) else [{"json": value}]
    else:
        entries = list(value)
    has_json = [isinstance(e, dict) and "json" in e for e in entries]
    if all(has_json):
        return entries
    if any(has_json):
        raise CodeError("Inconsistent item format")
    has_binary = [isinstance(e, dict) and "binary" in e for e in entries]
    if all(has_binary):
        return [
            {"json": {k: v for k, v in e.items() if k != "binary"}, "binary": e["binary"]}
            for e in entries
        ]
    if any(has_binary):
        raise CodeError("Inconsistent item format")
    return [{"json": entry} for entry in entries]


def _check_item(item: dict[str, Any], index: int, words: Words, input_index: int | None) -> None:
    if not isinstance(item.get("json"), dict):
        raise shape_error(
            f"A 'json' property isn't {words.with_article}",
            f"every 'json' key of the returned data must hold {words.with_article}",
            shown_index=index,
            item_index=input_index,
        )
    if "binary" in item and not isinstance(item["binary"], dict):
        raise shape_error(
            f"A 'binary' property isn't {words.with_article}",
            f"every 'binary' key of the returned data must hold {words.with_article}",
            shown_index=index,
            item_index=input_index,
        )


def _top_level_keys(item: dict[str, Any], index: int, input_index: int | None) -> None:
    reserved = next((key for key in item if key in RESERVED_KEYS), None)
    unknown = [key for key in item if key not in RESERVED_KEYS]
    if not unknown:
        return
    if reserved is not None:
        raise shape_error(
            "Invalid output format",
            f"an output item has the reserved key '{reserved}' beside other keys; "
            "put each item's data under a key called 'json'",
            shown_index=index,
            item_index=input_index,
        )
    raise shape_error(
        f"Unknown top-level item key: {unknown[0]}",
        "an item's data belongs under its 'json' key, as in item.json",
        shown_index=index,
        item_index=input_index,
    )


def paired_item(value: Any) -> Pairing | None:
    """A returned `pairedItem` (a number, `{item, input}` or a list of them) as ours."""
    if isinstance(value, list):
        pairs = [pair for pair in map(_one_pair, value) if pair is not None]
        return pairs or None
    return _one_pair(value)


def _one_pair(value: Any) -> PairedItem | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return PairedItem(int(value))
    if isinstance(value, dict) and isinstance(value.get("item"), (int, float)):
        source = value.get("input")
        return PairedItem(int(value["item"]), int(source) if isinstance(source, int) else 0)
    return None


def to_item(data: dict[str, Any], index: int | None = None) -> Item:
    """A checked item as an Item; binary entries come back as base64 `data`."""
    item = Item(json=data["json"], paired_item=paired_item(data.get("pairedItem")))
    binary = data.get("binary")
    if isinstance(binary, dict) and binary:
        item.binary = {name: _binary(name, entry, index) for name, entry in binary.items()}
    return item


def _binary(name: str, entry: Any, index: int | None) -> BinaryData:
    where = f"item {index}" if index is not None else "an item"
    if not isinstance(entry, dict) or not isinstance(entry.get("data"), str):
        raise CodeError(
            f"Binary property '{name}' of {where} has no data",
            description="a binary entry needs 'data' (base64), and may have 'mimeType' and "
            "'fileName'; return the input's binary object unchanged to pass a file on",
            item_index=index,
        )
    try:
        data = base64.b64decode(entry["data"], validate=True)
    except (binascii.Error, ValueError):
        raise CodeError(
            f"Binary property '{name}' of {where} is not base64",
            description="the 'data' of a binary entry must be base64 text",
            item_index=index,
        ) from None
    mime = entry.get("mimeType")
    file_name = entry.get("fileName")
    return BinaryData(
        data=data,
        mime_type=mime if isinstance(mime, str) and mime else "application/octet-stream",
        file_name=file_name if isinstance(file_name, str) else None,
    )
