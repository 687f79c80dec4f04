"""Writing dates: Luxon's toFormat tokens and its ISO, SQL, HTTP and RFC 2822 forms.

`to_format(dt, "yyyy-MM-dd HH:mm")` is the one entry point for Luxon's tokens, for the
evaluator and for any node that formats dates.
"""

from __future__ import annotations

from .locales import (
    LONG_ZONE_NAMES,
    SUMMER_TO_STANDARD,
    US_ABBREVIATIONS,
    month_name,
    weekday_name,
)
from .model import LuxonDateTime
from .zones import UTC_ZONE

INVALID = "Invalid DateTime"


def _offset_text(minutes: int, style: str) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    if style == "narrow":
        return f"{sign}{hours}" + (f":{mins:02d}" if mins else "")
    if style == "techie":
        return f"{sign}{hours:02d}{mins:02d}"
    return f"{sign}{hours:02d}:{mins:02d}"


def zone_short_name(dt: LuxonDateTime) -> str:
    if dt.zone.name == "UTC":
        return "UTC"
    abbreviation = dt.zone.abbreviation(dt.ms)
    if abbreviation in US_ABBREVIATIONS:
        return abbreviation
    minutes = int(dt.offset)
    if minutes == 0:
        return "GMT"
    return "GMT" + _offset_text(minutes, "narrow")


def zone_long_name(dt: LuxonDateTime) -> str:
    abbreviation = dt.zone.abbreviation(dt.ms)
    standard = SUMMER_TO_STANDARD.get(abbreviation, abbreviation)
    if standard in LONG_ZONE_NAMES:
        return LONG_ZONE_NAMES[standard][0 if standard == abbreviation else 1]
    minutes = int(dt.offset)
    return "GMT" + (_offset_text(minutes, "short") if minutes else "")


def _hour12(hour: int) -> int:
    return 12 if hour % 12 == 0 else hour % 12


