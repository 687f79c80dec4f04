"""n8n's filter conditions: the engine behind If 2.x, Filter 2.x and Switch 3.x rules.

A filter value is `{options: {caseSensitive, typeValidation, version}, conditions: [{leftValue,
rightValue, operator: {type, operation, rightType?, singleValue?}}], combinator: and|or}`, as
n8n's editor saves it. Each side is first read as the operator's type - strictly (the value must
already have that type) or loosely (converted where it can be) - and the operation then runs on
the converted values. Failures carry n8n's own message, so users can search for it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from ...expressions.luxon.zones import Zone
from ...timezone import workflow_zone
from . import regex as js_regex
from .dates import parse_date_time
from .js import (
    UNDEFINED,
    compare,
    is_nan,
    is_nullish,
    is_number,
    js_number,
    js_string,
    js_trim,
    json_stringify,
    same_value_zero,
    strict_equal,
    tidy,
    truthy,
    typeof,
)


class ConditionError(ValueError):
    """A condition cannot be evaluated: n8n's message, and a description of what to do."""

    def __init__(self, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.description = description


TYPES = ("string", "number", "boolean", "dateTime", "array", "object", "any")
_EXISTENCE = ("exists", "notExists")
OPERATIONS: dict[str, tuple[str, ...]] = {
    "string": (
        *_EXISTENCE,
        "empty",
        "notEmpty",
        "equals",
        "notEquals",
        "contains",
        "notContains",
        "startsWith",
        "notStartsWith",
        "endsWith",
        "notEndsWith",
        "regex",
        "notRegex",
    ),
    "number": (*_EXISTENCE, "empty", "notEmpty", "equals", "notEquals", "gt", "lt", "gte", "lte"),
    "dateTime": (
        *_EXISTENCE,
        "empty",
        "notEmpty",
        "equals",
        "notEquals",
        "after",
        "before",
        "afterOrEquals",
        "beforeOrEquals",
    ),
    "boolean": (*_EXISTENCE, "empty", "notEmpty", "true", "false", "equals", "notEquals"),
    "array": (
        *_EXISTENCE,
        "empty",
        "notEmpty",
        "contains",
        "notContains",
        "lengthEquals",
        "lengthNotEquals",
        "lengthGt",
        "lengthLt",
        "lengthGte",
        "lengthLte",
    ),
    "object": (*_EXISTENCE, "empty", "notEmpty"),
    "any": _EXISTENCE,
}


def is_filter_value(value: Any) -> bool:
    return isinstance(value, dict) and "conditions" in value and "combinator" in value


def filter_passes(value: Any, item_index: int, zone: Zone | None = None) -> bool:
    """What n8n's nodes get for a filter parameter: the conditions' verdict for this item.

    A value that is not a filter (say `{}`, the default) is taken for its truthiness, as n8n
    takes it: such a node sends every item to its first output. Dates without an offset are
    read in `zone` (the workflow's time zone; by default as timezone.workflow_zone finds it).
    """
    if not is_filter_value(value):
        return truthy(value)
    conditions = value["conditions"]
    if not isinstance(conditions, list):
        raise ConditionError(
            "the conditions are not a list - expected {conditions: [...], combinator, options}"
        )
    options = value.get("options")
    if not isinstance(options, dict):
        raise ConditionError(
            "the conditions have no 'options' object - expected options: {caseSensitive, "
            "typeValidation, version}, as n8n's editor saves them"
        )
    combinator = value["combinator"]
    if combinator not in ("and", "or"):
        raise ConditionError(f"unknown combinator {combinator!r} - use 'and' or 'or'")
    for index, condition in enumerate(conditions):
        passed = execute_condition(condition, options, index, item_index, zone)
        if combinator == "and" and not passed:
            return False
        if combinator == "or" and passed:
            return True
    return bool(combinator == "and")


def execute_condition(
    condition: Any,
    options: dict[str, Any],
    index: int,
    item_index: int,
    zone: Zone | None = None,
) -> bool:
    """One condition's verdict; ConditionError when a value has the wrong type."""
    operator = _operator(condition, index)
    kind, operation = operator["type"], operator["operation"]
    left, right = _parse_values(condition, operator, options, index, item_index, zone)
    exists = not is_nullish(left) and not is_nan(left)
    if operation == "exists":
        return exists
    if operation == "notExists":
        return not exists
    ignore_case = not options.get("caseSensitive")
    handler = _HANDLERS[kind]
    return bool(handler(operation, left, right, exists, ignore_case))


def _operator(condition: Any, index: int) -> dict[str, Any]:
    where = f"condition {index + 1}"
    if not isinstance(condition, dict):
        raise ConditionError(f"{where} is not an object with leftValue, rightValue and operator")
    operator = condition.get("operator")
    if not isinstance(operator, dict):
        raise ConditionError(
            f"{where} has no operator - expected operator: {{type, operation}}, "
            'for example {"type": "string", "operation": "equals"}'
        )
    kind, operation = operator.get("type"), operator.get("operation")
    if kind not in OPERATIONS:
        raise ConditionError(
            f"{where}: unknown operator type {kind!r} - use one of {', '.join(TYPES)}"
        )
    if operation not in OPERATIONS[kind]:
        raise ConditionError(
            f"{where}: unknown operator {kind}:{operation} - {kind} conditions offer "
            + ", ".join(OPERATIONS[kind])
        )
    right_type = operator.get("rightType", kind)
    if right_type not in TYPES:
        raise ConditionError(f"{where}: unknown rightType {right_type!r}")
    return operator


# --- reading each side as the operator's type --------------------------------------------------

Parsed = tuple[bool, Any]


def _parse_values(
    condition: dict[str, Any],
    operator: dict[str, Any],
    options: dict[str, Any],
    index: int,
    item_index: int,
    zone: Zone | None,
) -> tuple[Any, Any]:
    strict = options.get("typeValidation") == "strict"
    version = options.get("version") or 1
    left_value = condition.get("leftValue", UNDEFINED)
    right_value = condition.get("rightValue", UNDEFINED)
    kind = operator["type"]
    right_type = operator.get("rightType", kind)
    left_ok, left = parse_single_value(left_value, kind, strict, version, zone)
    right_ok, right = parse_single_value(right_value, right_type, strict, version, zone)
    right_valid = right_ok or bool(operator.get("singleValue"))
    suffix = f"[condition {index}, item {item_index}]"
    if not left_ok and not right_valid and typeof(left_value) == typeof(right_value):
        raise ConditionError(
            f"Comparison type expects {_a(kind)} but both fields are {_a(typeof(left_value))}",
            _retry_hint(strict),
        )
    if not left_ok:
        raise _type_error(kind, left_value, strict, suffix, "first")
    if not right_valid:
        raise _type_error(right_type, right_value, strict, suffix, "second")
    return left, (right if right_ok else UNDEFINED)


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _retry_hint(strict: bool) -> str:
    if strict:
        return (
            "Try changing the type of comparison. Alternatively you can enable "
            "'Convert types where required'."
        )
    return "Try changing the type of the comparison."


_CONVERTERS = {"string": ".toString()", "number": ".toNumber()", "boolean": ".toBoolean()"}


def _type_error(kind: str, value: Any, strict: bool, suffix: str, side: str) -> ConditionError:
    from_type = typeof(value)
    shown = js_string(value)
    if strict:
        message = f"Wrong type: '{shown}' is {_a(from_type)} but was expecting {_a(kind)} {suffix}"
    else:
        message = (
            f"Conversion error: the {from_type} '{shown}' can't be converted to {_a(kind)} {suffix}"
        )
    converter = _CONVERTERS.get(kind)
    if strict and converter:
        description = (
            "Try either enabling 'Convert types where required', or converting the "
            f"{side} field to {_a(kind)} by adding {converter}"
        )
    else:
        description = _retry_hint(strict)
    return ConditionError(message, description)


def parse_single_value(
    value: Any, kind: str, strict: bool, version: int, zone: Zone | None = None
) -> Parsed:
    """n8n's parseSingleFilterValue: (valid, the value as that type)."""
    if kind == "any" or is_nullish(value):
        return True, value
    if kind == "boolean" and not strict:
        if version >= 2:
            ok, parsed = validate_field_type(value, "boolean")
            if ok:
                return ok, parsed
        return True, truthy(value)
    if kind == "number":
        if is_nan(value):
            return True, value
        blank = (isinstance(value, str) and js_trim(value) == "") or value == []
        if blank and version >= 3:
            return True, None
    return validate_field_type(value, kind, strict=strict, parse_strings=True, zone=zone)


def validate_field_type(
    value: Any,
    kind: str,
    *,
    strict: bool = False,
    parse_strings: bool = False,
    zone: Zone | None = None,
) -> Parsed:
    """n8n's validateFieldType for the types conditions and fields use: (valid, new value)."""
    if is_nullish(value):
        return True, None
    kind = kind.lower()
    if kind == "string":
        if not parse_strings:
            return True, value
        if strict and not isinstance(value, str):
            return False, None
        if isinstance(value, (dict, list)):
            return True, json_stringify(value)
        return True, js_string(value)
    if kind == "number":
        if strict and not is_number(value):
            return False, None
        number = js_number(value)
        return (False, None) if math.isnan(number) else (True, tidy(number))
    if kind == "boolean":
        if strict and not isinstance(value, bool):
            return False, None
        return _to_boolean(value)
    if kind == "datetime":
        moment = parse_date_time(value, (zone or workflow_zone()).tz)
        return (False, None) if moment is None else (True, moment)
    if kind == "object":
        if strict and not isinstance(value, (dict, list)):
            return False, None
        return _to_object(value)
    if kind == "array":
        if strict and not isinstance(value, list):
            return False, None
        return _to_array(value)
    return True, value


def _to_boolean(value: Any) -> Parsed:
    if isinstance(value, bool):
        return True, value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return True, value.lower() == "true"
    if not (isinstance(value, str) and js_trim(value) == ""):
        number = js_number(value)
        if number == 0:
            return True, False
        if number == 1:
            return True, True
    return False, None


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    return json.loads(text, parse_constant=refuse)


_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)(\s*:)")
_SINGLE_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _js_object_literal(text: str) -> Any:
    """A relaxed reading of object text: unquoted keys, single quotes, trailing commas."""
    text = _SINGLE_QUOTED.sub(lambda m: json.dumps(m.group(1).replace("\\'", "'")), text)
    text = _TRAILING_COMMA.sub(r"\1", _BARE_KEY.sub(r'\1"\2"\3', text))
    return _strict_json(text)


