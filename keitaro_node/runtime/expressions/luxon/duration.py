"""Luxon's Duration (amounts per unit, casual conversion) and DateTime#diff."""

from __future__ import annotations

import math

from .model import ALL_UNITS, LuxonDateTime, normalize_unit

# Luxon's "casual" conversion: a year is 365 days, a month 30 days.
_IN_MS = {
    "years": 365 * 86_400_000,
    "quarters": 91 * 86_400_000,
    "months": 30 * 86_400_000,
    "weeks": 7 * 86_400_000,
    "days": 86_400_000,
    "hours": 3_600_000,
    "minutes": 60_000,
    "seconds": 1000,
    "milliseconds": 1,
}
_CASUAL = {
    ("years", "quarters"): 4,
    ("years", "months"): 12,
    ("years", "weeks"): 52,
    ("quarters", "months"): 3,
    ("quarters", "weeks"): 13,
    ("months", "weeks"): 4,
}


def _ratio(big: str, small: str) -> float:
    if (big, small) in _CASUAL:
        return _CASUAL[(big, small)]
    return _IN_MS[big] / _IN_MS[small]


class Duration:
    __slots__ = ("invalid", "values")

    def __init__(self, values: dict[str, float], invalid: str | None = None) -> None:
        self.values = {u: values[u] for u in ALL_UNITS if u in values}
        self.invalid = invalid

    @classmethod
    def from_object(cls, obj: dict[str, float]) -> Duration:
        values: dict[str, float] = {}
        for key, value in obj.items():
            unit = normalize_unit(key)
            if unit is None:
                raise ValueError(f"Invalid unit {key}")
            values[unit] = value
        return cls(values)

    @classmethod
    def from_millis(cls, ms: float) -> Duration:
        return cls({"milliseconds": ms})

    @property
    def is_valid(self) -> bool:
        return self.invalid is None

    def to_millis(self) -> float:
        return sum(self.values[u] * _IN_MS[u] for u in self.values)

    def shift_to(self, *units: str) -> Duration:
        if not units or not self.is_valid:
            return self
        wanted = [u for u in ALL_UNITS if u in units]
        built: dict[str, float] = {}
        accumulated: dict[str, float] = {}
        last = None
        for unit in ALL_UNITS:
            if unit in wanted:
                last = unit
                own = 0.0
                for held, amount in list(accumulated.items()):
                    own += amount * _ratio(held, unit)
                    accumulated[held] = 0
                own += self.values.get(unit, 0)
                whole = math.trunc(own)
                built[unit] = whole
                fraction = own - whole
                accumulated = {unit: fraction} if fraction else {}
                # carry the fraction down to the next wanted unit
            elif unit in self.values:
                accumulated[unit] = accumulated.get(unit, 0) + self.values[unit]
        # anything left (smaller than the smallest wanted unit) goes back up as a fraction
        if last is not None:
            built = _roll_up(built, wanted, accumulated, last)
            return Duration(built)
        if last is not None:
            for held, amount in accumulated.items():
                if held == last:
                    built[last] += amount
                else:
                    built[last] += amount / _ratio(last, held) if amount else 0
        return Duration(built)

    def as_unit(self, unit: str) -> float:
        return self.shift_to(unit).values.get(unit, 0)

    def normalize(self) -> Duration:
        units = list(self.values)
        if not units:
            return self
        return self.shift_to(*units)

    def rescale(self) -> Duration:
        ms = self.to_millis()
        result = Duration.from_millis(ms).shift_to(
            "years", "months", "days", "hours", "minutes", "seconds", "milliseconds"
        )
        return Duration({k: v for k, v in result.values.items() if v})

    def plus(self, other: Duration, sign: int = 1) -> Duration:
        values = dict(self.values)
        for unit, amount in other.values.items():
            values[unit] = values.get(unit, 0) + sign * amount
        return Duration(values)

    def negate(self) -> Duration:
        return Duration({u: (-v if v else 0) for u, v in self.values.items()})

    def to_iso(self) -> str | None:
        if not self.is_valid:
            return None
        v = self.values
        out = "P"
        for unit, letter in (
            ("years", "Y"),
            ("quarters", None),
            ("months", "M"),
            ("weeks", "W"),
            ("days", "D"),
        ):
            amount = v.get(unit, 0)
            if unit == "quarters":
                amount = v.get("quarters", 0) * 3
                if amount:
                    v = {**v, "months": v.get("months", 0) + amount}
                continue
            if amount:
                out += _num(amount) + str(letter)
        time = ""
        if v.get("hours"):
            time += _num(v["hours"]) + "H"
        if v.get("minutes"):
            time += _num(v["minutes"]) + "M"
        if v.get("seconds") or v.get("milliseconds"):
            seconds = v.get("seconds", 0) + v.get("milliseconds", 0) / 1000
            time += _num(round(seconds, 3)) + "S"
        if time:
            out += "T" + time
        if out == "P":
            out += "T0S"
        return out

    def to_format(self, fmt: str) -> str:
        tokens = {
            "y": "years",
            "M": "months",
            "w": "weeks",
            "d": "days",
            "h": "hours",
            "m": "minutes",
            "s": "seconds",
            "S": "milliseconds",
        }
        used = []
        i = 0
        while i < len(fmt):
            ch = fmt[i]
            if ch in tokens and tokens[ch] not in used:
                used.append(tokens[ch])
            i += 1
        shifted = self.shift_to(*used) if used else self
        out: list[str] = []
        i = 0
        while i < len(fmt):
            ch = fmt[i]
            if ch == "'":
                end = fmt.find("'", i + 1)
                end = len(fmt) if end < 0 else end
                out.append(fmt[i + 1 : end])
                i = end + 1
                continue
            j = i
            while j < len(fmt) and fmt[j] == ch:
                j += 1
            if ch in tokens:
                value = math.trunc(shifted.values.get(tokens[ch], 0))
                out.append(
                    str(abs(value)).rjust(j - i, "0")
                    if value >= 0
                    else "-" + str(-value).rjust(j - i, "0")
                )
            else:
                out.append(fmt[i:j])
            i = j
        return "".join(out)

    def to_human(self) -> str:
        parts = []
        for unit in ALL_UNITS:
            if unit in self.values:
                amount = self.values[unit]
                name = unit[:-1] if amount == 1 else unit
                parts.append(f"{_num(amount)} {name}")
        return ", ".join(parts)


