"""n8n's cron dialect, parsed into sets of values and stepped forward in a time zone.

n8n 1.123 schedules with the `cron` package (3.1.x), whose dialect differs from Vixie cron's
and from croniter's in ways a workflow notices, so it is read here as that package reads it:

- five fields, or six with seconds first; `@daily`, `@weekdays` and the other presets;
- three-letter month and day names (any other run of letters is an error), 0 and 7 for Sunday;
- `*`, lists, ranges and steps; `5/15` steps from 5 to the field's end; `?`, `L`, `W` and `#`
  are errors;
- a day matches when the day-of-month or the day-of-week field allows it, if either lists
  fewer than all its values (so `1-31` counts as "every day", like `*`);
- days that no listed month has (`0 0 30 2 *`) are folded as that package folds them.

Times are wall-clock times of the zone: a time a spring-forward jump skips fires at the jump,
a time an autumn fall-back repeats fires once (at its first occurrence), except that a cron
whose hour field allows every hour keeps firing through the repeated hour.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

FIELDS = ("second", "minute", "hour", "dayOfMonth", "month", "dayOfWeek")
_BOUNDS = {
    "second": (0, 59),
    "minute": (0, 59),
    "hour": (0, 23),
    "dayOfMonth": (1, 31),
    "month": (1, 12),
    "dayOfWeek": (0, 7),
}
_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30}
_DAYS_IN_MONTH[12] = 31
PRESETS = {
    "@yearly": "0 0 0 1 1 *",
    "@monthly": "0 0 0 1 * *",
    "@weekly": "0 0 0 * * 0",
    "@daily": "0 0 0 * * *",
    "@hourly": "0 0 * * * *",
    "@minutely": "0 * * * * *",
    "@secondly": "* * * * * *",
    "@weekdays": "0 0 0 * * 1-5",
    "@weekends": "0 0 0 * * 0,6",
}
_NAMES = {
    **{m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())},
    **{d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())},
}
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?(?:/(\d+))?$")
_LETTERS = re.compile(r"[a-z]{1,3}")
HORIZON_YEARS = 8  # the package gives up after eight years without a match


class CronError(ValueError):
    """The expression is not one n8n's scheduler accepts; the message says which part."""


@dataclass(frozen=True)
class CronSpec:
    """A parsed expression: the allowed values of each field (Sunday is 0)."""

    source: str
    seconds: tuple[int, ...]
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]

    @classmethod
    def parse(cls, expression: str) -> CronSpec:
        return _parse(expression)

    @property
    def restricts_day_of_month(self) -> bool:
        return len(self.days_of_month) != 31

    @property
    def restricts_day_of_week(self) -> bool:
        return len(self.days_of_week) != 7

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days_of_month
        in_week = (day.isoweekday() % 7) in self.days_of_week
        by_month, by_week = self.restricts_day_of_month, self.restricts_day_of_week
        if by_month and by_week:
            return in_month or in_week
        if by_month:
            return in_month
        if by_week:
            return in_week
        return True

    def next_after(self, after: datetime, zone: ZoneInfo) -> datetime | None:
        """The first firing instant strictly after `after` (aware), in `zone`; None if none
        comes within eight years."""
        return _next_after(self, after.astimezone(zone), zone)


def _parse(expression: str) -> CronSpec:
    if not isinstance(expression, str) or not expression.strip():
        raise CronError("the cron expression is empty")
    source = expression.strip().lower()
    source = PRESETS.get(source, source)

    def alias(match: re.Match[str]) -> str:
        word = match.group(0)
        if word not in _NAMES:
            raise CronError(f"unknown name '{word}' (names are jan-dec and sun-sat)")
        return str(_NAMES[word])

    source = _LETTERS.sub(alias, source)
    units = source.split()
    if len(units) < 5:
        raise CronError(
            f"too few fields ({len(units)}): a cron expression has 5, or 6 with seconds"
        )
    if len(units) > 6:
        raise CronError(
            f"too many fields ({len(units)}): a cron expression has 5, or 6 with seconds"
        )
    if len(units) == 5:
        units = ["0", *units]
    values = {unit: _field(text, unit) for unit, text in zip(FIELDS, units, strict=True)}
    days = _fold_days(values["dayOfMonth"], values["month"])
    return CronSpec(
        source=expression.strip(),
        seconds=tuple(sorted(values["second"])),
        minutes=tuple(sorted(values["minute"])),
        hours=tuple(sorted(values["hour"])),
        days_of_month=frozenset(days),
        months=frozenset(values["month"]),
        days_of_week=frozenset(values["dayOfWeek"]),
    )


_LABELS = {
    "second": "seconds",
    "minute": "minutes",
    "hour": "hours",
    "dayOfMonth": "day of month",
    "month": "month",
    "dayOfWeek": "day of week",
}