def _to_object(value: Any) -> Parsed:
    if isinstance(value, dict):
        return True, value
    text = js_string(value)
    for reader in (_strict_json, _js_object_literal):
        try:
            parsed = reader(text)
        except (ValueError, TypeError):
            continue
        if parsed is None or isinstance(parsed, dict):
            return True, parsed
        return False, None
    return False, None


def _to_array(value: Any) -> Parsed:
    if isinstance(value, list):
        return True, value
    text = js_string(value)
    for candidate in (text, text.replace("'", '"')):
        try:
            parsed = _strict_json(candidate)
        except (ValueError, TypeError):
            continue
        return (True, parsed) if isinstance(parsed, list) else (False, None)
    return False, None


# --- the operations, per type ------------------------------------------------------------------


def _string(operation: str, left: Any, right: Any, exists: bool, ignore_case: bool) -> bool:
    if ignore_case:
        if isinstance(left, str):
            left = left.lower()
        if isinstance(right, str) and operation not in ("regex", "notRegex"):
            right = right.lower()
    a = "" if is_nullish(left) else left
    b = "" if is_nullish(right) else right
    if not isinstance(a, str) or not isinstance(b, str):
        a, b = js_string(a), js_string(b)
    if operation in ("regex", "notRegex"):
        source, flags = js_regex.parse_literal(b)
        try:
            matched = js_regex.test(source, a, flags)
        except js_regex.RegexError as exc:
            raise ConditionError(str(exc)) from None
        return matched if operation == "regex" else not matched
    checks: dict[str, Callable[[str, str], bool]] = {
        "empty": lambda x, _y: len(x) == 0,
        "notEmpty": lambda x, _y: len(x) != 0,
        "equals": lambda x, y: x == y,
        "notEquals": lambda x, y: x != y,
        "contains": lambda x, y: y in x,
        "notContains": lambda x, y: y not in x,
        "startsWith": lambda x, y: x.startswith(y),
        "notStartsWith": lambda x, y: not x.startswith(y),
        "endsWith": lambda x, y: x.endswith(y),
        "notEndsWith": lambda x, y: not x.endswith(y),
    }
    return checks[operation](a, b)


