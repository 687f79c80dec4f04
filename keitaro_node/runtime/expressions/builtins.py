"""The globals an expression may use: JSON, Math, Object, Array, Date, DateTime, $ifEmpty, ..."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

from . import dates, limits
from .extensions.arrays import average
from .extensions.texts import uri_decode, uri_encode
from .json_text import json_parse, json_stringify
from .luxon import parsing
from .luxon.duration import Duration
from .luxon.model import LuxonDateTime
from .luxon.zones import UTC_ZONE, Zone
from .regexp import RegExpValue
from .values import (
    UNDEFINED,
    ExpressionError,
    ExprObject,
    JsFunction,
    is_number,
    js_string,
    power,
    tidy,
    to_number,
    truthy,
    type_error,
)

BLOCKED_NAMES = frozenset(
    {
        "process",
        "require",
        "module",
        "exports",
        "eval",
        "Function",
        "globalThis",
        "global",
        "window",
        "self",
        "document",
        "this",
        "Buffer",
        "setTimeout",
        "setInterval",
        "setImmediate",
        "fetch",
        "XMLHttpRequest",
        "Reflect",
        "Proxy",
        "Promise",
        "WebAssembly",
        "import",
        "escape",
        "unescape",
        "AsyncFunction",
        "GeneratorFunction",
        "queueMicrotask",
    }
)


class HostFunction(ExprObject):
    """A function of the runtime that expressions may call (Math.max, parseInt, $ifEmpty).

    Wrong arguments are JavaScript errors (the block is undefined), except for the host's
    own functions made with `fails_item` (`$('Node')`), whose mistakes fail the item.
    """

    def __init__(self, name: str, fn: Callable[..., Any], fails_item: bool = False) -> None:
        self.name = name
        self.fn = fn
        self.fails_item = fails_item

    def __call__(self, *args: Any) -> Any:
        """Host code (a node) may call it as the function it wraps."""
        return self.fn(*args)

    def expr_name(self) -> str:
        return self.name

    def expr_typeof(self) -> str:
        return "function"

    def expr_callable(self) -> bool:
        return True

    def expr_string(self) -> str:
        return f"function {self.name}() {{ [native code] }}"

    def expr_plain(self) -> Any:
        return None

    def expr_invoke(self, args: list[Any]) -> Any:
        try:
            return self.fn(*args)
        except ExpressionError:
            raise
        except RecursionError:
            raise limits.data_depth_error() from None
        except (TypeError, ValueError, OverflowError, IndexError, KeyError) as exc:
            if self.fails_item:
                raise ExpressionError(f"the call failed: {exc}") from None
            raise type_error(f"{self.name}(): {exc}") from None


class Namespace(ExprObject):
    """A read-only bag of functions and values such as JSON or Math; maybe a constructor too."""

    def __init__(
        self,
        name: str,
        functions: dict[str, Callable[..., Any]],
        values: dict[str, Any] | None = None,
        call: Callable[..., Any] | None = None,
        new: Callable[..., Any] | None = None,
    ) -> None:
        self.name = name
        self.functions = {k: HostFunction(f"{name}.{k}", f) for k, f in functions.items()}
        self.values = values or {}
        self.call = call
        self.new = new

    def expr_name(self) -> str:
        return self.name

    def expr_typeof(self) -> str:
        return "function" if self.call or self.new else "object"

    def expr_string(self) -> str:
        if self.call or self.new:
            return f"function {self.name}() {{ [native code] }}"
        return f"[object {self.name}]"

    def expr_get(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name in self.functions:
            return self.functions[name]
        if name == "name":
            return self.name
        return UNDEFINED

    def expr_has(self, name: str) -> bool:
        return name in self.values or name in self.functions

    def expr_call(self, name: str, args: list[Any]) -> Any:
        fn = self.functions.get(name)
        if fn is None:
            raise type_error(f"{self.name}.{name} is not a function")
        return fn.expr_invoke(args)

    def expr_callable(self) -> bool:
        return self.call is not None

    def expr_invoke(self, args: list[Any]) -> Any:
        if self.call is None:
            raise type_error(f"{self.name} is not a function")
        return self.call(*args)

    def expr_new(self, args: list[Any]) -> Any:
        if self.new is None:
            raise type_error(f"{self.name} is not a constructor")
        return self.new(*args)


# --- numbers ------------------------------------------------------------------------------


def parse_int(value: Any, radix: Any = UNDEFINED) -> float | int:
    text = js_string(value).strip()
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-") if text[:1] in "+-" else text
    base = (
        0
        if radix is UNDEFINED
        else int(to_number(radix))
        if not math.isnan(to_number(radix))
        else 0
    )
    if base == 0:
        base = 10
        if text.lower().startswith("0x"):
            base, text = 16, text[2:]
    elif base == 16 and text.lower().startswith("0x"):
        text = text[2:]
    if not 2 <= base <= 36:
        return math.nan
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"[:base]
    end = 0
    while end < len(text) and text[end].lower() in digits:
        end += 1
    if end == 0:
        return math.nan
    return tidy(sign * int(text[:end], base))


_FLOAT = re.compile(r"[-+]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


def parse_float(value: Any) -> float | int:
    match = _FLOAT.match(js_string(value).strip())
    if not match:
        return math.nan
    text = match.group()
    if "Infinity" in text:
        return -math.inf if text.startswith("-") else math.inf
    return tidy(float(text))


def _math_round(x: Any) -> float | int:
    n = to_number(x)
    if math.isnan(n) or math.isinf(n):
        return n
    return tidy(math.floor(n + 0.5))


def _numbers(values: tuple[Any, ...]) -> list[float | int]:
    return [to_number(v) for v in values]


def _min(*values: Any) -> float | int:
    numbers = _numbers(values)
    if any(math.isnan(n) for n in numbers):
        return math.nan
    return min(numbers) if numbers else math.inf


def _max(*values: Any) -> float | int:
    numbers = _numbers(values)
    if any(math.isnan(n) for n in numbers):
        return math.nan
    return max(numbers) if numbers else -math.inf


def _safe(fn: Callable[[float], float]) -> Callable[[Any], float | int]:
    def run(x: Any = UNDEFINED) -> float | int:
        try:
            return tidy(fn(float(to_number(x))))
        except (ValueError, OverflowError):
            return math.nan

    return run


def _trunc(x: float) -> float:
    return float(math.trunc(x)) if math.isfinite(x) else x


def _sign(x: float) -> float:
    if math.isnan(x):
        return x
    return float((x > 0) - (x < 0))


def _cbrt(x: float) -> float:
    """The cube root, exact for perfect cubes (27 gives 3, not 3.0000000000000004)."""
    root = abs(x) ** (1 / 3)
    rounded = round(root)
    if rounded**3 == abs(x):
        root = float(rounded)
    return math.copysign(root, x)


MATH = Namespace(
    "Math",
    {
        "round": _math_round,
        "floor": _safe(lambda x: float(math.floor(x)) if math.isfinite(x) else x),
        "ceil": _safe(lambda x: float(math.ceil(x)) if math.isfinite(x) else x),
        "trunc": _safe(_trunc),
        "sign": _safe(_sign),
        "abs": _safe(abs),
        "min": _min,
        "max": _max,
        "pow": lambda x=UNDEFINED, y=UNDEFINED: power(to_number(x), to_number(y)),
        "sqrt": _safe(math.sqrt),
        "cbrt": _safe(_cbrt),
        "exp": _safe(math.exp),
        "log": _safe(lambda x: math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)),
        "log2": _safe(lambda x: math.log2(x) if x > 0 else (-math.inf if x == 0 else math.nan)),
        "log10": _safe(lambda x: math.log10(x) if x > 0 else (-math.inf if x == 0 else math.nan)),
        "sin": _safe(math.sin),
        "cos": _safe(math.cos),
        "tan": _safe(math.tan),
        "atan": _safe(math.atan),
        "atan2": lambda y, x: tidy(math.atan2(to_number(y), to_number(x))),
        "hypot": lambda *xs: tidy(math.hypot(*_numbers(xs))),
        "random": lambda: random.random(),
    },
    {"PI": math.pi, "E": math.e, "LN2": math.log(2), "LN10": math.log(10), "SQRT2": math.sqrt(2)},
)


def _number_call(*args: Any) -> float | int:
    return to_number(args[0]) if args else 0


NUMBER = Namespace(
    "Number",
    {
        "isInteger": lambda v=UNDEFINED: (
            is_number(v) and math.isfinite(v) and float(v).is_integer()
        ),
        "isSafeInteger": lambda v=UNDEFINED: (
            is_number(v) and math.isfinite(v) and float(v).is_integer() and abs(v) <= 2**53 - 1
        ),
        "isFinite": lambda v=UNDEFINED: is_number(v) and math.isfinite(v),
        "isNaN": lambda v=UNDEFINED: isinstance(v, float) and math.isnan(v),
        "parseFloat": parse_float,
        "parseInt": parse_int,
    },
    {
        "MAX_SAFE_INTEGER": 2**53 - 1,
        "MIN_SAFE_INTEGER": -(2**53 - 1),
        "EPSILON": 2.0**-52,
        "MAX_VALUE": 1.7976931348623157e308,
        "MIN_VALUE": 5e-324,
        "POSITIVE_INFINITY": math.inf,
        "NEGATIVE_INFINITY": -math.inf,
        "NaN": math.nan,
    },
    call=_number_call,
    new=_number_call,
)


# --- objects and arrays -------------------------------------------------------------------


def _plain_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, str):
        return {str(i): c for i, c in enumerate(value)}
    if isinstance(value, ExprObject):
        plain = value.expr_plain()
        return plain if isinstance(plain, dict) else {}
    if value is None or value is UNDEFINED:
        raise type_error("Cannot convert undefined or null to object")
    return {}


def _ordered_keys(obj: dict[str, Any]) -> list[str]:
    numeric = sorted((k for k in obj if k.isdigit() and str(int(k)) == k), key=int)
    return numeric + [k for k in obj if not (k.isdigit() and str(int(k)) == k)]


def _assign(target: Any, *sources: Any) -> Any:
    if not isinstance(target, dict):
        raise type_error("Object.assign needs an object")
    for source in sources:
        if source is not None and source is not UNDEFINED:
            target.update(_plain_object(source))
    return target


def _from_entries(entries: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, list) and entry:
            key = entry[0]
            out[key if isinstance(key, str) else js_string(key)] = (
                entry[1] if len(entry) > 1 else UNDEFINED
            )
    return out


def _object_is(a: Any, b: Any) -> bool:
    if is_number(a) and is_number(b):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    from .values import strict_equal

    return strict_equal(a, b)


OBJECT = Namespace(
    "Object",
    {
        "keys": lambda o=UNDEFINED: _ordered_keys(_plain_object(o)),
        "values": lambda o=UNDEFINED: [
            _plain_object(o)[k] for k in _ordered_keys(_plain_object(o))
        ],
        "entries": lambda o=UNDEFINED: [
            [k, _plain_object(o)[k]] for k in _ordered_keys(_plain_object(o))
        ],
        "assign": _assign,
        "fromEntries": _from_entries,
        "is": _object_is,
    },
    call=lambda v=UNDEFINED: v if isinstance(v, (dict, list)) else {},
    new=lambda v=UNDEFINED: v if isinstance(v, (dict, list)) else {},
)


def _array_from(source: Any = UNDEFINED, fn: Any = UNDEFINED) -> list[Any]:
    if isinstance(source, (list, str)):
        items = list(source)
    elif isinstance(source, dict):
        length = to_number(source.get("length", 0))
        count = 0 if math.isnan(length) else max(0, int(length))
        limits.check_length(count)
        limits.charge(count)
        items = [source.get(str(i), UNDEFINED) for i in range(count)]
    else:
        items = []
    if fn is not UNDEFINED:
        from .natives import call_fn

        return [call_fn(fn, v, i) for i, v in enumerate(items)]
    return items


def _new_array(*args: Any) -> list[Any]:
    if len(args) == 1 and is_number(args[0]):
        size = args[0]
        if size < 0 or not float(size).is_integer():
            from .values import range_error

            raise range_error("Invalid array length")
        count = limits.check_length(size)
        limits.charge(count)
        return [UNDEFINED] * count
    return list(args)


ARRAY = Namespace(
    "Array",
    {
        "isArray": lambda v=UNDEFINED: isinstance(v, list),
        "from": _array_from,
        "of": lambda *a: list(a),
    },
    call=_new_array,
    new=_new_array,
)


def _string_call(value: Any = UNDEFINED) -> str:
    return "" if value is UNDEFINED else js_string(value)


def _from_char_code(*codes: Any) -> str:
    units = [int(to_number(c)) & 0xFFFF for c in codes]
    return b"".join(u.to_bytes(2, "little") for u in units).decode("utf-16-le", errors="replace")


STRING = Namespace(
    "String",
    {
        "fromCharCode": _from_char_code,
        "fromCodePoint": lambda *c: "".join(chr(int(to_number(x))) for x in c),
    },
    call=_string_call,
    new=_string_call,
)

BOOLEAN = Namespace(
    "Boolean", {}, call=lambda v=UNDEFINED: truthy(v), new=lambda v=UNDEFINED: truthy(v)
)

JSON_NS = Namespace("JSON", {"parse": json_parse, "stringify": json_stringify})

REGEXP = Namespace(
    "RegExp",
    {},
    call=lambda source="(?:)", flags=UNDEFINED: _new_regexp(source, flags),
    new=lambda source="(?:)", flags=UNDEFINED: _new_regexp(source, flags),
)


def _new_regexp(source: Any, flags: Any) -> RegExpValue:
    if isinstance(source, RegExpValue):
        return RegExpValue(source.source, source.flags if flags is UNDEFINED else js_string(flags))
    return RegExpValue(js_string(source), "" if flags is UNDEFINED else js_string(flags))


# --- dates --------------------------------------------------------------------------------


def _dt(value: LuxonDateTime) -> dates.DateTimeValue:
    return dates.DateTimeValue(value)


def _with_zone(options: Any, make: Callable[[Zone], LuxonDateTime]) -> dates.DateTimeValue:
    """A DateTime made in the zone the options name; an invalid one for a zone that is not."""
    zone = dates.zone_option(dates.options_of(options))
    if zone is None:
        return _dt(LuxonDateTime.invalid_value("unsupported zone", "the zone is not supported"))
    return _dt(make(zone))


def _set_zone_flag(options: Any) -> bool:
    return bool(dates.options_of(options).get("setZone"))


def _from_fields_args(args: tuple[Any, ...], zone: Zone) -> LuxonDateTime:
    """DateTime.local(2024, 3, 15, ...) and DateTime.utc(...): fields in order; an options
    object among the arguments is not a field."""
    numbers = [to_number(a) for a in args if not isinstance(a, dict)]
    if not numbers:
        return LuxonDateTime(dates.now_ms(), zone)
    keys = ["year", "month", "day", "hour", "minute", "second", "millisecond"]
    return LuxonDateTime.from_fields(dict(zip(keys, numbers, strict=False)), zone)


def _from_object(obj: Any = UNDEFINED, options: Any = UNDEFINED) -> dates.DateTimeValue:
    values = obj if isinstance(obj, dict) else {}
    return _with_zone(options, lambda zone: _from_fields(values, zone))


def _from_fields(values: dict[str, Any], zone: Zone) -> LuxonDateTime:
    """DateTime.fromObject: missing larger fields are today's (no date at all: today)."""
    fields = {k: to_number(v) for k, v in values.items()}
    if "year" not in fields:
        now = LuxonDateTime(dates.now_ms(), zone)
        fields = (
            {**{k: v for k, v in now.fields().items() if k in ("year", "month", "day")}, **fields}
            if not any(k in fields for k in ("year", "month", "day"))
            else {"year": now.get("year"), **fields}
        )
    return LuxonDateTime.from_fields(fields, zone)


