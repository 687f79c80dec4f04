"""Start: n8n's legacy trigger, found in many older exports; starts a run like Manual Trigger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..items import Item
from ..node import ExecutionContext
from .base import DescribedNode


class Start(DescribedNode):
    """Passes the run's start items on (one empty item when the run has none)."""

    type_names = ("n8n-nodes-base.start",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "start",
        "displayName": "Start",
        "description": "Starts the workflow with the items given to the run (n8n's legacy trigger)",
        "version": 1,
        "group": ["input"],
        "inputs": [],
        "properties": [
            {
                "displayName": "A run starts here; newer workflows use a Manual Trigger",
                "name": "notice",
                "type": "notice",
                "default": "",
            }
        ],
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Each item goes on as it came."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        return [items]
