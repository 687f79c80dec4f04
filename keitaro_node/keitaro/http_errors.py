"""Turn a tracker's failed answer into a NodeApiError a person can act on.

Keitaro answers errors in several shapes: `{"error": ...}` JSON, a field -> messages map for
validation (406 on older trackers, 422 on newer ones), plain text 404s, stack traces on 500,
and proxies in front of it (Cloudflare, nginx) answer with HTML pages of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from keitaro_node.runtime.errors import NodeApiError

Mask = Callable[[str], str]

_STATUS_MESSAGES = {
    400: "Bad request - the tracker does not know this route or verb, or a parameter is wrong",
    401: "Authorization failed - the tracker did not accept the API key; check the apiKey of your Keitaro credentials",
    402: "The tracker's edition has no Admin API (402 Payment Required) - it needs a higher Keitaro edition",
    403: "Forbidden - the API key's user has no rights for this; ask an admin to extend its access",
    404: "Not found - the tracker has no such object (or it is archived)",
    405: "Method not allowed by the tracker",
    406: "The tracker rejected the data (validation failed)",
    409: "Conflict - the tracker refused the change",
    413: "The request is too large for the tracker or its proxy",
    422: "The tracker rejected the data (validation failed)",
    429: "Too many requests - the tracker or its proxy is rate limiting; lower concurrency or requestsPerSecond",
    500: "The tracker failed with an internal error",
    502: "Bad gateway - the proxy in front of the tracker got no valid answer from it",
    503: "The tracker is unavailable (503) - it may be overloaded or in maintenance",
    504: "Gateway timeout - the proxy in front of the tracker gave up waiting for it",
}

WRONG_URL = "this does not look like a Keitaro Admin API - check the domain"


def looks_like_html(body: bytes, content_type: str) -> bool:
    if "html" in content_type:
        return True
    head = body[:200].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body"))


def is_cloudflare(body: bytes, headers: Mapping[str, str]) -> bool:
    server = headers.get("Server", "").lower()
    text = body[:20000].lower()
    return (
        server == "cloudflare" or "cf-ray" in {k.lower() for k in headers} or b"cloudflare" in text
    )


def _text(body: bytes, limit: int = 400) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    if len(text) > limit:
        text = text[:limit] + "..."
    return text


def _field_messages(data: Mapping[str, Any]) -> str:
    parts = []
    for field, messages in data.items():
        if isinstance(messages, list):
            joined = "; ".join(str(m) for m in messages)
        elif isinstance(messages, dict):
            joined = "; ".join(f"{k}: {v}" for k, v in messages.items())
        else:
            joined = str(messages)
        parts.append(f"{field}: {joined}")
    return " | ".join(parts)


def _tracker_words(body: bytes, content_type: str) -> tuple[str | None, Any]:
    """The tracker's own message and, for validation maps, the structured details."""
    if not body.strip():
        return None, None
    try:
        data = json.loads(body)
    except ValueError:
        if looks_like_html(body, content_type):
            return None, None
        return _text(body), None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, str):
            return error.strip(), None
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"], None
        if data and all(isinstance(v, (list, str, dict)) for v in data.values()):
            return _field_messages(data), data
    if isinstance(data, list) and data and all(isinstance(v, str) for v in data):
        return "; ".join(data), None
    return _text(body), None


def error_for_status(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    method: str,
    url: str,
    attempts: int,
    mask: Mask,
    safe_to_repeat: bool,
) -> NodeApiError:
    """The NodeApiError for a non-2xx answer, with the tracker's words as its description.

    `retryable` tells the engine's retryOnFail whether repeating could help without harm:
    429 and 503 were refused before any work; 5xx on a write may have half-happened.
    """
    content_type = headers.get("Content-Type", "").lower()
    words, details = _tracker_words(body, content_type)
    message = _STATUS_MESSAGES.get(status) or (
        f"The tracker failed (HTTP {status})"
        if status >= 500
        else f"The tracker refused the request (HTTP {status})"
    )
    if status == 403 and is_cloudflare(body, headers):
        message = (
            "Cloudflare in front of the tracker blocked the request (403) - allow this client's IP "
            "or User-Agent in Cloudflare, or use the tracker's direct address"
        )
        words = _cloudflare_code(body)
    elif looks_like_html(body, content_type) and status in (404, 405):
        message += f"; the answer was an HTML page, so {WRONG_URL}"
    if status >= 500 and words and "\n" in words:
        words = words.splitlines()[0]  # the first line of a stack trace is the useful one
    description = f"{method} {url}: {words}" if words else f"{method} {url}"
    return NodeApiError(
        mask(message),
        http_code=status,
        description=mask(description),
        retryable=status in (429, 503) or (status >= 500 and safe_to_repeat),
        attempts=attempts,
        details=details,
    )


def _cloudflare_code(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace")
    for marker in ("1010", "1020", "1015", "1006", "1012"):
        if (
            f"Error {marker}" in text
            or f"error code: {marker}" in text.lower()
            or f'"error_code":{marker}' in text.replace(" ", "")
        ):
            return f"Cloudflare error {marker}"
    return "Cloudflare block page"


def not_json_error(
    body: bytes,
    headers: Mapping[str, str],
    *,
    status: int,
    method: str,
    url: str,
    attempts: int,
    mask: Mask,
    safe_to_repeat: bool,
) -> NodeApiError:
    """A 2xx answer that is not the JSON the API promises."""
    content_type = headers.get("Content-Type", "").lower()
    if looks_like_html(body, content_type):
        return NodeApiError(
            WRONG_URL,
            http_code=status,
            description=mask(
                f"{method} {url} answered with an HTML page (the tracker's admin panel or another site?)"
            ),
            retryable=False,
            attempts=attempts,
        )
    try:
        json.loads(body)
    except ValueError as exc:
        reason = str(exc)
    else:  # pragma: no cover - callers only come here after a parse failure
        reason = "unexpected shape"
    happened = "" if safe_to_repeat else " The request was processed, so it is not sent again."
    return NodeApiError(
        "the tracker's answer is not complete JSON (cut off or malformed)." + happened,
        http_code=status,
        description=mask(f"{method} {url}: {reason}; the answer began with {_text(body, 120)!r}"),
        retryable=safe_to_repeat,
        attempts=attempts,
    )
