"""Moment.js, as far as n8n's Date & Time node uses it, on the runtime's Luxon date model.

Version 1 of the node parses, shifts and formats dates with moment and moment-timezone, and
version 2 reads every date text through `moment(text)` first. A moment here is an instant
(epoch milliseconds), the zone its wall clock shows and its mode: `local` (the process's zone,
as moment's default), `utc`, or `tz` (a named zone, moment-timezone). Parsing follows moment's
rules: ISO 8601 and RFC 2822 first, then JavaScript's Date reader; with a format, moment's
tokens (`DD/MM/YYYY`, `X`, `Do MMMM YYYY h:mm a`) matched loosely or, when strict, exactly.
Formatting knows every token of moment's English locale.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from ..expressions.luxon.model import LuxonDateTime, days_in_month
from ..expressions.luxon.v8_date import parse_js_date
from ..expressions.luxon.zones import UTC_ZONE, Zone
from .date_time_zones import moment_zone

Mode = Literal["local", "utc", "tz"]

MONTHS = (
    "January February March April May June July August September October November December"
).split()
MONTHS_SHORT = [m[:3] for m in MONTHS]
WEEKDAYS = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split()
WEEKDAYS_SHORT = [d[:3] for d in WEEKDAYS]
WEEKDAYS_MIN = [d[:2] for d in WEEKDAYS]
LONG_FORMATS = {
    "LTS": "h:mm:ss A",
    "LT": "h:mm A",
    "L": "MM/DD/YYYY",
    "LL": "MMMM D, YYYY",
    "LLL": "MMMM D, YYYY h:mm A",
    "LLLL": "dddd, MMMM D, YYYY h:mm A",
    "l": "M/D/YYYY",
    "ll": "MMM D, YYYY",
    "lll": "MMM D, YYYY h:mm A",
    "llll": "ddd, MMM D, YYYY h:mm A",
}
DEFAULT_FORMAT = "YYYY-MM-DDTHH:mm:ssZ"
DEFAULT_FORMAT_UTC = "YYYY-MM-DDTHH:mm:ss[Z]"
INVALID_DATE = "Invalid date"
LOCALE_WEEK = (0, 6)  # English: weeks start on Sunday; the week with 1 January is week 1
ISO_WEEK = (1, 4)

_TOKENS = re.compile(
    r"(\[[^\[]*\])|(\\e)|(\\)?(eHHmm|[Hh]mm(ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|"
    r"w[o|w]?|W[o|W]?|Qo?|N{1,5}|YYYYYY|YYYYY|YYYY|YY|y{2,4}|yo?|gg(ggg?)?|GG(GGG?)?|e|E|a|A|"
    r"hh?|HH?|kk?|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|.)"
)
_LONG_TOKENS = re.compile(r"(\[[^\[]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})")


class MomentUnsupported(ValueError):
    """A moment feature this runtime does not reproduce (the message says which)."""


@dataclass(frozen=True, slots=True)
class Moment:
    ms: float  # NaN when invalid
    zone: Zone
    mode: Mode

    @property
    def is_valid(self) -> bool:
        return not math.isnan(self.ms)

    def value(self) -> LuxonDateTime:
        return LuxonDateTime(self.ms, self.zone)

    def with_ms(self, ms: float) -> Moment:
        if math.isnan(ms) or abs(ms) > 8.64e15:
            return Moment(math.nan, self.zone, self.mode)
        moved = Moment(float(ms), self.zone, self.mode)
        return moved if moved.value().is_valid else Moment(math.nan, self.zone, self.mode)


def _invalid(zone: Zone, mode: Mode) -> Moment:
    return Moment(math.nan, zone, mode)


def _now_ms() -> float:
    return float(int(time.time() * 1000))


def to_int(value: Any) -> int:
    """moment's toInt: the number truncated toward zero, 0 for anything that is not finite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    if not math.isfinite(number) or number == 0:
        return 0
    return math.trunc(number)


def js_time_clip(ms: float) -> float:
    """JavaScript's TimeClip: whole milliseconds within +-8.64e15, else NaN."""
    if not math.isfinite(ms) or abs(ms) > 8.64e15:
        return math.nan
    return float(math.trunc(ms)) + 0.0


# --- creating moments -------------------------------------------------------------------------


def from_number(ms: float, zone: Zone, mode: Mode = "local") -> Moment:
    """`moment(number)`: milliseconds since the epoch."""
    clipped = js_time_clip(ms)
    return _invalid(zone, mode).with_ms(clipped)


def now(zone: Zone, mode: Mode = "local") -> Moment:
    """`moment()`, and what moment makes of undefined, `{}` and `[]`: the current time."""
    return from_number(_now_ms(), zone, mode)


def from_input(value: Any, zone: Zone, mode: Mode = "local") -> Moment:
    """`moment(value)` for any value a parameter can hold (undefined: the current time)."""
    from ..expressions import UNDEFINED, DateTimeValue, JsDate

    if value is UNDEFINED:
        return now(zone, mode)
    if value is None:
        return _invalid(zone, mode)
    if isinstance(value, str):
        return from_string(value, zone, mode)
    if isinstance(value, bool):  # moment hands it to JavaScript's Date as text: invalid
        return _invalid(zone, mode)
    if isinstance(value, (int, float)):
        return from_number(float(value), zone, mode)
    if isinstance(value, JsDate):
        return from_number(value.ms, zone, mode)
    if isinstance(value, DateTimeValue):
        return from_number(value.value.ms, zone, mode)
    if isinstance(value, dict):
        return _from_parts(_object_parts(value), zone, mode) if value else now(zone, mode)
    if isinstance(value, list):
        parts = [_parse_int(v) for v in value]
        return _from_parts(parts, zone, mode) if value else now(zone, mode)
    raise MomentUnsupported(f"a date given as {type(value).__name__}")


def _parse_int(value: Any) -> float | None:
    """JavaScript's parseInt(value, 10) (NaN as float)."""
    from ..expressions.values import js_string

    match = re.match(r"\s*([+-]?[0-9]+)", js_string(value))
    return float(int(match.group(1))) if match else math.nan