def _from_js_date(value: Any = UNDEFINED, options: Any = UNDEFINED) -> dates.DateTimeValue:
    if not isinstance(value, dates.JsDate):
        return _dt(LuxonDateTime.invalid_value("invalid input", "fromJSDate requires a Date"))
    return _with_zone(options, lambda z: LuxonDateTime(value.ms, z))


def _datetime_of(values: Any, attr: str) -> Any:
    items = [v.value for v in values if isinstance(v, dates.DateTimeValue)]
    if not items:
        return UNDEFINED
    chosen = (max if attr == "max" else min)(items, key=lambda d: d.ms)
    return _dt(chosen)


DATETIME = Namespace(
    "DateTime",
    {
        "now": lambda: _dt(LuxonDateTime(dates.now_ms(), dates.SETTINGS.zone)),
        "local": lambda *a: _dt(_from_fields_args(a, dates.SETTINGS.zone)),
        "utc": lambda *a: _dt(_from_fields_args(a, UTC_ZONE)),
        "fromISO": lambda text=UNDEFINED, o=UNDEFINED: _with_zone(
            o, lambda z: parsing.from_iso(js_string(text), z, _set_zone_flag(o))
        ),
        "fromFormat": lambda text=UNDEFINED, f=UNDEFINED, o=UNDEFINED: _with_zone(
            o,
            lambda z: parsing.from_format(
                js_string(text),
                js_string(f),
                z,
                _set_zone_flag(o),
                js_string(dates.options_of(o).get("locale", "en-US")),
            ),
        ),
        "fromSQL": lambda text=UNDEFINED, o=UNDEFINED: _with_zone(
            o, lambda z: parsing.from_sql(js_string(text), z, _set_zone_flag(o))
        ),
        "fromHTTP": lambda text=UNDEFINED, o=UNDEFINED: _with_zone(
            o, lambda z: parsing.from_http(js_string(text), z, _set_zone_flag(o))
        ),
        "fromRFC2822": lambda text=UNDEFINED, o=UNDEFINED: _with_zone(
            o, lambda z: parsing.from_rfc2822(js_string(text), z, _set_zone_flag(o))
        ),
        "fromMillis": lambda ms=UNDEFINED, o=UNDEFINED: _with_zone(
            o, lambda z: LuxonDateTime(float(to_number(ms)), z)
        ),
        "fromSeconds": lambda s=UNDEFINED, o=UNDEFINED: _with_zone(
            o, lambda z: LuxonDateTime(round(float(to_number(s)) * 1000), z)
        ),
        "fromJSDate": _from_js_date,
        "fromObject": _from_object,
        "invalid": lambda reason=UNDEFINED, explanation=UNDEFINED: _dt(
            LuxonDateTime.invalid_value(
                js_string(reason), None if explanation is UNDEFINED else js_string(explanation)
            )
        ),
        "isDateTime": lambda v=UNDEFINED: isinstance(v, dates.DateTimeValue),
        "max": lambda *v: _datetime_of(v, "max"),
        "min": lambda *v: _datetime_of(v, "min"),
    },
    {
        "DATE_SHORT": {"year": "numeric", "month": "numeric", "day": "numeric"},
        "DATE_MED": {"year": "numeric", "month": "short", "day": "numeric"},
        "DATE_FULL": {"year": "numeric", "month": "long", "day": "numeric"},
        "DATE_HUGE": {"year": "numeric", "month": "long", "day": "numeric", "weekday": "long"},
        "DATETIME_SHORT": {
            "year": "numeric",
            "month": "numeric",
            "day": "numeric",
            "hour": "numeric",
            "minute": "2-digit",
        },
        "DATETIME_MED": {
            "year": "numeric",
            "month": "short",
            "day": "numeric",
            "hour": "numeric",
            "minute": "2-digit",
        },
        "DATETIME_FULL": {
            "year": "numeric",
            "month": "long",
            "day": "numeric",
            "hour": "numeric",
            "minute": "2-digit",
            "timeZoneName": "short",
        },
    },
    new=lambda *a: _dt(LuxonDateTime(dates.now_ms(), dates.SETTINGS.zone)),
)


