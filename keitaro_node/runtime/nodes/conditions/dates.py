"""Reading dates as n8n's nodes do, down to the millisecond.

Two readers: `js_date_parse` is JavaScript's `Date.parse` (what the version 1 nodes use through
`new Date(text)`), and `parse_date_time` is n8n's dateTime type check (Luxon's ISO, HTTP,
RFC 2822 and SQL formats, then `Date.parse`). Both return epoch milliseconds, or None when the
text is not a date. `parse_date_time` reads text without an offset in the zone it is given (the
workflow's time zone, as n8n does); `js_date_parse` in the process's zone, as JavaScript does.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any

from .js import js_string, js_trim

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "january february march april may june july august september october november december"
).split()
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = "monday tuesday wednesday thursday friday saturday sunday".split()
_US_ZONES = {"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8}
_US_ZONES["pdt"] = -7


def _epoch_ms(moment: datetime) -> float:
    return float(round(moment.timestamp() * 1000))


def _build(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    fraction: str = "",
    zone: tzinfo | None = UTC,
) -> float | None:
    """Epoch ms of a wall-clock time; None when a field is out of range. 24:00 is midnight."""
    millis = int((fraction + "000")[:3]) if fraction else 0
    extra_day = hour == 24 and minute == 0 and second == 0 and millis == 0
    if extra_day:
        hour = 0
    try:
        moment = datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=zone)
    except (ValueError, OverflowError):
        return None
    if extra_day:
        moment += timedelta(days=1)
    return _epoch_ms(moment)


def _offset(sign: str, hours: str, minutes: str | None) -> timezone | None:
    total = int(hours) * 60 + int(minutes or 0)
    if int(hours) > 23 or int(minutes or 0) > 59:
        return None
    return timezone(timedelta(minutes=-total if sign == "-" else total))


def _zone_named(name: str) -> tzinfo | None:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # an unknown zone or no zone data: not a date we can read
        return None


# --- Date.parse -------------------------------------------------------------------------------

_ES_ISO = re.compile(
    r"([+-]\d{6}|\d{4})(?:-(\d\d)(?:-(\d\d))?)?"
    r"(?:[Tt](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?([Zz]|[+-]\d\d:\d\d)?)?"
)


def js_date_parse(text: str) -> float | None:
    """Date.parse(text): the ISO format of the standard, else the lenient older format."""
    text = text.strip()
    match = _ES_ISO.fullmatch(text)
    if match:
        year_text, month, day, hour, minute, second, fraction, zone_text = match.groups()
        if year_text == "-000000":
            return None
        zone: tzinfo | None = UTC
        if hour is not None and zone_text is None:
            zone = None  # a date-time without offset is local time
        elif zone_text and zone_text.upper() != "Z":
            zone = _offset(zone_text[0], zone_text[1:3], zone_text[4:6])
        return _build(
            int(year_text),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            fraction or "",
            zone,
        )
    return _legacy_parse(text)


_TOKEN = re.compile(r"\d+|[A-Za-z]+|[+\-:./,]")


def _legacy_parse(text: str) -> float | None:
    """The older, lenient format of Date.parse ("Jan 2 2024 10:00 PM", "1/2/2024", ...)."""
    text = re.sub(r"\([^)]*\)", " ", text)
    tokens = _TOKEN.findall(text)
    if not tokens or "".join(tokens) != re.sub(r"\s+", "", text):
        return None
    numbers: list[str] = []
    month: int | None = None
    clock: list[int] | None = None
    fraction = ""
    meridiem: str | None = None
    offset: int | None = None  # minutes east of UTC
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.isdigit():
            if clock is None and i + 2 < len(tokens) and tokens[i + 1] == ":":
                clock, fraction, i = _read_clock(tokens, i)
                continue
            numbers.append(token)
        elif token.isalpha():
            word = token.lower()
            if word in ("am", "pm"):
                meridiem = word
            elif word in ("utc", "gmt", "ut", "z"):
                offset = 0
            elif word in _US_ZONES:
                offset = _US_ZONES[word] * 60
            elif word == "t":
                pass
            elif (
                len(word) >= 3
                and word[:3] in _MONTHS
                and _MONTH_NAMES[_MONTHS.index(word[:3])].startswith(word)
            ):
                month = _MONTHS.index(word[:3]) + 1
            elif (
                len(word) >= 3
                and word[:3] in _DAYS
                and _DAY_NAMES[_DAYS.index(word[:3])].startswith(word)
            ):
                pass
            else:
                return None
        elif (
            token in "+-"
            and i + 1 < len(tokens)
            and tokens[i + 1].isdigit()
            and (clock is not None or offset == 0)
        ):
            digits = tokens[i + 1]
            hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
            if i + 3 < len(tokens) and tokens[i + 2] == ":" and tokens[i + 3].isdigit():
                minutes = tokens[i + 3]
                i += 2
            sign = -1 if token == "-" else 1
            offset = sign * (int(hours) * 60 + int(minutes))
            i += 2
            continue
        i += 1
    day_parts = _compose_day(numbers, month)
    if day_parts is None:
        return None
    year, month_number, day = day_parts
    hour, minute, second = clock or [0, 0, 0]
    if meridiem is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    zone = None if offset is None else timezone(timedelta(minutes=offset))
    if day > 31 or month_number > 12 or hour > 24 or minute > 59 or second > 59:
        return None
    return _build(year, month_number, day, hour, minute, second, fraction, zone)


def _read_clock(tokens: list[str], i: int) -> tuple[list[int], str, int]:
    parts = [int(tokens[i])]
    fraction = ""
    i += 1
    while i + 1 < len(tokens) and tokens[i] == ":" and tokens[i + 1].isdigit() and len(parts) < 3:
        parts.append(int(tokens[i + 1]))
        i += 2
    if i + 1 < len(tokens) and tokens[i] == "." and tokens[i + 1].isdigit() and len(parts) == 3:
        fraction = tokens[i + 1]
        i += 2
    while len(parts) < 3:
        parts.append(0)
    return parts, fraction, i


def _full_year(number: str) -> int:
    year = int(number)
    if len(number) <= 2:
        year += 2000 if year < 50 else 1900
    return year


def _compose_day(numbers: list[str], month: int | None) -> tuple[int, int, int] | None:
    """Year, month and day from the loose numbers, in the order V8 reads them."""
    values = [int(n) for n in numbers]
    if month is not None:
        if len(values) == 1:
            return (
                (2001, month, values[0]) if values[0] <= 31 else (_full_year(numbers[0]), month, 1)
            )
        if len(values) == 2:
            if values[0] > 31 or len(numbers[0]) >= 3:
                return _full_year(numbers[0]), month, values[1]
            return _full_year(numbers[1]), month, values[0]
        return None
    if len(values) == 3:
        if values[0] > 31 or len(numbers[0]) >= 3:
            return _full_year(numbers[0]), values[1], values[2]
        return _full_year(numbers[2]), values[0], values[1]
    if len(values) == 2:
        if values[0] > 31 or len(numbers[0]) >= 3:
            return _full_year(numbers[0]), values[1], 1
        return 2001, values[0], values[1]
    if len(values) == 1:
        if values[0] <= 12:
            return 2001, values[0], 1
        if values[0] > 31:
            return _full_year(numbers[0]), 1, 1
    return None


# --- n8n's dateTime type check (Luxon) ---------------------------------------------------------

_TIME = r"(\d\d)(?::?(\d\d)(?::?(\d\d)(?:[.,](\d{1,30}))?)?)?"
_ZONE = r"(?:(Z)|([+-])(\d\d)(?::?(\d\d))?)?(?:\[([A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*)\])?"
_ISO_DATE = re.compile(
    r"([+-]\d{6}|\d{4})(?:-(\d\d)(?:-(\d\d))?|(\d\d)(\d\d))?" + rf"(?:T{_TIME}{_ZONE})?"
)
_ISO_WEEK = re.compile(r"(\d{4})-?W(\d\d)(?:-?(\d))?" + rf"(?:T{_TIME}{_ZONE})?")
_ISO_ORDINAL = re.compile(r"(\d{4})-?(\d{3})" + rf"(?:T{_TIME}{_ZONE})?")
_ISO_TIME = re.compile(_TIME + _ZONE)
_SQL = re.compile(
    r"(?:(\d{4})-(\d\d)-(\d\d))?(?:(?:^|[ T])(\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,30}))?)?)?"
    r"(?: ?(?:(Z)|([+-])(\d\d)(?::?(\d\d))?))?(?: ?([A-Za-z_]+/[A-Za-z_/]+))?"
)
_HTTP = [
    re.compile(
        r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d) GMT"
    ),
    re.compile(
        r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d\d)-([A-Z][a-z]{2})-(\d\d) "
        r"(\d\d):(\d\d):(\d\d) GMT"
    ),
]
_ASCTIME = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ( \d|\d\d) (\d\d):(\d\d):(\d\d) (\d{4})"
)
_RFC2822 = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s)?(\d{1,2})\s([A-Z][a-z]{2})\s(\d{2,4})\s(\d\d):(\d\d)"
    r"(?::(\d\d))?\s(?:(UT|GMT|[ECMP][SD]T)|([Zz])|([+-]\d\d)(\d\d))"
)


def parse_date_time(value: Any, zone: tzinfo | None = UTC) -> float | None:
    """n8n's dateTime check: epoch ms of the value, or None when it is not a date."""
    text = js_trim(js_string(value))
    for reader in (_from_iso, _from_http, _from_rfc2822, _from_sql):
        try:
            moment = reader(text, zone)
        except _BadZone:
            continue
        if moment is not None:
            return moment
    return js_date_parse(text)


