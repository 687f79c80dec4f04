"""JSON Schema checks that are fast when data is valid and thorough when it is not.

Request bodies are checked for every item, so the check sits on the hot path: jsonschema-rs
(compiled) answers "valid?" in a microsecond or two. Only when it says no does the pure
Python jsonschema run, to list every problem with its place and the rule it broke.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any


class SchemaCheck:
    """One JSON Schema (draft 2020-12), compiled once."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs

        self.schema = schema
        self._is_valid = jsonschema_rs.validator_for(schema).is_valid

    def is_valid(self, data: Any) -> bool:
        return bool(self._is_valid(data))

    @cached_property
    def _explainer(self) -> Any:
        from jsonschema import Draft202012Validator

        Draft202012Validator.check_schema(self.schema)
        return Draft202012Validator(self.schema)

    def errors(self, data: Any) -> list[Any]:
        """Every violation (jsonschema ValidationError), in document order; [] when valid."""
        if self.is_valid(data):
            return []
        return sorted(
            self._explainer.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]
        )
