"""The Schedule Trigger's rules, turned into firing times as n8n 1.123 fires them.

Each rule of `rule.interval` becomes a cron expression the way n8n builds it (a random second
for minute-and-longer intervals, chosen once when the schedule is made, as n8n chooses it when
a workflow is activated). "Every N days" and "every N weeks" cannot be said in cron; n8n fires
its daily or weekly cron and lets only every N-th day or week through, counted from the first
firing. That is kept here as an anchor (the first firing of the rule) and a count of days or
weeks since it. n8n's check compares day-of-year and week numbers modulo 365 and 52 and stops
firing after some year ends; counting from the anchor has no such end.

Nothing here knows about servers: a scheduler asks `next_fire` and calls `record`; a durable
executor can read `rules` (cron fields, interval, anchor) to build its own schedule.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .cron import CronError, CronSpec

FIELDS = ("seconds", "minutes", "hours", "days", "weeks", "months", "cronExpression")
_LIMITS: dict[str, tuple[str, str, int, int | None]] = {
    # field: (parameter, n8n's words when out of range, minimum, maximum)
    "seconds": ("secondsInterval", "Seconds must be in range 1-59", 1, 59),
    "minutes": ("minutesInterval", "Minutes must be in range 1-59", 1, 59),
    "hours": ("hoursInterval", "Hours must be in range 1-23", 1, 23),
    "days": ("daysInterval", "Days must be in range 1-31", 1, 31),
    "weeks": ("weeksInterval", "Weeks must be larger than 0", 1, None),
    "months": ("monthsInterval", "Months must be larger than 0", 1, None),
}


class ScheduleError(ValueError):
    """The rules cannot be scheduled as n8n schedules them; the message names the rule."""


@dataclass(frozen=True)
class Rule:
    """One rule: its cron, and for every-N-days/weeks the N that filters the cron's days."""

    index: int
    field: str
    cron: CronSpec
    every: int = 1
    unit: Literal["days", "weeks"] | None = None

    def describe(self) -> str:
        if self.unit and self.every > 1:
            return f"{self.cron.source} (every {self.every} {self.unit})"
        return self.cron.source


@dataclass(frozen=True)
class Fire:
    """A firing time and the rules that fire at it."""

    at: datetime
    rules: tuple[int, ...]


@dataclass
class Schedule:
    """The rules of one Schedule Trigger node in one time zone, with each rule's anchor."""

    rules: tuple[Rule, ...]
    zone: ZoneInfo
    anchors: dict[int, date] = field(default_factory=dict)

    def next_fire(self, after: datetime) -> Fire | None:
        """The next time after `after` (aware) that any rule fires; None when none will."""
        times: dict[datetime, list[int]] = {}
        for rule in self.rules:
            at = self._next_of(rule, after)
            if at is not None:  # keyed in UTC: times of one zone compare without their fold
                times.setdefault(at.astimezone(UTC), []).append(rule.index)
        if not times:
            return None
        first = min(times)
        return Fire(first.astimezone(self.zone), tuple(times[first]))

    def record(self, fire: Fire) -> None:
        """Remember a firing: it anchors every-N-days/weeks rules that had no anchor yet."""
        for index in fire.rules:
            rule = self.rules[index]
            if rule.unit and rule.every > 1 and index not in self.anchors:
                self.anchors[index] = fire.at.astimezone(self.zone).date()

    def _next_of(self, rule: Rule, after: datetime) -> datetime | None:
        at = rule.cron.next_after(after, self.zone)
        anchor = self.anchors.get(rule.index)
        if anchor is None or rule.unit is None or rule.every <= 1:
            return at
        for _ in range(8 * rule.every + 8):  # the cron fires at least weekly on a due week
            if at is None or _due(rule, anchor, at.astimezone(self.zone).date()):
                return at
            at = rule.cron.next_after(at, self.zone)
        return at


