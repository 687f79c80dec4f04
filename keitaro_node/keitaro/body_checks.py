"""Checks on request bodies before anything is sent: the project's JSON Schemas per body kind.

Every item's body is checked, so the check is on the hot path (see SchemaCheck): a body that
fits costs one compiled validation and nothing more.

Spreadsheets and CSV files give every cell as text, so a person's 1 arrives as "1". Where the
schema wants a number and the text is that number exactly, the body is sent with the number
and the item notes it (`metadata.warnings`); nothing is coerced silently, and nothing whose
meaning could change: "1.5" where a whole number is wanted, "1e3" (spreadsheets write this
for numbers they rounded), "007" (leading zeros belong to codes, not counts), "+5", "1,000",
and integers beyond 2^53 (where JavaScript and JSON readers start to round) stay errors.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from functools import cache
from typing import Any

from keitaro_node.runtime.schema_check import SchemaCheck

from .resources import schema_file


class BodyProblem(ValueError):
    """The body does not fit its schema; the message lists what is wrong, by field."""


@cache
def _check(name: str) -> SchemaCheck:
    schema: dict[str, Any] = json.loads(schema_file(f"{name}.json").read_text("utf-8"))
    return SchemaCheck(schema)


def check_body(schema_name: str, body: Any) -> tuple[Any, list[str]]:
    """The body to send and notes on text read as numbers; BodyProblem naming each wrong
    field when it does not fit. The body given is never changed: a coerced one is a copy."""
    check = _check(schema_name)
    if check.is_valid(body):
        return body, []
    errors = check.errors(body)
    fixes = [(list(e.absolute_path), number) for e in errors if (number := _number_for(e))]
    notes: list[str] = []
    if fixes:
        body = copy.deepcopy(body)
        for path, (text, value) in fixes:
            _put(body, path, value)
            where = _path_text(path) or "the body"
            notes.append(f"{where}: the text {_shown(text)} was sent as the number {value}")
        errors = check.errors(body)
    if errors:
        # one message per problem: a schema reports each missing field of an object as its
        # own error, and the description of one already names all of them
        problems = list(dict.fromkeys(_describe(e) for e in errors))
        raise BodyProblem("; ".join(problems[:8]))
    return body, notes


_WHOLE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.0+)?")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_SAFE_INTEGER = 2**53 - 1


def _wanted(error: Any) -> set[str]:
    expected = error.validator_value
    return set(expected) if isinstance(expected, list) else {str(expected)}


def _number_for(error: Any) -> tuple[str, int | float] | None:
    """(text, number) when a type error is text that means exactly the number wanted."""
    if error.validator != "type" or not isinstance(error.instance, str):
        return None
    wanted = _wanted(error)
    if not wanted & {"integer", "number"}:
        return None
    text = error.instance.strip()
    if _WHOLE.fullmatch(text):
        whole = int(Decimal(text))
        if abs(whole) > _SAFE_INTEGER or (whole == 0 and text.startswith("-")):
            return None
        return error.instance, whole
    if "number" in wanted and _DECIMAL.fullmatch(text):
        value = float(text)
        if Decimal(repr(value)) != Decimal(text):
            return None  # more digits than a double keeps
        return error.instance, value
    return None


def _put(body: Any, path: list[Any], value: Any) -> None:
    node = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _path_text(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _refused_text(text: str, wanted: set[str]) -> str:
    """Why text that looks like a number was not read as one."""
    stripped = text.strip()
    if re.fullmatch(r"[-+]?[0-9.]+[eE][-+]?[0-9]+", stripped):
        return " (an exponent is not read as a number: write the number in full)"
    if re.fullmatch(r"-?0[0-9]+(\.[0-9]+)?", stripped):
        return " (text with leading zeros is not read as a number: it may be a code)"
    if "number" not in wanted and _DECIMAL.fullmatch(stripped):
        return " (not a whole number)"
    if _WHOLE.fullmatch(stripped) or _DECIMAL.fullmatch(stripped):
        return " (too many digits to send as a number without rounding)"
    if re.fullmatch(r"[-+]?[0-9][0-9 ,._']*", stripped):
        return " (write the number with digits only, and '.' before decimals)"
    return ""


def _where(error: Any) -> str:
    return _path_text(list(error.absolute_path))


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _describe(error: Any) -> str:
    where = _where(error)
    prefix = f"{where}: " if where else ""
    kind = error.validator
    if kind == "required":
        missing = [
            f
            for f in error.validator_value
            if isinstance(error.instance, dict) and f not in error.instance
        ]
        return (
            f"{prefix}missing required field{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    if kind == "type":
        expected = error.validator_value
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        if not where:
            return f"must be a JSON {wanted}, got {_kind(error.instance)}"
        if error.instance is None:
            return f"{prefix}is empty (null) and must be {wanted}"
        why = ""
        if isinstance(error.instance, str) and _wanted(error) & {"integer", "number"}:
            why = _refused_text(error.instance, _wanted(error))
        return f"{prefix}must be {wanted}, got {_shown(error.instance)}{why}"
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{prefix}must be one of {allowed}; got {_shown(error.instance)}"
    if kind == "minLength":
        return f"{prefix}must not be empty"
    if kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        return f"{prefix}must be {bound} {error.validator_value}, got {_shown(error.instance)}"
    return f"{prefix}{error.message}"


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "null" if value is None else type(value).__name__