def _zone_of(groups: tuple[Any, ...], start: int, default: tzinfo | None) -> tzinfo | None:
    """The zone of a match whose groups from `start` are Z, sign, hours, minutes, name."""
    zulu, sign, hours, minutes, name = groups[start : start + 5]
    return _zoned(zulu, sign, hours, minutes, name, default)


class _BadZone(ValueError):
    """An offset or zone name in the text that is not valid."""


def _zoned(
    zulu: str | None,
    sign: str | None,
    hours: str | None,
    minutes: str | None,
    name: str | None,
    default: tzinfo | None,
) -> tzinfo | None:
    zone: tzinfo | None
    if name:
        zone = _zone_named(name)
    elif zulu:
        zone = UTC
    elif sign and hours:
        zone = _offset(sign, hours, minutes)
    else:
        return default
    if zone is None:
        raise _BadZone(name or "")
    return zone


def _from_iso(text: str, default: tzinfo | None) -> float | None:
    match = _ISO_DATE.fullmatch(text)
    if match:
        g = match.groups()
        month, day = (g[1], g[2]) if g[1] else (g[3], g[4])
        if g[1] and g[2] is None:
            day = None
        zone = _zone_of(g, 9, default)
        return (
            _build(int(g[0]), int(month or 1), int(day or 1), *_clock(g[5:9]), zone=zone)
            if _clock_ok(g[5:9])
            else None
        )
    match = _ISO_WEEK.fullmatch(text)
    if match:
        g = match.groups()
        zone = _zone_of(g, 7, default)
        try:
            start = date.fromisocalendar(int(g[0]), int(g[1]), int(g[2] or 1))
        except ValueError:
            return None
        if not _clock_ok(g[3:7]):
            return None
        return _build(start.year, start.month, start.day, *_clock(g[3:7]), zone=zone)
    match = _ISO_ORDINAL.fullmatch(text)
    if match:
        g = match.groups()
        zone = _zone_of(g, 6, default)
        ordinal = int(g[1])
        year = int(g[0])
        days = 366 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 365
        if not 1 <= ordinal <= days or not _clock_ok(g[2:6]):
            return None
        start = date(year, 1, 1) + timedelta(days=ordinal - 1)
        return _build(start.year, start.month, start.day, *_clock(g[2:6]), zone=zone)
    match = _ISO_TIME.fullmatch(text)
    if match and ":" in text:
        g = match.groups()
        zone = _zone_of(g, 4, default)
        if not _clock_ok(g[0:4]):
            return None
        today = datetime.now(zone).date()
        return _build(today.year, today.month, today.day, *_clock(g[0:4]), zone=zone)
    return None


