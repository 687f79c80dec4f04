"""Date extensions, for Luxon DateTimes, JavaScript Dates and ISO texts alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..dates import SETTINGS, DateTimeValue, JsDate, now_ms, parse_any
from ..luxon.model import LuxonDateTime
from ..values import UNDEFINED, ExpressionError, js_string, tidy, to_number, type_error

_DURATION_ALIASES = {
    "day": "days",
    "month": "months",
    "year": "years",
    "week": "weeks",
    "hour": "hours",
    "minute": "minutes",
    "second": "seconds",
    "millisecond": "milliseconds",
    "ms": "milliseconds",
    "sec": "seconds",
    "secs": "seconds",
    "hr": "hours",
    "hrs": "hours",
    "min": "minutes",
    "mins": "minutes",
}
_UNIT_ALIASES = {
    "days": "day",
    "months": "month",
    "years": "year",
    "hours": "hour",
    "minutes": "minute",
    "seconds": "second",
    "milliseconds": "millisecond",
    "hrs": "hour",
    "hr": "hour",
    "mins": "minute",
    "min": "minute",
    "secs": "second",
    "sec": "second",
    "ms": "millisecond",
}
_DURATION_UNITS = [
    "milliseconds",
    "seconds",
    "minutes",
    "hours",
    "days",
    "weeks",
    "months",
    "quarters",
    "years",
]
_DATE_PARTS = [
    "day",
    "week",
    "month",
    "year",
    "hour",
    "minute",
    "second",
    "millisecond",
    "weekNumber",
    "yearDayNumber",
    "weekday",
]


class IsoText(JsDate):
    """ISO text that n8n sends to a date extension unconverted: an invalid date there."""


DateValue = DateTimeValue | JsDate


def is_date_value(value: Any) -> bool:
    return isinstance(value, (DateTimeValue, JsDate))


def _luxon(value: DateValue) -> LuxonDateTime:
    if isinstance(value, DateTimeValue):
        return value.value
    return LuxonDateTime(value.ms, SETTINGS.zone)


def _wrap(original: DateValue, result: LuxonDateTime) -> DateValue:
    """A result of the same kind as the value the extension was called on."""
    if isinstance(original, JsDate):
        return JsDate(result.ms)
    return DateTimeValue(result)


def _call(value: DateValue, name: str, args: list[Any]) -> Any:
    return DateTimeValue(_luxon(value)).expr_call(name, args)


def _arg(args: list[Any], index: int, default: Any) -> Any:
    return args[index] if len(args) > index and args[index] is not UNDEFINED else default


def _beginning_of(value: DateValue, args: list[Any]) -> DateValue:
    raw = js_string(_arg(args, 0, "week"))
    unit = _UNIT_ALIASES.get(raw, raw)
    return _wrap(value, _call(value, "startOf", [unit]).value)


def _end_of_month(value: DateValue, _args: list[Any]) -> DateValue:
    return _wrap(value, _call(value, "endOf", ["month"]).value)


def _extract(value: DateValue, args: list[Any]) -> Any:
    part = js_string(_arg(args, 0, "week"))
    if part == "yearDayNumber":
        ms = value.ms if isinstance(value, JsDate) else _luxon(value).ms
        local = LuxonDateTime(ms, SETTINGS.js_zone)
        return local.get("ordinal")
    if part == "week":
        part = "weekNumber"
    unit = _UNIT_ALIASES.get(part, part)
    dt = _luxon(value)
    result = dt.get(unit)
    return tidy(result) if result == result else result


def _duration(args: list[Any]) -> Any:
    """What plus()/minus() were given: a duration as it is, or (amount, unit) as an object."""
    if len(args) == 1:
        return args[0]
    amount = _arg(args, 0, 0)
    unit = js_string(_arg(args, 1, "minutes"))
    return {_DURATION_ALIASES.get(unit, unit): amount}


def _plus_minus(name: str) -> Callable[[DateValue, list[Any]], DateValue]:
    def run(value: DateValue, args: list[Any]) -> DateValue:
        return _wrap(value, _call(value, name, [_duration(args)]).value)

    return run


def _is_between(value: DateValue, args: list[Any]) -> Any:
    if len(args) != 2:
        raise ExpressionError("isBetween(): expected exactly two args")

    def convert(item: Any) -> LuxonDateTime | None:
        if isinstance(item, DateTimeValue):
            return item.value
        if isinstance(item, JsDate):
            return _luxon(item)
        if isinstance(item, str):
            parsed = parse_any(item)
            return parsed if parsed.is_valid else None
        return None

    first, second = convert(args[0]), convert(args[1])
    if first is None or second is None:
        return UNDEFINED
    me = _luxon(value).ms
    low, high = sorted((first.ms, second.ms))
    return low < me < high


def _is_in_last(value: DateValue, args: list[Any]) -> bool:
    now = LuxonDateTime(now_ms(), SETTINGS.zone)
    amount = to_number(_arg(args, 0, 0))
    unit = js_string(_arg(args, 1, "minutes"))
    past = now.plus({_DURATION_ALIASES.get(unit, unit): amount}, -1)
    return past.ms <= _luxon(value).ms <= now.ms


def _diff_to(value: DateValue, args: list[Any]) -> Any:
    if isinstance(value, JsDate):  # n8n calls Luxon's diff on the Date itself
        raise type_error("date.diff is not a function")
    other = _arg(args, 0, UNDEFINED)
    unit = _arg(args, 1, "days")
    units = unit if isinstance(unit, list) else [unit]
    units = units or ["days"]
    for u in units:
        if u not in _DURATION_UNITS and u not in _DATE_PARTS:
            listed = ", ".join(f"'{x}'" for x in _DURATION_UNITS)
            raise ExpressionError(f"Unsupported unit '{js_string(u)}'. Supported: {listed}.")
    if isinstance(other, str):
        target: Any = DateTimeValue(parse_any(other))
    elif isinstance(other, JsDate):
        target = DateTimeValue(_luxon(other))
    else:
        target = other
    result = DateTimeValue(_luxon(value)).expr_call("diff", [target, units])
    if len(units) > 1:
        return result.expr_call("toObject", [])
    return result.expr_call("as", [units[0]])


def _diff_to_now(value: DateValue, args: list[Any]) -> Any:
    return _diff_to(
        value, [DateTimeValue(LuxonDateTime(now_ms(), SETTINGS.zone)), _arg(args, 0, "days")]
    )


def _to_int(value: DateValue, _args: list[Any]) -> Any:
    if isinstance(value, IsoText):
        raise type_error("date.getTime is not a function")
    return tidy(_luxon(value).ms)


def _to_datetime(value: DateValue, _args: list[Any]) -> DateTimeValue:
    if isinstance(value, DateTimeValue):
        return value
    return DateTimeValue(_luxon(value))


DATE_EXTENSIONS: dict[str, Any] = {
    "beginningOf": _beginning_of,
    "endOfMonth": _end_of_month,
    "extract": _extract,
    "isBetween": _is_between,
    "isDst": lambda v, _a: _luxon(v).is_dst(),
    "isInLast": _is_in_last,
    "isWeekend": lambda v, _a: _luxon(v).get("weekday") in (6, 7),
    "minus": _plus_minus("minus"),
    "plus": _plus_minus("plus"),
    "format": lambda v, a: _call(v, "toFormat", [_arg(a, 0, UNDEFINED)]),
    "toDateTime": _to_datetime,
    "diffTo": _diff_to,
    "diffToNow": _diff_to_now,
    "toInt": _to_int,
    "toFloat": _to_int,
    "toBoolean": lambda v, _a: UNDEFINED,
    "isEmpty": lambda v, _a: False,
    "isNotEmpty": lambda v, _a: True,
}

__all__ = ["DATE_EXTENSIONS", "IsoText", "is_date_value"]