def _token(dt: LuxonDateTime, token: str) -> str:
    d = dt.local
    locale = dt.locale
    ms = d.microsecond // 1000
    iso_year, iso_week, iso_weekday = d.isocalendar()
    simple: dict[str, str] = {
        "S": str(ms),
        "SSS": f"{ms:03d}",
        "u": f"{ms:03d}",
        "uu": f"{ms // 10:02d}",
        "uuu": str(ms // 100),
        "s": str(d.second),
        "ss": f"{d.second:02d}",
        "m": str(d.minute),
        "mm": f"{d.minute:02d}",
        "h": str(_hour12(d.hour)),
        "hh": f"{_hour12(d.hour):02d}",
        "H": str(d.hour),
        "HH": f"{d.hour:02d}",
        "Z": _offset_text(int(dt.offset), "narrow"),
        "ZZ": _offset_text(int(dt.offset), "short"),
        "ZZZ": _offset_text(int(dt.offset), "techie"),
        "ZZZZ": zone_short_name(dt),
        "ZZZZZ": zone_long_name(dt),
        "z": dt.zone.name,
        "a": "AM" if d.hour < 12 else "PM",
        "d": str(d.day),
        "dd": f"{d.day:02d}",
        "c": str(iso_weekday),
        "E": str(iso_weekday),
        "ccc": weekday_name(locale, iso_weekday, False),
        "EEE": weekday_name(locale, iso_weekday, False),
        "cccc": weekday_name(locale, iso_weekday, True),
        "EEEE": weekday_name(locale, iso_weekday, True),
        "ccccc": weekday_name(locale, iso_weekday, True)[0],
        "EEEEE": weekday_name(locale, iso_weekday, True)[0],
        "L": str(d.month),
        "LL": f"{d.month:02d}",
        "LLL": month_name(locale, d.month, False),
        "LLLL": month_name(locale, d.month, True),
        "LLLLL": month_name(locale, d.month, True)[0],
        "M": str(d.month),
        "MM": f"{d.month:02d}",
        "MMM": month_name(locale, d.month, False, standalone=False),
        "MMMM": month_name(locale, d.month, True, standalone=False),
        "MMMMM": month_name(locale, d.month, True)[0],
        "y": str(d.year),
        "yy": f"{d.year % 100:02d}",
        "yyyy": f"{d.year:04d}",
        "yyyyyy": f"{d.year:06d}",
        "G": "AD",
        "GG": "Anno Domini",
        "GGGGG": "A",
        "kk": f"{iso_year % 100:02d}",
        "kkkk": f"{iso_year:04d}",
        "W": str(iso_week),
        "WW": f"{iso_week:02d}",
        "n": str(iso_week),
        "nn": f"{iso_week:02d}",
        "ii": f"{iso_year % 100:02d}",
        "iiii": f"{iso_year:04d}",
        "o": str(d.timetuple().tm_yday),
        "ooo": f"{d.timetuple().tm_yday:03d}",
        "q": str((d.month - 1) // 3 + 1),
        "qq": f"{(d.month - 1) // 3 + 1:02d}",
        "X": str(int(dt.ms // 1000)),
        "x": str(int(dt.ms)),
    }
    if token in simple:
        return simple[token]
    macros = {
        "D": f"{d.month}/{d.day}/{d.year}",
        "DD": f"{month_name(locale, d.month, False)} {d.day}, {d.year}",
        "DDD": f"{month_name(locale, d.month, True)} {d.day}, {d.year}",
        "DDDD": f"{weekday_name(locale, iso_weekday, True)}, "
        f"{month_name(locale, d.month, True)} {d.day}, {d.year}",
        "t": f"{_hour12(d.hour)}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}",
        "tt": f"{_hour12(d.hour)}:{d.minute:02d}:{d.second:02d} {'AM' if d.hour < 12 else 'PM'}",
        "T": f"{d.hour:02d}:{d.minute:02d}",
        "TT": f"{d.hour:02d}:{d.minute:02d}:{d.second:02d}",
    }
    if token in macros:
        return macros[token]
    combos = {
        "f": ("D", "t"),
        "ff": ("DD", "t"),
        "fff": ("DDD", "t"),
        "F": ("D", "tt"),
        "FF": ("DD", "tt"),
        "FFF": ("DDD", "tt"),
    }
    if token in combos:
        date_part, time_part = combos[token]
        return f"{macros[date_part]}, {macros[time_part]}"
    return token


_TOKEN_CHARS = set("SusmhHZzadcELMyGkWnioqXxDtTfF")


def to_format(dt: LuxonDateTime, fmt: str) -> str:
    """Luxon's DateTime#toFormat: runs of one token letter, 'quoted literals' kept."""
    if not dt.is_valid:
        return INVALID
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch == "'":
            end = fmt.find("'", i + 1)
            if end < 0:
                out.append(fmt[i + 1 :])
                break
            out.append(fmt[i + 1 : end] if end > i + 1 else "'")
            i = end + 1
            continue
        j = i
        while j < len(fmt) and fmt[j] == ch:
            j += 1
        run = fmt[i:j]
        out.append(_token(dt, run) if ch in _TOKEN_CHARS else run)
        i = j
    return "".join(out)


def to_iso_date(dt: LuxonDateTime) -> str | None:
    if not dt.is_valid:
        return None
    d = dt.local
    year = f"{d.year:04d}" if d.year < 10000 else f"+{d.year:06d}"
    return f"{year}-{d.month:02d}-{d.day:02d}"


def offset_suffix(dt: LuxonDateTime, techie: bool = False) -> str:
    minutes = int(dt.offset)
    if dt.zone.fixed and minutes == 0:
        return "Z"
    return _offset_text(minutes, "techie" if techie else "short")


def to_iso_time(
    dt: LuxonDateTime,
    suppress_ms: bool = False,
    suppress_seconds: bool = False,
    include_offset: bool = True,
    fmt: str = "extended",
) -> str | None:
    if not dt.is_valid:
        return None
    d = dt.local
    ms = d.microsecond // 1000
    sep = ":" if fmt == "extended" else ""
    text = f"{d.hour:02d}{sep}{d.minute:02d}"
    if not (suppress_seconds and d.second == 0 and ms == 0):
        text += f"{sep}{d.second:02d}"
        if not (suppress_ms and ms == 0):
            text += f".{ms:03d}"
    if include_offset:
        text += offset_suffix(dt, techie=fmt == "basic")
    return text


def to_iso(dt: LuxonDateTime, **options: bool | str) -> str | None:
    if not dt.is_valid:
        return None
    date = to_iso_date(dt)
    if options.get("format") == "basic" and date:
        date = date.replace("-", "")
    time = to_iso_time(
        dt,
        suppress_ms=bool(options.get("suppressMilliseconds")),
        suppress_seconds=bool(options.get("suppressSeconds")),
        include_offset=bool(options.get("includeOffset", True)),
        fmt=str(options.get("format", "extended")),
    )
    return f"{date}T{time}"


def to_sql(dt: LuxonDateTime) -> str | None:
    if not dt.is_valid:
        return None
    time = to_iso_time(dt, include_offset=False)
    minutes = int(dt.offset)
    zone = " Z" if dt.zone.fixed and minutes == 0 else " " + _offset_text(minutes, "short")
    return f"{to_iso_date(dt)} {time}{zone}"


def to_http(dt: LuxonDateTime) -> str | None:
    if not dt.is_valid:
        return None
    u = LuxonDateTime(dt.ms, UTC_ZONE).local
    return (
        f"{weekday_name('en', u.isoweekday(), False)}, {u.day:02d} "
        f"{month_name('en', u.month, False)} {u.year} {u.hour:02d}:{u.minute:02d}:{u.second:02d} GMT"
    )


def to_rfc2822(dt: LuxonDateTime) -> str | None:
    if not dt.is_valid:
        return None
    d = dt.local
    return (
        f"{weekday_name('en', d.isoweekday(), False)}, {d.day:02d} "
        f"{month_name('en', d.month, False)} {d.year} {d.hour:02d}:{d.minute:02d}:{d.second:02d} "
        f"{_offset_text(int(dt.offset), 'techie')}"
    )


def to_locale_string(dt: LuxonDateTime, preset: dict[str, str] | None = None) -> str:
    if not dt.is_valid:
        return INVALID
    d = dt.local
    preset = preset or {}
    month_style = preset.get("month", "numeric")
    parts_date = ""
    if month_style == "numeric":
        parts_date = f"{d.month}/{d.day}/{d.year}"
    elif month_style == "short":
        parts_date = f"{month_name(dt.locale, d.month, False)} {d.day}, {d.year}"
    else:
        parts_date = f"{month_name(dt.locale, d.month, True)} {d.day}, {d.year}"
    if preset.get("weekday") == "long":
        parts_date = f"{weekday_name(dt.locale, d.isoweekday(), True)}, {parts_date}"
    if "hour" not in preset:
        return parts_date
    time = f"{_hour12(d.hour)}:{d.minute:02d}"
    if "second" in preset:
        time += f":{d.second:02d}"
    time += f" {'AM' if d.hour < 12 else 'PM'}"
    if preset.get("timeZoneName") == "short":
        time += " " + zone_short_name(dt)
    return f"{parts_date}, {time}"