def _ordered(operation: str, left: Any, right: Any) -> bool:
    symbol = {"gt": ">", "lt": "<", "gte": ">=", "lte": "<="}[operation]
    return compare(symbol, left, right)


def _number(operation: str, left: Any, right: Any, exists: bool, _ignore_case: bool) -> bool:
    if operation == "empty":
        return not exists
    if operation == "notEmpty":
        return exists
    if operation == "equals":
        return strict_equal(left, right)
    if operation == "notEquals":
        return not strict_equal(left, right)
    return _ordered(operation, left, right)


def _date_time(operation: str, left: Any, right: Any, exists: bool, _ignore_case: bool) -> bool:
    if operation == "empty":
        return not exists
    if operation == "notEmpty":
        return exists
    if is_nullish(left) or is_nullish(right):
        return False
    checks: dict[str, Callable[[float, float], bool]] = {
        "equals": lambda x, y: x == y,
        "notEquals": lambda x, y: x != y,
        "after": lambda x, y: x > y,
        "before": lambda x, y: x < y,
        "afterOrEquals": lambda x, y: x >= y,
        "beforeOrEquals": lambda x, y: x <= y,
    }
    return checks[operation](left, right)


def _boolean(operation: str, left: Any, right: Any, exists: bool, _ignore_case: bool) -> bool:
    if operation == "empty":
        return not exists
    if operation == "notEmpty":
        return exists
    if operation == "true":
        return truthy(left)
    if operation == "false":
        return not truthy(left)
    equal = strict_equal(left, right)
    return equal if operation == "equals" else not equal


