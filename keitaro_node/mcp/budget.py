"""How much a tool answer may hold: an assistant's context is small, a click log is not."""

from __future__ import annotations

import json
from typing import Any


def as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class Budget:
    """Characters of JSON left for one answer."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def take(self, value: Any) -> bool:
        """Count `value` in if it still fits; False (and nothing counted) when it does not."""
        size = len(as_text(value)) + 1
        if self.used + size > self.limit:
            return False
        self.used += size
        return True


def fit(value: Any, limit: int) -> tuple[Any, bool]:
    """`value`, or as much of it as fits in `limit` characters, and whether it was cut.

    A list keeps its first elements, an object with a list (a report's `rows`) keeps the
    first records of that list; anything else that is too large becomes a cut-off text.
    """
    if len(as_text(value)) <= limit:
        return value, False
    if isinstance(value, list):
        budget = Budget(limit)
        return _prefix(value, budget), True
    if isinstance(value, dict):
        lists = [k for k, v in value.items() if isinstance(v, list)]
        if lists:
            key = max(lists, key=lambda k: len(value[k]))
            rest = {k: v for k, v in value.items() if k != key}
            budget = Budget(max(0, limit - len(as_text(rest))))
            return {**rest, key: _prefix(value[key], budget)}, True
    return as_text(value)[:limit], True


def _prefix(values: list[Any], budget: Budget) -> list[Any]:
    out = []
    for value in values:
        if not budget.take(value):
            break
        out.append(value)
    return out
