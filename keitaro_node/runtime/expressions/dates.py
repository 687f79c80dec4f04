"""Date values inside expressions: Luxon's DateTime, Duration and Interval, and JavaScript's Date.

The model lives in .luxon; these classes expose it to expressions with Luxon's (and Date's)
method names. The default zone (the workflow's time zone) is module state set per evaluation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from .luxon import formatting as fmt
from .luxon import parsing
from .luxon.duration import Duration, diff
from .luxon.model import ALL_UNITS, LuxonDateTime, days_in_month, normalize_unit
from .luxon.zones import UTC_ZONE, Zone, find_zone, system_zone
from .values import (
    UNDEFINED,
    ExpressionError,
    ExprObject,
    JsError,
    is_number,
    js_string,
    range_error,
    tidy,
    to_number,
)


class _Settings:
    zone: Zone = UTC_ZONE
    js_zone: Zone = system_zone()


SETTINGS = _Settings()


def now_ms() -> float:
    return float(int(time.time() * 1000))


def options_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def zone_option(options: dict[str, Any]) -> Zone | None:
    name = options.get("zone", UNDEFINED)
    if name is UNDEFINED or name is None:
        return SETTINGS.zone
    if isinstance(name, str):
        if name.lower() in ("local", "system", "default"):
            return SETTINGS.zone
        return find_zone(name)
    return SETTINGS.zone


def _number_or_nan(value: float | int) -> float | int:
    return tidy(value) if not (isinstance(value, float) and math.isnan(value)) else math.nan


def duration_object(value: Any) -> Duration:
    if isinstance(value, DurationValue):
        return value.duration
    if is_number(value):
        return Duration.from_millis(float(value))
    if isinstance(value, dict):
        try:
            return Duration.from_object({k: to_number(v) for k, v in value.items()})
        except ValueError as exc:
            raise JsError("Error", str(exc)) from None
    raise JsError(
        "Error", f"Unknown duration argument {js_string(value)} of type {type(value).__name__}"
    )


class DateTimeValue(ExprObject):
    """A Luxon DateTime."""

    def __init__(self, value: LuxonDateTime) -> None:
        self.value = value

    def expr_name(self) -> str:
        return "DateTime"

    def expr_plain(self) -> Any:
        return fmt.to_iso(self.value)

    def expr_string(self) -> str:
        return fmt.to_iso(self.value) or fmt.INVALID

    def expr_number(self) -> float | int:
        return _number_or_nan(self.value.ms)

    def expr_get(self, name: str) -> Any:
        dt = self.value
        if name in (
            "year",
            "month",
            "day",
            "hour",
            "minute",
            "second",
            "millisecond",
            "weekday",
            "weekNumber",
            "weekYear",
            "ordinal",
            "quarter",
            "localWeekNumber",
            "localWeekYear",
            "localWeekday",
        ):
            return _number_or_nan(dt.get(name))
        if not dt.is_valid and name not in ("isValid", "invalidReason", "invalidExplanation"):
            return {"zoneName": None, "locale": None}.get(
                name, math.nan if name != "zone" else None
            )
        values: dict[str, Any] = {
            "isValid": dt.is_valid,
            "invalidReason": dt.invalid,
            "invalidExplanation": dt.explanation,
            "zoneName": dt.zone.name if dt.is_valid else None,
            "offset": dt.offset,
            "isOffsetFixed": dt.zone.fixed,
            "isInDST": dt.is_dst(),
            "locale": dt.locale,
            "numberingSystem": "latn",
            "outputCalendar": "gregory",
            "ts": tidy(dt.ms),
            "zone": {"name": dt.zone.name, "type": "fixed" if dt.zone.fixed else "iana"},
        }
        if name in values:
            return values[name]
        if dt.is_valid:
            d = dt.local
            lazy: dict[str, Callable[[], Any]] = {
                "daysInMonth": lambda: days_in_month(d.year, d.month),
                "daysInYear": lambda: 366 if _leap(d.year) else 365,
                "isInLeapYear": lambda: _leap(d.year),
                "weeksInWeekYear": lambda: 53 if _long_year(int(dt.get("weekYear"))) else 52,
                "monthLong": lambda: fmt.to_format(dt, "LLLL"),
                "monthShort": lambda: fmt.to_format(dt, "LLL"),
                "weekdayLong": lambda: fmt.to_format(dt, "cccc"),
                "weekdayShort": lambda: fmt.to_format(dt, "ccc"),
                "offsetNameShort": lambda: fmt.zone_short_name(dt),
                "offsetNameLong": lambda: fmt.zone_long_name(dt),
                "isWeekend": lambda: dt.get("weekday") in (6, 7),
            }
            if name in lazy:
                return lazy[name]()
        return UNDEFINED

    def expr_call(self, name: str, args: list[Any]) -> Any:
        dt = self.value
        a0 = args[0] if args else UNDEFINED
        if name in ("toISO", "toJSON"):
            options = options_of(a0)
            return fmt.to_iso(
                dt, **{k: v for k, v in options.items() if isinstance(v, (bool, str))}
            )
        if name == "toString":
            return self.expr_string()
        if name == "toISODate":
            return fmt.to_iso_date(dt)
        if name == "toISOTime":
            options = options_of(a0)
            return fmt.to_iso_time(
                dt,
                suppress_ms=bool(options.get("suppressMilliseconds")),
                include_offset=bool(options.get("includeOffset", True)),
            )
        if name == "toISOWeekDate":
            return fmt.to_format(dt, "kkkk-'W'WW-c") if dt.is_valid else None
        if name == "toSQL":
            return fmt.to_sql(dt)
        if name == "toSQLDate":
            return fmt.to_iso_date(dt)
        if name == "toSQLTime":
            sql = fmt.to_sql(dt)
            return sql.split(" ", 1)[1] if sql is not None else None
        if name == "toHTTP":
            return fmt.to_http(dt)
        if name == "toRFC2822":
            return fmt.to_rfc2822(dt)
        if name == "toFormat":
            return fmt.to_format(dt, js_string(a0))
        if name == "toLocaleString":
            return fmt.to_locale_string(dt, a0 if isinstance(a0, dict) else None)
        if name in ("toMillis", "valueOf"):
            return _number_or_nan(dt.ms)
        if name == "toSeconds":
            return _number_or_nan(dt.ms / 1000)
        if name == "toUnixInteger":
            return _number_or_nan(math.floor(dt.ms / 1000)) if dt.is_valid else math.nan
        if name == "toJSDate":
            return JsDate(dt.ms)
        if name == "toObject":
            return dt.fields() if dt.is_valid else {}
        if name == "toUTC":
            return DateTimeValue(dt.set_zone(UTC_ZONE))
        if name == "toLocal":
            return DateTimeValue(dt.set_zone(SETTINGS.zone))
        if name == "setZone":
            zone = find_zone(js_string(a0)) if isinstance(a0, str) else SETTINGS.zone
            if zone is None:
                return DateTimeValue(
                    LuxonDateTime.invalid_value(
                        "unsupported zone", f'the zone "{js_string(a0)}" is not supported'
                    )
                )
            keep = bool(options_of(args[1] if len(args) > 1 else None).get("keepLocalTime"))
            return DateTimeValue(dt.set_zone(zone, keep_local_time=keep))
        if name == "setLocale":
            return DateTimeValue(dt.set_locale(js_string(a0)))
        if name == "reconfigure":
            options = options_of(a0)
            locale = options.get("locale")
            return DateTimeValue(dt.set_locale(locale)) if isinstance(locale, str) else self
        if name in ("plus", "minus"):
            amounts = duration_object(a0)
            return DateTimeValue(dt.plus(amounts.values, -1 if name == "minus" else 1))
        if name in ("startOf", "endOf"):
            unit = _datetime_unit(a0)
            return DateTimeValue(dt.start_of(unit) if name == "startOf" else dt.end_of(unit))
        if name == "set":
            return DateTimeValue(dt.set(options_of(a0)))
        if name == "get":
            return self.expr_get(js_string(a0))
        if name == "diff":
            other = as_datetime(a0)
            units = _units(args[1] if len(args) > 1 else UNDEFINED)
            if not (dt.is_valid and other.is_valid):
                return DurationValue(Duration({}, invalid="created by diffing an invalid DateTime"))
            return DurationValue(diff(dt, other, units))
        if name == "diffNow":
            other = LuxonDateTime(now_ms(), SETTINGS.zone)
            return DurationValue(diff(dt, other, _units(a0)))
        if name == "hasSame":
            return dt.has_same(as_datetime(a0), _datetime_unit(args[1] if len(args) > 1 else "day"))
        if name == "equals":
            if not isinstance(a0, DateTimeValue):
                return False
            other = a0.value
            return (
                other.ms == dt.ms and other.zone.name == dt.zone.name and other.locale == dt.locale
            )
        if name in ("toRelative", "toRelativeCalendar"):
            return _relative(dt, options_of(a0), calendar=name == "toRelativeCalendar")
        if name == "until":
            return IntervalValue(dt, as_datetime(a0))
        if name == "isWeekend":
            return dt.get("weekday") in (6, 7)
        return super().expr_call(name, args)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _long_year(year: int) -> bool:
    def p(y: int) -> int:
        return (y + y // 4 - y // 100 + y // 400) % 7

    return p(year) == 4 or p(year - 1) == 3


_DATETIME_UNITS = {
    "year",
    "quarter",
    "month",
    "week",
    "day",
    "hour",
    "minute",
    "second",
    "millisecond",
}


def _datetime_unit(value: Any) -> str:
    name = js_string(value)
    unit = normalize_unit(name)
    singular = unit[:-1] if unit else name
    if singular == "millisecond":
        singular = "second"
    if singular not in _DATETIME_UNITS:
        raise JsError("Error", f"Invalid unit {name}")
    return singular


def _units(value: Any) -> list[str]:
    if value is UNDEFINED or value is None:
        return ["milliseconds"]
    names = value if isinstance(value, list) else [value]
    units = []
    for name in names:
        unit = normalize_unit(js_string(name))
        if unit is None:
            raise JsError("Error", f"Invalid unit {js_string(name)}")
        units.append(unit)
    return units


def as_datetime(value: Any) -> LuxonDateTime:
    if isinstance(value, DateTimeValue):
        return value.value
    if isinstance(value, JsDate):
        return LuxonDateTime(value.ms, SETTINGS.zone)
    if is_number(value):
        return LuxonDateTime(float(value), SETTINGS.zone)
    if isinstance(value, str):
        return parse_any(value)
    raise ExpressionError(f"{js_string(value)[:40]} is not a DateTime")


def parse_any(text: str) -> LuxonDateTime:
    """n8n's lenient date reading: ISO, HTTP, RFC 2822, SQL, then JavaScript's Date.parse."""
    text = text.strip()
    zone = SETTINGS.zone
    for parser in (parsing.from_iso, parsing.from_http, parsing.from_rfc2822, parsing.from_sql):
        result = parser(text, zone, True)
        if result.is_valid:
            return result
    ms = parsing.js_date_parse(text, SETTINGS.js_zone)
    return LuxonDateTime(ms, zone)


def _relative(dt: LuxonDateTime, options: dict[str, Any], calendar: bool) -> Any:
    if not dt.is_valid:
        return None
    base_value = options.get("base")
    base = (
        base_value.value
        if isinstance(base_value, DateTimeValue)
        else LuxonDateTime(now_ms(), dt.zone)
    )
    base = base.set_zone(dt.zone)
    style = options.get("style", "long")
    unit_option = options.get("unit")
    units = (
        [
            normalize_unit(u)
            for u in (unit_option if isinstance(unit_option, list) else [unit_option])
        ]
        if unit_option
        else (
            ["years", "months", "days"]
            if calendar
            else ["years", "months", "weeks", "days", "hours", "minutes", "seconds"]
        )
    )
    if calendar:
        start_dt = dt.start_of("day")
        start_base = base.start_of("day")
        dt_cmp, base_cmp = start_dt, start_base
    else:
        dt_cmp, base_cmp = dt, base
    chosen = units[-1] or "seconds"
    count = 0.0
    for unit in units:
        if unit is None:
            continue
        amount = diff(dt_cmp, base_cmp, [unit]).values.get(unit, 0)
        if abs(amount) >= 1:
            chosen, count = unit, amount
            break
    else:
        count = diff(dt_cmp, base_cmp, [chosen]).values.get(chosen, 0) if chosen else 0
    rounded = math.trunc(count) if calendar or options.get("round", True) else count
    if calendar and chosen == "days" and abs(rounded) <= 1:
        return {0: "today", 1: "tomorrow", -1: "yesterday"}[int(rounded)]
    if calendar and abs(rounded) <= 1:
        singular = chosen[:-1]
        return {0: f"this {singular}", 1: f"next {singular}", -1: f"last {singular}"}[int(rounded)]
    singular = chosen[:-1]
    short = {
        "years": "yr.",
        "quarters": "qtr.",
        "months": "mo.",
        "weeks": "wk.",
        "days": "day",
        "hours": "hr.",
        "minutes": "min.",
        "seconds": "sec.",
    }
    number = abs(int(rounded)) if float(rounded).is_integer() else abs(rounded)
    if style == "short" or style == "narrow":
        name = short[chosen] if chosen != "days" else ("day" if number == 1 else "days")
    else:
        name = singular if number == 1 else chosen
    text = f"{js_string(number)} {name}"
    past = count < 0 or (count == 0 and dt.ms < base.ms)
    return f"{text} ago" if past else f"in {text}"


class DurationValue(ExprObject):
    def __init__(self, duration: Duration) -> None:
        self.duration = duration

    def expr_name(self) -> str:
        return "Duration"

    def expr_plain(self) -> Any:
        return self.duration.to_iso()

    def expr_string(self) -> str:
        return self.duration.to_iso() or "Invalid Duration"

    def expr_number(self) -> float | int:
        return tidy(self.duration.to_millis())

    def expr_get(self, name: str) -> Any:
        if name in ALL_UNITS:
            return tidy(self.duration.values.get(name, 0))
        if name == "isValid":
            return self.duration.is_valid
        if name == "invalidReason":
            return self.duration.invalid
        return UNDEFINED

    def expr_call(self, name: str, args: list[Any]) -> Any:
        d = self.duration
        a0 = args[0] if args else UNDEFINED
        if name in ("toISO", "toJSON"):
            return d.to_iso()
        if name == "toString":
            return self.expr_string()
        if name in ("toMillis", "valueOf"):
            return tidy(d.to_millis())
        if name == "as":
            unit = normalize_unit(js_string(a0))
            if unit is None:
                raise ExpressionError(f"Invalid unit {js_string(a0)}")
            return tidy(d.as_unit(unit))
        if name == "get":
            unit = normalize_unit(js_string(a0))
            return tidy(d.values.get(unit, 0)) if unit else UNDEFINED
        if name == "shiftTo":
            units = [normalize_unit(js_string(a)) for a in args]
            return DurationValue(d.shift_to(*[u for u in units if u]))
        if name == "toObject":
            return {k: tidy(v) for k, v in d.values.items()}
        if name == "normalize":
            return DurationValue(d.normalize())
        if name == "rescale":
            return DurationValue(d.rescale())
        if name in ("plus", "minus"):
            return DurationValue(d.plus(duration_object(a0), -1 if name == "minus" else 1))
        if name == "negate":
            return DurationValue(d.negate())
        if name == "toFormat":
            return d.to_format(js_string(a0))
        if name == "toHuman":
            return d.to_human()
        if name == "toISOTime":
            ms = d.to_millis()
            hours, rest = divmod(int(ms), 3_600_000)
            minutes, rest = divmod(rest, 60_000)
            seconds, millis = divmod(rest, 1000)
            return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"
        return super().expr_call(name, args)


class IntervalValue(ExprObject):
    def __init__(self, start: LuxonDateTime, end: LuxonDateTime) -> None:
        self.start = start
        self.end = end

    @property
    def valid(self) -> bool:
        return self.start.is_valid and self.end.is_valid and self.end.ms >= self.start.ms

    def expr_name(self) -> str:
        return "Interval"

    def expr_plain(self) -> Any:
        return self.expr_string() if self.valid else None

    def expr_string(self) -> str:
        if not self.valid:
            return "Invalid Interval"
        return f"[{fmt.to_iso(self.start)} – {fmt.to_iso(self.end)})"

    def expr_get(self, name: str) -> Any:
        if name == "start":
            return DateTimeValue(self.start) if self.valid else None
        if name == "end":
            return DateTimeValue(self.end) if self.valid else None
        if name == "isValid":
            return self.valid
        if name == "invalidReason":
            return None if self.valid else "end before start"
        return UNDEFINED

    def expr_call(self, name: str, args: list[Any]) -> Any:
        a0 = args[0] if args else UNDEFINED
        if not self.valid and name not in ("toString",):
            return math.nan if name in ("length", "count") else None
        if name == "length":
            units = _units(a0)
            return tidy(diff(self.end, self.start, units).values.get(units[0], 0))
        if name == "toDuration":
            return DurationValue(diff(self.end, self.start, _units(a0)))
        if name == "contains":
            point = as_datetime(a0)
            return self.start.ms <= point.ms < self.end.ms
        if name == "count":
            unit = _datetime_unit(a0 if a0 is not UNDEFINED else "milliseconds")
            start = self.start.start_of(unit)
            end = self.end.start_of(unit)
            return int(diff(end, start, [unit + "s"]).values.get(unit + "s", 0)) + (
                0 if self.end.ms == end.ms else 1
            )
        if name == "overlaps":
            other = a0 if isinstance(a0, IntervalValue) else None
            return bool(other and self.end.ms > other.start.ms and self.start.ms < other.end.ms)
        if name == "toISO":
            return f"{fmt.to_iso(self.start)}/{fmt.to_iso(self.end)}"
        if name == "toString":
            return self.expr_string()
        if name in ("splitBy", "divideEqually"):
            step = duration_object(a0).values
            parts: list[Any] = []
            cursor = self.start
            while cursor.ms < self.end.ms and len(parts) < 10_000:
                following = cursor.plus(step)
                parts.append(
                    IntervalValue(cursor, following if following.ms < self.end.ms else self.end)
                )
                cursor = following
            return parts
        if name == "isEmpty":
            return self.start.ms == self.end.ms
        return super().expr_call(name, args)


# --- JavaScript Date ----------------------------------------------------------------------

_DAY_NAMES = "Sun Mon Tue Wed Thu Fri Sat".split()


class JsDate(ExprObject):
    """JavaScript's Date: an instant in milliseconds, read in the process's zone."""

    def __init__(self, ms: float) -> None:
        self.ms = float("nan") if math.isnan(ms) or abs(ms) > 8.64e15 else float(int(ms))

    @property
    def valid(self) -> bool:
        return not math.isnan(self.ms)

    def expr_name(self) -> str:
        return "Date"

    def _in(self, zone: Zone) -> LuxonDateTime:
        return LuxonDateTime(self.ms, zone)

    def iso(self) -> str:
        if not self.valid:
            raise range_error("Invalid time value")
        u = self._in(UTC_ZONE)
        if not u.is_valid:
            raise range_error("Invalid time value")
        return fmt.to_format(u, "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")

    def expr_plain(self) -> Any:
        return self.iso() if self.valid else None

    def expr_number(self) -> float | int:
        return tidy(self.ms) if self.valid else math.nan

    def expr_string(self) -> str:
        if not self.valid:
            return "Invalid Date"
        local = self._in(SETTINGS.js_zone)
        d = local.local
        offset = int(local.offset)
        sign = "+" if offset >= 0 else "-"
        hours, mins = divmod(abs(offset), 60)
        name = fmt.zone_long_name(local)
        return (
            f"{_DAY_NAMES[d.isoweekday() % 7]} {fmt.to_format(local, 'LLL dd yyyy HH:mm:ss')} "
            f"GMT{sign}{hours:02d}{mins:02d} ({name})"
        )

    def expr_call(self, name: str, args: list[Any]) -> Any:
        if name in ("getTime", "valueOf"):
            return self.expr_number()
        if name == "toISOString":
            return self.iso()
        if name == "toJSON":
            return self.iso() if self.valid else None
        if name == "toString":
            return self.expr_string()
        if not self.valid:
            return math.nan if name.startswith("get") else "Invalid Date"
        utc = name.startswith("getUTC")
        local = self._in(UTC_ZONE if utc else SETTINGS.js_zone)
        field = name[6:] if utc else name[3:]
        d = local.local
        getters = {
            "FullYear": d.year,
            "Month": d.month - 1,
            "Date": d.day,
            "Day": d.isoweekday() % 7,
            "Hours": d.hour,
            "Minutes": d.minute,
            "Seconds": d.second,
            "Milliseconds": d.microsecond // 1000,
        }
        if name.startswith("get") and field in getters:
            return getters[field]
        if name == "getTimezoneOffset":
            return -int(self._in(SETTINGS.js_zone).offset)
        if name == "toUTCString":
            return fmt.to_http(self._in(UTC_ZONE))
        if name == "toDateString":
            return self.expr_string()[:15]
        if name == "toLocaleDateString":
            return fmt.to_format(local, "M/d/yyyy")
        if name == "toLocaleTimeString":
            return fmt.to_format(local, "h:mm:ss a")
        if name == "toLocaleString":
            return fmt.to_format(local, "M/d/yyyy, h:mm:ss") + " " + fmt.to_format(local, "a")
        return super().expr_call(name, args)


def js_date_from_args(args: list[Any]) -> JsDate:
    if not args:
        return JsDate(now_ms())
    if len(args) == 1:
        value = args[0]
        if isinstance(value, JsDate):
            return JsDate(value.ms)
        if isinstance(value, DateTimeValue):
            return JsDate(value.value.ms)
        if isinstance(value, str):
            return JsDate(parsing.js_date_parse(value, SETTINGS.js_zone))
        number = to_number(value)
        return JsDate(float(number))
    numbers = [to_number(a) for a in args] + [0] * (7 - len(args))
    if any(math.isnan(n) for n in numbers[: len(args)]):
        return JsDate(math.nan)
    year, month = int(numbers[0]), int(numbers[1])
    if 0 <= year <= 99:
        year += 1900
    year += month // 12
    month = month % 12
    base = LuxonDateTime.from_fields({"year": year, "month": month + 1, "day": 1}, SETTINGS.js_zone)
    if not base.is_valid:
        return JsDate(math.nan)
    extra = (
        (numbers[2] - 1) * 86_400_000
        + numbers[3] * 3_600_000
        + numbers[4] * 60_000
        + numbers[5] * 1000
        + numbers[6]
    )
    return JsDate(base.ms + extra)


def date_utc(*args: Any) -> float | int:
    numbers = [to_number(a) for a in args] + [0] * (7 - len(args))
    if len(args) < 3:
        numbers[2] = 1
    year, month = int(numbers[0]), int(numbers[1])
    year += month // 12
    month %= 12
    base = LuxonDateTime.from_fields({"year": year, "month": month + 1, "day": 1}, UTC_ZONE)
    return tidy(
        base.ms
        + (numbers[2] - 1) * 86_400_000
        + numbers[3] * 3_600_000
        + numbers[4] * 60_000
        + numbers[5] * 1000
        + numbers[6]
    )