def _object_parts(value: dict[str, Any]) -> list[float | None]:
    """configFromObject: year, month (from 0), date or day, hour... by moment's unit names."""
    named: dict[str, Any] = {}
    for key, item in value.items():
        unit = normalize_unit(key)
        if unit is not None:
            named[unit] = item
    day = named["day"] if named.get("day") is not None else named.get("date")
    order = [named.get("year"), named.get("month"), day]
    order += [named.get(u) for u in ("hour", "minute", "second", "millisecond")]
    parts: list[float | None] = []
    for item in order:
        if item is None:
            parts.append(None)
        elif isinstance(item, float) and math.isnan(item):
            parts.append(math.nan)
        elif not item and not isinstance(item, (dict, list)):  # 0, "", false stay as zero
            parts.append(0.0)
        else:
            parts.append(_parse_int(item))
    return parts


def _from_parts(parts: list[float | None], zone: Zone, mode: Mode) -> Moment:
    """configFromArray for moment([y, m, d, ...]) and moment({year, month, ...})."""
    if any(p is not None and math.isnan(p) for p in parts):
        return _invalid(zone, mode)
    padded = [None if p is None else int(p) for p in parts[:7]]
    padded += [None] * (7 - len(padded))
    return _build(_Parsed(a=padded, empty=False), zone, mode)


def unix(seconds: float, zone: Zone) -> Moment:
    """`moment.unix(seconds)`."""
    return from_number(seconds * 1000, zone)


_ASP_NET = re.compile(r"^/?Date\((-?[0-9]+)", re.IGNORECASE)
_EXTENDED_ISO = re.compile(
    r"^\s*((?:[+-][0-9]{6}|[0-9]{4})-(?:[0-9][0-9]-[0-9][0-9]|W[0-9][0-9]-[0-9]|W[0-9][0-9]|"
    r"[0-9][0-9][0-9]|[0-9][0-9]))(?:(T| )([0-9][0-9](?::[0-9][0-9](?::[0-9][0-9]"
    r"(?:[.,][0-9]+)?)?)?)([+-][0-9][0-9](?::?[0-9][0-9])?|\s*Z)?)?$"
)
_BASIC_ISO = re.compile(
    r"^\s*((?:[+-][0-9]{6}|[0-9]{4})(?:[0-9]{4}|W[0-9]{3}|W[0-9]{2}|[0-9]{3}|[0-9]{2}|))"
    r"(?:(T| )([0-9][0-9](?:[0-9][0-9](?:[0-9][0-9](?:[.,][0-9]+)?)?)?)"
    r"([+-][0-9][0-9](?::?[0-9][0-9])?|\s*Z)?)?$"
)
_ISO_DATES: list[tuple[str, re.Pattern[str], bool]] = [
    ("YYYYYY-MM-DD", re.compile(r"[+-][0-9]{6}-[0-9][0-9]-[0-9][0-9]"), True),
    ("YYYY-MM-DD", re.compile(r"[0-9]{4}-[0-9][0-9]-[0-9][0-9]"), True),
    ("GGGG-[W]WW-E", re.compile(r"[0-9]{4}-W[0-9][0-9]-[0-9]"), True),
    ("GGGG-[W]WW", re.compile(r"[0-9]{4}-W[0-9][0-9]"), False),
    ("YYYY-DDD", re.compile(r"[0-9]{4}-[0-9]{3}"), True),
    ("YYYY-MM", re.compile(r"[0-9]{4}-[0-9][0-9]"), False),
    ("YYYYYYMMDD", re.compile(r"[+-][0-9]{10}"), True),
    ("YYYYMMDD", re.compile(r"[0-9]{8}"), True),
    ("GGGG[W]WWE", re.compile(r"[0-9]{4}W[0-9]{3}"), True),
    ("GGGG[W]WW", re.compile(r"[0-9]{4}W[0-9]{2}"), False),
    ("YYYYDDD", re.compile(r"[0-9]{7}"), True),
    ("YYYYMM", re.compile(r"[0-9]{6}"), False),
    ("YYYY", re.compile(r"[0-9]{4}"), False),
]
_ISO_TIMES: list[tuple[str, re.Pattern[str]]] = [
    ("HH:mm:ss.SSSS", re.compile(r"[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]+")),
    ("HH:mm:ss,SSSS", re.compile(r"[0-9][0-9]:[0-9][0-9]:[0-9][0-9],[0-9]+")),
    ("HH:mm:ss", re.compile(r"[0-9][0-9]:[0-9][0-9]:[0-9][0-9]")),
    ("HH:mm", re.compile(r"[0-9][0-9]:[0-9][0-9]")),
    ("HHmmss.SSSS", re.compile(r"[0-9]{6}\.[0-9]+")),
    ("HHmmss,SSSS", re.compile(r"[0-9]{6},[0-9]+")),
    ("HHmmss", re.compile(r"[0-9]{6}")),
    ("HHmm", re.compile(r"[0-9]{4}")),
    ("HH", re.compile(r"[0-9][0-9]")),
]
_ISO_ZONE = re.compile(r"Z|[+-][0-9][0-9](?::?[0-9][0-9])?")
_RFC_2822 = re.compile(
    r"^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\s)?([0-9]{1,2})\s"
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s([0-9]{2,4})\s([0-9][0-9]):([0-9][0-9])"
    r"(?::([0-9][0-9]))?\s(?:(UT|GMT|[ECMP][SD]T)|([Zz])|([+-][0-9]{4}))$"
)
_OBSOLETE_OFFSETS = {
    "UT": 0,
    "GMT": 0,
    "EDT": -240,
    "EST": -300,
    "CDT": -300,
    "CST": -360,
    "MDT": -360,
    "MST": -420,
    "PDT": -420,
    "PST": -480,
}


def from_string(text: str, zone: Zone, mode: Mode = "local") -> Moment:
    """`moment(text)` (mode local, zone the process's) or `moment.utc(text)`."""
    if text == "":
        return _invalid(zone, mode)
    asp = _ASP_NET.match(text)
    if asp:
        return from_number(float(asp.group(1)), zone, mode)
    iso_format = _iso_format(text)
    if iso_format:  # an ISO-shaped text moment cannot place goes on to the other readers
        return _build(_parse_tokens(text, iso_format, strict=False), zone, mode)
    rfc = _from_rfc_2822(text, zone, mode)
    if rfc is not None:
        return rfc
    suffix = " UTC" if mode != "local" else ""
    return from_number(parse_js_date(text + suffix, zone), zone, mode)