def _duration_from(value: Any) -> dates.DurationValue:
    return dates.DurationValue(dates.duration_object(value))


def _duration_iso(text: Any = UNDEFINED) -> dates.DurationValue:
    match = re.fullmatch(
        r"P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
        r"(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?",
        js_string(text),
    )
    if not match or js_string(text) in ("P", "PT"):
        return dates.DurationValue(Duration({}, invalid="unparsable"))
    units = ["years", "months", "weeks", "days", "hours", "minutes", "seconds"]
    values = {
        u: tidy(float(v)) for u, v in zip(units, match.groups(), strict=True) if v is not None
    }
    return dates.DurationValue(Duration(values))


DURATION = Namespace(
    "Duration",
    {
        "fromObject": _duration_from,
        "fromMillis": lambda ms=0: dates.DurationValue(Duration.from_millis(float(to_number(ms)))),
        "fromISO": _duration_iso,
        "isDuration": lambda v=UNDEFINED: isinstance(v, dates.DurationValue),
    },
)


def _interval(start: Any, end: Any) -> dates.IntervalValue:
    return dates.IntervalValue(dates.as_datetime(start), dates.as_datetime(end))


def _interval_iso(text: Any = UNDEFINED) -> dates.IntervalValue:
    start, _, end = js_string(text).partition("/")
    zone = dates.SETTINGS.zone
    return dates.IntervalValue(parsing.from_iso(start, zone), parsing.from_iso(end, zone))


