"""Dry runs: every item is resolved and checked, and the request it would send is output.

A run asks for one with the engine option `dryRun` (`keitaro-node run --dry-run`). Nodes that
send requests read it, build each item's request as they would to send it (every check
included), and output what would have been sent instead of an answer, in one shape for every
node: `{"method", "url", "query", "headers", "body"}` with secrets masked. Nodes after them
get these items, so a dry run goes through the whole workflow and nothing leaves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DRY_RUN_OPTION = "dryRun"


def is_dry_run(options: Mapping[str, Any]) -> bool:
    return options.get(DRY_RUN_OPTION) is True


def shown_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    query: Mapping[str, Any] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    """The request as a dry run shows it (the caller masks secrets first)."""
    shown: dict[str, Any] = {"method": method, "url": url, "headers": dict(headers)}
    if query:
        shown["query"] = dict(query)
    if body is not None:
        shown["body"] = body
    return shown
