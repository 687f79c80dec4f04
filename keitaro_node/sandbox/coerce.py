"""Field validation shared by the entity modules.

Write bodies are checked against small declarative specs; failures are collected per field
and raised together as one ``Invalid`` (the tracker reports every bad field at once).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Invalid


def label(field: str) -> str:
    """Human name of a field for messages: ``campaign_id`` -> ``Campaign id``."""
    return field.replace("_", " ").capitalize()


class Errors:
    """Collects field -> messages and raises them as one ``Invalid``."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise Invalid(self.fields)


@dataclass(frozen=True)
class Field:
    """How one writable field is checked and converted for storage.

    kind: ``str``, ``int``, ``float``, ``bool``, ``json``, ``obj`` (JSON object),
    ``list`` (JSON array) or ``enum`` (one of ``choices``).
    """

    kind: str
    choices: tuple[str, ...] = ()
    nullable: bool = False


STR = Field("str")
INT = Field("int")
INT_N = Field("int", nullable=True)
FLOAT = Field("float")
BOOL = Field("bool")
JSON = Field("json", nullable=True)
OBJ = Field("obj", nullable=True)
LIST = Field("list", nullable=True)


def enum(*choices: str, nullable: bool = False) -> Field:
    return Field("enum", choices, nullable)


# A tracker keeps integers in 64-bit columns; anything wider is refused as invalid, not stored.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def to_int(value: Any) -> int:
    """Integer from JSON (ints, integral floats, digit strings) that fits in 64 bits;
    ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        raise ValueError("not an integer")
    if not INT_MIN <= number <= INT_MAX:
        raise ValueError("out of range")
    return number


def to_float(value: Any) -> float:
    """A finite number (JSON has no Infinity or NaN to answer with); ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("boolean")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        number = float(value.strip())
    else:
        raise ValueError("not a number")
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in {"0", "1", "true", "false", ""}:
        return value.lower() in {"1", "true"}
    raise ValueError("not a boolean")


def convert(field: str, value: Any, spec: Field, errors: Errors) -> Any:
    """Checked value of one field, or None after recording an error."""
    if value is None:
        if spec.nullable or spec.kind == "json":
            return None
        if spec.kind == "str":
            return ""
        errors.add(field, f"{label(field)} cannot be null")
        return None
    try:
        if spec.kind == "str":
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise ValueError
            return str(value)
        if spec.kind == "int":
            if spec.nullable and value == "":
                return None
            return to_int(value)
        if spec.kind == "float":
            return to_float(value)
        if spec.kind == "bool":
            return to_bool(value)
        if spec.kind == "enum":
            if value not in spec.choices:
                errors.add(field, f"{label(field)} must be one of: {', '.join(spec.choices)}")
            return value
        if spec.kind == "obj":
            if not isinstance(value, dict):
                raise ValueError
            return value
        if spec.kind == "list":
            if not isinstance(value, list):
                raise ValueError
            return value
        return value
    except ValueError:
        errors.add(field, f"{label(field)} is invalid")
        return None


def read_fields(
    body: Mapping[str, Any], specs: Mapping[str, Field], errors: Errors
) -> dict[str, Any]:
    """Checked values of the spec'd fields present in ``body`` (unknown keys are ignored)."""
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        if name in body:
            out[name] = convert(name, body[name], spec, errors)
    return out


def require(body: Mapping[str, Any], errors: Errors, *fields: str) -> None:
    """Record "X is required" for each field that is absent, null or blank."""
    for name in fields:
        value = body.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors.add(name, f"{label(name)} is required")


def list_of_objects(body: Mapping[str, Any], field: str, errors: Errors) -> list[dict[str, Any]]:
    """The array ``field`` of objects, recording an error when its shape is wrong."""
    value = body.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errors.add(field, f"{label(field)} must be an array of objects")
        return []
    return value