INTERVAL = Namespace(
    "Interval",
    {
        "fromDateTimes": _interval,
        "fromISO": _interval_iso,
        "after": lambda start, d: _interval(
            start,
            dates.DateTimeValue(dates.as_datetime(start).plus(dates.duration_object(d).values)),
        ),
        "before": lambda end, d: _interval(
            dates.DateTimeValue(dates.as_datetime(end).plus(dates.duration_object(d).values, -1)),
            end,
        ),
    },
)

DATE = Namespace(
    "Date",
    {
        "now": lambda: tidy(dates.now_ms()),
        "parse": lambda text=UNDEFINED: tidy(
            parsing.js_date_parse(js_string(text), dates.SETTINGS.js_zone)
        ),
        "UTC": dates.date_utc,
    },
    call=lambda *a: dates.js_date_from_args([]).expr_string(),
    new=lambda *a: dates.js_date_from_args(list(a)),
)


# --- n8n's helper functions ---------------------------------------------------------------


def _if_empty(*args: Any) -> Any:
    if len(args) != 2:
        raise ExpressionError("expected two arguments (value, defaultValue) for this function")
    value, default = args
    if value is None or value is UNDEFINED or value == "":
        return default
    if isinstance(value, (list, dict)) and not value:
        return default
    return value


def _number_list(start: Any, end: Any) -> list[int]:
    a, b = int(to_number(start)), int(to_number(end))
    limits.check_length(abs(a - b) + 1)
    limits.charge(abs(a - b) + 1)
    step = 1 if a <= b else -1
    return list(range(a, b + step, step))


