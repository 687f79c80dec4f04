"""Manual Trigger: starts a workflow with the items given to the run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..items import Item
from ..node import ExecutionContext
from .base import DescribedNode


class ManualTrigger(DescribedNode):
    """Starts a workflow with the run's input items (one empty item when there are none)."""

    type_names = ("n8n-nodes-base.manualTrigger", "manualTrigger")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "manualTrigger",
        "displayName": "Manual Trigger",
        "description": "Starts the workflow with the items given to the run",
        "version": 1,
        "group": ["trigger"],
        "inputs": [],
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Each item goes on as it came."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        return [[Item(json=item.json, binary=item.binary) for item in items] or [Item()]]
