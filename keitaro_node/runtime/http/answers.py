"""Reading what a service answered when the answer is not what was asked for.

Facts about answers in general - HTML pages where JSON was expected, block pages of
Cloudflare, a service's own error message in its JSON, validation maps of field -> messages -
shared by every node that wants to say in words what went wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def looks_like_html(body: bytes, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = body[:200].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body"))


def is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def is_cloudflare(body: bytes, headers: Mapping[str, str]) -> bool:
    """A page Cloudflare answered itself, not the service's answer passed through Cloudflare.

    Behind Cloudflare every answer has CF-RAY and `Server: cloudflare`, the service's own JSON
    errors included; only a non-JSON body with Cloudflare's marks is Cloudflare speaking.
    """
    if is_json(body):
        return False
    server = headers.get("Server", "").lower()
    marked = server == "cloudflare" or any(k.lower() == "cf-ray" for k in headers)
    return marked or b"cloudflare" in body[:20000].lower()


def cloudflare_code(body: bytes) -> str:
    """`Cloudflare error 1020`, or `Cloudflare block page` when the page names no code."""
    text = body.decode("utf-8", errors="replace")
    squeezed = text.replace(" ", "").lower()
    for marker in ("1010", "1020", "1015", "1006", "1012", "1009"):
        if (
            f"Error {marker}" in text
            or f"error code: {marker}" in text.lower()
            or f'cf-error-code">{marker}' in squeezed
            or f'"error_code":{marker}' in squeezed
        ):
            return f"Cloudflare error {marker}"
    return "Cloudflare block page"


def excerpt(body: bytes, limit: int = 400) -> str:
    """The start of a body as text, cut with ... when longer than `limit` characters."""
    text = body.decode("utf-8", errors="replace").strip()
    if len(text) > limit:
        text = text[:limit] + "..."
    return text


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Field -> message pairs from a validation map, nested keys joined with dots."""
    if isinstance(value, Mapping):
        pairs: list[tuple[str, str]] = []
        for key, inner in value.items():
            pairs += _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return pairs
    if isinstance(value, list):
        if all(not isinstance(v, (Mapping, list)) for v in value):
            return [(prefix, "; ".join(str(v) for v in value))]
        pairs = []
        for i, inner in enumerate(value):
            pairs += _flatten(inner, f"{prefix}.{i}" if prefix else str(i))
        return pairs
    return [(prefix, str(value))]


def field_messages(data: Mapping[str, Any]) -> str:
    """A validation map rendered per field: `name: must not be blank | type: unknown`."""
    return " | ".join(f"{name}: {text}" if name else text for name, text in _flatten(data))


def service_words(body: bytes, content_type: str) -> tuple[str | None, Any]:
    """The service's own message in a failed answer and, for validation maps, the details.

    `{"error": "..."}`, `{"error": {"message": ...}}`, `{"message": ...}`, a map of field ->
    messages, a list of texts, or plain text; nothing for an empty body or an HTML page.
    """
    if not body.strip():
        return None, None
    try:
        data = json.loads(body)
    except ValueError:
        if looks_like_html(body, content_type):
            return None, None
        return excerpt(body), None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, str):
            return error.strip(), None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"]).strip(), None
        if isinstance(data.get("message"), str):
            return str(data["message"]).strip(), None
        if data and all(isinstance(v, (list, str, dict)) for v in data.values()):
            return field_messages(data), data
    if isinstance(data, list) and data and all(isinstance(v, str) for v in data):
        return "; ".join(data), None
    return excerpt(body), None