def _roll_up(
    built: dict[str, float], wanted: list[str], left: dict[str, float], last: str
) -> dict[str, float]:
    for held, amount in left.items():
        if amount and held != last:
            built[last] += amount / _ratio(last, held)
        elif amount and held == last:
            pass
    for index in range(len(wanted) - 1, 0, -1):
        small, big = wanted[index], wanted[index - 1]
        ratio = _ratio(big, small)
        if abs(built[small]) >= ratio:
            carry = math.trunc(built[small] / ratio)
            built[big] += carry
            built[small] -= carry * ratio
    return built


def _num(value: float) -> str:
    from ..values import number_string

    return number_string(value if not float(value).is_integer() else int(value))


def _calendar_diff(cursor: LuxonDateTime, later: LuxonDateTime, unit: str) -> int:
    a, b = cursor.local, later.local
    if unit == "years":
        return b.year - a.year
    if unit == "quarters":
        return (b.year - a.year) * 4 + ((b.month - 1) // 3 - (a.month - 1) // 3)
    if unit == "months":
        return (b.year - a.year) * 12 + (b.month - a.month)
    days = (b.date() - a.date()).days
    return days // 7 if unit == "weeks" else days


def diff(this: LuxonDateTime, other: LuxonDateTime, units: list[str]) -> Duration:
    """Luxon's DateTime#diff: whole calendar units first, the rest in time units."""
    units = [u for u in ALL_UNITS if u in units] or ["milliseconds"]
    other_is_later = other.ms > this.ms
    earlier, later = (this, other) if other_is_later else (other, this)
    later = later.set_zone(earlier.zone)
    results: dict[str, float] = {}
    cursor = earlier
    high_water = earlier
    lowest = None
    for unit in ("years", "quarters", "months", "weeks", "days"):
        if unit not in units:
            continue
        lowest = unit
        results[unit] = _calendar_diff(cursor, later, unit)
        high_water = earlier.plus(results)
        if high_water.ms > later.ms:
            results[unit] -= 1
            cursor = earlier.plus(results)
            if cursor.ms > later.ms:
                high_water = cursor
                results[unit] -= 1
                cursor = earlier.plus(results)
        else:
            cursor = high_water
    remaining = later.ms - cursor.ms
    lower = [u for u in units if u in ("hours", "minutes", "seconds", "milliseconds")]
    if not lower and lowest is not None:
        if high_water.ms < later.ms or high_water.ms == cursor.ms:
            high_water = cursor.plus({lowest: 1})
        if high_water.ms != cursor.ms:
            results[lowest] = results.get(lowest, 0) + remaining / (high_water.ms - cursor.ms)
    result = Duration(results)
    if lower:
        result = Duration.from_millis(remaining).shift_to(*lower).plus(result)
    return result.negate() if other_is_later else result