def _array(operation: str, left: Any, right: Any, exists: bool, ignore_case: bool) -> bool:
    items: list[Any] = [] if is_nullish(left) else left
    if operation in ("contains", "notContains"):
        found = array_contains(items, right, ignore_case)
        return found if operation == "contains" else not found
    if operation == "empty":
        return len(items) == 0
    if operation == "notEmpty":
        return len(items) != 0
    length = len(items)
    if operation == "lengthEquals":
        return strict_equal(length, right)
    if operation == "lengthNotEquals":
        return not strict_equal(length, right)
    symbol = {"lengthGt": ">", "lengthLt": "<", "lengthGte": ">=", "lengthLte": "<="}[operation]
    return compare(symbol, length, right)


def array_contains(items: list[Any], value: Any, ignore_case: bool) -> bool:
    """n8n's arrayContainsValue: includes(), or a case-blind match of text items."""
    if ignore_case and isinstance(value, str):
        wanted = value.lower()
        return any(isinstance(item, str) and item.lower() == wanted for item in items)
    return any(same_value_zero(item, value) for item in items)


def _object(operation: str, left: Any, right: Any, exists: bool, _ignore_case: bool) -> bool:
    empty = not truthy(left) or (isinstance(left, (dict, list)) and len(left) == 0)
    return empty if operation == "empty" else not empty


def _any(operation: str, left: Any, right: Any, exists: bool, _ignore_case: bool) -> bool:
    return False  # only exists / notExists apply to any value; they are answered earlier


Handler = Callable[[str, Any, Any, bool, bool], bool]
_HANDLERS: dict[str, Handler] = {
    "string": _string,
    "number": _number,
    "dateTime": _date_time,
    "boolean": _boolean,
    "array": _array,
    "object": _object,
    "any": _any,
}
