"""JavaScript's `Date.parse` / `new Date(text)` as V8 (Node.js) reads text.

V8 first tries the ISO form ECMAScript defines (`2024-01-05`, `2024-01-05T10:00:00.000Z`:
date-only means UTC, a time without offset means local time) and, for anything else, its
lenient legacy reader: words before the first number are skipped, `10:30` is a time, a month
name is the month, `GMT+0200` or `PST` an offset, `1/5/2024` month/day/year, two-digit years
are 19xx or 20xx, and a missing year is 2001. `parse_js_date(text, local)` gives epoch
milliseconds (NaN when V8 gives an invalid date); `local` is the process's zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .model import LuxonDateTime
from .zones import Zone

NONE = -(2**31)  # an empty slot
_MAX_DIGITS = 9  # V8 keeps the first nine digits of a numeral
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ZONE_WORDS = {
    "ut": 0,
    "utc": 0,
    "z": 0,
    "gmt": 0,
    "cdt": -5,
    "cst": -6,
    "edt": -4,
    "est": -5,
    "mdt": -6,
    "mst": -7,
    "pdt": -7,
    "pst": -8,
}
_MAX_MS = 8.64e15


@dataclass(slots=True)
class _Token:
    kind: str  # number, symbol, word, space, unknown, end
    value: int = 0
    length: int = 0
    word: str = ""  # words: the first three letters, lower-cased
    word_kind: str = ""  # month, ampm, zone, t, other
    symbol: str = ""  # symbols: the character


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch == "\ufeff"


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._next = self._scan()

    def _scan(self) -> _Token:
        text, start = self.text, self.pos
        if start >= len(text):
            return _Token("end")
        ch = text[start]
        if "0" <= ch <= "9":
            end = start
            while end < len(text) and "0" <= text[end] <= "9":
                end += 1
            digits = text[start:end]
            self.pos = end
            return _Token("number", int(digits[:_MAX_DIGITS]), len(digits))
        if ch in ":-+.)":
            self.pos += 1
            return _Token("symbol", symbol=ch)
        if ch >= "A" and not _is_space(ch):
            end = start
            while end < len(text) and text[end] >= "A" and not _is_space(text[end]):
                end += 1
            word = text[start:end]
            self.pos = end
            return _word(word)
        if _is_space(ch):
            end = start
            while end < len(text) and _is_space(text[end]):
                end += 1
            self.pos = end
            return _Token("space", length=end - start)
        if ch == "(":
            depth = 0
            end = start
            while True:
                if text[end] == ")":
                    depth -= 1
                elif text[end] == "(":
                    depth += 1
                end += 1
                if depth <= 0 or end >= len(text):
                    break
            self.pos = end
            return _Token("unknown")
        self.pos += 1
        return _Token("unknown")

    def peek(self) -> _Token:
        return self._next

    def next(self) -> _Token:
        token = self._next
        self._next = self._scan()
        return token

    def skip_symbol(self, symbol: str) -> bool:
        if self._next.kind == "symbol" and self._next.symbol == symbol:
            self.next()
            return True
        return False


def _word(word: str) -> _Token:
    prefix = word[:3].lower()
    length = len(word)
    if prefix in _MONTHS:
        return _Token("word", _MONTHS.index(prefix) + 1, length, prefix, "month")
    if length <= 3:
        if prefix in ("am", "pm"):
            return _Token("word", 0 if prefix == "am" else 12, length, prefix, "ampm")
        if prefix in _ZONE_WORDS:
            return _Token("word", _ZONE_WORDS[prefix], length, prefix, "zone")
        if prefix == "t":
            return _Token("word", 0, length, prefix, "t")
    return _Token("word", 0, length, prefix, "other")


def _fixed(token: _Token, length: int) -> bool:
    return token.kind == "number" and token.length == length


@dataclass(slots=True)
class _Day:
    comp: list[int] = field(default_factory=list)
    named_month: int = NONE
    iso: bool = False

    def add(self, n: int) -> bool:
        if len(self.comp) >= 3:
            return False
        self.comp.append(n)
        return True

    def write(self) -> tuple[int, int, int] | None:
        if not self.comp:
            return None
        comp = self.comp + [1] * (3 - len(self.comp))
        year = 0
        if self.named_month == NONE:
            if self.iso or not 1 <= comp[0] <= 31:
                year, month, day = comp
            else:
                month, day, year = comp
        else:
            month = self.named_month
            if not 1 <= comp[0] <= 31:
                year, day = comp[0], comp[1]
            else:
                day, year = comp[0], comp[1]
        if not self.iso:
            if 0 <= year <= 49:
                year += 2000
            elif 50 <= year <= 99:
                year += 1900
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return year, month, day


@dataclass(slots=True)
class _Time:
    comp: list[int] = field(default_factory=list)
    hour_offset: int = NONE

    def add(self, n: int) -> bool:
        if len(self.comp) >= 4:
            return False
        self.comp.append(n)
        return True

    def add_final(self, n: int) -> bool:
        if not self.add(n):
            return False
        self.comp += [0] * (4 - len(self.comp))
        return True

    def expecting(self, n: int) -> bool:
        size = len(self.comp)
        return (
            (size == 1 and 0 <= n <= 59)
            or (size == 2 and 0 <= n <= 59)
            or (size == 3 and 0 <= n <= 999)
        )

    def write(self) -> tuple[int, int, int, int] | None:
        hour, minute, second, ms = self.comp + [0] * (4 - len(self.comp))
        if self.hour_offset != NONE:
            if not 0 <= hour <= 12:
                return None
            hour = hour % 12 + self.hour_offset
        ok = 0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= second <= 59 and 0 <= ms <= 999
        if not ok and not (hour == 24 and minute == 0 and second == 0 and ms == 0):
            return None
        return hour, minute, second, ms


@dataclass(slots=True)
class _Zone:
    sign: int = NONE
    hour: int = NONE
    minute: int = NONE

    def set(self, hours: int) -> None:
        self.sign = -1 if hours < 0 else 1
        self.hour = abs(hours)
        self.minute = 0

    def expecting(self, n: int) -> bool:
        return self.hour != NONE and self.minute == NONE and 0 <= n <= 59

    def is_utc(self) -> bool:
        return self.hour == 0 and self.minute == 0

    def offset_seconds(self) -> int | None:
        if self.sign == NONE:
            return None
        hours = 0 if self.hour == NONE else self.hour
        minutes = 0 if self.minute == NONE else self.minute
        total = hours * 3600 + minutes * 60
        return -total if self.sign < 0 else total


def _milliseconds(token: _Token) -> int:
    number, length = int(token.value), token.length
    if length == 1:
        return number * 100
    if length == 2:
        return number * 10
    length = min(length, _MAX_DIGITS)
    while length > 3:
        number //= 10
        length -= 1
    return number


def _es5(scanner: _Scanner, day: _Day, time: _Time, zone: _Zone) -> _Token | None:
    """The ISO form; the first token it could not use, END when it read it all, None: invalid."""
    peek = scanner.peek()
    if peek.kind == "symbol" and peek.symbol in "+-":
        sign = scanner.next()
        if not _fixed(scanner.peek(), 6):
            return sign
        year = int(scanner.next().value)
        if sign.symbol == "-" and year == 0:
            return sign
        day.add(-year if sign.symbol == "-" else year)
    elif _fixed(peek, 4):
        day.add(int(scanner.next().value))
    else:
        return scanner.next()
    if scanner.skip_symbol("-"):
        if not (_fixed(scanner.peek(), 2) and 1 <= int(scanner.peek().value) <= 12):
            return scanner.next()
        day.add(int(scanner.next().value))
        if scanner.skip_symbol("-"):
            if not (_fixed(scanner.peek(), 2) and 1 <= int(scanner.peek().value) <= 31):
                return scanner.next()
            day.add(int(scanner.next().value))
    if scanner.peek().word_kind != "t":
        if scanner.peek().kind != "end":
            return scanner.next()
    else:
        scanner.next()
        peek = scanner.peek()
        if not (_fixed(peek, 2) and 0 <= int(peek.value) <= 24):
            return None
        hour_24 = int(peek.value) == 24
        time.add(int(scanner.next().value))
        if not scanner.skip_symbol(":"):
            return None
        peek = scanner.peek()
        if not (_fixed(peek, 2) and 0 <= int(peek.value) <= 59) or (hour_24 and peek.value):
            return None
        time.add(int(scanner.next().value))
        if scanner.skip_symbol(":"):
            peek = scanner.peek()
            if not (_fixed(peek, 2) and 0 <= int(peek.value) <= 59) or (hour_24 and peek.value):
                return None
            time.add(int(scanner.next().value))
            if scanner.skip_symbol("."):
                peek = scanner.peek()
                if peek.kind != "number" or (hour_24 and peek.value):
                    return None
                time.add(_milliseconds(scanner.next()))
        peek = scanner.peek()
        if peek.word_kind == "zone" and peek.word == "z" and peek.length == 1:
            scanner.next()
            zone.set(0)
        elif peek.kind == "symbol" and peek.symbol in "+-":
            zone.sign = 1 if scanner.next().symbol == "+" else -1
            if _fixed(scanner.peek(), 4):
                hour, minute = divmod(int(scanner.next().value), 100)
                if not (0 <= hour <= 23 and 0 <= minute <= 59):
                    return None
                zone.hour, zone.minute = hour, minute
            else:
                peek = scanner.peek()
                if not (_fixed(peek, 2) and 0 <= int(peek.value) <= 23):
                    return None
                zone.hour = int(scanner.next().value)
                if not scanner.skip_symbol(":"):
                    return None
                peek = scanner.peek()
                if not (_fixed(peek, 2) and 0 <= int(peek.value) <= 59):
                    return None
                zone.minute = int(scanner.next().value)
        if scanner.peek().kind != "end":
            return None
    if zone.hour == NONE and not time.comp:
        zone.set(0)
    day.iso = True
    return _Token("end")


def _legacy(scanner: _Scanner, first: _Token, day: _Day, time: _Time, zone: _Zone) -> bool:
    has_number = bool(day.comp)
    token = first
    while token.kind != "end":
        if token.kind == "number":
            has_number = True
            n = int(token.value)
            if scanner.skip_symbol(":"):
                if scanner.skip_symbol(":"):
                    if time.comp:
                        return False
                    time.add(n)
                    time.add(0)
                else:
                    if not time.add(n):
                        return False
                    if scanner.peek().kind == "symbol" and scanner.peek().symbol == ".":
                        scanner.next()
            elif scanner.skip_symbol(".") and time.expecting(n):
                time.add(n)
                if scanner.peek().kind != "number":
                    return False
                time.add_final(_milliseconds(scanner.next()))
            elif zone.expecting(n):
                zone.minute = n
            elif time.expecting(n):
                time.add_final(n)
                peek = scanner.peek()
                if not (
                    peek.kind in ("end", "space")
                    or (peek.word_kind == "zone" and peek.word == "z" and peek.length == 1)
                    or (peek.kind == "symbol" and peek.symbol in "+-")
                ):
                    return False
            else:
                if not day.add(n):
                    return False
                scanner.skip_symbol("-")
        elif token.kind == "word":
            if token.word_kind == "ampm" and time.comp:
                time.hour_offset = int(token.value)
            elif token.word_kind == "month":
                day.named_month = int(token.value)
                scanner.skip_symbol("-")
            elif token.word_kind == "zone" and has_number:
                zone.set(int(token.value))
            else:
                if has_number or scanner.peek().kind == "number":
                    return False
        elif token.kind == "symbol" and token.symbol in "+-" and (zone.is_utc() or time.comp):
            zone.sign = 1 if token.symbol == "+" else -1
            n = length = 0
            if scanner.peek().kind == "number":
                number = scanner.next()
                n, length = int(number.value), number.length
            has_number = True
            if scanner.peek().kind == "symbol" and scanner.peek().symbol == ":":
                zone.hour, zone.minute = n, NONE
            elif length in (1, 2):
                zone.hour, zone.minute = n, 0
            elif length in (3, 4):
                zone.hour, zone.minute = divmod(n, 100)
            else:
                return False
        elif token.kind == "symbol" and token.symbol in "+-)" and has_number:
            return False
        token = scanner.next()
    return True


def parse_js_date(text: str, local: Zone) -> float:
    """Epoch milliseconds of `new Date(text)` in a V8 process whose zone is `local`."""
    scanner = _Scanner(text)
    day, time, zone = _Day(), _Time(), _Zone()
    first = _es5(scanner, day, time, zone)
    if first is None or not _legacy(scanner, first, day, time, zone):
        return math.nan
    ymd = day.write()
    hms = time.write()
    if ymd is None or hms is None:
        return math.nan
    return _compose(ymd, hms, zone.offset_seconds(), local)


def _compose(
    ymd: tuple[int, int, int], hms: tuple[int, int, int, int], offset: int | None, local: Zone
) -> float:
    year, month, day = ymd
    hour, minute, second, ms = hms
    # JavaScript's MakeDay accepts a day past the month's end (2024-02-30 is 1 March)
    try:
        base = datetime(year, month, 1, tzinfo=UTC) + timedelta(
            days=day - 1, hours=hour, minutes=minute, seconds=second, milliseconds=ms
        )
    except (ValueError, OverflowError):
        return math.nan
    if offset is not None:
        epoch = (base - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(milliseconds=1)
        value = epoch - offset * 1000
        return float(value) if abs(value) <= _MAX_MS else math.nan
    fields: dict[str, int | float] = {
        "year": base.year,
        "month": base.month,
        "day": base.day,
        "hour": base.hour,
        "minute": base.minute,
        "second": base.second,
        "millisecond": base.microsecond // 1000,
    }
    result = LuxonDateTime.from_fields(fields, local)
    return result.ms if result.is_valid else math.nan
