"""Turn a tracker's failed answer into a NodeApiError a person can act on.

Keitaro answers errors in several shapes: `{"error": ...}` JSON (with a stack trace on 500),
a field -> messages map for validation (406 on older trackers, 422 on newer ones), plain text
404s, and proxies in front of it (Cloudflare, nginx) answer with HTML pages of their own.
The message says what happened and what to do; the description names the request and quotes
the tracker's own words. Every text goes through `mask` so the API key never shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from keitaro_node.runtime.errors import NodeApiError
from keitaro_node.runtime.http.answers import (
    cloudflare_code,
    excerpt,
    field_messages,
    is_cloudflare,
    looks_like_html,
    service_words,
)

Mask = Callable[[str], str]

_STATUS_MESSAGES = {
    400: "Bad request - the tracker does not know this route or verb, or a parameter is wrong",
    401: "Authorization failed - the tracker did not accept the API key; check the apiKey of your Keitaro credentials",
    402: "The tracker's edition has no Admin API (402 Payment Required) - it needs a higher Keitaro edition or a renewed license",
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

_VALIDATION = (406, 422)
_REDIRECTS = (301, 302, 303, 307, 308)
# Statuses a proxy in front of the tracker answers with a page of its own: an HTML page there
# says the tracker behind it is down, not that the domain is wrong. Other 5xx pages in HTML
# (501 Not Implemented, 505, ...) come from something that is not the Admin API.
_PROXY_PAGES = (502, 503, 504)

__all__ = [
    "WRONG_URL",
    "Mask",
    "error_for_status",
    "field_messages",
    "is_cloudflare",
    "looks_like_html",
    "not_json_error",
]


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
    """The NodeApiError for a non-2xx answer, with the tracker's words in its description.

    `retryable` tells the engine's retryOnFail whether repeating could help without harm:
    429 and 503 were refused before any work; other 5xx on a write may have half-happened.
    """
    content_type = headers.get("Content-Type", "").lower()
    words, details = service_words(body, content_type)
    message = _STATUS_MESSAGES.get(status) or (
        f"The tracker failed (HTTP {status})"
        if status >= 500
        else f"The tracker refused the request (HTTP {status})"
    )
    html = looks_like_html(body, content_type)
    if status == 403 and is_cloudflare(body, headers):
        message = (
            "Cloudflare in front of the tracker blocked the request (403), the tracker never saw "
            "it - allow this client's IP or User-Agent in Cloudflare (WAF / Bot Fight Mode), or "
            "use the tracker's direct address"
        )
        words = cloudflare_code(body)
    elif status in _REDIRECTS or (300 <= status < 400 and headers.get("Location")):
        target = headers.get("Location", "")
        message = (
            f"The tracker answered with a redirect (HTTP {status})"
            + (f" to {target}" if target else "")
            + " - use the address it redirects to as the domain (redirects are not followed: "
            "they turn a POST into a GET and could carry the API key to another host)"
        )
        words = None
    elif html and (status in (401, 403, 404, 405) or (status > 500 and status not in _PROXY_PAGES)):
        message += f"; the answer was an HTML page, so {WRONG_URL}"
    elif html and status == 500:  # the web server's own error page, or another site
        message += "; the answer was an HTML page, not the Admin API's JSON - if this repeats, check the domain"
    elif status in _VALIDATION and details is not None and words:
        message += f": {words}"
        words = None  # the fields are in the message, the raw map in details
    if status >= 500 and words and "\n" in words:
        words = words.splitlines()[0]  # the first line of a stack trace is the useful one
    description = f"{method} {url}: {words}" if words else f"{method} {url}"
    return NodeApiError(
        mask(message),
        http_code=status,
        description=mask(description),
        retryable=status in (429, 503) or (status >= 500 and safe_to_repeat),
        attempts=attempts,
        details=_masked(details, mask),
    )


def _masked(value: Any, mask: Mask) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, Mapping):
        return {mask(str(k)): _masked(v, mask) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, mask) for v in value]
    return value


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
                f"{method} {url} answered with an HTML page (the tracker's admin panel or another "
                "site?) instead of Admin API JSON"
            ),
            retryable=False,
            attempts=attempts,
        )
    reason = "unexpected shape"
    try:
        json.loads(body)
    except ValueError as exc:
        reason = str(exc)
    happened = "" if safe_to_repeat else " The request was processed, so it is not sent again."
    return NodeApiError(
        "the tracker's answer is not complete JSON (cut off or malformed)." + happened,
        http_code=status,
        description=mask(f"{method} {url}: {reason}; the answer began with {excerpt(body, 120)!r}"),
        retryable=safe_to_repeat,
        attempts=attempts,
    )
