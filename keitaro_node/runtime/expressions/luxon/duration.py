"""Luxon's Duration (amounts per unit, casual conversion) and DateTime#diff."""

from __future__ import annotations

import itertools
import math

from .model import ALL_UNITS, MS_PER_UNIT, LuxonDateTime, normalize_unit

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
        """The same length in `units` only (Luxon's shiftTo), with the casual ratios.

        Going from the largest unit down, each unit asked for takes its own amount and all
        that came down from above it (each amount converted straight from its own unit), and
        keeps the whole part; the rest goes on down. Whatever is left at the bottom, below
        the smallest unit asked for, comes back up into it as a fraction. Then the amounts
        are balanced (see _balanced).
        """
        if not units or not self.is_valid:
            return self
        kept = [unit for unit in ALL_UNITS if unit in units]
        shifted: dict[str, float] = {}
        coming_down: dict[str, float] = {}  # amounts on their way to the next unit kept
        for unit in ALL_UNITS:
            amount = self.values.get(unit)
            if unit not in kept:
                if amount is not None:
                    coming_down[unit] = amount
                continue
            total = 0.0
            for source, value in coming_down.items():
                total += _ratio(source, unit) * value
            coming_down = {}
            if amount is not None:
                total += amount
            whole = math.trunc(total)
            shifted[unit] = whole
            # the fraction as Luxon computes it, so results agree to the last digit
            coming_down[unit] = (total * 1000 - whole * 1000) / 1000
        smallest = kept[-1]
        for source, value in coming_down.items():
            if value:
                shifted[smallest] += (
                    value if source == smallest else value / _ratio(smallest, source)
                )
        return Duration(_balanced(shifted))

    def as_unit(self, unit: str) -> float:
        return self.shift_to(unit).values.get(unit, 0)

    def normalize(self) -> Duration:
        return Duration(_balanced(self.values)) if self.is_valid else self

    def rescale(self) -> Duration:
        """The largest units that hold the length whole; units at zero are left out."""
        if not self.is_valid:
            return self
        every = ("years", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds")
        spread = self.normalize().shift_to(*every)
        return Duration({unit: value for unit, value in spread.values.items() if value != 0})

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


def _balanced(values: dict[str, float]) -> dict[str, float]:
    """Amounts moved between neighbouring units, as Luxon normalises a duration.

    Taking the whole duration as positive, each smaller unit passes up to its larger
    neighbour as many whole larger units as it holds (or borrows one when it is below zero),
    from the smallest pair up; then a fraction left on a larger unit moves down into its
    smaller neighbour, from the largest pair down.
    """
    out = dict(values)
    present = [unit for unit in ALL_UNITS if unit in out]
    sign = -1 if _length_ms(out) < 0 else 1
    pairs = list(itertools.pairwise(present))
    for larger, smaller in reversed(pairs):
        ratio = _ratio(larger, smaller)
        moved = math.floor(out[smaller] * sign / ratio)
        out[larger] += moved * sign
        out[smaller] -= moved * ratio * sign
    for larger, smaller in pairs:
        fraction = math.fmod(out[larger], 1)
        out[larger] -= fraction
        out[smaller] += fraction * _ratio(larger, smaller)
    return out


def _length_ms(values: dict[str, float]) -> float:
    total = values.get("milliseconds", 0)
    for unit in reversed(ALL_UNITS[:-1]):
        if values.get(unit):
            total += values[unit] * _IN_MS[unit]
    return total


def _num(value: float) -> str:
    from ..values import number_string

    return number_string(value if not float(value).is_integer() else int(value))


def _calendar_diff(start: LuxonDateTime, end: LuxonDateTime, unit: str) -> int:
    """How many of a calendar unit lie between two dates, by their calendar fields alone."""
    a, b = start.local, end.local
    if unit == "years":
        return b.year - a.year
    if unit == "quarters":
        return (b.year - a.year) * 4 + ((b.month - 1) // 3 - (a.month - 1) // 3)
    if unit == "months":
        return (b.year - a.year) * 12 + (b.month - a.month)
    days = (b.date() - a.date()).days
    return days // 7 if unit == "weeks" else days


def diff(this: LuxonDateTime, other: LuxonDateTime, units: list[str]) -> Duration:
    """`this - other` in `units`, as Luxon's DateTime#diff measures it.

    Calendar units come first, largest to smallest: as many of each as fit when added to the
    start together with those already counted (the estimate from calendar fields can be one
    or two too many, as month ends clamp). The time left is measured in the time units
    asked for; with none asked, it becomes a fraction of the smallest calendar unit: of the
    length of one more of it at that point.
    """
    asked = [unit for unit in ALL_UNITS if unit in units] or ["milliseconds"]
    backwards = other.ms > this.ms
    start, end = (this, other) if backwards else (other, this)
    end = end.set_zone(start.zone)
    counted: dict[str, float] = {}
    reached = start  # the start moved on by all the units counted so far
    one_more: LuxonDateTime | None = None  # where one more of the last unit counted lands
    for unit in ("years", "quarters", "months", "weeks", "days"):
        if unit not in asked:
            continue
        count = _calendar_diff(reached, end, unit)
        one_more = None
        for _ in range(2):
            landed = start.plus({**counted, unit: count})
            if landed.ms <= end.ms:
                break
            one_more, count = landed, count - 1
        else:
            landed = start.plus({**counted, unit: count})
        counted[unit] = count
        reached = landed
    left_ms = end.ms - reached.ms
    time_units = [unit for unit in asked if unit in MS_PER_UNIT]
    if time_units:
        result = Duration.from_millis(left_ms).shift_to(*time_units).plus(Duration(counted))
    else:
        smallest = next(unit for unit in reversed(asked) if unit in counted)
        if one_more is None and reached.ms < end.ms:
            one_more = reached.plus({smallest: 1})
        if one_more is not None:
            counted[smallest] += left_ms / (one_more.ms - reached.ms)
        result = Duration(counted)
    return result.negate() if backwards else result
