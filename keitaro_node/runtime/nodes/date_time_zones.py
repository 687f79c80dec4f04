"""Time zones as the Date & Time node meets them: the workflow's, the process's, and by name.

Luxon (version 2) and moment-timezone (version 1) read zone names differently from the
expression layer's `find_zone`: Luxon keeps `Etc/UTC` an IANA zone (its ISO texts end in
`+00:00`, not `Z`), accepts `UTC+3` but not `+03:00`, and names are matched without regard to
letter case. The workflow's zone is n8n's `settings.timezone`; when a workflow has none, the
engine's default applies (runtime/timezone.py).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from ..expressions import ZONE_KEY
from ..expressions.luxon.zones import UTC_ZONE, Zone, fixed_zone, system_zone
from ..node import ExecutionContext

_LUXON_FIXED = re.compile(r"^utc(?:([+-]\d{1,2})(?::(\d{2}))?)?$", re.IGNORECASE)


@cache
def _zone_names() -> dict[str, str]:
    """Every IANA zone name the machine knows, by its lower-case spelling."""
    try:
        names = available_timezones()
    except OSError:  # pragma: no cover - a machine without zone data
        names = set()
    return {name.lower(): name for name in names}


@cache
def iana_zone(name: str) -> Zone | None:
    """The IANA zone `name` (any letter case), keeping the name as written; None if unknown."""
    if not name or name != name.strip() or ".." in name:
        return None
    canonical = _zone_names().get(name.lower(), name)
    try:
        return Zone(name, ZoneInfo(canonical), False)
    except (ValueError, OSError, KeyError):
        return None


def luxon_zone(name: Any, default: Zone) -> Zone | None:
    """The zone Luxon's setZone(name) gives; None where Luxon says "unsupported zone"."""
    if name is None:
        return default
    if not isinstance(name, str):
        return None
    lowered = name.lower()
    if lowered == "default":
        return default
    if lowered in ("local", "system"):
        return system_zone()
    if lowered in ("utc", "gmt"):
        return UTC_ZONE
    fixed = _LUXON_FIXED.match(lowered)
    if fixed:
        hours_text = fixed.group(1) or "0"
        minutes = int(fixed.group(2) or 0)
        sign = -1 if hours_text.startswith("-") else 1
        return fixed_zone(sign * (abs(int(hours_text)) * 60 + minutes))
    return iana_zone(name)


def moment_zone(name: Any) -> Zone | None:
    """The zone moment-timezone's tz(name) finds (IANA names and links), or None."""
    if not isinstance(name, str):
        return None
    return iana_zone(name)


def workflow_zone_name(ctx: ExecutionContext) -> str:
    """n8n's getTimezone(): the workflow's `settings.timezone`, else the engine's default.

    An engine may pass the setting as `workflow_timezone` on the context; otherwise the zone
    the expressions of this node use (the scope's) stands for it.
    """
    named = getattr(ctx, "workflow_timezone", None)
    if isinstance(named, str) and named and named != "DEFAULT":
        return named
    zone = ctx.scope_factory(0).get(ZONE_KEY)
    if isinstance(zone, Zone):
        return zone.name
    return system_zone().name


def process_zone() -> Zone:
    """The zone of the process (TZ, else the machine's): moment's local time, JavaScript's."""
    return system_zone()
