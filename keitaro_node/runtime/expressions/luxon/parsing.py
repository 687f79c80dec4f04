"""Reading dates: ISO 8601, SQL, HTTP, RFC 2822, Luxon's fromFormat tokens, JavaScript's Date.parse.

`from_format(text, "dd/MM/yyyy", zone)` is the one entry point for Luxon's tokens, for the
evaluator and for any node that parses dates.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import date
from typing import Any

from .locales import MONTHS_LONG, MONTHS_SHORT, WEEKDAYS_LONG, WEEKDAYS_SHORT
from .model import LuxonDateTime
from .zones import Zone, find_zone, fixed_zone

_OFFSET = r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)"
_TIME = (
    r"(?P<hour>\d{2})(?::?(?P<minute>\d{2})(?::?(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?)?"
)
_ISO_DATE = [
    re.compile(r"(?P<year>[+-]\d{6}|\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?"),
    re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"),
    re.compile(r"(?P<year>\d{4})-?W(?P<week>\d{2})(?:-?(?P<weekday>\d))?"),
    re.compile(r"(?P<year>\d{4})-?(?P<ordinal>\d{3})"),
    re.compile(r"(?P<year>\d{4})"),
]
_ISO_TIME = re.compile(rf"{_TIME}{_OFFSET}?(?:\[(?P<zone>[^\]]+)\])?")


def _offset_minutes(text: str) -> int:
    if text == "Z":
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4] or 0))


def _finish(
    fields: Mapping[str, int | float],
    offset: int | None,
    zone: Zone,
    set_zone: bool,
    locale: str = "en-US",
) -> LuxonDateTime:
    if offset is None:
        return LuxonDateTime.from_fields(fields, zone, locale)
    result = LuxonDateTime.from_fields(fields, fixed_zone(offset), locale)
    if not result.is_valid:
        return result
    return result if set_zone else result.set_zone(zone)


def unparsable(text: str, what: str) -> LuxonDateTime:
    return LuxonDateTime.invalid_value(
        "unparsable", f'the input "{text}" can\'t be parsed as {what}'
    )


def from_iso(text: str, zone: Zone, set_zone: bool = False) -> LuxonDateTime:
    date_text, _, time_text = text.partition("T")
    fields: dict[str, int | float] = {}
    for pattern in _ISO_DATE:
        match = pattern.fullmatch(date_text)
        if match:
            groups = match.groupdict()
            year = int(groups["year"])
            if groups.get("week"):
                week = int(groups["week"])
                weekday = int(groups.get("weekday") or 1)
                try:
                    day = date.fromisocalendar(year, week, weekday)
                except ValueError:
                    return unparsable(text, "ISO 8601")
                fields.update(year=day.year, month=day.month, day=day.day)
            elif groups.get("ordinal"):
                ordinal = int(groups["ordinal"])
                try:
                    day = date.fromordinal(date(year, 1, 1).toordinal() + ordinal - 1)
                except ValueError:
                    return unparsable(text, "ISO 8601")
                fields.update(year=day.year, month=day.month, day=day.day)
            else:
                fields.update(
                    year=year,
                    month=int(groups.get("month") or 1),
                    day=int(groups.get("day") or 1),
                )
            break
    else:
        return unparsable(text, "ISO 8601")
    offset = None
    if time_text:
        match = _ISO_TIME.fullmatch(time_text)
        if not match:
            return unparsable(text, "ISO 8601")
        groups = match.groupdict()
        fraction = groups.get("fraction") or ""
        fields.update(
            hour=int(groups["hour"]),
            minute=int(groups.get("minute") or 0),
            second=int(groups.get("second") or 0),
            millisecond=int((fraction + "000")[:3]),
        )
        if groups.get("offset"):
            offset = _offset_minutes(groups["offset"])
        if groups.get("zone"):
            named = find_zone(groups["zone"])
            if named is not None and offset is None:
                zone = named
    return _finish(fields, offset, zone, set_zone)


_SQL = re.compile(
    r"(?:(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2}))?\s*"
    rf"(?:{_TIME}(?:\s*(?P<offset>Z|[+-]\d{{2}}(?::?\d{{2}})?))?)?\s*(?P<zone>[A-Za-z_/]+)?"
)


def from_sql(text: str, zone: Zone, set_zone: bool = False) -> LuxonDateTime:
    match = _SQL.fullmatch(text.strip())
    if not match or not text.strip() or not (match.group("year") or match.group("hour")):
        return unparsable(text, "SQL")
    g = match.groupdict()
    fields: dict[str, int | float] = {}
    if g["year"]:
        fields.update(year=int(g["year"]), month=int(g["month"]), day=int(g["day"]))
    if g["hour"]:
        fraction = g.get("fraction") or ""
        fields.update(
            hour=int(g["hour"]),
            minute=int(g.get("minute") or 0),
            second=int(g.get("second") or 0),
            millisecond=int((fraction + "000")[:3]),
        )
    offset = _offset_minutes(g["offset"]) if g.get("offset") else None
    if g.get("zone"):
        named = find_zone(g["zone"])
        if named is None:
            return unparsable(text, "SQL")
        zone = named
    return _finish(fields, offset, zone, set_zone)


_MONTHS = {m.lower(): i + 1 for i, m in enumerate(MONTHS_SHORT["en"].split())}
_RFC = re.compile(
    r"(?:(?P<weekday>[A-Za-z]{3}),\s*)?(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3})\s+(?P<year>\d{2,4})"
    r"\s+(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s+(?P<zone>UT|GMT|[ECMP][SD]T|[A-IK-Z]|[+-]\d{4})"
)
_NAMED_OFFSETS = {
    "UT": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}


def from_rfc2822(text: str, zone: Zone, set_zone: bool = False) -> LuxonDateTime:
    match = _RFC.fullmatch(text.strip())
    if not match:
        return unparsable(text, "RFC 2822")
    g = match.groupdict()
    month = _MONTHS.get(g["month"].lower())
    if month is None:
        return unparsable(text, "RFC 2822")
    year = int(g["year"])
    if year < 100:
        year += 2000 if year < 50 else 1900
    fields = {
        "year": year,
        "month": month,
        "day": int(g["day"]),
        "hour": int(g["hour"]),
        "minute": int(g["minute"]),
        "second": int(g["second"] or 0),
    }
    z = g["zone"]
    offset = _NAMED_OFFSETS.get(z, 0) if z[0] not in "+-" else _offset_minutes(z)
    return _finish(fields, offset, zone, set_zone)


_HTTP = [
    re.compile(
        r"(?P<weekday>[A-Za-z]{3}), (?P<day>\d{2}) (?P<month>[A-Za-z]{3}) (?P<year>\d{4}) "
        r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2}) GMT"
    ),
    re.compile(
        r"(?P<weekday>[A-Za-z]+), (?P<day>\d{2})-(?P<month>[A-Za-z]{3})-(?P<year>\d{2}) "
        r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2}) GMT"
    ),
    re.compile(
        r"(?P<weekday>[A-Za-z]{3}) (?P<month>[A-Za-z]{3}) +(?P<day>\d{1,2}) "
        r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2}) (?P<year>\d{4})"
    ),
]


def from_http(text: str, zone: Zone, set_zone: bool = False) -> LuxonDateTime:
    for pattern in _HTTP:
        match = pattern.fullmatch(text.strip())
        if match:
            g = match.groupdict()
            month = _MONTHS.get(g["month"].lower())
            if month is None:
                break
            year = int(g["year"])
            year += 1900 if year < 100 else 0
            fields = {
                "year": year,
                "month": month,
                "day": int(g["day"]),
                "hour": int(g["hour"]),
                "minute": int(g["minute"]),
                "second": int(g["second"]),
            }
            return _finish(fields, 0, zone, set_zone)
    return unparsable(text, "HTTP")


# --- fromFormat ---------------------------------------------------------------------------


def _names(table: dict[str, str], locale: str) -> list[str]:
    lang = (locale or "en").split("-")[0]
    return table.get(lang, table["en"]).split()


def _token_pattern(token: str, locale: str) -> tuple[str, str | None]:
    """A regex for one token and the field it fills (None for tokens read but not kept)."""
    numeric = {
        "yyyy": (r"\d{4}", "year"),
        "yyyyy": (r"\d{4,6}", "year"),
        "yyyyyy": (r"\d{6}", "year"),
        "yy": (r"\d{2}", "year2"),
        "y": (r"\d{1,6}", "year"),
        "kkkk": (r"\d{4}", "weekYear"),
        "kk": (r"\d{2}", "weekYear2"),
        "MM": (r"\d{2}", "month"),
        "M": (r"\d{1,2}", "month"),
        "LL": (r"\d{2}", "month"),
        "L": (r"\d{1,2}", "month"),
        "dd": (r"\d{2}", "day"),
        "d": (r"\d{1,2}", "day"),
        "HH": (r"\d{2}", "hour"),
        "H": (r"\d{1,2}", "hour"),
        "hh": (r"\d{2}", "hour12"),
        "h": (r"\d{1,2}", "hour12"),
        "mm": (r"\d{2}", "minute"),
        "m": (r"\d{1,2}", "minute"),
        "ss": (r"\d{2}", "second"),
        "s": (r"\d{1,2}", "second"),
        "SSS": (r"\d{3}", "millisecond"),
        "S": (r"\d{1,3}", "millisecond"),
        "u": (r"\d{1,9}", "fraction"),
        "uu": (r"\d{1,2}", "fraction"),
        "uuu": (r"\d", "fraction"),
        "WW": (r"\d{2}", "week"),
        "W": (r"\d{1,2}", "week"),
        "ooo": (r"\d{3}", "ordinal"),
        "o": (r"\d{1,3}", "ordinal"),
        "q": (r"\d", "quarter"),
        "qq": (r"\d{2}", "quarter"),
        "E": (r"\d", "weekday"),
        "c": (r"\d", "weekday"),
        "X": (r"-?\d+(?:\.\d+)?", "seconds"),
        "x": (r"-?\d+", "millis"),
        "Z": (r"[+-]\d{1,2}(?::?\d{2})?|Z", "offset"),
        "ZZ": (r"[+-]\d{2}:?\d{2}|Z", "offset"),
        "ZZZ": (r"[+-]\d{2}:?\d{2}|Z", "offset"),
        "z": (r"[A-Za-z_+\-/0-9]+", "zone"),
        "a": (r"AM|PM|am|pm", "meridiem"),
        "G": (r"AD|BC", None),
    }
    if token in numeric:
        return numeric[token]
    if token in ("MMM", "LLL"):
        names = _names(MONTHS_SHORT, locale)
        return "|".join(re.escape(n) for n in names), "monthShort"
    if token in ("MMMM", "LLLL"):
        return "|".join(re.escape(n) for n in _names(MONTHS_LONG, locale)), "monthLong"
    if token in ("EEE", "ccc"):
        return "|".join(re.escape(n) for n in _names(WEEKDAYS_SHORT, locale)), None
    if token in ("EEEE", "cccc"):
        return "|".join(re.escape(n) for n in _names(WEEKDAYS_LONG, locale)), None
    return re.escape(token), None


def _format_regex(fmt: str, locale: str) -> tuple[str, list[str | None]]:
    parts: list[str] = []
    fields: list[str | None] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "'":
            end = fmt.find("'", i + 1)
            end = len(fmt) if end < 0 else end
            parts.append(re.escape(fmt[i + 1 : end] if end > i + 1 else "'"))
            i = end + 1
            continue
        j = i
        while j < len(fmt) and fmt[j] == ch:
            j += 1
        run = fmt[i:j]
        if ch.isalpha():
            pattern, field = _token_pattern(run, locale)
            parts.append(f"({pattern})")
            fields.append(field)
        else:
            parts.append(re.escape(run))
        i = j
    return "".join(parts), fields


def from_format(
    text: str, fmt: str, zone: Zone, set_zone: bool = False, locale: str = "en-US"
) -> LuxonDateTime:
    """Luxon's DateTime.fromFormat."""
    pattern, names = _format_regex(fmt, locale)
    match = re.fullmatch(pattern, text, re.IGNORECASE)
    if not match:
        return LuxonDateTime.invalid_value(
            "unparsable", f'the input "{text}" can\'t be parsed as format {fmt}'
        )
    values: dict[str, Any] = {}
    for name, value in zip(names, match.groups(), strict=False):
        if name is not None:
            values[name] = value
    if "millis" in values:
        return LuxonDateTime(float(values["millis"]), zone, locale)
    if "seconds" in values:
        return LuxonDateTime(round(float(values["seconds"]) * 1000), zone, locale)
    fields: dict[str, int | float] = {}
    if "year" in values:
        fields["year"] = int(values["year"])
    if "year2" in values:
        two = int(values["year2"])
        fields["year"] = 2000 + two if two < 60 else 1900 + two
    if "month" in values:
        fields["month"] = int(values["month"])
    for key, table in (("monthShort", MONTHS_SHORT), ("monthLong", MONTHS_LONG)):
        if key in values:
            names_lower = [n.lower() for n in _names(table, locale)]
            fields["month"] = names_lower.index(values[key].lower()) + 1
    if "day" in values:
        fields["day"] = int(values["day"])
    if "ordinal" in values:
        year = int(fields.get("year", 1970))
        day = date.fromordinal(date(year, 1, 1).toordinal() + int(values["ordinal"]) - 1)
        fields.update(month=day.month, day=day.day)
    if "hour" in values:
        fields["hour"] = int(values["hour"])
    if "hour12" in values:
        hour = int(values["hour12"]) % 12
        if str(values.get("meridiem", "")).lower() == "pm":
            hour += 12
        fields["hour"] = hour
    elif (
        "meridiem" in values
        and "hour" in fields
        and values["meridiem"].lower() == "pm"
        and fields["hour"] < 12
    ):
        fields["hour"] = int(fields["hour"]) + 12
    if "minute" in values:
        fields["minute"] = int(values["minute"])
    if "second" in values:
        fields["second"] = int(values["second"])
    if "millisecond" in values:
        fields["millisecond"] = int(values["millisecond"])
    if "fraction" in values:
        fields["millisecond"] = int((values["fraction"] + "000")[:3])
    if "year" not in fields and ("month" in fields or "day" in fields or not fields):
        fields["year"] = int(LuxonDateTime(time.time() * 1000, zone).get("year"))
    offset = None
    if "offset" in values:
        offset = _offset_minutes(_normalize_offset(values["offset"]))
    if "zone" in values:
        named = find_zone(values["zone"])
        if named is None:
            return LuxonDateTime.invalid_value("unsupported zone", values["zone"])
        zone = named
    if not fields.get("month") and "week" in values:
        year = int(fields.get("year", 1970))
        day = date.fromisocalendar(year, int(values["week"]), int(values.get("weekday", 1)))
        fields.update(year=day.year, month=day.month, day=day.day)
    return _finish(fields, offset, zone, set_zone, locale)


