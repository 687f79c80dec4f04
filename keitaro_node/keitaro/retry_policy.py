"""When a failed request may be sent again: the runtime transport's rules (retry.py there),
under the name the Keitaro client has always used."""

from keitaro_node.runtime.http.retry import (
    AMBIGUOUS,
    REFUSED,
    Outcome,
    backoff_delay,
    parse_retry_after,
    should_retry,
    why_not,
)

__all__ = [
    "AMBIGUOUS",
    "REFUSED",
    "Outcome",
    "backoff_delay",
    "parse_retry_after",
    "should_retry",
    "why_not",
]
