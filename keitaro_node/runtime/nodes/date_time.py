"""Date & Time (n8n-nodes-base.dateTime) at both of its versions.

Version 1 (date_time_v1.py) formats a date or adds time to it with moment.js's rules; version 2
(date_time_v2.py) has seven operations on Luxon dates. Both work item by item: each input item
gives one output item, paired with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import Item
from ..node import ExecutionContext
from .base import DescribedNode
from .date_time_v1 import V1_PROPERTIES, execute_v1
from .date_time_v2 import V2_PROPERTIES, execute_v2
from .reshaping import version_label

VERSIONS = (1, 2)


class DateTimeNode(DescribedNode):
    """n8n's Date & Time, versions 1 and 2."""

    type_names = ("n8n-nodes-base.dateTime", "dateTime")
    needs_all_items: ClassVar[bool] = False
    typed_parameters: ClassVar[bool] = False  # read as n8n hands them: ctx.raw_parameters
    description_data: ClassVar[dict[str, Any]] = {
        "name": "dateTime",
        "displayName": "Date & Time",
        "description": "Formats dates, moves them in time, rounds them and measures between them",
        "version": list(VERSIONS),
        "group": ["transform"],
        "subtitle": '={{$parameter["action"]}}',
        "defaults": {"name": "Date & Time"},
        "properties": [*V1_PROPERTIES, *V2_PROPERTIES],
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Never: each item gives its own date (or, in version 1, none)."""
        return self.needs_all_items

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if ctx.type_version == 1:
            return await execute_v1(ctx, items)
        if ctx.type_version == 2:
            return await execute_v2(ctx, items)
        known = ", ".join(version_label(v) for v in VERSIONS)
        raise NodeOperationError(
            f"Date & Time has no typeVersion {version_label(ctx.type_version)} here",
            description=f"the versions this runtime implements are {known}",
            node_name=ctx.node_name,
        )
