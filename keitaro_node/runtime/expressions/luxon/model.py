"""Luxon's DateTime as a Python value: an instant (epoch milliseconds), a zone and a locale.

Calendar arithmetic (years, months, days) moves the wall-clock time in the zone; time
arithmetic (hours and smaller) moves the instant, as Luxon does. A DateTime that cannot be
(a bad ISO text, a month 13, a year past 9999) is invalid and says why, rather than failing.
Nothing here knows about expressions: the Date & Time node can use it as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from .zones import UTC_ZONE, Zone

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MS_PER_UNIT = {
    "milliseconds": 1,
    "seconds": 1000,
    "minutes": 60_000,
    "hours": 3_600_000,
}
ALL_UNITS = (
    "years",
    "quarters",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
)
SINGULAR = {u[:-1]: u for u in ALL_UNITS}


def normalize_unit(name: str) -> str | None:
    key = name.strip()
    if key in ALL_UNITS:
        return key
    if key in SINGULAR:
        return SINGULAR[key]
    lowered = key.lower()
    if lowered in ALL_UNITS:
        return lowered
    return SINGULAR.get(lowered)


class LuxonDateTime:
    """An instant in a zone, with Luxon's fields and arithmetic."""

    __slots__ = ("_local", "explanation", "invalid", "locale", "ms", "zone")

    def __init__(
        self,
        ms: float,
        zone: Zone,
        locale: str = "en-US",
        invalid: str | None = None,
        explanation: str | None = None,
    ) -> None:
        self.ms = ms
        self.zone = zone
        self.locale = locale
        self.invalid = invalid
        self.explanation = explanation
        self._local: datetime | None = None
        if invalid is None:
            if math.isnan(ms) or abs(ms) > 8.64e15:
                self.invalid, self.explanation = "invalid input", "the instant is out of range"
            else:
                try:
                    self._local = (EPOCH + timedelta(milliseconds=ms)).astimezone(zone.tz)
                except (OverflowError, ValueError):
                    self.invalid = "unit out of range"
                    self.explanation = "dates before year 1 or after year 9999 are not supported"

    # --- making ---------------------------------------------------------------------------

    @classmethod
    def invalid_value(cls, reason: str, explanation: str | None = None) -> LuxonDateTime:
        return cls(math.nan, UTC_ZONE, invalid=reason, explanation=explanation)

    @classmethod
    def from_fields(
        cls, fields: Mapping[str, int | float], zone: Zone, locale: str = "en-US"
    ) -> LuxonDateTime:
        """Wall-clock fields (year, month, day, hour, minute, second, millisecond) in `zone`."""
        try:
            year = int(fields.get("year", 1970))
            month = int(fields.get("month", 1))
            day = int(fields.get("day", 1))
            if not (1 <= month <= 12):
                return cls.invalid_value(
                    "unit out of range", f"you specified {month} (of type number) as a month"
                )
            if not (1 <= day <= days_in_month(year, month)):
                return cls.invalid_value(
                    "unit out of range", f"you specified {day} (of type number) as a day"
                )
            hour = int(fields.get("hour", 0))
            minute = int(fields.get("minute", 0))
            second = int(fields.get("second", 0))
            millisecond = float(fields.get("millisecond", 0))
            if hour == 24 and minute == 0 and second == 0 and millisecond == 0:
                base = datetime(year, month, day, tzinfo=zone.tz) + timedelta(days=1)
            else:
                if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
                    return cls.invalid_value("unit out of range", "a time field is out of range")
                base = datetime(year, month, day, hour, minute, second, tzinfo=zone.tz)
        except (ValueError, OverflowError):
            return cls.invalid_value(
                "unit out of range", "dates before year 1 or after year 9999 are not supported"
            )
        return cls(_epoch_ms(base) + round(millisecond), zone, locale)

    @classmethod
    def from_datetime(cls, value: datetime, zone: Zone, locale: str = "en-US") -> LuxonDateTime:
        return cls(_epoch_ms(value), zone, locale)

    # --- reading --------------------------------------------------------------------------

    @property
    def is_valid(self) -> bool:
        return self.invalid is None

    @property
    def local(self) -> datetime:
        assert self._local is not None
        return self._local

    def get(self, unit: str) -> float | int:
        if not self.is_valid:
            return math.nan
        d = self.local
        iso_year, iso_week, iso_weekday = d.isocalendar()
        values: dict[str, int] = {
            "year": d.year,
            "month": d.month,
            "day": d.day,
            "hour": d.hour,
            "minute": d.minute,
            "second": d.second,
            "millisecond": d.microsecond // 1000,
            "weekday": iso_weekday,
            "weekNumber": iso_week,
            "weekYear": iso_year,
            "ordinal": d.timetuple().tm_yday,
            "quarter": (d.month - 1) // 3 + 1,
            "localWeekNumber": iso_week,
            "localWeekYear": iso_year,
            "localWeekday": iso_weekday,
        }
        return values.get(unit, math.nan)

    @property
    def offset(self) -> float | int:
        if not self.is_valid:
            return math.nan
        return int((self.local.utcoffset() or timedelta(0)).total_seconds() // 60)

    def is_dst(self) -> bool:
        if not self.is_valid or self.zone.fixed:
            return False
        dst = self.local.dst()
        return bool(dst and dst.total_seconds() != 0)

    def fields(self) -> dict[str, int]:
        return {
            k: int(self.get(k))
            for k in ("year", "month", "day", "hour", "minute", "second", "millisecond")
        }

    # --- changing -------------------------------------------------------------------------

    def _with(self, ms: float) -> LuxonDateTime:
        return LuxonDateTime(ms, self.zone, self.locale)

    def set_zone(self, zone: Zone, keep_local_time: bool = False) -> LuxonDateTime:
        if not self.is_valid:
            return self
        if keep_local_time:
            return LuxonDateTime.from_fields(self.fields(), zone, self.locale)
        return LuxonDateTime(self.ms, zone, self.locale)

    def set_locale(self, locale: str) -> LuxonDateTime:
        return LuxonDateTime(self.ms, self.zone, locale, self.invalid, self.explanation)

    def set(self, values: dict[str, Any]) -> LuxonDateTime:
        if not self.is_valid:
            return self
        fields: dict[str, Any] = self.fields()
        weekday = None
        for key, value in values.items():
            if key in ("weekday", "localWeekday"):
                weekday = int(value)
            elif key in ("weekNumber", "weekYear", "ordinal"):
                continue
            elif key in fields:
                fields[key] = value
        # like Luxon, days past the month's end roll over into the next month
        overflow = 0
        if 1 <= int(fields["month"]) <= 12:
            last = days_in_month(int(fields["year"]), int(fields["month"]))
            if int(fields["day"]) > last:
                overflow = int(fields["day"]) - last
                fields["day"] = last
        result = LuxonDateTime.from_fields(fields, self.zone, self.locale)
        if overflow and result.is_valid:
            result = result.plus({"days": overflow})
        if weekday is not None and result.is_valid:
            return result.plus({"days": weekday - int(result.get("weekday"))})
        return result

    def plus(self, amounts: Mapping[str, float | int], sign: int = 1) -> LuxonDateTime:
        """Add a duration: calendar units on the wall clock, time units on the instant."""
        if not self.is_valid:
            return self
        fields = self.fields()
        calendar = False
        months = 0.0
        days = 0.0
        ms = 0.0
        for unit, amount in amounts.items():
            value = float(amount) * sign
            if unit == "years":
                months += value * 12
            elif unit == "quarters":
                months += value * 3
            elif unit == "months":
                months += value
            elif unit == "weeks":
                days += value * 7
            elif unit == "days":
                days += value
            else:
                ms += value * MS_PER_UNIT[unit]
        if months or days:
            calendar = True
        if not calendar:
            return self._with(self.ms + ms)
        whole_months = math.trunc(months)
        total = fields["year"] * 12 + (fields["month"] - 1) + whole_months
        year, month0 = divmod(int(total), 12)
        if not (1 <= year <= 9999):
            return LuxonDateTime.invalid_value(
                "unit out of range", "dates before year 1 or after year 9999 are not supported"
            )
        fields["year"], fields["month"] = year, month0 + 1
        fields["day"] = min(fields["day"], days_in_month(year, month0 + 1))
        whole_days = math.trunc(days)
        try:
            moved = datetime(fields["year"], fields["month"], fields["day"]) + timedelta(
                days=whole_days
            )
        except OverflowError:
            return LuxonDateTime.invalid_value("unit out of range", "the date is out of range")
        fields.update(year=moved.year, month=moved.month, day=moved.day)
        result = LuxonDateTime.from_fields(fields, self.zone, self.locale)
        extra = (days - whole_days) * 86_400_000 + ms
        return result._with(result.ms + extra) if extra and result.is_valid else result

    def start_of(self, unit: str) -> LuxonDateTime:
        if not self.is_valid:
            return self
        f = self.fields()
        order = ["year", "quarter", "month", "week", "day", "hour", "minute", "second"]
        if unit not in order:
            raise ValueError(f"Invalid unit {unit}")
        if unit in ("year", "quarter", "month"):
            f["day"] = 1
        if unit == "year":
            f["month"] = 1
        if unit == "quarter":
            f["month"] = (f["month"] - 1) // 3 * 3 + 1
        if unit in ("year", "quarter", "month", "week", "day"):
            f["hour"] = 0
        if unit in ("year", "quarter", "month", "week", "day", "hour"):
            f["minute"] = 0
        if unit != "second":
            f["second"] = 0
        f["millisecond"] = 0
        result = LuxonDateTime.from_fields(f, self.zone, self.locale)
        if unit == "week":
            result = result.plus({"days": -(int(result.get("weekday")) - 1)})
        return result

    def end_of(self, unit: str) -> LuxonDateTime:
        if not self.is_valid:
            return self
        start = self.start_of(unit)
        step = {"quarter": {"months": 3}}.get(unit, {f"{unit}s": 1})
        following = start.plus(step)
        return following._with(following.ms - 1)

    # --- comparing ------------------------------------------------------------------------

    def has_same(self, other: LuxonDateTime, unit: str) -> bool:
        if not (self.is_valid and other.is_valid):
            return False
        mine = self.start_of(unit)
        theirs = other.set_zone(self.zone).start_of(unit)
        return mine.ms == theirs.ms


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _epoch_ms(value: datetime) -> float:
    delta = value.astimezone(UTC) - EPOCH
    return float((delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000)