def _due(rule: Rule, anchor: date, day: date) -> bool:
    if rule.unit == "days":
        return (day - anchor).days % rule.every == 0
    # weeks run Sunday to Saturday, as in n8n's (moment's English) week numbers
    week_start = anchor - timedelta(days=anchor.isoweekday() % 7)
    return ((day - week_start).days // 7) % rule.every == 0


def zone_for(settings: Mapping[str, Any] | None) -> ZoneInfo:
    """The workflow's `settings.timezone`, else the default every run uses (timezone.py)."""
    from ..timezone import workflow_zone

    name = (settings or {}).get("timezone")
    if not isinstance(name, str) or not name or name == "DEFAULT":
        name = workflow_zone(None).name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(
            f"settings.timezone '{name}' is not a time zone (use a name such as Europe/Berlin)"
        ) from None


def build_schedule(
    intervals: Sequence[Mapping[str, Any]],
    zone: ZoneInfo,
    rng: random.Random | None = None,
) -> Schedule:
    """A Schedule from the node's `rule.interval` rows (defaults filled in, as n8n has them)."""
    if not intervals:
        raise ScheduleError("the node has no trigger rules: add one under Trigger Rules")
    chance = rng or random.Random()
    rules = tuple(_rule(i, row, chance) for i, row in enumerate(intervals))
    schedule = Schedule(rules, zone)
    now = datetime.now(zone)
    for rule in rules:
        if rule.cron.next_after(now, zone) is None:
            raise ScheduleError(
                f"rule {rule.index + 1} ({rule.cron.source}) never fires in the next eight years"
            )
    return schedule


def _rule(index: int, row: Mapping[str, Any], rng: random.Random) -> Rule:
    where = f"rule {index + 1}"
    kind = row.get("field", "days")
    if kind not in FIELDS:
        raise ScheduleError(
            f"{where}: unknown Trigger Interval '{kind}' (one of {', '.join(FIELDS)})"
        )
    for name, value in row.items():
        if isinstance(value, str) and value.startswith("="):
            raise ScheduleError(
                f"{where}: '{name}' is an expression; schedules are read once, when the "
                "workflow loads, so give a plain value"
            )
    if kind == "cronExpression":
        expression = row.get("expression", "")
        try:
            return Rule(index, kind, CronSpec.parse(str(expression)))
        except CronError as exc:
            raise ScheduleError(f"{where}: Invalid cron expression '{expression}': {exc}") from None
    parameter, words, low, high = _LIMITS[kind]
    size = _whole(row.get(parameter), f"{where}: '{parameter}'")
    if size < low or (high is not None and size > high):
        raise ScheduleError(f"{where}: Invalid interval - {words} (it is {size})")
    second = rng.randrange(60)
    if kind == "seconds":
        return Rule(index, kind, _cron(f"*/{size} * * * * *", where))
    if kind == "minutes":
        return Rule(index, kind, _cron(f"{second} */{size} * * * *", where))
    minute = _optional_whole(row.get("triggerAtMinute"), f"{where}: 'triggerAtMinute'")
    minute = rng.randrange(60) if minute is None else minute
    if kind == "hours":
        return Rule(index, kind, _cron(f"{second} {minute} */{size} * * *", where))
    hour = _optional_whole(row.get("triggerAtHour"), f"{where}: 'triggerAtHour'")
    hour = rng.randrange(24) if hour is None else hour
    if kind == "days":
        return Rule(index, kind, _cron(f"{second} {minute} {hour} * * *", where), size, "days")
    if kind == "weeks":
        days = row.get("triggerAtDay", [0])
        if not isinstance(days, list) or not all(_is_whole(d) for d in days):
            raise ScheduleError(f"{where}: 'triggerAtDay' must be a list of weekdays 0-6")
        listed = ",".join(str(int(d)) for d in days) if days else "*"
        cron = _cron(f"{second} {minute} {hour} * * {listed}", where)
        return Rule(index, kind, cron, size, "weeks")
    day = _optional_whole(row.get("triggerAtDayOfMonth"), f"{where}: 'triggerAtDayOfMonth'")
    day = rng.randrange(31) if day is None else day
    return Rule(index, kind, _cron(f"{second} {minute} {hour} {day} */{size} *", where))


def _cron(expression: str, where: str) -> CronSpec:
    try:
        return CronSpec.parse(expression)
    except CronError as exc:
        raise ScheduleError(f"{where}: {exc}") from None


def _is_whole(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and float(value).is_integer()
    )


def _whole(value: Any, what: str) -> int:
    if not _is_whole(value):
        raise ScheduleError(f"{what} must be a whole number, got {value!r}")
    return int(value)


def _optional_whole(value: Any, what: str) -> int | None:
    return None if value is None else _whole(value, what)
