"""Exceptions that handlers raise and the app turns into Keitaro-shaped error responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class ApiError(Exception):
    """An error answered with ``status`` and a JSON ``{"error": message}`` body."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    """Malformed request: bad JSON, missing query parameter, unknown report column."""

    status = 400


class NotFound(ApiError):
    """Missing entity, worded like the tracker's ORM: ``Traffic\\Model\\Stream #5 not found``."""

    status = 404

    def __init__(self, model: str, ident: object) -> None:
        super().__init__(f"Traffic\\Model\\{model} #{ident} not found")


class Invalid(Exception):
    """Validation failure: answered with a field -> messages map and no ``error`` key.

    The status (406 or 422) comes from the sandbox config, not from the raiser.
    """

    def __init__(self, fields: Mapping[str, Sequence[str]]) -> None:
        super().__init__(", ".join(f"{k}: {'; '.join(v)}" for k, v in fields.items()))
        self.fields = {k: list(v) for k, v in fields.items()}

    @classmethod
    def one(cls, field: str, message: str) -> Invalid:
        return cls({field: [message]})


class Missing(ApiError):
    """A 404 for things that are not ORM models (files, log types)."""

    status = 404