def _zip(keys: Any, values: Any) -> dict[str, Any]:
    if not isinstance(keys, list) or not isinstance(values, list):
        raise ExpressionError("keys and values must be arrays")
    if len(keys) != len(values):
        raise ExpressionError("keys and values not of equal length")
    return {k if isinstance(k, str) else js_string(k): v for k, v in zip(keys, values, strict=True)}


def _average(*values: Any) -> Any:
    return average(list(values), [])


def _is_nan(value: Any = UNDEFINED) -> bool:
    number = to_number(value)
    return isinstance(number, float) and math.isnan(number)


def _is_finite(value: Any = UNDEFINED) -> bool:
    return is_number(value) and math.isfinite(value)


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "parseInt": parse_int,
    "parseFloat": parse_float,
    "isNaN": _is_nan,
    "isFinite": _is_finite,
    "encodeURIComponent": lambda v=UNDEFINED: uri_encode(js_string(v), component=True),
    "encodeURI": lambda v=UNDEFINED: uri_encode(js_string(v), component=False),
    "decodeURIComponent": lambda v=UNDEFINED: uri_decode(js_string(v), component=True),
    "decodeURI": lambda v=UNDEFINED: uri_decode(js_string(v), component=False),
    "$ifEmpty": _if_empty,
    "$not": lambda v=UNDEFINED: not truthy(v),
    "not": lambda v=UNDEFINED: not truthy(v),
    "$min": _min,
    "$max": _max,
    "min": _min,
    "max": _max,
    "$average": _average,
    "average": _average,
    "numberList": _number_list,
    "zip": _zip,
}

