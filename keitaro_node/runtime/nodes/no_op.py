"""No Operation: passes items through."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..items import Item, PairedItem
from ..node import ExecutionContext
from .base import DescribedNode


class NoOp(DescribedNode):
    """Passes items through unchanged."""

    type_names = ("n8n-nodes-base.noOp", "noOp")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "noOp",
        "displayName": "No Operation, do nothing",
        "description": "Passes its input items through",
        "version": 1,
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Each item goes on as it came."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        return [
            [
                Item(json=item.json, binary=item.binary, paired_item=PairedItem(i))
                for i, item in enumerate(items)
            ]
        ]
