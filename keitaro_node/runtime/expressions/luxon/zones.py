"""Time zones as Luxon names them: IANA names (zoneinfo), 'utc', fixed offsets like 'UTC+3'."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_FIXED = re.compile(r"^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Zone:
    """A zone: its Luxon name, the tzinfo that computes offsets, and whether it is fixed."""

    name: str
    tz: tzinfo
    fixed: bool

    def abbreviation(self, epoch_ms: float) -> str:
        moment = datetime.fromtimestamp(epoch_ms / 1000, UTC).astimezone(self.tz)
        return moment.tzname() or self.name


UTC_ZONE = Zone("UTC", UTC, True)


def fixed_zone(minutes: int) -> Zone:
    if minutes == 0:
        return UTC_ZONE
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    name = f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")
    return Zone(name, timezone(timedelta(minutes=minutes)), True)


@lru_cache(maxsize=256)
def find_zone(name: str) -> Zone | None:
    """The zone called `name`, or None when there is no such zone."""
    lowered = name.strip().lower()
    if lowered in ("utc", "gmt", "z", "etc/utc", "etc/gmt", "universal"):
        return UTC_ZONE
    match = _FIXED.match(name.strip())
    if match and (lowered.startswith(("utc", "gmt")) or name.strip()[0] in "+-"):
        sign, hours, mins = match.groups()
        total = int(hours) * 60 + int(mins or 0)
        return fixed_zone(total if sign == "+" else -total)
    try:
        return Zone(name.strip(), ZoneInfo(name.strip()), False)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def system_zone() -> Zone:
    """The process's zone: TZ, else the system's, else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        zone = find_zone(name)
        if zone is not None:
            return zone
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            zone = find_zone(handle.read().strip())
            if zone is not None:
                return zone
    except OSError:
        pass
    link = "/etc/localtime"
    if os.path.islink(link):
        target = os.path.realpath(link)
        marker = "zoneinfo/"
        if marker in target:
            zone = find_zone(target.split(marker, 1)[1])
            if zone is not None:
                return zone
    return UTC_ZONE