def _field(text: str, unit: str) -> set[int]:
    low, high = _BOUNDS[unit]
    label = _LABELS[unit]
    parts = text.split(",")
    if any("*" in part and not part.startswith("*") for part in parts):
        raise CronError(f"the {label} field '{text}' has '*' where only a whole value may stand")
    found: set[int] = set()
    for part in text.replace("*", f"{low}-{high}").split(","):
        match = _RANGE.match(part)
        if match is None:
            raise CronError(f"the {label} field '{text}' cannot be read")
        lower = int(match.group(1))
        upper = int(match.group(2)) if match.group(2) is not None else None
        step = int(match.group(3)) if match.group(3) is not None else 1
        if step == 0:
            raise CronError(f"the {label} field '{text}' has a step of zero")
        if upper is not None and lower > upper:
            raise CronError(f"the {label} field '{text}' has a range that runs backwards")
        if lower < low or (upper if upper is not None else lower) > high:
            raise CronError(f"the {label} field '{text}' is outside {low}-{high}")
        if upper is None:
            upper = high if match.group(3) is not None else lower
        found.update(range(lower, upper + 1, step))
    if unit == "dayOfWeek" and 7 in found:
        found.discard(7)
        found.add(0)
    return found


def _fold_days(days: set[int], months: set[int]) -> set[int]:
    """When no listed month has any listed day, fold the days as n8n's cron package does."""
    ok = False
    last_wrong: int | None = None
    for month in sorted(months):
        if any(day <= _DAYS_IN_MONTH[month] for day in days):
            ok = True
        if not ok:
            last_wrong = month
    if ok or last_wrong is None:
        return days
    limit = _DAYS_IN_MONTH[last_wrong]
    return {day % limit if day > limit else day for day in days}


# --- stepping forward -----------------------------------------------------------------------


def _instant(wall: datetime, zone: ZoneInfo) -> datetime:
    """Where a wall-clock time falls (UTC): its first occurrence, or the instant of the
    forward jump that skips it."""
    first = wall.replace(tzinfo=zone, fold=0)
    back = first.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != wall:  # skipped by a spring-forward jump
        return _transition(first - timedelta(hours=3), first + timedelta(hours=3), zone)
    return first.astimezone(UTC)


def _transition(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The first instant (to the second) in (low, high] with the offset `high` has."""
    low, high = low.astimezone(UTC), high.astimezone(UTC)
    target = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == target:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _repeated_walls(after: datetime, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The wall-clock hour a fall-back near `after` repeats: [start, end), or None."""
    window = timedelta(hours=3)
    before = (after - window).astimezone(zone).utcoffset()
    later = (after + window).astimezone(zone).utcoffset()
    if before is None or later is None or later >= before:
        return None
    moment = _transition(after - window, after + window, zone)
    start = (moment.astimezone(UTC) + later).replace(tzinfo=None)
    return start, start + (before - later)


def _times(spec: CronSpec, start: time | None) -> Iterator[time]:
    """The spec's times of day in order, from `start` on (inclusive) when given."""
    hours = spec.hours
    first_hour = bisect.bisect_left(hours, start.hour) if start else 0
    for hour in hours[first_hour:]:
        same_hour = start is not None and hour == start.hour
        minutes = spec.minutes
        first_minute = bisect.bisect_left(minutes, start.minute) if same_hour and start else 0
        for minute in minutes[first_minute:]:
            same_minute = same_hour and start is not None and minute == start.minute
            seconds = spec.seconds
            first_second = bisect.bisect_left(seconds, start.second) if same_minute and start else 0
            for second in seconds[first_second:]:
                yield time(hour, minute, second)


def _walls(spec: CronSpec, start: datetime, last_day: date) -> Iterator[datetime]:
    """The spec's wall-clock times from `start` (inclusive) to the end of `last_day`."""
    day = start.date()
    first = True
    while day <= last_day:
        if spec.day_matches(day):
            for moment in _times(spec, start.time() if first else None):
                yield datetime.combine(day, moment)
        day += timedelta(days=1)
        first = False


def _next_after(spec: CronSpec, after: datetime, zone: ZoneInfo) -> datetime | None:
    # instants are compared in UTC: aware times of one zone compare by wall clock, fold ignored
    every_hour = len(spec.hours) == 24
    after_utc = after.astimezone(UTC)
    start = after.replace(tzinfo=None, microsecond=0)
    horizon = start.date() + timedelta(days=366 * HORIZON_YEARS)
    found: datetime | None = None
    for wall in _walls(spec, start, horizon):
        instant = _instant(wall, zone)
        if instant > after_utc:
            found = instant
            break
    repeated = _repeated_walls(after, zone) if every_hour else None
    if repeated is not None:
        # a cron that fires every hour fires again through the repeated hour, whose wall
        # times may lie before `after`'s own
        begin, end = repeated
        for wall in _walls(spec, begin, end.date()):
            if wall >= end:
                break
            second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
            if second > after_utc:
                found = second if found is None else min(found, second)
                break
    return None if found is None else found.astimezone(zone)
