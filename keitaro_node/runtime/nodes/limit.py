"""Limit: keeps the first or the last N items."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from ..items import Item
from ..node import ExecutionContext
from .reshaping import ReshapingNode, passed

MAX_ITEMS: dict[str, Any] = {
    "displayName": "Max Items",
    "name": "maxItems",
    "type": "number",
    "default": 1,
    "description": "Items beyond this number are dropped",
}
KEEP: dict[str, Any] = {
    "displayName": "Keep",
    "name": "keep",
    "type": "options",
    "default": "firstItems",
    "options": [
        {"name": "First Items", "value": "firstItems"},
        {"name": "Last Items", "value": "lastItems"},
    ],
    "description": "Whether the items kept are those at the start or at the end",
}


def limit_items(items: list[Item], max_items: Any, keep: Any) -> list[Item]:
    """n8n's rule: more allowed than given keeps all; else a slice from the start or the end."""
    if max_items is None:  # an expression gave null: JavaScript slices nothing
        max_items = 0
    if max_items > len(items):
        return [passed(item, i) for i, item in enumerate(items)]
    indexed = list(enumerate(items))
    if keep == "firstItems":
        chosen = indexed[: _slice_bound(max_items, len(items))]
    else:
        chosen = indexed[_slice_bound(len(items) - max_items, len(items)) :]
    return [passed(item, i) for i, item in chosen]


def _slice_bound(position: float, length: int) -> int:
    """Where Array.prototype.slice puts a (possibly fractional or negative) bound."""
    whole = math.trunc(position)
    return max(length + whole, 0) if whole < 0 else min(whole, length)


class Limit(ReshapingNode):
    """n8n's Limit (v1). Keeping the last items needs the whole input."""

    type_names = ("n8n-nodes-base.limit", "limit")
    needs_all_items: ClassVar[bool] = True
    description_data: ClassVar[dict[str, Any]] = {
        "name": "limit",
        "displayName": "Limit",
        "description": "Restricts the number of items",
        "version": 1,
        "group": ["transform"],
        "properties": [MAX_ITEMS, KEEP],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = self.start(ctx)
        return [limit_items(items, params["maxItems"], params["keep"])]