def _iso_format(text: str) -> str | None:
    """The format moment reads an ISO text with; None: not ISO, "": ISO-shaped but invalid."""
    match = _EXTENDED_ISO.match(text) or _BASIC_ISO.match(text)
    if not match:
        return None
    found = next((d for d in _ISO_DATES if d[1].search(match.group(1))), None)
    if found is None:
        return ""
    date_format, _, allow_time = found
    time_format = ""
    if match.group(3):
        for candidate, pattern in _ISO_TIMES:
            if pattern.search(match.group(3)):
                time_format = (match.group(2) or " ") + candidate
                break
        else:
            return ""
        if not allow_time:
            return ""
    zone_format = ""
    if match.group(4):
        if not _ISO_ZONE.search(match.group(4)):
            return ""
        zone_format = "Z"
    return date_format + time_format + zone_format


def _from_rfc_2822(text: str, zone: Zone, mode: Mode) -> Moment | None:
    cleaned = re.sub(r"\([^()]*\)|[\n\t]", " ", text)
    cleaned = re.sub(r"(\s\s+)", " ", cleaned)
    cleaned = re.sub(r"^\s\s*", "", cleaned)
    cleaned = re.sub(r"\s\s*$", "", cleaned)
    match = _RFC_2822.match(cleaned)
    if not match:
        return None
    weekday, day, month, year_text, hour, minute, second, obsolete, military, numeric = (
        match.groups()
    )
    year = int(year_text)
    year = 2000 + year if year <= 49 else 1900 + year if year <= 999 else year
    fields = [year, MONTHS_SHORT.index(month), int(day), int(hour), int(minute), int(second or 0)]
    if not (1 <= fields[2] <= 31):
        return _invalid(zone, mode)
    try:
        actual = date(year, fields[1] + 1, 1) + timedelta(days=fields[2] - 1)
    except (ValueError, OverflowError):
        return _invalid(zone, mode)
    if weekday and WEEKDAYS_SHORT.index(weekday) != actual.isoweekday() % 7:
        return _invalid(zone, mode)
    if obsolete:
        offset = _OBSOLETE_OFFSETS[obsolete]
    elif military:
        offset = 0
    else:
        whole = int(numeric)
        sign = -1 if whole < 0 else 1
        offset = sign * ((abs(whole) // 100) * 60 + abs(whole) % 100)
    parsed = _Parsed(a=[*fields, None][:7])
    if _overflow(parsed.a) != -1:
        return _invalid(zone, mode)
    try:
        instant = datetime(year, fields[1] + 1, 1, tzinfo=UTC) + timedelta(
            days=fields[2] - 1, hours=fields[3], minutes=fields[4], seconds=fields[5]
        )
    except (ValueError, OverflowError):
        return _invalid(zone, mode)
    epoch = (instant - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(milliseconds=1)
    return from_number(epoch - offset * 60_000, zone, mode)


def from_format(
    text: str, fmt: str, zone: Zone, mode: Mode = "local", *, strict: bool = False
) -> Moment:
    """`moment(text, format[, strict])`, `moment.utc(...)`; the zone is the local one."""
    if fmt == "":
        return from_string(text, zone, mode) if text else _invalid(zone, mode)
    return _build(_parse_tokens(text, fmt, strict=strict), zone, mode)


def in_zone(value: Any, zone_name: str, local: Zone, fmt: str | None = None) -> Moment:
    """`moment.tz(value[, format], zone)`: a wall time without offset is read in the zone."""
    if isinstance(value, str):
        if fmt:
            parsed = _parse_tokens(value, fmt, strict=False)
        else:
            parsed = None
            iso = _iso_format(value) if value and not _ASP_NET.match(value) else None
            if iso:
                parsed = _parse_tokens(value, iso, strict=False)
        if parsed is not None:
            utc = _build(parsed, UTC_ZONE, "utc")
            target = moment_zone(zone_name)
            if utc.is_valid and target is not None and parsed.reads_wall_time():
                wall = utc.value().fields()
                shifted = LuxonDateTime.from_fields(wall, target)
                utc = utc.with_ms(shifted.ms) if shifted.is_valid else _invalid(UTC_ZONE, "utc")
            return to_zone(utc, zone_name)
        return to_zone(from_string(value, UTC_ZONE, "utc"), zone_name)
    if isinstance(value, (dict, list)) and value:
        utc = from_input(value, UTC_ZONE, "utc")
        target = moment_zone(zone_name)
        if utc.is_valid and target is not None:  # fields without offset: the zone's wall time
            shifted = LuxonDateTime.from_fields(utc.value().fields(), target)
            utc = utc.with_ms(shifted.ms) if shifted.is_valid else _invalid(UTC_ZONE, "utc")
        return to_zone(utc, zone_name)
    return to_zone(from_input(value, UTC_ZONE, "utc"), zone_name)


def to_zone(moment: Moment, zone_name: str) -> Moment:
    """`m.tz(zone)`: the same instant on the zone's wall clock; an unknown zone changes nothing."""
    zone = moment_zone(zone_name)
    if zone is None:  # moment-timezone drops the zone it had; the offset stays
        return Moment(moment.ms, moment.zone, "utc" if moment.mode == "tz" else moment.mode)
    return Moment(moment.ms, zone, "tz")


# --- parsing with a format ----------------------------------------------------------------


@dataclass(slots=True)
class _Parsed:
    a: list[int | None] = field(default_factory=lambda: [None] * 7)
    tzm: int | None = None
    instant: float | None = None
    day_of_year: int | None = None
    week: dict[str, int] | None = None
    meridiem: str | None = None
    big_hour: bool = False
    invalid: bool = False
    empty: bool = True
    chars_left: int = 0
    unused_tokens: int = 0
    strict: bool = False
    unix_format: bool = False

    def reads_wall_time(self) -> bool:
        """moment-timezone's needsOffset: fields were read and no offset came with them."""
        return self.tzm is None and not self.unix_format


_D = "[0-9]"
_RX: dict[str, tuple[str, str | None]] = {
    "Y": ("[+-]?[0-9]+", None),
    "YY": (f"{_D}{_D}?", f"{_D}{_D}"),
    "YYYY": (f"{_D}{{1,4}}", f"{_D}{{4}}"),
    "YYYYY": (f"[+-]?{_D}{{1,6}}", f"[+-]?{_D}{{6}}"),
    "YYYYYY": (f"[+-]?{_D}{{1,6}}", f"[+-]?{_D}{{6}}"),
    "M": (f"{_D}{_D}?", f"^[1-9]{_D}?"),
    "MM": (f"{_D}{_D}?", f"{_D}{_D}"),
    "Q": (_D, None),
    "D": (f"{_D}{_D}?", f"^[1-9]{_D}?"),
    "DD": (f"{_D}{_D}?", f"{_D}{_D}"),
    "Do": (f"{_D}{{1,2}}(th|st|nd|rd)|{_D}{{1,2}}", f"{_D}{{1,2}}(th|st|nd|rd)"),
    "DDD": (f"{_D}{{1,3}}", None),
    "DDDD": (f"{_D}{{3}}", None),
    "d": (f"{_D}{_D}?", None),
    "e": (f"{_D}{_D}?", None),
    "E": (f"{_D}{_D}?", None),
    "w": (f"{_D}{_D}?", f"^[1-9]{_D}?"),
    "ww": (f"{_D}{_D}?", f"{_D}{_D}"),
    "W": (f"{_D}{_D}?", f"^[1-9]{_D}?"),
    "WW": (f"{_D}{_D}?", f"{_D}{_D}"),
    "gg": (f"{_D}{_D}?", f"{_D}{_D}"),
    "GG": (f"{_D}{_D}?", f"{_D}{_D}"),
    "gggg": (f"{_D}{{1,4}}", f"{_D}{{4}}"),
    "GGGG": (f"{_D}{{1,4}}", f"{_D}{{4}}"),
    "ggggg": (f"[+-]?{_D}{{1,6}}", f"[+-]?{_D}{{6}}"),
    "GGGGG": (f"[+-]?{_D}{{1,6}}", f"[+-]?{_D}{{6}}"),
    "a": (r"[ap]\.?m?\.?", None),
    "A": (r"[ap]\.?m?\.?", None),
    "H": (f"{_D}{_D}?", f"^([1-9]{_D}|{_D})"),
    "h": (f"{_D}{_D}?", f"^[1-9]{_D}?"),
    "k": (f"{_D}{_D}?", f"^[1-9]{_D}?"),
    "HH": (f"{_D}{_D}?", f"{_D}{_D}"),
    "hh": (f"{_D}{_D}?", f"{_D}{_D}"),
    "kk": (f"{_D}{_D}?", f"{_D}{_D}"),
    "hmm": (f"{_D}{{3}}{_D}?", None),
    "Hmm": (f"{_D}{{3}}{_D}?", None),
    "hmmss": (f"{_D}{{5}}{_D}?", None),
    "Hmmss": (f"{_D}{{5}}{_D}?", None),
    "m": (f"{_D}{_D}?", f"^([1-9]{_D}|{_D})"),
    "mm": (f"{_D}{_D}?", f"{_D}{_D}"),
    "s": (f"{_D}{_D}?", f"^([1-9]{_D}|{_D})"),
    "ss": (f"{_D}{_D}?", f"{_D}{_D}"),
    "S": (f"{_D}{{1,3}}", _D),
    "SS": (f"{_D}{{1,3}}", f"{_D}{_D}"),
    "SSS": (f"{_D}{{1,3}}", f"{_D}{{3}}"),
    "Z": (f"Z|[+-]{_D}{_D}(?::?{_D}{_D})?", None),
    "ZZ": (f"Z|[+-]{_D}{_D}(?::?{_D}{_D})?", None),
    "X": (f"[+-]?{_D}+(\\.{_D}{{1,3}})?", None),
    "x": (f"[+-]?{_D}+", None),
}
for _length in range(4, 10):
    _RX["S" * _length] = (f"{_D}+", None)
_WORD = (
    "[0-9]{0,256}['a-z\u00a0-\u05ff\u0700-\ud7ff\uf900-\ufdcf\ufdf0-\uff07\uff10-\uffef]{1,256}"
    "|[\u0600-\u06ff/]{1,256}(\\s*?[\u0600-\u06ff]{1,256}){1,2}"
)
for _name in ("MMM", "MMMM", "dd", "ddd", "dddd"):
    _RX[_name] = (_WORD, None)
_CASELESS = {"Z", "ZZ", "a", "A", "MMM", "MMMM", "dd", "ddd", "dddd"}
_UNSUPPORTED_PARSE = {"eHHmm", "N", "NN", "NNN", "NNNN", "NNNNN", "y", "yy", "yyy", "yyyy", "yo"}


@lru_cache(maxsize=256)
def format_tokens(fmt: str) -> tuple[str, ...]:
    """moment's tokens of a format, long formats (LLL) expanded."""
    return tuple(m.group(0) for m in _TOKENS.finditer(expand_long_formats(fmt)))


def expand_long_formats(fmt: str) -> str:
    for _ in range(6):
        if not _LONG_TOKENS.search(fmt):
            break
        fmt = _LONG_TOKENS.sub(lambda m: LONG_FORMATS.get(m.group(0), m.group(0)), fmt)
    return fmt


def _unescape(token: str) -> str:
    token = token.replace("\\", "", 1)

    def pick(match: re.Match[str]) -> str:
        return next((g for g in match.groups() if g), "")

    return re.sub(r"\\(\[)|\\(\])|\[([^\]\[]*)\]|\\(.)", pick, token)


@lru_cache(maxsize=512)
def _parse_regex(token: str, strict: bool) -> re.Pattern[str]:
    entry = _RX.get(token)
    if entry is None:
        return re.compile(re.escape(_unescape(token)))
    loose, exact = entry
    flags = re.IGNORECASE if token in _CASELESS else 0
    return re.compile(exact if strict and exact else loose, flags)


def _parse_tokens(text: str, fmt: str, *, strict: bool) -> _Parsed:
    parsed = _Parsed(strict=strict, unix_format=fmt in ("X", "x"))
    rest = str(text)
    total = 0
    tokens = format_tokens(fmt)
    for token in tokens:
        if token in _UNSUPPORTED_PARSE:
            raise MomentUnsupported(f"the format token {token} when reading dates")
        match = _parse_regex(token, strict).search(rest)
        piece = match.group(0) if match else None
        if piece:
            start = rest.find(piece)
            rest = rest[start + len(piece) :]
            total += len(piece)
        if token in FORMATTERS:
            if piece:
                parsed.empty = False
            else:
                parsed.unused_tokens += 1
            if piece is not None:
                _apply(token, piece, parsed)
        elif strict and not piece:
            parsed.unused_tokens += 1
    parsed.chars_left = len(str(text)) - total
    hour = parsed.a[3]
    if parsed.big_hour and hour is not None and 0 < hour <= 12:
        parsed.big_hour = False
    return parsed


def _two_digit_year(text: str) -> int:
    value = to_int(text)
    return value + (1900 if value > 68 else 2000)


def _offset_from(text: str) -> int | None:
    found = re.findall(r"Z|[+-][0-9][0-9](?::?[0-9][0-9])?", text, re.IGNORECASE)
    if not found:
        return None
    chunk = found[-1]
    parts = re.findall(r"[+-]|[0-9][0-9]", chunk) or ["-", "0", "0"]
    hours = float(parts[1]) if len(parts) > 1 else math.nan
    minutes_part = to_int(parts[2]) if len(parts) > 2 else 0
    minutes = hours * 60 + minutes_part
    if math.isnan(minutes):
        minutes = 0  # "Z"
        parts = ["+", "0", "0"]
    if minutes_part > 59 or (minutes > 14 * 60 if parts[0] == "+" else minutes > 12 * 60):
        return None
    if minutes == 0:
        return 0
    return int(minutes) if parts[0] == "+" else -int(minutes)


def _month_index(text: str, token: str, strict: bool) -> int | None:
    lowered = text.lower()
    for index, (long, short) in enumerate(zip(MONTHS, MONTHS_SHORT, strict=True)):
        if strict:
            if lowered == (long if token == "MMMM" else short).lower():
                return index
        elif lowered.startswith((long.lower(), short.lower())):
            return index
    return None


def _weekday_index(text: str, token: str, strict: bool) -> int | None:
    lowered = text.lower()
    for index in range(7):
        names = (WEEKDAYS[index], WEEKDAYS_SHORT[index], WEEKDAYS_MIN[index])
        if strict:
            wanted = {"dddd": names[0], "ddd": names[1], "dd": names[2]}[token]
            if lowered == wanted.lower():
                return index
        elif lowered.startswith(tuple(n.lower() for n in names)):
            return index
    return None


def _apply(token: str, piece: str, parsed: _Parsed) -> None:
    a = parsed.a
    week = parsed.week if parsed.week is not None else {}
    if token in ("YYYYY", "YYYYYY"):
        a[0] = to_int(piece)
    elif token == "YYYY":
        a[0] = _two_digit_year(piece) if len(piece) == 2 else to_int(piece)
    elif token == "YY":
        a[0] = _two_digit_year(piece)
    elif token == "Y":
        a[0] = int(re.match(r"[+-]?[0-9]+", piece).group(0))  # type: ignore[union-attr]
    elif token in ("M", "MM"):
        a[1] = to_int(piece) - 1
    elif token in ("MMM", "MMMM"):
        month = _month_index(piece, token, parsed.strict)
        if month is None:
            parsed.invalid = True
        else:
            a[1] = month
    elif token == "Q":
        a[1] = (to_int(piece) - 1) * 3
    elif token in ("D", "DD"):
        a[2] = to_int(piece)
    elif token == "Do":
        a[2] = to_int(re.match(r"[0-9][0-9]?", piece).group(0))  # type: ignore[union-attr]
    elif token in ("DDD", "DDDD"):
        parsed.day_of_year = to_int(piece)
    elif token in ("H", "HH"):
        a[3] = to_int(piece)
    elif token in ("k", "kk"):
        value = to_int(piece)
        a[3] = 0 if value == 24 else value
    elif token in ("h", "hh"):
        a[3] = to_int(piece)
        parsed.big_hour = True
    elif token in ("hmm", "Hmm", "hmmss", "Hmmss"):
        if token.endswith("ss"):
            a[3], a[4], a[5] = to_int(piece[:-4]), to_int(piece[-4:-2]), to_int(piece[-2:])
        else:
            a[3], a[4] = to_int(piece[:-2]), to_int(piece[-2:])
        parsed.big_hour = parsed.big_hour or token.startswith("h")
    elif token in ("a", "A"):
        parsed.meridiem = piece
    elif token in ("m", "mm"):
        a[4] = to_int(piece)
    elif token in ("s", "ss"):
        a[5] = to_int(piece)
    elif token.startswith("S") and set(token) == {"S"}:
        a[6] = to_int(float("0." + piece) * 1000)
    elif token in ("Z", "ZZ"):
        parsed.tzm = _offset_from(piece)
        if parsed.tzm is None:
            parsed.invalid = True
    elif token == "X":
        parsed.instant = js_time_clip(float(piece) * 1000)
    elif token == "x":
        parsed.instant = js_time_clip(to_int(piece))
    elif token in ("dd", "ddd", "dddd"):
        weekday = _weekday_index(piece, token, parsed.strict)
        if weekday is None:
            parsed.invalid = True
        else:
            week["d"] = weekday
    elif token in ("d", "e", "E"):
        week[token] = to_int(piece)
    elif token in ("w", "ww", "W", "WW"):
        week[token[0]] = to_int(piece)
    elif token in ("gggg", "ggggg", "GGGG", "GGGGG"):
        week[token[:2]] = to_int(piece)
    elif token in ("gg", "GG"):
        week[token] = _two_digit_year(piece)
    if week:
        parsed.week = week


def _overflow(a: list[int | None]) -> int:
    def bad(value: int | None, low: int, high: int) -> bool:
        return value is not None and (value < low or value > high)

    year, month, day, hour, minute, second, ms = a
    if bad(month, 0, 11):
        return 1
    if day is not None and (day < 1 or day > _days_in(year, month)):
        return 2
    if bad(hour, 0, 24) or (
        hour == 24 and ((minute or 0) != 0 or (second or 0) != 0 or (ms or 0) != 0)
    ):
        return 3
    if bad(minute, 0, 59):
        return 4
    if bad(second, 0, 59):
        return 5
    if bad(ms, 0, 999):
        return 6
    return -1


def _days_in(year: int | None, month: int | None) -> int:
    if year is None or month is None:
        return 31
    month0 = month % 12
    return days_in_month(year + (month - month0) // 12, month0 + 1)


def _days_in_year(year: int) -> int:
    return 366 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 365


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date, for any year (month may overflow)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def _utc_weekday(year: int, month0: int, day: int) -> int:
    """Date.UTC(year, month0, day).getUTCDay(): 0 is Sunday; the day may overflow."""
    return (days_from_civil(year, month0 + 1, day) + 4) % 7


def first_week_offset(year: int, dow: int, doy: int) -> int:
    first_week_day = 7 + dow - doy
    local_weekday = (7 + _utc_weekday(year, 0, first_week_day) - dow) % 7
    return -local_weekday + first_week_day - 1


def weeks_in_year(year: int, dow: int, doy: int) -> int:
    offset, following = first_week_offset(year, dow, doy), first_week_offset(year + 1, dow, doy)
    return (_days_in_year(year) - offset + following) // 7


def week_of_year(year: int, day_of_year: int, dow: int, doy: int) -> tuple[int, int]:
    """(week, week year) of a day, in the week system `dow`/`doy`."""
    offset = first_week_offset(year, dow, doy)
    week = math.floor((day_of_year - offset - 1) / 7) + 1
    if week < 1:
        return week + weeks_in_year(year - 1, dow, doy), year - 1
    if week > weeks_in_year(year, dow, doy):
        return week - weeks_in_year(year, dow, doy), year + 1
    return week, year


def _day_of_year_from_weeks(
    year: int, week: int, weekday: int, dow: int, doy: int
) -> tuple[int, int]:
    local_weekday = (7 + weekday - dow) % 7
    day_of_year = 1 + 7 * (week - 1) + local_weekday + first_week_offset(year, dow, doy)
    if day_of_year <= 0:
        return year - 1, _days_in_year(year - 1) + day_of_year
    if day_of_year > _days_in_year(year):
        return year + 1, day_of_year - _days_in_year(year)
    return year, day_of_year


def _build(parsed: _Parsed, zone: Zone, mode: Mode) -> Moment:
    """configFromArray, checkOverflow and isValid: the moment the parsed pieces describe."""
    a = list(parsed.a)
    flags_invalid = parsed.invalid
    if parsed.instant is not None:
        if _overflow(a) != -1 or parsed.empty or flags_invalid or _strict_fails(parsed):
            return _invalid(zone, mode)
        return from_number(parsed.instant, zone, mode)
    meridiem = parsed.meridiem
    if meridiem is not None and a[3] is not None:
        is_pm = meridiem.lower().startswith("p")
        if is_pm and a[3] < 12:
            a[3] += 12
        if not is_pm and a[3] == 12:
            a[3] = 0
    parsed_parts = any(v is not None for v in parsed.a)
    current = _today(zone, mode) if None in a[:3] or parsed.week else [0, 0, 1]
    overflow_day_of_year = overflow_weeks = overflow_weekday = False
    week = parsed.week
    if week and a[2] is None and a[1] is None:
        year_for_week, day_of_year, overflow_weeks, overflow_weekday = _week_info(
            week, a[0], current
        )
        if year_for_week is not None:
            a[0] = year_for_week
            parsed.day_of_year = day_of_year
    if parsed.day_of_year is not None:
        year_to_use = a[0] if a[0] is not None else current[0]
        if parsed.day_of_year > _days_in_year(year_to_use) or parsed.day_of_year == 0:
            overflow_day_of_year = True
        try:
            moved = date(year_to_use, 1, 1) + timedelta(days=parsed.day_of_year - 1)
        except (ValueError, OverflowError):
            return _invalid(zone, mode)
        a[1], a[2] = moved.month - 1, moved.day
    date_defaulted = a[0] is None or a[1] is None or a[2] is None
    index = 0
    while index < 3 and a[index] is None:
        a[index] = current[index]
        index += 1
    for slot in range(index, 7):
        if a[slot] is None:
            a[slot] = 1 if slot == 2 else 0
    values = [int(v) for v in a]  # type: ignore[arg-type]
    overflow = _overflow(list(values))
    if overflow_day_of_year and (overflow < 0 or overflow > 2):
        overflow = 2
    if overflow == -1 and (overflow_weeks or overflow_weekday):
        overflow = 7
    invalid = (
        overflow != -1
        or parsed.empty
        or flags_invalid
        or (meridiem is not None and not parsed_parts)
        or _strict_fails(parsed)
    )
    if invalid:
        return _invalid(zone, mode)
    next_day = values[3] == 24
    if next_day:
        values[3] = 0
    names = ("year", "month", "day", "hour", "minute", "second", "millisecond")
    fields: dict[str, int | float] = dict(zip(names, values, strict=True))
    fields["month"] += 1
    built_zone = UTC_ZONE if mode != "local" or parsed.tzm is not None else zone
    built = LuxonDateTime.from_fields(fields, built_zone)
    if not built.is_valid:
        return _invalid(zone, mode)
    ms = built.ms - (parsed.tzm or 0) * 60_000
    if week and "d" in week and not date_defaulted:
        weekday = int(LuxonDateTime(built.ms, built_zone).get("weekday")) % 7
        if week["d"] != weekday:
            return _invalid(zone, mode)
    result = from_number(ms, zone, mode)
    return add(result, 1, "d") if next_day else result


def _today(zone: Zone, mode: Mode) -> list[int]:
    """[year, month from 0, day] of the current date, in the moment's mode."""
    today = LuxonDateTime(_now_ms(), UTC_ZONE if mode != "local" else zone)
    return [int(today.get("year")), int(today.get("month")) - 1, int(today.get("day"))]


def _strict_fails(parsed: _Parsed) -> bool:
    return parsed.strict and bool(parsed.chars_left != 0 or parsed.unused_tokens or parsed.big_hour)


def _week_info(
    week: dict[str, int], year: int | None, current: list[int]
) -> tuple[int | None, int | None, bool, bool]:
    """dayOfYearFromWeekInfo: (year, day of year) or the overflow flags."""
    overflow_weekday = False
    today_day_of_year = (date(current[0], current[1] + 1, current[2]) - date(current[0], 1, 1)).days
    if "GG" in week or "W" in week or "E" in week:
        dow, doy = ISO_WEEK
        _, iso_year = week_of_year(current[0], today_day_of_year + 1, dow, doy)
        week_year = week.get("GG", year if year is not None else iso_year)
        number = week.get("W", 1)
        weekday = week.get("E", 1)
        if weekday < 1 or weekday > 7:
            overflow_weekday = True
    else:
        dow, doy = LOCALE_WEEK
        current_week, current_year = week_of_year(current[0], today_day_of_year + 1, dow, doy)
        week_year = week.get("gg", year if year is not None else current_year)
        number = week.get("w", current_week)
        if "d" in week:
            weekday = week["d"]
            overflow_weekday = weekday < 0 or weekday > 6
        elif "e" in week:
            weekday = week["e"] + dow
            overflow_weekday = week["e"] < 0 or week["e"] > 6
        else:
            weekday = dow
    if number < 1 or number > weeks_in_year(week_year, dow, doy):
        return None, None, True, False
    if overflow_weekday:
        return None, None, False, True
    result_year, day_of_year = _day_of_year_from_weeks(week_year, number, weekday, dow, doy)
    return result_year, day_of_year, False, False


# --- shifting -----------------------------------------------------------------------------

UNIT_ALIASES = {
    "y": "year",
    "years": "year",
    "year": "year",
    "Q": "quarter",
    "quarters": "quarter",
    "quarter": "quarter",
    "M": "month",
    "months": "month",
    "month": "month",
    "w": "week",
    "weeks": "week",
    "week": "week",
    "W": "isoWeek",
    "isoweeks": "isoWeek",
    "isoweek": "isoWeek",
    "d": "day",
    "days": "day",
    "day": "day",
    "D": "date",
    "dates": "date",
    "date": "date",
    "h": "hour",
    "hours": "hour",
    "hour": "hour",
    "m": "minute",
    "minutes": "minute",
    "minute": "minute",
    "s": "second",
    "seconds": "second",
    "second": "second",
    "ms": "millisecond",
    "milliseconds": "millisecond",
    "millisecond": "millisecond",
}
_MS_PER = {"hour": 3_600_000, "minute": 60_000, "second": 1000, "millisecond": 1}


def normalize_unit(unit: str) -> str | None:
    """moment's name for a unit ('days', 'd', 'Days' -> 'day'), None when moment has none."""
    return UNIT_ALIASES.get(unit) or UNIT_ALIASES.get(unit.lower())


def _abs_round(value: float) -> int:
    rounded = math.floor(abs(value) + 0.5)
    return -rounded if value < 0 else rounded


def add(moment: Moment, amount: float, unit: str) -> Moment:
    """`m.add(amount, unit)`: months and days on the wall clock (rounded), time on the instant.

    Units moment does not know add nothing, as in moment.
    """
    if not moment.is_valid:
        return moment
    name = normalize_unit(unit)
    months = days = 0
    ms = 0.0
    if name in ("year", "quarter", "month"):
        months = _abs_round(amount * {"year": 12, "quarter": 3, "month": 1}[name])
    elif name in ("week", "isoWeek", "day"):
        days = _abs_round(amount * (7 if name in ("week", "isoWeek") else 1))
    elif name in _MS_PER:
        ms = amount * _MS_PER[name]
    current = moment.value()
    if months or days:
        fields = current.fields()
        if months:
            total = fields["year"] * 12 + fields["month"] - 1 + months
            year, month0 = divmod(total, 12)
            fields["year"], fields["month"] = year, month0 + 1
            if not 1 <= year <= 9999:
                return _invalid(moment.zone, moment.mode)
            fields["day"] = min(fields["day"], days_in_month(year, month0 + 1))
        if days:
            try:
                moved = date(fields["year"], fields["month"], fields["day"]) + timedelta(days=days)
            except (OverflowError, ValueError):
                return _invalid(moment.zone, moment.mode)
            fields.update(year=moved.year, month=moved.month, day=moved.day)
        rebuilt = LuxonDateTime.from_fields(fields, moment.zone)
        if not rebuilt.is_valid:
            return _invalid(moment.zone, moment.mode)
        moment = moment.with_ms(rebuilt.ms)
    if ms:
        moment = moment.with_ms(js_time_clip(moment.ms + ms))
    return moment


# --- writing ------------------------------------------------------------------------------


def zero_fill(number: int, length: int, force_sign: bool = False) -> str:
    digits = str(abs(number))
    sign = ("+" if force_sign else "") if number >= 0 else "-"
    return sign + "0" * max(0, length - len(digits)) + digits


def ordinal(number: int) -> str:
    last = number % 10
    teens = (number % 100) // 10 == 1
    suffix = "th" if teens else {1: "st", 2: "nd", 3: "rd"}.get(last, "th")
    return f"{number}{suffix}"


@dataclass(slots=True)
class _Fields:
    moment: Moment
    local: datetime
    offset: float

    @property
    def weekday(self) -> int:  # 0 is Sunday
        return self.local.isoweekday() % 7

    @property
    def day_of_year(self) -> int:
        return self.local.timetuple().tm_yday

    def week(self, system: tuple[int, int]) -> tuple[int, int]:
        return week_of_year(self.local.year, self.day_of_year, *system)


def _offset_text(minutes: float, separator: str) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(math.trunc(abs(minutes)), 60)  # historic offsets keep their seconds
    return f"{sign}{hours:02d}{separator}{mins:02d}"


def _zone_abbr(f: _Fields) -> str:
    if f.moment.mode == "tz":
        return f.moment.zone.abbreviation(f.moment.ms)
    return "UTC" if f.moment.mode == "utc" else ""


def _zone_name(f: _Fields) -> str:
    if f.moment.mode == "tz":
        return f.moment.zone.abbreviation(f.moment.ms)
    return "Coordinated Universal Time" if f.moment.mode == "utc" else ""


def _hour12(hour: int) -> int:
    return hour % 12 or 12


Formatter = Callable[[_Fields], str]
FORMATTERS: dict[str, Formatter] = {
    "Y": lambda f: zero_fill(f.local.year, 4) if f.local.year <= 9999 else f"+{f.local.year}",
    "YY": lambda f: zero_fill(f.local.year % 100, 2),
    "YYYY": lambda f: zero_fill(f.local.year, 4),
    "YYYYY": lambda f: zero_fill(f.local.year, 5),
    "YYYYYY": lambda f: zero_fill(f.local.year, 6, True),
    "M": lambda f: str(f.local.month),
    "MM": lambda f: zero_fill(f.local.month, 2),
    "Mo": lambda f: ordinal(f.local.month),
    "MMM": lambda f: MONTHS_SHORT[f.local.month - 1],
    "MMMM": lambda f: MONTHS[f.local.month - 1],
    "Q": lambda f: str((f.local.month - 1) // 3 + 1),
    "Qo": lambda f: ordinal((f.local.month - 1) // 3 + 1),
    "D": lambda f: str(f.local.day),
    "DD": lambda f: zero_fill(f.local.day, 2),
    "Do": lambda f: ordinal(f.local.day),
    "DDD": lambda f: str(f.day_of_year),
    "DDDD": lambda f: zero_fill(f.day_of_year, 3),
    "DDDo": lambda f: ordinal(f.day_of_year),
    "d": lambda f: str(f.weekday),
    "do": lambda f: ordinal(f.weekday),
    "dd": lambda f: WEEKDAYS_MIN[f.weekday],
    "ddd": lambda f: WEEKDAYS_SHORT[f.weekday],
    "dddd": lambda f: WEEKDAYS[f.weekday],
    "e": lambda f: str(f.weekday),
    "E": lambda f: str(f.weekday or 7),
    "eHHmm": lambda f: f"{f.weekday}{f.local.hour:02d}{f.local.minute:02d}",
    "w": lambda f: str(f.week(LOCALE_WEEK)[0]),
    "ww": lambda f: zero_fill(f.week(LOCALE_WEEK)[0], 2),
    "wo": lambda f: ordinal(f.week(LOCALE_WEEK)[0]),
    "W": lambda f: str(f.week(ISO_WEEK)[0]),
    "WW": lambda f: zero_fill(f.week(ISO_WEEK)[0], 2),
    "Wo": lambda f: ordinal(f.week(ISO_WEEK)[0]),
    "gg": lambda f: zero_fill(f.week(LOCALE_WEEK)[1] % 100, 2),
    "gggg": lambda f: zero_fill(f.week(LOCALE_WEEK)[1], 4),
    "ggggg": lambda f: zero_fill(f.week(LOCALE_WEEK)[1], 5),
    "GG": lambda f: zero_fill(f.week(ISO_WEEK)[1] % 100, 2),
    "GGGG": lambda f: zero_fill(f.week(ISO_WEEK)[1], 4),
    "GGGGG": lambda f: zero_fill(f.week(ISO_WEEK)[1], 5),
    "H": lambda f: str(f.local.hour),
    "HH": lambda f: zero_fill(f.local.hour, 2),
    "h": lambda f: str(_hour12(f.local.hour)),
    "hh": lambda f: zero_fill(_hour12(f.local.hour), 2),
    "k": lambda f: str(f.local.hour or 24),
    "kk": lambda f: zero_fill(f.local.hour or 24, 2),
    "hmm": lambda f: f"{_hour12(f.local.hour)}{f.local.minute:02d}",
    "hmmss": lambda f: f"{_hour12(f.local.hour)}{f.local.minute:02d}{f.local.second:02d}",
    "Hmm": lambda f: f"{f.local.hour}{f.local.minute:02d}",
    "Hmmss": lambda f: f"{f.local.hour}{f.local.minute:02d}{f.local.second:02d}",
    "a": lambda f: "pm" if f.local.hour > 11 else "am",
    "A": lambda f: "PM" if f.local.hour > 11 else "AM",
    "m": lambda f: str(f.local.minute),
    "mm": lambda f: zero_fill(f.local.minute, 2),
    "s": lambda f: str(f.local.second),
    "ss": lambda f: zero_fill(f.local.second, 2),
    "z": _zone_abbr,
    "zz": _zone_name,
    "Z": lambda f: _offset_text(f.offset, ":"),
    "ZZ": lambda f: _offset_text(f.offset, ""),
    "X": lambda f: str(math.floor(f.moment.ms / 1000)),
    "x": lambda f: str(int(f.moment.ms)),
    "N": lambda f: "AD",
    "NN": lambda f: "AD",
    "NNN": lambda f: "AD",
    "NNNN": lambda f: "Anno Domini",
    "NNNNN": lambda f: "AD",
    "y": lambda f: str(f.local.year),
    "yo": lambda f: ordinal(f.local.year),
    "yy": lambda f: zero_fill(f.local.year, 2),
    "yyy": lambda f: zero_fill(f.local.year, 3),
    "yyyy": lambda f: zero_fill(f.local.year, 4),
}


def _fraction(digits: int) -> Formatter:
    """S, SS, ... SSSSSSSSS: the milliseconds as that many digits of the second's fraction."""

    def write(f: _Fields) -> str:
        ms = f.local.microsecond // 1000
        if digits >= 3:
            return zero_fill(ms * 10 ** (digits - 3), digits)
        return zero_fill(ms // 10 ** (3 - digits), digits if digits > 1 else 0)

    return write


for _length in range(1, 10):
    FORMATTERS["S" * _length] = _fraction(_length)


def _literal(token: str) -> str:
    if re.search(r"\[[\s\S]", token):
        return re.sub(r"^\[|\]$", "", token)
    return token.replace("\\", "")


def format_moment(moment: Moment, fmt: str | None) -> str:
    """`m.format(fmt)`; no format gives moment's default (ISO 8601 with the offset)."""
    if not moment.is_valid:
        return INVALID_DATE
    value = moment.value()
    offset = (value.local.utcoffset() or timedelta(0)).total_seconds() / 60
    if not fmt:
        utc_like = moment.mode != "local" and offset == 0
        fmt = DEFAULT_FORMAT_UTC if utc_like else DEFAULT_FORMAT
    fields = _Fields(moment, value.local, offset)
    out: list[str] = []
    for token in format_tokens(fmt):
        formatter = FORMATTERS.get(token)
        out.append(formatter(fields) if formatter else _literal(token))
    return "".join(out)


def to_iso_string(moment: Moment) -> str | None:
    """`m.toISOString()`: UTC with milliseconds; None for an invalid moment."""
    if not moment.is_valid:
        return None
    utc = LuxonDateTime(moment.ms, UTC_ZONE).local
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:" + (
        f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )
