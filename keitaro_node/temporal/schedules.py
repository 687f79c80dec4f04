"""A Schedule Trigger's rules as a Temporal Schedule spec.

The rules are read as the workflow server reads them (runtime.schedule: n8n's cron dialect,
its interval rules, the workflow's time zone) and each rule's cron becomes a Temporal
calendar: seconds, minutes, hours, days of month, months and weekdays, in the workflow's zone.
n8n's "every N days" and "every N weeks" with N above 1 fire on a daily or weekly cron and
skip days counted from the first firing; a calendar cannot say that, so such a rule is
refused with the command that can (`--every`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from typing import Any

from temporalio.client import ScheduleCalendarSpec, ScheduleRange, ScheduleSpec

TRIGGER = "n8n-nodes-base.scheduleTrigger"


def trigger_spec(workflow: Mapping[str, Any]) -> ScheduleSpec:
    from keitaro_node.runtime.schedule import ScheduleError as schedule_error

    from . import hosting

    node = next(
        (
            n
            for n in workflow.get("nodes", [])
            if isinstance(n, Mapping) and n.get("type") == TRIGGER and not n.get("disabled")
        ),
        None,
    )
    if node is None:
        raise ValueError(
            "the workflow has no Schedule Trigger to say when it runs: give --every "
            '(like 1h) or --cron "0 * * * *"'
        )
    node_type: Any = hosting.host().node_type(TRIGGER)
    try:
        schedule = node_type.schedule_for(
            node.get("parameters") or {},
            float(node.get("typeVersion") or 1),
            workflow.get("settings") or {},
            random.Random(0),
        )
    except schedule_error as exc:
        raise ValueError(f"node '{node.get('name')}': {exc}") from None
    calendars = []
    for rule in schedule.rules:
        if rule.unit is not None and rule.every > 1:
            raise ValueError(
                f"node '{node.get('name')}', rule {rule.index + 1}: every {rule.every} "
                f"{rule.unit} cannot be a Temporal calendar; schedule it with --every "
                f"{rule.every * (7 if rule.unit == 'weeks' else 1)}d"
            )
        cron = rule.cron
        calendars.append(
            ScheduleCalendarSpec(
                second=_ranges(cron.seconds),
                minute=_ranges(cron.minutes),
                hour=_ranges(cron.hours),
                day_of_month=_ranges(cron.days_of_month),
                month=_ranges(cron.months),
                day_of_week=_ranges(cron.days_of_week),
                comment=f"rule {rule.index + 1}: {rule.describe()}",
            )
        )
    return ScheduleSpec(calendars=calendars, time_zone_name=schedule.zone.key)


def _ranges(values: Iterable[int]) -> list[ScheduleRange]:
    """Sorted values as runs of consecutive numbers."""
    out: list[ScheduleRange] = []
    for value in sorted(set(values)):
        if out and out[-1].end == value - 1:
            out[-1] = ScheduleRange(out[-1].start, value)
        else:
            out.append(ScheduleRange(value, value))
    return out
