"""The globals an expression may use (JSON, Math, String, ...) and `$now`/`$today`."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from .values import ExpressionError, ExprObject, _number, _tidy, to_plain, to_text, truthy


class Namespace(ExprObject):
    """A read-only bag of functions such as JSON or Math."""

    def __init__(
        self,
        name: str,
        functions: dict[str, Callable[..., Any]],
        values: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.functions = functions
        self.values = values or {}

    def expr_name(self) -> str:
        return self.name

    def expr_get(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        raise ExpressionError(f"'{self.name}.{name}' is not available in expressions")

    def expr_call(self, name: str, args: list[Any]) -> Any:
        fn = self.functions.get(name)
        if fn is None:
            raise ExpressionError(f"'{self.name}.{name}()' is not available in expressions")
        try:
            return fn(*args)
        except ExpressionError:
            raise
        except (TypeError, ValueError, OverflowError) as exc:
            raise ExpressionError(f"'{self.name}.{name}()' failed: {exc}") from None


def _json_parse(text: Any) -> Any:
    try:
        return json.loads(to_text(text))
    except json.JSONDecodeError as exc:
        raise ExpressionError(f"JSON.parse: {exc}") from None


def _json_stringify(value: Any, _replacer: Any = None, indent: Any = None) -> str:
    if indent is None:
        return json.dumps(to_plain(value), ensure_ascii=False, separators=(",", ":"))
    return json.dumps(to_plain(value), ensure_ascii=False, indent=int(_number(indent)))


def _parse_int(value: Any, base: Any = 10) -> Any:
    match = re.match(r"\s*([-+]?[0-9a-zA-Z]+)", to_text(value))
    if not match:
        return math.nan
    try:
        return int(match.group(1), int(_number(base)))
    except ValueError:
        digits = re.match(r"[-+]?\d+", match.group(1))
        return int(digits.group()) if digits else math.nan


def _parse_float(value: Any) -> Any:
    match = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", to_text(value))
    return _tidy(float(match.group())) if match else math.nan


def _js_round(x: Any) -> int:
    return math.floor(_number(x) + 0.5)


GLOBALS: dict[str, Any] = {
    "JSON": Namespace("JSON", {"parse": _json_parse, "stringify": _json_stringify}),
    "Math": Namespace(
        "Math",
        {
            "round": _js_round,
            "floor": lambda x: math.floor(_number(x)),
            "ceil": lambda x: math.ceil(_number(x)),
            "abs": lambda x: abs(_number(x)),
            "min": lambda *xs: min(_number(x) for x in xs),
            "max": lambda *xs: max(_number(x) for x in xs),
            "pow": lambda x, y: _tidy(_number(x) ** _number(y)),
            "sqrt": lambda x: _tidy(math.sqrt(_number(x))),
        },
        {"PI": math.pi},
    ),
    "Object": Namespace(
        "Object",
        {
            "keys": lambda o: list(o) if isinstance(o, dict) else [],
            "values": lambda o: list(o.values()) if isinstance(o, dict) else [],
            "entries": lambda o: [[k, v] for k, v in o.items()] if isinstance(o, dict) else [],
        },
    ),
    "Array": Namespace("Array", {"isArray": lambda v: isinstance(v, list)}),
}

GLOBAL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "String": lambda v=None: to_text(v) if v is not None else "",
    "Number": lambda v=None: _number(v),
    "Boolean": lambda v=None: truthy(v),
    "parseInt": _parse_int,
    "parseFloat": _parse_float,
    "encodeURIComponent": lambda v: quote(to_text(v), safe="-_.!~*'()"),
    "isNaN": lambda v: isinstance(v, float) and math.isnan(v),
}

LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None, "undefined": None}


class DateTimeValue(ExprObject):
    """`$now` / `$today`: a small part of Luxon's DateTime that workflows use for dates."""

    _UNITS = frozenset({"years", "months", "weeks", "days", "hours", "minutes", "seconds"})

    def __init__(self, value: datetime) -> None:
        self.value = value

    def expr_name(self) -> str:
        return "DateTime"

    def expr_plain(self) -> str:
        return self.value.isoformat()

    def expr_get(self, name: str) -> Any:
        fields = {
            "year": self.value.year,
            "month": self.value.month,
            "day": self.value.day,
            "hour": self.value.hour,
            "minute": self.value.minute,
            "second": self.value.second,
            "weekday": self.value.isoweekday(),
        }
        if name in fields:
            return fields[name]
        return super().expr_get(name)

    def expr_call(self, name: str, args: list[Any]) -> Any:
        if name in ("toISO", "toString", "toJSON"):
            return self.value.isoformat()
        if name == "toMillis":
            return int(self.value.timestamp() * 1000)
        if name in ("toSeconds", "toUnixInteger"):
            return int(self.value.timestamp())
        if name == "toFormat":
            return _luxon_format(self.value, to_text(args[0] if args else ""))
        if name in ("plus", "minus"):
            return DateTimeValue(self._shift(args[0] if args else {}, -1 if name == "minus" else 1))
        if name == "startOf":
            return DateTimeValue(self._start_of(to_text(args[0] if args else "day")))
        return super().expr_call(name, args)

    def _shift(self, amount: Any, sign: int) -> datetime:
        if not isinstance(amount, dict):
            raise ExpressionError("plus()/minus() take an object such as {days: 7}")
        value = self.value
        for unit, count in amount.items():
            key = unit if unit.endswith("s") else unit + "s"
            if key not in self._UNITS:
                raise ExpressionError(f"unknown time unit '{unit}'")
            n = _number(count) * sign
            if key in ("years", "months"):
                months = value.month - 1 + int(n) * (12 if key == "years" else 1)
                year, month = value.year + months // 12, months % 12 + 1
                value = value.replace(
                    year=year, month=month, day=min(value.day, _month_days(year, month))
                )
            else:
                value = value + timedelta(**{key: n})
        return value

    def _start_of(self, unit: str) -> datetime:
        v = self.value
        if unit == "year":
            return v.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        if unit == "month":
            return v.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        if unit == "day":
            return v.replace(hour=0, minute=0, second=0, microsecond=0)
        if unit == "hour":
            return v.replace(minute=0, second=0, microsecond=0)
        raise ExpressionError(f"startOf('{unit}') is not supported")


def _month_days(year: int, month: int) -> int:
    nxt = datetime(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


_LUXON = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("MM", "%m"),
    ("dd", "%d"),
    ("HH", "%H"),
    ("mm", "%M"),
    ("ss", "%S"),
    ("SSS", "%f"),
]


def _luxon_format(value: datetime, fmt: str) -> str:
    out = ""
    i = 0
    while i < len(fmt):
        if fmt[i] == "'":
            end = fmt.find("'", i + 1)
            end = len(fmt) if end < 0 else end
            out += fmt[i + 1 : end]
            i = end + 1
            continue
        for token, directive in _LUXON:
            if fmt.startswith(token, i):
                text = value.strftime(directive)
                out += text[:3] if token == "SSS" else text
                i += len(token)
                break
        else:
            out += fmt[i]
            i += 1
    return out


def now_value() -> DateTimeValue:
    return DateTimeValue(datetime.now(UTC))


def today_value() -> DateTimeValue:
    return DateTimeValue(datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0))
