"""Sticky Note: a note on n8n's canvas. It has no connections, so it never runs."""

from __future__ import annotations

from typing import Any, ClassVar

from ..items import Item
from ..node import ExecutionContext
from .base import DescribedNode


class StickyNote(DescribedNode):
    """Known so that exported workflows load; a note is not part of any run."""

    type_names = ("n8n-nodes-base.stickyNote",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "stickyNote",
        "displayName": "Sticky Note",
        "description": "A note on the canvas; ignored when the workflow runs",
        "version": 1,
        "group": ["input"],
        "inputs": [],
        "outputs": [],
        "properties": [
            {"displayName": "Content", "name": "content", "type": "string", "default": ""},
            {"displayName": "Height", "name": "height", "type": "number", "default": 160},
            {"displayName": "Width", "name": "width", "type": "number", "default": 240},
            {"displayName": "Color", "name": "color", "type": "number", "default": 1},
        ],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        return [items]  # as n8n's, should a file ever connect one
