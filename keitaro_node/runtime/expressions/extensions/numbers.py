"""Number extensions: round, format, isEven, toDateTime, ..."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ..numfmt import to_fixed
from ..values import UNDEFINED, ExpressionError, js_string, tidy, to_number


def _is_integer(value: float | int) -> bool:
    return (
        not (isinstance(value, float) and (math.isnan(value) or math.isinf(value)))
        and float(value).is_integer()
    )


def _round(value: float | int, args: list[Any]) -> Any:
    places = args[0] if args and args[0] is not UNDEFINED else 0
    return tidy(float(to_number(to_fixed(value, to_number(places)))))


def _parity(name: str, even: bool) -> Any:
    def check(value: float | int, _args: list[Any]) -> bool:
        if not _is_integer(value):
            raise ExpressionError(f"{name}() is only callable on integers")
        return (int(value) % 2 == 0) == even

    return check


def number_to_datetime(value: Any, args: list[Any]) -> Any:
    from ..dates import SETTINGS, DateTimeValue
    from ..luxon.model import LuxonDateTime

    fmt = args[0] if args and args[0] is not UNDEFINED else "ms"
    if fmt not in ("ms", "s", "us", "excel"):
        raise ExpressionError(
            f"Unsupported format '{js_string(fmt)}'. toDateTime() supports 'ms', 's', 'us' and 'excel'."
        )
    number = float(to_number(value))
    ms = {
        "ms": number,
        "s": number * 1000,
        "us": number / 1000,
        "excel": (number - (25567 + 2)) * 86_400 * 1000,
    }[fmt]
    return DateTimeValue(LuxonDateTime(round(ms) if not math.isnan(ms) else ms, SETTINGS.zone))


_SEPARATORS = {
    "en": (",", "."),
    "de": (".", ","),
    "fr": ("\u202f", ","),
    "es": (".", ","),
    "ru": ("\u00a0", ","),
    "it": (".", ","),
    "pt": (".", ","),
    "nl": (".", ","),
}
_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "RUB": "RUB", "INR": "₹"}


def format_number(value: Any, args: list[Any]) -> str:
    """Intl.NumberFormat for the common cases: grouping, decimals, percent, currency."""
    locale = js_string(args[0]) if args and args[0] is not UNDEFINED else "en-US"
    options = args[1] if len(args) > 1 and isinstance(args[1], dict) else {}
    number = float(to_number(value))
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    style = options.get("style", "decimal")
    if style == "percent":
        number *= 100
    minimum = options.get("minimumFractionDigits")
    maximum = options.get("maximumFractionDigits")
    if style == "currency":
        minimum = 2 if minimum is None else minimum
        maximum = max(2, minimum) if maximum is None else maximum
    elif style == "percent":
        minimum = 0 if minimum is None else minimum
        maximum = max(0, minimum) if maximum is None else maximum
    else:
        minimum = 0 if minimum is None else minimum
        maximum = max(3, int(minimum)) if maximum is None else maximum
    quantized = Decimal(repr(abs(number))).quantize(
        Decimal(1).scaleb(-int(maximum)), rounding=ROUND_HALF_EVEN
    )
    whole, _, fraction = f"{quantized:f}".partition(".")
    fraction = fraction.rstrip("0").ljust(int(minimum), "0")
    group, decimal_mark = _SEPARATORS.get(locale.split("-")[0].lower(), (",", "."))
    if options.get("useGrouping", True) is not False and len(whole) > 3:
        head = len(whole) % 3 or 3
        groups = [whole[:head]] + [whole[i : i + 3] for i in range(head, len(whole), 3)]
        whole = group.join(groups)
    text = whole + (decimal_mark + fraction if fraction else "")
    sign = "-" if number < 0 and float(quantized) != 0 else ""
    if style == "percent":
        return f"{sign}{text}%"
    if style == "currency":
        code = js_string(options.get("currency", "USD")).upper()
        symbol = _CURRENCY_SIGNS.get(code, code)
        if locale.split("-")[0].lower() == "en":
            return f"{sign}{symbol}{text}"
        return f"{sign}{text}\u00a0{symbol}"
    return sign + text


NUMBER_EXTENSIONS: dict[str, Any] = {
    "ceil": lambda n, _a: tidy(math.ceil(n)) if _is_integer(n) or math.isfinite(n) else n,
    "floor": lambda n, _a: tidy(math.floor(n)) if math.isfinite(n) else n,
    "format": lambda n, a: format_number(n, a),
    "round": _round,
    "abs": lambda n, _a: tidy(abs(n)),
    "isInteger": lambda n, _a: _is_integer(n),
    "isEven": _parity("isEven", True),
    "isOdd": _parity("isOdd", False),
    "toBoolean": lambda n, _a: n != 0,
    "toInt": lambda n, _a: _round(n, []),
    "toFloat": lambda n, _a: n,
    "toDateTime": number_to_datetime,
}
