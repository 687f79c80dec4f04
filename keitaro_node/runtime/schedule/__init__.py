"""When a Schedule Trigger fires: n8n's cron dialect, its interval rules, and its output item.

No server code lives here: the workflow server's scheduler and a durable executor read the
same rules.
"""

from __future__ import annotations

from .cron import CronError, CronSpec
from .item import trigger_item
from .rules import Fire, Rule, Schedule, ScheduleError, build_schedule, zone_for

__all__ = [
    "CronError",
    "CronSpec",
    "Fire",
    "Rule",
    "Schedule",
    "ScheduleError",
    "build_schedule",
    "trigger_item",
    "zone_for",
]
