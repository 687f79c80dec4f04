"""Checks on request bodies before anything is sent: the project's JSON Schemas per body kind.

Every item's body is checked, so the check is on the hot path (see SchemaCheck).
"""

from __future__ import annotations

import json
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


def check_body(schema_name: str, body: Any) -> None:
    """Raise BodyProblem naming each wrong field; return quietly when the body fits."""
    errors = _check(schema_name).errors(body)
    if errors:
        # one message per problem: a schema reports each missing field of an object as its
        # own error, and the description of one already names all of them
        problems = list(dict.fromkeys(_describe(e) for e in errors))
        raise BodyProblem("; ".join(problems[:8]))


def _where(error: Any) -> str:
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


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
        return f"{prefix}must be {wanted}, got {_shown(error.instance)}"
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