GLOBALS: dict[str, Any] = {
    "JSON": JSON_NS,
    "Math": MATH,
    "Object": OBJECT,
    "Array": ARRAY,
    "Number": NUMBER,
    "String": STRING,
    "Boolean": BOOLEAN,
    "RegExp": REGEXP,
    "Date": DATE,
    "DateTime": DATETIME,
    "Duration": DURATION,
    "Interval": INTERVAL,
    **{name: HostFunction(name, fn) for name, fn in _FUNCTIONS.items()},
}


def instance_of(value: Any, cls: Any) -> bool:
    if cls is OBJECT:
        return isinstance(value, (dict, list, ExprObject, JsFunction))
    if cls is ARRAY:
        return isinstance(value, list)
    if cls is DATE:
        return isinstance(value, dates.JsDate)
    if cls is DATETIME:
        return isinstance(value, dates.DateTimeValue)
    if cls is DURATION:
        return isinstance(value, dates.DurationValue)
    if cls is INTERVAL:
        return isinstance(value, dates.IntervalValue)
    if cls is REGEXP:
        return isinstance(value, RegExpValue)
    if cls in (STRING, NUMBER, BOOLEAN):
        return False
    if isinstance(cls, ExprObject) and (cls.expr_callable() or cls.expr_typeof() == "function"):
        return False
    raise type_error("Right-hand side of 'instanceof' is not callable")