def _clock(parts: tuple[str | None, ...]) -> tuple[int, int, int, str]:
    hour, minute, second, fraction = parts
    return int(hour or 0), int(minute or 0), int(second or 0), fraction or ""


def _clock_ok(parts: tuple[str | None, ...]) -> bool:
    hour, minute, second, _fraction = _clock(parts)
    return hour <= 24 and minute <= 59 and second <= 59


def _from_http(text: str, _default: tzinfo | None) -> float | None:
    for pattern in _HTTP:
        match = pattern.fullmatch(text)
        if match:
            day, month, year, hour, minute, second = match.groups()
            if month.lower() not in _MONTHS:
                return None
            full_year = int(year) if len(year) == 4 else _full_year(year)
            return _build(
                full_year,
                _MONTHS.index(month.lower()) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second),
            )
    match = _ASCTIME.fullmatch(text)
    if match:
        month, day, hour, minute, second, year = match.groups()
        if month.lower() not in _MONTHS:
            return None
        return _build(
            int(year),
            _MONTHS.index(month.lower()) + 1,
            int(day),
            int(hour),
            int(minute),
            int(second),
        )
    return None


def _from_rfc2822(text: str, _default: tzinfo | None) -> float | None:
    text = re.sub(r"\s+", " ", re.sub(r"\([^()]*\)", " ", text)).strip()
    match = _RFC2822.fullmatch(text)
    if not match:
        return None
    day, month, year, hour, minute, second, named, zulu, sign_hours, minutes = match.groups()
    if month.lower() not in _MONTHS:
        return None
    if named:
        hours_east = 0 if named in ("UT", "GMT") else _US_ZONES[named.lower()]
        zone: tzinfo | None = timezone(timedelta(hours=hours_east))
    elif zulu:
        zone = UTC
    else:
        zone = _offset(sign_hours[0], sign_hours[1:], minutes)
    if zone is None:
        return None
    full_year = int(year) if len(year) == 4 else _full_year(year)
    return _build(
        full_year,
        _MONTHS.index(month.lower()) + 1,
        int(day),
        int(hour),
        int(minute),
        int(second or 0),
        zone=zone,
    )


def _from_sql(text: str, default: tzinfo | None) -> float | None:
    match = _SQL.fullmatch(text)
    if not match or not text:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m, name = (
        match.groups()
    )
    if year is None and (hour is None or not text[0].isdigit()):
        return None
    zone = _zoned(zulu, sign, off_h, off_m, name, default)
    if year is None:
        today = datetime.now(zone).date()
        year, month, day = str(today.year), str(today.month), str(today.day)
    clock = (hour, minute, second, fraction)
    if not _clock_ok(clock):
        return None
    return _build(int(year), int(month or 1), int(day or 1), *_clock(clock), zone=zone)


def is_valid_ms(value: float | None) -> bool:
    return value is not None and not math.isnan(value)