def _normalize_offset(text: str) -> str:
    if text == "Z":
        return text
    sign, rest = text[0], text[1:].replace(":", "")
    if len(rest) <= 2:
        rest = rest.zfill(2) + "00"
    return sign + rest


# --- JavaScript's Date.parse --------------------------------------------------------------

_JS_FORMS = [
    ("yyyy-MM-dd", True),
    ("yyyy/MM/dd", False),
    ("MM/dd/yyyy", False),
    ("M/d/yyyy", False),
    ("LLLL d, yyyy", False),
    ("LLL d, yyyy", False),
    ("d LLLL yyyy", False),
    ("d LLL yyyy", False),
    ("yyyy/MM/dd HH:mm", False),
    ("yyyy/MM/dd HH:mm:ss", False),
    ("MM/dd/yyyy HH:mm", False),
    ("MM/dd/yyyy HH:mm:ss", False),
    ("LLL d, yyyy HH:mm:ss", False),
    ("LLLL d, yyyy HH:mm:ss", False),
]


def js_date_parse(text: str, local_zone: Zone) -> float:
    """Epoch milliseconds for the texts JavaScript's Date.parse reads, else NaN."""
    from .zones import UTC_ZONE

    stripped = text.strip()
    if re.fullmatch(r"[+-]?\d{4,6}(-\d{2}(-\d{2})?)?", stripped):
        result = from_iso(stripped, UTC_ZONE)  # date-only ISO forms are UTC
        return result.ms if result.is_valid else float("nan")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.,]+(Z|[+-]\d{2}:?\d{2})?", stripped):
        result = from_iso(stripped, local_zone)
        return result.ms if result.is_valid else float("nan")
    for parser in (from_rfc2822, from_http):
        result = parser(stripped, local_zone)
        if result.is_valid:
            return result.ms
    trimmed = re.sub(r"\s+GMT([+-]\d{4})?(\s*\(.*\))?$", r" \1", stripped).strip()
    for fmt, _ in _JS_FORMS:
        result = from_format(trimmed, fmt, local_zone)
        if result.is_valid:
            return result.ms
    match = re.fullmatch(
        r"[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?: ([+-]\d{4}))?",
        trimmed,
    )
    if match:
        month = _MONTHS.get(match.group(1).lower())
        if month:
            fields = {
                "year": int(match.group(3)),
                "month": month,
                "day": int(match.group(2)),
                "hour": int(match.group(4)),
                "minute": int(match.group(5)),
                "second": int(match.group(6)),
            }
            offset = _offset_minutes(match.group(7)) if match.group(7) else None
            result = _finish(fields, offset, local_zone, False)
            if result.is_valid:
                return result.ms
    return float("nan")
