"""The item a Schedule Trigger outputs when it fires, with n8n's fields and formats."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return f"{day}th"
    return f"{day}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th') }"


def _clock(moment: datetime) -> str:
    """`h:mm:ss a` as moment.js prints it: 12-hour clock, am/pm."""
    hour = moment.hour % 12 or 12
    half = "am" if moment.hour < 12 else "pm"
    return f"{hour}:{moment.minute:02d}:{moment.second:02d} {half}"


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset()
    minutes = int(delta.total_seconds() // 60) if delta is not None else 0
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def trigger_item(moment: datetime, zone: ZoneInfo) -> dict[str, Any]:
    """The json of the item n8n's Schedule Trigger emits for a firing at `moment`."""
    local = moment.astimezone(zone)
    millis = local.microsecond // 1000
    stamp = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}{_offset(local)}"
    return {
        "timestamp": stamp,
        "Readable date": f"{_MONTHS[local.month - 1]} {_ordinal(local.day)} {local.year}, "
        f"{_clock(local)}",
        "Readable time": _clock(local),
        "Day of week": _WEEKDAYS[local.weekday()],
        "Year": f"{local.year:04d}",
        "Month": _MONTHS[local.month - 1],
        "Day of month": f"{local.day:02d}",
        "Hour": f"{local.hour:02d}",
        "Minute": f"{local.minute:02d}",
        "Second": f"{local.second:02d}",
        "Timezone": f"{zone.key} (UTC{_offset(local)})",
    }
