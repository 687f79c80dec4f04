"""Masking secrets in every text and value a transport or a node hands out.

A secret can show up as it is, URL-encoded (a key in a query string, in aiohttp's own error
texts) or form-encoded; all three forms are replaced, longest first. Secrets shorter than
MIN_MASKED characters are not searched for: masking them would garble ordinary words (the
headers that carry them are masked regardless).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_MASKED = 6


class SecretMask:
    """Replaces every known form of some secrets with ***; callable on text."""

    __slots__ = ("_encoded", "_forms")

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: list[str] = []
        self._encoded: list[bytes] = []
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        forms = set(self._forms)
        for secret in secrets:
            if len(secret) >= MIN_MASKED:
                forms.update((secret, quote(secret, safe=""), quote_plus(secret)))
        self._forms = sorted(forms, key=len, reverse=True)
        # in raw JSON a secret may also be escaped: "\/" for "/", "\u00e9" for "é"
        escaped = {json.dumps(form)[1:-1] for form in self._forms}
        escaped |= {form.replace("/", "\\/") for form in escaped}
        self._encoded = sorted(
            {form.encode("utf-8") for form in (*self._forms, *escaped)}, key=len, reverse=True
        )

    def add_basic_auth(self, user: str, password: str) -> None:
        """The base64 token of an `Authorization: Basic` header made of these two."""
        if len(password) >= MIN_MASKED or len(user) + len(password) >= MIN_MASKED + 1:
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            self.add(token)

    def __bool__(self) -> bool:
        return bool(self._forms)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def in_bytes(self, data: bytes) -> bool:
        """Whether any form of a secret occurs in raw bytes (a cheap test before decoding)."""
        return any(form in data for form in self._encoded)

    def data(self, value: Any) -> Any:
        """`value` (JSON-like) with every string, and every key, masked; shared parts kept."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {self(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        return value

    def found_in(self, value: Any) -> bool:
        """Whether any string (or key) inside a JSON-like value holds a secret."""
        if isinstance(value, str):
            return any(form in value for form in self._forms)
        if isinstance(value, Mapping):
            return any(self.found_in(str(k)) or self.found_in(v) for k, v in value.items())
        if isinstance(value, list):
            return any(self.found_in(v) for v in value)
        return False
