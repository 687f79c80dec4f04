"""Number.prototype.toFixed / toPrecision / toExponential / toString(radix), as JavaScript does.

JavaScript rounds the exact binary value of a double, halves away from zero, so
(1.45).toFixed(1) is "1.4" and (0.5).toFixed(0) is "1": Decimal of the double with
ROUND_HALF_UP gives the same digits.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from .values import UNDEFINED, number_string, range_error, to_number


def _special(x: float | int) -> str | None:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return number_string(x)
    return None


def to_fixed(x: float | int, digits: Any) -> str:
    f = 0 if isinstance(digits, float) and math.isnan(digits) else int(digits)
    if not 0 <= f <= 100:
        raise range_error("toFixed() digits argument must be between 0 and 100")
    special = _special(x)
    if special is not None:
        return special
    if abs(x) >= 1e21:
        return number_string(x)
    sign = "-" if x < 0 else ""
    with localcontext() as ctx:
        ctx.prec = 500
        value = Decimal(abs(x)).quantize(Decimal(1).scaleb(-f), rounding=ROUND_HALF_UP)
    text = f"{value:f}"
    if float(value) == 0:
        sign = ""
    return sign + text


def _round_significant(x: float | int, precision: int) -> tuple[str, int]:
    """Digits (exactly `precision` of them) and the decimal exponent of the first one."""
    with localcontext() as ctx:
        ctx.prec = precision
        ctx.rounding = ROUND_HALF_UP
        value = +Decimal(abs(x))
    parts = value.as_tuple()
    assert isinstance(parts.exponent, int)  # a finite number
    digits = "".join(map(str, parts.digits)).ljust(precision, "0")[:precision]
    return digits, parts.exponent + len(parts.digits) - 1


def to_precision(x: float | int, precision: Any) -> str:
    if precision is UNDEFINED:
        return number_string(x)
    p = int(to_number(precision))
    special = _special(x)
    if special is not None:
        return special
    if not 1 <= p <= 100:
        raise range_error("toPrecision() argument must be between 1 and 100")
    sign = "-" if x < 0 else ""
    if x == 0:
        return "0" if p == 1 else "0." + "0" * (p - 1)
    digits, e = _round_significant(x, p)
    if e < -6 or e >= p:
        mantissa = digits[0] + ("." + digits[1:] if p > 1 else "")
        return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    if e >= 0:
        whole, frac = digits[: e + 1], digits[e + 1 :]
        return sign + whole + ("." + frac if frac else "")
    return sign + "0." + "0" * (-e - 1) + digits


def to_exponential(x: float | int, fraction: Any) -> str:
    special = _special(x)
    if special is not None:
        return special
    sign = "-" if x < 0 else ""
    if fraction is UNDEFINED:
        if x == 0:
            return "0e+0"
        digits, e = _shortest_digits(abs(x))
    else:
        places = int(to_number(fraction))
        if not 0 <= places <= 100:
            raise range_error("toExponential() argument must be between 0 and 100")
        if x == 0:
            digits, e = "0" * (places + 1), 0
        else:
            digits, e = _round_significant(x, places + 1)
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _shortest_digits(x: float | int) -> tuple[str, int]:
    """The fewest digits that read back as `x` (as JavaScript prints it) and the exponent."""
    parts = Decimal(repr(float(x))).normalize().as_tuple()
    assert isinstance(parts.exponent, int)  # a finite number
    digits = "".join(map(str, parts.digits))
    return digits, parts.exponent + len(digits) - 1


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def to_radix(x: float | int, base: int) -> str:
    special = _special(x)
    if special is not None:
        return special
    sign = "-" if x < 0 else ""
    value = abs(x)
    whole = int(value)
    frac = value - whole
    out = ""
    while True:
        whole, digit = divmod(whole, base)
        out = _DIGITS[digit] + out
        if whole == 0:
            break
    if frac:
        out += "."
        for _ in range(52):
            frac *= base
            digit = int(frac)
            out += _DIGITS[digit]
            frac -= digit
            if not frac:
                break
    return sign + out
