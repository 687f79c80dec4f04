"""If: sends each item to the true or the false output by conditions.

Version 1 holds conditions grouped by data type with `combineOperation` all/any; versions
2-2.3 hold n8n's filter conditions (strict or loose types, case sensitivity).
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


class If(DescribedNode):
    """n8n's If at versions 1, 2, 2.1, 2.2 and 2.3."""

    type_names = ("n8n-nodes-base.if", "if")
    typed_parameters: ClassVar[bool] = False  # read as n8n hands them: ctx.raw_parameters
    description_data: ClassVar[dict[str, Any]] = {
        "name": "if",
        "displayName": "If",
        "description": "Routes items to the true or the false output by conditions",
        "version": [1, 2, 2.1, 2.2, 2.3],
        "group": ["transform"],
        "defaults": {"name": "If"},
        "outputs": ["main", "main"],
        "properties": [
            legacy_conditions(V1),
            {
                "displayName": "Combine",
                "name": "combineOperation",
                "type": "options",
                "options": [{"name": "ALL", "value": "all"}, {"name": "ANY", "value": "any"}],
                "default": "all",
                "description": "Whether every condition or any one of them must hold",
                "displayOptions": V1,
            },
            filter_conditions(since(2)),
            loose_type_validation(False, since(2.1)),
            filter_options(2.1, since(2)),
        ],
        "x": {"outputNames": ["true", "false"]},
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Each item is routed on its own."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if ctx.type_version < 2:
            return legacy_route(ctx, items, "combineOperation", ("all", "any"))
        return split_by_conditions(ctx, items, 2.1)
