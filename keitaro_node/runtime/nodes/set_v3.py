"""Edit Fields (Set) 3-3.4: typed fields or a JSON object, laid over the input as chosen.

Manual mode takes `fields.values` (3-3.2, types `stringValue`, `numberValue`, ...) or
`assignments` (3.3 and later, types `string`, `number`, `boolean`, `array`, `object`, `binary`)
and converts each value to its type as n8n does, per version. Raw mode takes `jsonOutput`, whose
`{{ }}` blocks are filled in as text before the JSON is read, as n8n fills them. The output then
starts from all, none, some or all-but-some of the input fields.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from ..errors import NodeOperationError
from ..expressions import ExpressionError
from ..expressions.dates import SETTINGS, DateTimeValue, JsDate
from ..expressions.luxon import LuxonDateTime, to_iso
from ..expressions.luxon.parsing import from_http, from_iso, from_rfc2822, from_sql, js_date_parse
from ..expressions.luxon.zones import Zone
from ..items import BinaryData, Item, PairedItem
from ..node import ExecutionContext
from ..raw_parameters import Plan, RawParameters, has_expression, plan_value
from ..timezone import workflow_zone
from . import lodash_path
from .conditions import validate_field_type
from .conditions.js import UNDEFINED, describe_value, is_nullish, js_string, json_stringify
from .json_repair import parse_lenient_json

_RESOLVABLE = r"\{\{[\s\S]*?\}\}"


class FieldError(ValueError):
    """A field or the JSON output cannot be used; n8n's message and its description."""

    def __init__(self, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.description = description


def set_v3(ctx: ExecutionContext, items: list[Item]) -> list[Item]:
    params = ctx.raw_parameters
    version = ctx.type_version
    mode = params.get("mode", 0)
    raw_data = _raw_expressions(params, mode)
    assignments = Assignments(params) if mode != "raw" and version >= 3.3 else None
    results: list[Item] = []
    for index, item in enumerate(items):
        include_other = params.get("includeOtherFields", index, False)
        include = params.get("include", index, "all")
        options = dict(params.get("options", index, {}))
        if version >= 3.3:
            options["include"] = include if include_other else "none"
        else:
            options["include"] = include
        try:
            if mode == "raw":
                results.append(_raw_item(params, index, item, options, raw_data))
            else:
                results.append(
                    _manual_item(params, index, item, options, raw_data, ctx.time_zone, assignments)
                )
        except (FieldError, NodeOperationError) as exc:
            error = NodeOperationError(
                exc.message, description=exc.description, item_index=index, node_name=ctx.node_name
            )
            if not ctx.continue_on_fail:
                raise error from None
            if mode == "raw":  # an error item, which continueErrorOutput moves to its output
                results.append(
                    Item(json={"error": exc.message}, error=error, paired_item=PairedItem(index))
                )
            else:  # n8n's manual mode puts the pairing inside the JSON, and the item stays
                json = {"error": exc.message, "pairedItem": {"item": index}}
                results.append(Item(json=json, paired_item=PairedItem(index)))
    return results


def _raw_expressions(params: RawParameters, mode: Any) -> dict[str, str]:
    """Values n8n reads with their expressions unevaluated, to fill them in as text."""
    raw: dict[str, str] = {}
    if mode == "raw":
        text = params.raw_value("jsonOutput", "")
        if isinstance(text, str) and text.startswith("="):
            raw["jsonOutput"] = text.lstrip("=")
        return raw
    for entry in params.raw_value("fields.values", []):
        value = entry.get("objectValue")
        if entry.get("type") == "objectValue" and isinstance(value, str) and value.startswith("="):
            raw[js_string(entry.get("name", UNDEFINED))] = value.lstrip("=")
    return raw


def _resolve_raw(params: RawParameters, text: str, index: int) -> str:
    """n8n's resolveRawData: each `{{ }}` block becomes its value as text (objects as JSON)."""
    out = text
    for block in re.findall(_RESOLVABLE, text):
        value = params.evaluate("=" + block, index)
        shown = json_stringify(value) if isinstance(value, (dict, list)) else js_string(value)
        out = out.replace(block, shown, 1)
    return out


def _parse_json_parameter(value: Any, index: int, entry: str | None = None) -> Any:
    where = f"entry \"{entry}\" inside 'Fields to Set'" if entry is not None else "'JSON Output'"
    if isinstance(value, str):
        try:
            value = parse_lenient_json(value)
        except ValueError:
            raise FieldError(f"The {where} in item {index} contains invalid JSON", value) from None
    if not isinstance(value, dict) and value is not None:
        raise FieldError(f"The {where} in item {index} does not contain a valid JSON object")
    if value is None:
        raise FieldError(f"The {where} in item {index} does not contain a valid JSON object")
    return value


def _raw_item(
    params: RawParameters, index: int, item: Item, options: dict[str, Any], raw: dict[str, str]
) -> Item:
    if "jsonOutput" in raw:
        fields = _parse_json_parameter(_resolve_raw(params, raw["jsonOutput"], index), index)
    else:
        fields = _parse_json_parameter(params.get("jsonOutput", index), index)
    return compose(params, index, item, fields, options)


def _manual_item(
    params: RawParameters,
    index: int,
    item: Item,
    options: dict[str, Any],
    raw: dict[str, str],
    zone: Zone,
    assignments: Assignments | None = None,
) -> Item:
    version = params.type_version
    ignore = bool(options.get("ignoreConversionErrors"))
    fields: dict[str, Any] = {}
    if version < 3.3:
        for entry in params.get("fields.values", index, []):
            kind = js_string(entry.get("type", UNDEFINED))
            name = js_string(entry.get("name", UNDEFINED))
            value = entry.get(kind, UNDEFINED)
            if kind == "objectValue" and name in raw and entry.get("objectValue") is not None:
                value = _parse_json_parameter(_resolve_raw(params, raw[name], index), index, name)
            fields[name] = validate_entry(
                name, kind.replace("Value", ""), value, index, ignore, version, zone
            )
        return compose(params, index, item, fields, options)
    binaries: list[dict[str, Any]] = []
    entries = assignments.entries(index) if assignments is not None else None
    if assignments is not None and entries is not None:
        names = assignments.names
        for number, (entry, value) in enumerate(entries):
            if entry["type"] == "binary":
                binaries.append({**entry, "value": value})
                continue
            fields[names[number]] = assignments.convert(number, value, index, ignore, version, zone)
        return _with_binaries(compose(params, index, item, fields, options), item, binaries, index)
    collection = params.get("assignments", index)
    entries = collection.get("assignments") if isinstance(collection, dict) else None
    if collection not in ({}, None) and not isinstance(entries, list):
        raise FieldError(
            "'Fields to Set' must be {assignments: [{name, value, type}]}, as n8n's editor saves it"
        )
    for number, entry in enumerate(entries or []):
        if not isinstance(entry, dict):
            raise FieldError(f"field {number + 1} of 'Fields to Set' is not an object")
        if entry.get("type") == "binary":
            binaries.append(entry)
            continue
        name = js_string(entry.get("name", UNDEFINED))
        field_type = entry.get("type")
        if not isinstance(field_type, str) and not is_nullish(entry.get("value")):
            raise FieldError(
                f"field '{name}' of 'Fields to Set' has no type - use string, number, boolean, "
                "array, object or binary"
            )
        value = entry.get("value", UNDEFINED)
        fields[name] = validate_entry(name, field_type or "", value, index, ignore, version, zone)
    return _with_binaries(compose(params, index, item, fields, options), item, binaries, index)


def _with_binaries(out: Item, item: Item, binaries: list[dict[str, Any]], index: int) -> Item:
    if binaries:
        out.binary = dict(out.binary or {})
        for entry in binaries:
            out.binary[js_string(entry.get("name", UNDEFINED))] = _binary(
                item, entry.get("value"), index
            )
    return out


class Assignments:
    """Edit Fields 3.3+'s assignments read once per run, when their names and types are fixed
    (as the editor saves them): per item only the values' expressions are evaluated, in
    order, and a fixed value is converted once. Otherwise (names from expressions, odd shapes)
    the node reads the whole collection per item."""

    def __init__(self, params: RawParameters) -> None:
        self.params = params
        self._plans: list[tuple[dict[str, Any], Plan | None]] = []
        self.names: list[str] = []  # each entry's field name, as text
        self._converted: dict[tuple[int, bool], Any] = {}
        self.usable = self._compile(params.raw_value("assignments"))

    def _compile(self, raw: Any) -> bool:
        if not isinstance(raw, dict) or set(raw) != {"assignments"}:
            return False
        entries = raw["assignments"]
        if not isinstance(entries, list):
            return False
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
                return False
            if any(has_expression(v) for k, v in entry.items() if k != "value"):
                return False
            value = entry.get("value", UNDEFINED)
            self._plans.append((entry, plan_value(value) if has_expression(value) else None))
            self.names.append(js_string(entry.get("name", UNDEFINED)))
        return True

    def entries(self, index: int) -> list[tuple[dict[str, Any], Any]] | None:
        """Each entry with its value for item `index` (every expression evaluated first, as n8n
        reads the collection), or None when the collection must be read per item."""
        if not self.usable:
            return None
        scope = self.params.scope(index)
        try:
            return [
                (entry, plan(scope) if plan is not None else entry.get("value", UNDEFINED))
                for entry, plan in self._plans
            ]
        except ExpressionError as exc:
            raise NodeOperationError(
                f"the expression in parameter 'assignments' failed: {exc}",
                item_index=index,
                node_name=self.params.node_name,
            ) from None

    def convert(
        self, number: int, value: Any, index: int, ignore: bool, version: float, zone: Zone
    ) -> Any:
        entry, plan = self._plans[number]
        key = (number, ignore)
        if plan is None and key in self._converted:
            return self._converted[key]
        name = self.names[number]
        converted = validate_entry(name, entry["type"], value, index, ignore, version, zone)
        if plan is None:
            self._converted[key] = converted
        return converted


def date_time(value: Any, zone: Zone) -> LuxonDateTime | None:
    """n8n's tryToParseDateTime: a date as given (a DateTime keeps its zone), else text read as
    ISO, HTTP, RFC 2822 or SQL keeping an offset it names, else as JavaScript reads it; text
    without an offset is in `zone`. None when it is not a date."""
    if isinstance(value, DateTimeValue):
        return value.value if value.value.is_valid else None
    if isinstance(value, JsDate):
        return LuxonDateTime(value.ms, zone) if value.valid else None
    text = js_string(value).strip()
    for reader in (from_iso, from_http, from_rfc2822, from_sql):
        moment = reader(text, zone, set_zone=True)
        if moment.is_valid:
            return moment
    moment = LuxonDateTime(js_date_parse(text, SETTINGS.js_zone), zone)
    return moment if moment.is_valid else None


def validate_entry(
    name: str,
    kind: str,
    value: Any,
    index: int,
    ignore_errors: bool,
    version: float,
    zone: Zone | None = None,
) -> Any:
    """n8n's validateEntry: a field's value converted to its type, per node version.

    A date becomes n8n's text of it: in the offset it was written with, else in `zone` (the
    workflow's time zone)."""
    if type(value) is str and kind == "string":  # text stays text: the common case, short
        return value
    if version >= 3.2 and is_nullish(value):
        return None
    if kind == "string":
        if version > 3 and is_nullish(value):
            if ignore_errors:
                return None
            raise FieldError(
                f"'{name}' expects a {kind} but we got {describe_value(value)} [item {index}]",
                _type_hint(name),
            )
        if value is None or isinstance(value, (dict, list)):  # typeof null is "object"
            value = json_stringify(value)
        else:
            value = js_string(value)
    if kind.lower() == "datetime":
        moment = date_time(value, zone or workflow_zone())
        ok, converted = moment is not None, to_iso(moment) if moment is not None else None
    else:
        ok, converted = validate_field_type(value, kind)
    if not ok:
        if ignore_errors:
            return None if is_nullish(value) else value
        raise FieldError(
            f"'{name}' expects a {kind} but we got {describe_value(value)} [item {index}]",
            _type_hint(name),
        )
    return None if is_nullish(converted) else converted


def _type_hint(name: str) -> str:
    return (
        f'To fix the error try to change the type for the field "{name}" or activate the option '
        "“Ignore Type Conversion Errors” to apply a less strict type validation"
    )


def compose(
    params: RawParameters, index: int, item: Item, fields: dict[str, Any], options: dict[str, Any]
) -> Item:
    """n8n's composeReturnItem: the input fields chosen by `include`, then the new fields."""
    version = params.type_version
    include = options.get("include")
    if version >= 3.4:
        keep_binary = not options.get("stripBinary") and include != "none"
    else:
        keep_binary = bool(options.get("includeBinary"))
    dot = options.get("dotNotation") is not False
    json: dict[str, Any]
    owned: set[int] = set()
    if include == "all":
        json = dict(item.json)
    elif include == "selected":
        json = {}
        for key in _field_list(params.get("includeFields", index)):
            value = lodash_path.get(item.json, key) if dot else _plain_get(item.json, key)
            if value is lodash_path.MISSING:
                continue
            target = key.split(".")[-1] if dot and "." in key else key
            _put(json, target, value, dot, owned)
    elif include == "except":
        json = dict(item.json)
        owned.add(id(json))
        for key in _field_list(params.get("excludeFields", index)):
            if dot:
                lodash_path.unset(json, key, owned)
            else:
                json.pop(_plain_key(json, key), None)
    elif include == "none":
        json = {}
    else:
        raise FieldError(f'The include option "{js_string(include)}" is not known!')
    owned.add(id(json))
    for key, value in fields.items():
        _put(json, key, value, dot, owned)
    binary = dict(item.binary) if keep_binary and item.binary else None
    return Item(json=json, binary=binary, paired_item=PairedItem(index))


def _field_list(value: Any) -> list[str]:
    return [part.strip() for part in js_string(value).split(",") if part.strip()]


def _plain_key(json: dict[str, Any], key: str) -> str:
    """n8n's sanitizeDataPathKey: `['a.b']` names the field a.b when there is no field `['a.b']`."""
    if key in json:
        return key
    if (key.startswith("['") and key.endswith("']")) or (
        key.startswith('["') and key.endswith('"]')
    ):
        inner = key[2:-2]
        if inner in json:
            return inner
    return key


def _plain_get(json: dict[str, Any], key: str) -> Any:
    return json.get(_plain_key(json, key), lodash_path.MISSING)


def _put(json: dict[str, Any], key: str, value: Any, dot: bool, owned: set[int]) -> None:
    if dot:
        lodash_path.set_path(json, key, value, owned)
    else:
        json[_plain_key(json, key)] = value


def _binary(item: Item, value: Any, index: int) -> BinaryData:
    """n8n's assertBinaryData: a binary field of the input item by name, or a binary object."""
    if isinstance(value, dict) and "data" in value and "mimeType" in value:
        try:
            data = base64.b64decode(js_string(value["data"]), validate=False)
        except ValueError:
            data = js_string(value["data"]).encode()
        return BinaryData(data, js_string(value["mimeType"]), value.get("fileName"))
    if not isinstance(value, str):
        raise FieldError(
            "Provided parameter is not a string or binary data object.",
            "Give the name of a binary field of the input item",
        )
    if item.binary is None:
        raise FieldError(
            f"This operation expects the node's input data to contain a binary file '{value}', "
            f"but none was found [item {index}]",
            "Make sure that the previous node outputs a binary file",
        )
    found = item.binary.get(value)
    if found is None:
        raise FieldError(
            f"The item has no binary field '{value}' [item {index}]",
            "Check the binary field name: it must match a binary field of the input item",
        )
    return found
