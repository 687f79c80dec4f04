"""Schedule Trigger: starts a workflow on a schedule, with n8n's rules and output item.

The firing itself belongs to whoever runs workflows over time (the workflow server, a durable
executor): they read the node's rules through `schedule_for` and start the run with the item
`trigger_item` builds. Run by hand (`keitaro-node run`), the node outputs the item for now.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import NodeOperationError
from ..expressions import ZONE_KEY
from ..items import Item, PairedItem
from ..node import ExecutionContext
from ..raw_parameters import n8n_values
from ..schedule import Schedule, ScheduleError, build_schedule, trigger_item, zone_for
from .base import DescribedNode
from .reshaping import version_label

_HOURS = [
    {"name": "Midnight" if h == 0 else "Noon" if h == 12 else f"{h % 12}{'am' if h < 12 else 'pm'}",
     "value": h}
    for h in range(24)
]  # fmt: skip
_WEEKDAYS = [
    {"name": name, "value": value}
    for name, value in (
        ("Monday", 1), ("Tuesday", 2), ("Wednesday", 3), ("Thursday", 4), ("Friday", 5),
        ("Saturday", 6), ("Sunday", 0),
    )
]  # fmt: skip


def _number(name: str, label: str, default: int, fields: list[str]) -> dict[str, Any]:
    return {
        "displayName": label,
        "name": name,
        "type": "number",
        "default": default,
        "displayOptions": {"show": {"field": fields}},
    }


class ScheduleTrigger(DescribedNode):
    """Starts the workflow on the schedule its rules describe."""

    type_names = ("n8n-nodes-base.scheduleTrigger", "scheduleTrigger")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "scheduleTrigger",
        "displayName": "Schedule Trigger",
        "description": "Starts the workflow on a schedule (run by `keitaro-node serve`)",
        "version": [1, 1.1, 1.2, 1.3],
        "group": ["trigger", "schedule"],
        "inputs": [],
        "properties": [
            {
                "displayName": "Trigger Rules",
                "name": "rule",
                "type": "fixedCollection",
                "typeOptions": {"multipleValues": True},
                "default": {"interval": [{"field": "days"}]},
                "options": [
                    {
                        "name": "interval",
                        "displayName": "Trigger Interval",
                        "values": [
                            {
                                "displayName": "Trigger Interval",
                                "name": "field",
                                "type": "options",
                                "default": "days",
                                "options": [
                                    {"name": "Seconds", "value": "seconds"},
                                    {"name": "Minutes", "value": "minutes"},
                                    {"name": "Hours", "value": "hours"},
                                    {"name": "Days", "value": "days"},
                                    {"name": "Weeks", "value": "weeks"},
                                    {"name": "Months", "value": "months"},
                                    {"name": "Custom (Cron)", "value": "cronExpression"},
                                ],
                            },
                            _number("secondsInterval", "Seconds Between Triggers", 30, ["seconds"]),
                            _number("minutesInterval", "Minutes Between Triggers", 5, ["minutes"]),
                            _number("hoursInterval", "Hours Between Triggers", 1, ["hours"]),
                            _number("daysInterval", "Days Between Triggers", 1, ["days"]),
                            _number("weeksInterval", "Weeks Between Triggers", 1, ["weeks"]),
                            _number("monthsInterval", "Months Between Triggers", 1, ["months"]),
                            _number(
                                "triggerAtDayOfMonth", "Trigger at Day of Month", 1, ["months"]
                            ),
                            {
                                "displayName": "Trigger on Weekdays",
                                "name": "triggerAtDay",
                                "type": "multiOptions",
                                "default": [0],
                                "options": _WEEKDAYS,
                                "displayOptions": {"show": {"field": ["weeks"]}},
                            },
                            {
                                "displayName": "Trigger at Hour",
                                "name": "triggerAtHour",
                                "type": "options",
                                "default": 0,
                                "options": _HOURS,
                                "displayOptions": {"show": {"field": ["days", "weeks", "months"]}},
                            },
                            _number(
                                "triggerAtMinute",
                                "Trigger at Minute",
                                0,
                                ["hours", "days", "weeks", "months"],
                            ),
                            {
                                "displayName": "Expression",
                                "name": "expression",
                                "type": "string",
                                "default": "",
                                "placeholder": "0 15 * 1 sun",
                                "description": "[Second] Minute Hour Day-of-month Month "
                                "Day-of-week, as n8n reads cron",
                                "displayOptions": {"show": {"field": ["cronExpression"]}},
                            },
                        ],
                    }
                ],
            }
        ],
    }

    @property
    def versions(self) -> tuple[float, ...]:
        version = self.description.version
        return tuple(version) if isinstance(version, tuple) else (version,)

    def schedule_for(
        self,
        parameters: Mapping[str, Any],
        type_version: float,
        settings: Mapping[str, Any] | None,
        rng: random.Random | None = None,
    ) -> Schedule:
        """The node's schedule in the workflow's time zone; ScheduleError says what is wrong."""
        if type_version not in self.versions:
            known = ", ".join(version_label(v) for v in self.versions)
            raise ScheduleError(
                f"Schedule Trigger has no typeVersion {version_label(type_version)} here "
                f"(the versions this runtime implements are {known})"
            )
        try:
            values = n8n_values(self.description.properties, parameters, type_version)
        except ValueError as exc:
            raise ScheduleError(str(exc)) from None
        intervals = values.get("rule", {}).get("interval", [])
        return build_schedule(intervals, zone_for(settings), rng)

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if ctx.type_version not in self.versions:
            known = ", ".join(version_label(v) for v in self.versions)
            raise NodeOperationError(
                f"Schedule Trigger has no typeVersion {version_label(ctx.type_version)} here",
                description=f"the versions this runtime implements are {known}",
            )
        given = [item for item in items if item.json]
        if given:  # a scheduler started the run with the item of its firing
            return [
                [Item(json=item.json, paired_item=PairedItem(i)) for i, item in enumerate(given)]
            ]
        zone = _zone(ctx)
        return [[Item(json=trigger_item(datetime.now(UTC), zone))]]


def _zone(ctx: ExecutionContext) -> ZoneInfo:
    zone = ctx.scope_factory(0).get(ZONE_KEY)
    name = getattr(zone, "name", None)
    try:
        return ZoneInfo(name) if isinstance(name, str) else zone_for(None)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
