"""Lists of field names as n8n's item nodes read them from their parameters."""

from __future__ import annotations

from typing import Any

from ..errors import NodeOperationError
from .js_values import js_trim


def prepare_fields_array(fields: Any, label: str) -> list[str]:
    """Names from "a, b, c" text (blanks dropped) or a list, as n8n's prepareFieldsArray."""
    if isinstance(fields, str):
        return [name for name in (js_trim(part) for part in fields.split(",")) if name != ""]
    if isinstance(fields, list):
        return fields
    raise NodeOperationError(
        f"The '{label}' parameter must be a string of fields separated by commas or an array "
        "of strings."
    )


def split_names(text: Any) -> list[str]:
    """ "a, b" -> ["a", "b"], keeping blanks (the nodes that read this way complain about them)."""
    return [js_trim(part) for part in str(text if text is not None else "").split(",")]


def listed_field_names(value: Any, group: str = "fields", field: str = "fieldName") -> list[str]:
    """Names from a fixed collection of rows such as `{fields: [{fieldName: "a"}]}`."""
    rows = value.get(group, []) if isinstance(value, dict) else []
    if isinstance(rows, dict):
        rows = [rows]
    return [row.get(field, "") for row in rows if isinstance(row, dict)]
