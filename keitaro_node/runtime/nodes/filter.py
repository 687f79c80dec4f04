"""Filter: keeps the items that meet conditions and drops the others.

Version 1 holds conditions grouped by data type with `combineConditions` AND/OR; versions
2-2.3 hold n8n's filter conditions. As in n8n, the node has one output, and the dropped items
are recorded as a second list of the run ("Discarded" in n8n's editor).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..items import Item
from ..node import ExecutionContext
from .base import DescribedNode
from .condition_params import (
    filter_conditions,
    filter_options,
    legacy_conditions,
    legacy_route,
    loose_type_validation,
    since,
    split_by_conditions,
)

V1 = {"show": {"@version": [1]}}


class Filter(DescribedNode):
    """n8n's Filter at versions 1, 2, 2.1, 2.2 and 2.3."""

    type_names = ("n8n-nodes-base.filter", "filter")
    typed_parameters: ClassVar[bool] = False  # read as n8n hands them: ctx.raw_parameters
    description_data: ClassVar[dict[str, Any]] = {
        "name": "filter",
        "displayName": "Filter",
        "description": "Keeps the items that meet conditions",
        "version": [1, 2, 2.1, 2.2, 2.3],
        "group": ["transform"],
        "defaults": {"name": "Filter"},
        "properties": [
            legacy_conditions(V1),
            {
                "displayName": "Combine Conditions",
                "name": "combineConditions",
                "type": "options",
                "options": [{"name": "AND", "value": "AND"}, {"name": "OR", "value": "OR"}],
                "default": "AND",
                "description": "Whether every condition (AND) or any one of them (OR) must hold",
                "displayOptions": V1,
            },
            filter_conditions(since(2)),
            loose_type_validation(False, since(2.1)),
            filter_options(2.1, since(2)),
        ],
        "x": {"outputNames": ["Kept", "Discarded"]},
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Each item is kept or dropped on its own."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if ctx.type_version < 2:
            return legacy_route(ctx, items, "combineConditions", ("AND", "OR"))
        return split_by_conditions(ctx, items, 2.1)
