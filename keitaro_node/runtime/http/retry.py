"""When a failed request may be sent again: the rules that keep retries from doubling a write.

From one attempt's outcome this decides whether another attempt could help without harm, and
how long to wait before it:

* failures before the request left (connection refused, DNS, connect timeout) and answers
  that refuse work before doing any (429, 503) may be repeated for every request;
* a timeout or a broken connection after the request left, and a proxy's 502 or 504 (the
  proxy may have passed the request on), may be repeated only for requests that are safe to
  repeat; a write that failed this way is never sent again;
* the wait is the answer's Retry-After, or exponential backoff with jitter.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

# Statuses that refuse work before doing any: safe to repeat for every method.
REFUSED = frozenset({429, 503})
# Statuses from a proxy that may have passed the request on: repeat only what is safe.
AMBIGUOUS = frozenset({502, 504})
# Methods that mean the same when sent twice (RFC 9110, 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


class Outcome:
    """What one attempt produced: an answer, or a failure, whether the request had left, and
    whether retrying could help at all (``fatal``: bad certificate, invalid URL, oversized).

    ``kind`` names a failure for people who word it differently: refused, dns, connect,
    connect_timeout, tls, disconnected, reset, timeout, cut, too_large, invalid_url, redirects,
    other.
    """

    __slots__ = (
        "attempts",
        "body",
        "error",
        "fatal",
        "headers",
        "kind",
        "reason",
        "sent",
        "status",
        "url",
    )

    def __init__(
        self,
        status: int = 0,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        error: str | None = None,
        sent: bool = False,
        fatal: bool = False,
        kind: str = "",
        reason: str = "",
        url: str = "",
    ) -> None:
        self.status = status
        self.body = body
        self.headers: Mapping[str, str] = headers or {}
        self.error = error
        self.sent = sent
        self.fatal = fatal
        self.kind = kind
        self.reason = reason
        self.url = url
        self.attempts = 1


def should_retry(outcome: Outcome, safe_to_repeat: bool) -> tuple[bool, str]:
    """Whether repeating could help without risking a duplicate write, and why it failed."""
    if outcome.error is not None:
        if outcome.fatal:
            return False, outcome.error
        if not outcome.sent or outcome.status in REFUSED:
            return True, outcome.error
        return safe_to_repeat, outcome.error
    status = outcome.status
    if status in REFUSED:
        return True, f"HTTP {status}"
    if status in AMBIGUOUS:
        return safe_to_repeat, f"HTTP {status}"
    return False, f"HTTP {status}"


def why_not(outcome: Outcome, safe_to_repeat: bool, retry: bool, attempts_left: bool) -> str:
    """Why the transport gives up after this attempt (for the last log line)."""
    if retry:
        return "maxRetryTime used up" if attempts_left else "no attempts left"
    if outcome.fatal:
        return "a retry cannot fix this"
    if (
        outcome.sent
        and not safe_to_repeat
        and (outcome.error is not None or outcome.status in AMBIGUOUS)
    ):
        return "not safe to repeat, the request may have been processed"
    return "a retry cannot fix this answer"


def backoff_delay(outcome: Outcome, attempt: int, initial: float, maximum: float) -> float:
    """The answer's Retry-After, else exponential backoff with jitter (half fixed, half random)."""
    retry_after = parse_retry_after(outcome.headers.get("Retry-After"))
    if retry_after is not None:
        return retry_after
    ceiling = min(maximum, initial * 2.0 ** (attempt - 1))
    return float(ceiling / 2 + random.uniform(0, ceiling / 2))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())
