"""Wait: pauses the run for a time interval, then passes its items on.

Only n8n's "After Time Interval" resume is possible here: "On Webhook Call" and "On Form
Submitted" need n8n's server to receive a call, and "At Specified Time" is not offered; a
workflow using them is refused at load. The wait happens in this process, however long it is
(n8n hands waits over 65 seconds to its database and resumes the run later).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..expressions import is_expression
from ..items import Item
from ..node import ExecutionContext, NodeCheck
from .base import DescribedNode

SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}

REFUSED = {
    "webhook": "'On Webhook Call' needs n8n's server to receive the call, and nothing here "
    "listens for one",
    "form": "'On Form Submitted' needs n8n's server to show the form, and nothing here serves one",
    "specificTime": "'At Specified Time' is not supported",
}


def _amount(default: float, show: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": "Wait Amount",
        "name": "amount",
        "type": "number",
        "typeOptions": {"minValue": 0, "numberPrecision": 2},
        "default": default,
        "displayOptions": show,
    }


def _unit(default: str, show: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": "Wait Unit",
        "name": "unit",
        "type": "options",
        "default": default,
        "options": [{"name": unit.title(), "value": unit} for unit in SECONDS],
        "displayOptions": show,
    }


V1 = {"show": {"resume": ["timeInterval"], "@version": [1]}}
LATER = {"show": {"resume": ["timeInterval"]}, "hide": {"@version": [1]}}


class Wait(DescribedNode):
    """n8n's Wait (versions 1 and 1.1), resuming after a time interval."""

    type_names = ("n8n-nodes-base.wait",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "wait",
        "displayName": "Wait",
        "description": "Waits for a time interval before the run goes on",
        "version": [1, 1.1],
        "group": ["organization"],
        "properties": [
            {
                "displayName": "Resume",
                "name": "resume",
                "type": "options",
                "default": "timeInterval",
                "options": [
                    {"name": "After Time Interval", "value": "timeInterval"},
                    {"name": "At Specified Time", "value": "specificTime"},
                    {"name": "On Webhook Call", "value": "webhook"},
                    {"name": "On Form Submitted", "value": "form"},
                ],
            },
            _amount(1, V1),
            _amount(5, LATER),
            _unit("hours", V1),
            _unit("seconds", LATER),
        ],
    }

    def check(self, node: NodeCheck) -> list[str]:
        resume = node.parameters.get("resume", "timeInterval")
        if isinstance(resume, str) and not is_expression(resume) and resume in REFUSED:
            return [f"the Wait node resumes only after a time interval here: {REFUSED[resume]}"]
        return []

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Always: a run waits once and then passes every item on; in chunks it would wait
        once per chunk."""
        return True

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = ctx.get_parameters(0)
        resume = params.get("resume")
        if resume != "timeInterval":
            why = REFUSED.get(str(resume), f"resume {resume!r} is unknown")
            raise NodeOperationError(f"the Wait node resumes only after a time interval: {why}")
        seconds = float(params["amount"]) * SECONDS[params["unit"]]
        if seconds > 0:
            ctx.logger.info("%s: waiting %g s", ctx.node_name, seconds)
            await asyncio.sleep(seconds)
        return [items]
