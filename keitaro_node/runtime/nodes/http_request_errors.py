"""Errors of the HTTP Request node in n8n's words, with our detail and the item index.

n8n words a failed answer by its status ("The resource you are requesting could not be
found" for 404, "The service failed to process your request" for other 5xx, ...) and puts the
service's own message, found in its answer, in the description. A request that got no answer
is worded by what happened to the connection. Where n8n's advice would be wrong - "you can
retry the request immediately" after a POST whose fate is unknown - the transport's own words
are used instead: the change may or may not have happened, and it was not sent again.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import NodeApiError, NodeError
from ..http.retry import REFUSED, Outcome
from ..http.transport import TransportFailure

STATUS_MESSAGES = {
    400: "Bad request - please check your parameters",
    401: "Authorization failed - please check your credentials",
    402: "Payment required - perhaps check your payment details?",
    403: "Forbidden - perhaps check your credentials?",
    404: "The resource you are requesting could not be found",
    405: "Method not allowed - please check you are using the right HTTP method",
    429: "The service is receiving too many requests from you",
    500: "The service was not able to process your request",
    502: "Bad gateway - the service failed to handle your request",
    503: (
        "Service unavailable - try again later or consider setting this node to retry "
        "automatically (in the node settings)"
    ),
    504: "Gateway timed out - perhaps try again later?",
}
CLIENT_ERROR = "Your request is invalid or could not be processed by the service"
SERVER_ERROR = "The service failed to process your request"

# How a request that got no answer is worded, by what happened (Outcome.kind).
FAILURE_MESSAGES = {
    "refused": "The service refused the connection - perhaps it is offline",
    "dns": (
        "The connection cannot be established, this usually occurs due to an incorrect host "
        "(domain) value"
    ),
    "connect_timeout": (
        "The connection timed out, consider setting the 'Retry on Fail' option in the node settings"
    ),
    "timeout": "The connection was aborted, perhaps the server is offline",
    "disconnected": (
        "The connection to the server was closed unexpectedly, perhaps it is offline. You can "
        "retry the request immediately or wait and retry later."
    ),
    "reset": (
        "The connection to the server was closed unexpectedly, perhaps it is offline. You can "
        "retry the request immediately or wait and retry later."
    ),
    "cut": (
        "The connection to the server was closed unexpectedly, perhaps it is offline. You can "
        "retry the request immediately or wait and retry later."
    ),
    "tls": "SSL Issue: consider using the 'Ignore SSL issues' option",
    "redirects": "Maximum number of redirects exceeded",
}

# Where n8n looks for a service's own message in an error answer, in this order, and which
# nested objects it looks into.
_MESSAGE_KEYS = (
    "cause",
    "error",
    "message",
    "Message",
    "msg",
    "messages",
    "description",
    "reason",
    "detail",
    "details",
    "errors",
    "errorMessage",
    "errorMessages",
    "ErrorMessage",
    "error_message",
    "_error_message",
    "errorDescription",
    "error_description",
    "error_summary",
    "error_info",
    "title",
    "text",
    "field",
    "err",
    "type",
)
_NESTED_KEYS = ("Error", "error", "err", "response", "body", "data")


def find_message(value: Any, nested: bool = True) -> str | None:
    """The first message-like value in an error answer (depth first, n8n's key order)."""
    if not isinstance(value, dict):
        return None
    for key in _MESSAGE_KEYS:
        found = value.get(key)
        if not found:
            continue
        if isinstance(found, str):
            try:
                parsed = json.loads(found)
            except ValueError:
                return found
            if isinstance(parsed, str):
                return parsed
            found = parsed
        if isinstance(found, bool):
            continue
        if isinstance(found, (int, float)):
            return _number(found)
        if isinstance(found, list):
            parts = [
                p
                for p in (
                    v
                    if isinstance(v, str)
                    else _number(v)
                    if isinstance(v, (int, float)) and not isinstance(v, bool)
                    else find_message(v, nested=False)
                    if isinstance(v, dict)
                    else None
                    for v in found
                )
                if p is not None
            ]
            return " | ".join(parts) if parts else None
        if isinstance(found, dict):
            inner = find_message(found, nested=False)
            if inner:
                return inner
    if nested:
        for key in _NESTED_KEYS:
            inner_value = value.get(key)
            if isinstance(inner_value, dict):
                inner = find_message(inner_value)
                if inner:
                    return inner
    return None


def _number(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def answer_text(outcome: Outcome) -> str:
    charset = "utf-8"
    content_type = outcome.headers.get("Content-Type", "")
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip().strip("\"'")
    try:
        return outcome.body.decode(charset, errors="replace")
    except LookupError:
        return outcome.body.decode("utf-8", errors="replace")


def status_error(
    outcome: Outcome, method: str, url: str, attempts: int, safe_to_repeat: bool
) -> NodeApiError:
    """The error for an answer whose status is not 2xx: n8n's message for the status, the
    service's own words as the description."""
    status = outcome.status
    text = answer_text(outcome)
    try:
        data: Any = json.loads(text)
    except ValueError:
        data = text
    raw = f"{status} - {json.dumps(data if isinstance(data, str) else text, ensure_ascii=False)}"
    words = _own_words(data)
    if 400 <= status < 500:
        message = STATUS_MESSAGES.get(status, CLIENT_ERROR)
    elif status >= 500:
        message = STATUS_MESSAGES.get(status, SERVER_ERROR)
    else:  # a redirect that was not followed, or another status outside 2xx
        message = raw
    description = words or (raw if message != raw else None)
    if description == message:
        description = None
    return NodeApiError(
        message,
        http_code=status,
        description=description,
        retryable=retryable(status, safe_to_repeat),
        attempts=attempts,
    )


def _own_words(data: Any) -> str | None:
    """The service's message in a parsed error answer, where n8n finds it."""
    if isinstance(data, str):
        return data or None
    if isinstance(data, dict):
        return find_message(data, nested=False)
    if isinstance(data, list):
        return find_message({"error": data})
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return _number(data)
    return None


def retryable(status: int, safe_to_repeat: bool) -> bool:
    """Whether the node's Retry On Fail may send the request again after this answer: always
    for requests that are safe to repeat; for the others only when the server refused the
    work (4xx, 429, 503) - a 5xx may have done half of it."""
    return safe_to_repeat or status < 500 or status in REFUSED


def reworded(error: NodeError) -> NodeError:
    """A transport failure (no answer) in n8n's words, the transport's detail kept in the
    description. Ambiguous failures of writes keep the transport's words."""
    if not isinstance(error, TransportFailure) or error.ambiguous:
        return error
    message = FAILURE_MESSAGES.get(error.failure)
    if message is None:
        return error
    return TransportFailure(
        message,
        failure=error.failure,
        sent=error.sent,
        ambiguous=False,
        http_code=error.http_code,
        description=f"{error.message} - {error.description}"
        if error.description
        else error.message,
        item_index=error.item_index,
        node_name=error.node_name,
        retryable=error.retryable,
        attempts=error.attempts,
        details=error.details,
    )
