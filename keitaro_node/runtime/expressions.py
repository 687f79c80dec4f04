"""A safe evaluator for n8n-style expressions: `={{ $json.name }}`, `=Flow {{ $itemIndex + 1 }}`.

Expressions are a small JavaScript-like language, parsed here and compiled to Python closures.
Nothing is handed to `eval`: names resolve only to the variables and helpers listed in
EXPRESSIONS.md (in the README), member access reads only data (dict keys, list indices, a fixed
set of string/array/number methods), and anything else - Python attributes, `constructor`,
`__proto__`, imports, unknown globals - is an ExpressionError. Each distinct expression is
parsed once and cached.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote

Scope = Mapping[str, Any]
Compiled = Callable[[Scope], Any]

MAX_STRING = 1_000_000  # longest string an expression may build (repeat/padStart/concatenation)

# Variables that hold plain JSON data only (item data, node parameters).
DATA_NAMES = frozenset({"$json", "$parameter"})

FORBIDDEN_MEMBERS = frozenset({"constructor", "prototype", "__proto__", "caller", "callee"})


class ExpressionError(ValueError):
    """The expression cannot be parsed or evaluated; the message says where and why."""


class ExprObject:
    """Base for host objects an expression may touch: members and methods are whitelisted."""

    members: frozenset[str] = frozenset()

    def expr_get(self, name: str) -> Any:
        raise ExpressionError(f"'{name}' is not available on {self.expr_name()}")

    def expr_call(self, name: str, args: list[Any]) -> Any:
        raise ExpressionError(f"'{name}()' is not available on {self.expr_name()}")

    def expr_name(self) -> str:
        return type(self).__name__

    def expr_plain(self) -> Any:
        """The JSON value this object stands for when it leaves an expression."""
        raise ExpressionError(f"{self.expr_name()} cannot be used as a value")


class JsFunction:
    """An arrow function defined inside an expression (`x => x.id`)."""

    __slots__ = ("body", "params", "scope")

    def __init__(self, params: list[str], body: Compiled, scope: Scope) -> None:
        self.params = params
        self.body = body
        self.scope = scope

    def __call__(self, *args: Any) -> Any:
        local = dict(self.scope)
        for index, name in enumerate(self.params):
            local[name] = args[index] if index < len(args) else None
        return self.body(local)


# --- tokenizer -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<tpl>`(?:[^`\\]|\\.)*`)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<op>===|!==|\?\?|\?\.|=>|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,()\[\]{}])
    """,
    re.VERBOSE,
)


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ExpressionError(f"unexpected character {text[pos]!r} at position {pos}")
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append((kind, match.group(), pos))
        pos = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unquote(raw: str) -> str:
    out: list[str] = []
    body = raw[1:-1]
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and i + 5 < len(body):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# --- JavaScript-like value semantics ---------------------------------------------------------


def truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, (list, dict, ExprObject, JsFunction)):
        return True
    return bool(value)


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if value is None:
        return 0
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                pass
    raise ExpressionError(f"{_describe(value)} is not a number")


def _tidy(value: float | int) -> float | int:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def to_text(value: Any) -> str:
    """How a value reads inside text: JavaScript's String(), with objects as JSON."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(_tidy(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, str)):
        return str(value)
    return json.dumps(to_plain(value), ensure_ascii=False)


def to_plain(value: Any) -> Any:
    """Turn an expression result into plain JSON data (the same object when it already is)."""
    if isinstance(value, ExprObject):
        return value.expr_plain()
    if isinstance(value, JsFunction):
        raise ExpressionError("a function cannot be used as a value")
    if isinstance(value, list):
        for index, item in enumerate(value):
            plain = to_plain(item)
            if plain is not item:
                return value[:index] + [plain] + [to_plain(v) for v in value[index + 1 :]]
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            plain = to_plain(item)
            if plain is not item or not isinstance(key, str):
                return {str(k): to_plain(v) for k, v in value.items()}
        return value
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the text {value[:30]!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, ExprObject):
        return value.expr_name()
    return "a function"


def _strict_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, dict)):
        return a is b
    return bool(a == b)


def _loose_equal(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if (isinstance(a, (int, float, bool)) and isinstance(b, str)) or (
        isinstance(b, (int, float, bool)) and isinstance(a, str)
    ):
        try:
            return _number(a) == _number(b)
        except ExpressionError:
            return False
    if isinstance(a, bool) or isinstance(b, bool):
        try:
            return _number(a) == _number(b)
        except ExpressionError:
            return False
    return _strict_equal(a, b)


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, str) or isinstance(b, str):
        left = a if isinstance(a, str) else ("null" if a is None else to_text(a))
        right = b if isinstance(b, str) else ("null" if b is None else to_text(b))
        if len(left) + len(right) > MAX_STRING:
            raise ExpressionError("the text built by the expression is too long")
        return left + right
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        raise ExpressionError(f"cannot add {_describe(a)} and {_describe(b)}")
    return _tidy(_number(a) + _number(b))


def _arith(op: str, a: Any, b: Any) -> Any:
    x, y = _number(a), _number(b)
    if op == "-":
        return _tidy(x - y)
    if op == "*":
        return _tidy(x * y)
    if op == "/":
        if y == 0:
            return math.nan if x == 0 else math.copysign(math.inf, x)
        return _tidy(x / y)
    if y == 0:
        return math.nan
    return _tidy(math.fmod(x, y))


def _compare(op: str, a: Any, b: Any) -> bool:
    if not (isinstance(a, str) and isinstance(b, str)):
        a, b = _number(a), _number(b)
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)


def _typeof(value: Any) -> str:
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, JsFunction):
        return "function"
    return "object"


# --- member access ---------------------------------------------------------------------------


def _check_member(name: str) -> None:
    if name in FORBIDDEN_MEMBERS or name.startswith("__"):
        raise ExpressionError(f"access to '{name}' is not allowed in expressions")


def get_member(obj: Any, key: Any, optional: bool = False) -> Any:
    name = key if isinstance(key, str) else to_text(key)
    _check_member(name)
    if obj is None:
        if optional:
            return None
        raise ExpressionError(f"cannot read '{name}' of undefined")
    if isinstance(obj, dict):
        return obj.get(name)
    if isinstance(obj, (list, str)):
        if name == "length":
            return len(obj)
        if (isinstance(key, (int, float)) and not isinstance(key, bool)) or name.isdigit():
            index = int(key) if not isinstance(key, str) else int(name)
            return obj[index] if 0 <= index < len(obj) else None
        return None
    if isinstance(obj, ExprObject):
        return obj.expr_get(name)
    return None


def _str_split(s: str, sep: Any = None, limit: Any = None) -> list[str]:
    parts = [s] if sep is None else (list(s) if sep == "" else s.split(str(sep)))
    return parts if limit is None else parts[: int(_number(limit))]


def _slice(seq: Any, start: Any = None, end: Any = None) -> Any:
    a = None if start is None else int(_number(start))
    b = None if end is None else int(_number(end))
    return seq[a:b]


def _substring(s: str, start: Any = 0, end: Any = None) -> str:
    a = max(0, int(_number(start)))
    b = len(s) if end is None else max(0, int(_number(end)))
    a, b = min(a, b), max(a, b)
    return s[a:b]


def _pad(s: str, length: Any, fill: Any = " ", left: bool = True) -> str:
    width = int(_number(length))
    if width > MAX_STRING:
        raise ExpressionError("the text built by the expression is too long")
    fill_text = to_text(fill) or " "
    missing = max(0, width - len(s))
    pad = (fill_text * (missing // len(fill_text) + 1))[:missing]
    return pad + s if left else s + pad


def _repeat(s: str, count: Any) -> str:
    n = int(_number(count))
    if n < 0 or len(s) * n > MAX_STRING:
        raise ExpressionError("the text built by the expression is too long")
    return s * n


def _index_of(seq: Any, value: Any) -> int:
    if isinstance(seq, str):
        return seq.find(to_text(value))
    for i, item in enumerate(seq):
        if _strict_equal(item, value):
            return i
    return -1


def _call_fn(fn: Any, *args: Any) -> Any:
    if not isinstance(fn, JsFunction):
        raise ExpressionError(f"expected a function such as x => x.id, got {_describe(fn)}")
    return fn(*args)


def _to_fixed(n: Any, digits: Any = 0) -> str:
    return f"{float(_number(n)):.{int(_number(digits))}f}"


_STRING_METHODS: dict[str, Callable[..., Any]] = {
    "toUpperCase": lambda s: s.upper(),
    "toLowerCase": lambda s: s.lower(),
    "trim": lambda s: s.strip(),
    "trimStart": lambda s: s.lstrip(),
    "trimEnd": lambda s: s.rstrip(),
    "split": _str_split,
    "replace": lambda s, a, b: s.replace(to_text(a), to_text(b), 1),
    "replaceAll": lambda s, a, b: s.replace(to_text(a), to_text(b)),
    "includes": lambda s, v: to_text(v) in s,
    "startsWith": lambda s, v: s.startswith(to_text(v)),
    "endsWith": lambda s, v: s.endswith(to_text(v)),
    "indexOf": _index_of,
    "slice": _slice,
    "substring": _substring,
    "padStart": lambda s, n, f=" ": _pad(s, n, f, left=True),
    "padEnd": lambda s, n, f=" ": _pad(s, n, f, left=False),
    "charAt": lambda s, i=0: s[int(_number(i))] if 0 <= int(_number(i)) < len(s) else "",
    "concat": lambda s, *more: _add(s, "".join(to_text(m) for m in more)),
    "repeat": _repeat,
    "toString": lambda s: s,
}

_ARRAY_METHODS: dict[str, Callable[..., Any]] = {
    "join": lambda a, sep=",": to_text(sep).join(to_text(v) for v in a),
    "includes": lambda a, v: any(_strict_equal(x, v) for x in a),
    "indexOf": _index_of,
    "slice": _slice,
    "concat": lambda a, *more: a + [x for m in more for x in (m if isinstance(m, list) else [m])],
    "map": lambda a, fn: [_call_fn(fn, v, i) for i, v in enumerate(a)],
    "filter": lambda a, fn: [v for i, v in enumerate(a) if truthy(_call_fn(fn, v, i))],
    "find": lambda a, fn: next((v for i, v in enumerate(a) if truthy(_call_fn(fn, v, i))), None),
    "some": lambda a, fn: any(truthy(_call_fn(fn, v, i)) for i, v in enumerate(a)),
    "every": lambda a, fn: all(truthy(_call_fn(fn, v, i)) for i, v in enumerate(a)),
    "reverse": lambda a: list(reversed(a)),
    "first": lambda a: a[0] if a else None,
    "last": lambda a: a[-1] if a else None,
    "toString": lambda a: ",".join(to_text(v) for v in a),
}

_NUMBER_METHODS: dict[str, Callable[..., Any]] = {
    "toFixed": _to_fixed,
    "toString": lambda n: to_text(n),
}


def call_method(obj: Any, name: str, args: list[Any], optional: bool = False) -> Any:
    _check_member(name)
    if obj is None:
        if optional:
            return None
        raise ExpressionError(f"cannot call '{name}()' on undefined")
    table: dict[str, Callable[..., Any]] | None = None
    if isinstance(obj, ExprObject):
        return obj.expr_call(name, args)
    if isinstance(obj, str):
        table = _STRING_METHODS
    elif isinstance(obj, list):
        table = _ARRAY_METHODS
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        table = _NUMBER_METHODS
    elif isinstance(obj, dict):
        member = obj.get(name)
        if isinstance(member, JsFunction):
            return member(*args)
    if table is None or name not in table:
        raise ExpressionError(f"'{name}()' is not available on {_describe(obj)}")
    try:
        return table[name](obj, *args)
    except ExpressionError:
        raise
    except (TypeError, ValueError, IndexError) as exc:
        raise ExpressionError(f"'{name}()' failed: {exc}") from None


# --- built-in globals ------------------------------------------------------------------------


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


# --- parser ----------------------------------------------------------------------------------

_BINARY_PRECEDENCE = {
    "??": 1,
    "||": 2,
    "&&": 3,
    "==": 4,
    "!=": 4,
    "===": 4,
    "!==": 4,
    "<": 5,
    ">": 5,
    "<=": 5,
    ">=": 5,
    "+": 6,
    "-": 6,
    "*": 7,
    "/": 7,
    "%": 7,
}


class _Parser:
    """Recursive descent over tokens, producing closures directly."""

    def __init__(self, text: str, names: frozenset[str]) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0
        self.names = names
        self.locals: list[set[str]] = []

    def peek(self, offset: int = 0) -> tuple[str, str, int]:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, value: str) -> None:
        kind, text, at = self.take()
        if text != value or kind in ("str", "tpl"):
            found = "the end" if kind == "end" else repr(text)
            raise ExpressionError(f"expected {value!r} at position {at}, found {found}")

    def accept(self, value: str) -> bool:
        kind, text, _ = self.peek()
        if text == value and kind in ("op", "name"):
            self.pos += 1
            return True
        return False

    def parse(self) -> Compiled:
        node = self.expression()
        kind, text, at = self.peek()
        if kind != "end":
            raise ExpressionError(f"unexpected {text!r} at position {at}")
        return node

    def expression(self) -> Compiled:
        if self._arrow_ahead():
            return self.arrow()
        condition = self.binary(1)
        if self.accept("?"):
            then = self.expression()
            self.expect(":")
            other = self.expression()
            fn: Compiled = lambda s: then(s) if truthy(condition(s)) else other(s)  # noqa: E731
            return _data(fn) if _is_data(then) and _is_data(other) else fn
        return condition

    def _arrow_ahead(self) -> bool:
        kind, text, _ = self.peek()
        if kind == "name" and self.peek(1)[1] == "=>":
            return True
        if text != "(":
            return False
        depth = 0
        offset = 0
        while True:
            k, t, _ = self.peek(offset)
            if k == "end":
                return False
            if t == "(":
                depth += 1
            elif t == ")":
                depth -= 1
                if depth == 0:
                    return self.peek(offset + 1)[1] == "=>"
            offset += 1

    def arrow(self) -> Compiled:
        params: list[str] = []
        if self.accept("("):
            while not self.accept(")"):
                kind, text, at = self.take()
                if kind != "name":
                    raise ExpressionError(f"expected a parameter name at position {at}")
                _check_member(text)
                params.append(text)
                self.accept(",")
        else:
            params.append(self.take()[1])
        self.expect("=>")
        self.locals.append(set(params))
        body = self.expression()
        self.locals.pop()
        return lambda s: JsFunction(params, body, s)

    def binary(self, min_precedence: int) -> Compiled:
        left = self.unary()
        while True:
            kind, op, _ = self.peek()
            precedence = _BINARY_PRECEDENCE.get(op) if kind == "op" else None
            if precedence is None or precedence < min_precedence:
                return left
            self.pos += 1
            right = self.binary(precedence + 1)
            left = _binary(op, left, right)

    def unary(self) -> Compiled:
        kind, text, _ = self.peek()
        if kind == "op" and text in ("!", "-", "+"):
            self.pos += 1
            operand = self.unary()
            if text == "!":
                return _data(lambda s: not truthy(operand(s)))
            if text == "-":
                return _data(lambda s: _tidy(-_number(operand(s))))
            return _data(lambda s: _number(operand(s)))
        if kind == "name" and text == "typeof":
            self.pos += 1
            operand = self.unary()
            return _data(lambda s: _typeof(operand(s)))
        return self.postfix(self.primary())

    def postfix(self, node: Compiled) -> Compiled:
        while True:
            kind, text, at = self.peek()
            if kind != "op":
                return node
            optional = text == "?."
            if text in (".", "?."):
                self.pos += 1
                if optional and self.peek()[1] in ("[", "("):
                    continue
                name_kind, name, name_at = self.take()
                if name_kind != "name":
                    raise ExpressionError(f"expected a property name at position {name_at}")
                _check_member(name)
                if self.peek()[1] == "(":
                    args = self.arguments()
                    node = _method_call(node, name, args, optional)
                else:
                    node = _member(node, name, optional)
            elif text == "[":
                self.pos += 1
                key = self.expression()
                self.expect("]")
                node = _index(node, key)
            elif text == "(":
                args = self.arguments()
                node = _call(node, args, at)
            else:
                return node

    def arguments(self) -> list[Compiled]:
        self.expect("(")
        args: list[Compiled] = []
        while not self.accept(")"):
            args.append(self.expression())
            if not self.accept(","):
                self.expect(")")
                break
        return args

    def primary(self) -> Compiled:
        kind, text, at = self.take()
        if kind == "num":
            value = _tidy(float(text)) if any(c in text for c in ".eE") else int(text)
            return _constant(value)
        if kind == "str":
            literal = _unquote(text)
            return _constant(literal)
        if kind == "tpl":
            return self.template_literal(text, at)
        if kind == "name":
            return self.name(text, at)
        if text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if text == "[":
            items: list[Compiled] = []
            while not self.accept("]"):
                items.append(self.expression())
                if not self.accept(","):
                    self.expect("]")
                    break
            array: Compiled = lambda s: [item(s) for item in items]  # noqa: E731
            return _data(array) if all(_is_data(i) for i in items) else array
        if text == "{":
            return self.object_literal()
        if kind == "end":
            raise ExpressionError(f"the expression ends too early (position {at})")
        raise ExpressionError(f"unexpected {text!r} at position {at}")

    def object_literal(self) -> Compiled:
        entries: list[tuple[str, Compiled]] = []
        while not self.accept("}"):
            kind, text, at = self.take()
            if kind == "str":
                key = _unquote(text)
            elif kind in ("name", "num"):
                key = text
            else:
                raise ExpressionError(f"expected a property name at position {at}")
            _check_member(key)
            value = self.expression() if self.accept(":") else self.name(key, at)
            entries.append((key, value))
            if not self.accept(","):
                self.expect("}")
                break
        obj: Compiled = lambda s: {key: value(s) for key, value in entries}  # noqa: E731
        return _data(obj) if all(_is_data(v) for _, v in entries) else obj

    def template_literal(self, raw: str, at: int) -> Compiled:
        body = raw[1:-1]
        parts: list[Compiled] = []
        pos = 0
        while pos < len(body):
            start = body.find("${", pos)
            if start < 0:
                text = _unquote("`" + body[pos:] + "`")
                parts.append(_constant(text))
                break
            if start > pos:
                text = _unquote("`" + body[pos:start] + "`")
                parts.append(_constant(text))
            end = body.find("}", start)
            if end < 0:
                raise ExpressionError(f"unclosed ${{ in template at position {at + start}")
            inner = _Parser(body[start + 2 : end], self.names)
            inner.locals = self.locals
            parts.append(inner.parse())
            pos = end + 1
        return _data(lambda s: "".join(to_text(part(s)) for part in parts))

    def name(self, text: str, at: int) -> Compiled:
        if text in LITERALS:
            return _constant(LITERALS[text])
        if any(text in scope for scope in self.locals):
            return lambda s: s.get(text)
        if text in self.names:
            lookup: Compiled = lambda s: s[text]  # noqa: E731
            return _data(lookup) if text in DATA_NAMES else lookup
        if text in GLOBALS:
            value = GLOBALS[text]
            return lambda s: value
        if text in GLOBAL_FUNCTIONS:
            fn = GLOBAL_FUNCTIONS[text]
            return lambda s: fn
        allowed = ", ".join(sorted(self.names | set(GLOBALS) | set(GLOBAL_FUNCTIONS)))
        raise ExpressionError(
            f"unknown name '{text}' at position {at}; expressions may use: {allowed}"
        )


def _constant(value: Any) -> Compiled:
    return _data(lambda _s: value)


def _binary(op: str, left: Compiled, right: Compiled) -> Compiled:
    both = _is_data(left) and _is_data(right)
    fn: Compiled
    if op == "&&":
        fn = lambda s: r if not truthy(r := left(s)) else right(s)  # noqa: E731
        return _data(fn) if both else fn
    if op == "||":
        fn = lambda s: r if truthy(r := left(s)) else right(s)  # noqa: E731
        return _data(fn) if both else fn
    if op == "??":
        fn = lambda s: r if (r := left(s)) is not None else right(s)  # noqa: E731
        return _data(fn) if both else fn
    return _data(_operator(op, left, right))


def _operator(op: str, left: Compiled, right: Compiled) -> Compiled:
    """Operators whose result is a number, text or boolean."""
    if op == "+":
        return lambda s: _add(left(s), right(s))
    if op in ("-", "*", "/", "%"):
        return lambda s: _arith(op, left(s), right(s))
    if op == "===":
        return lambda s: _strict_equal(left(s), right(s))
    if op == "!==":
        return lambda s: not _strict_equal(left(s), right(s))
    if op == "==":
        return lambda s: _loose_equal(left(s), right(s))
    if op == "!=":
        return lambda s: not _loose_equal(left(s), right(s))
    return lambda s: _compare(op, left(s), right(s))


def _data(fn: Compiled) -> Compiled:
    """Mark a closure whose result is plain item data, so rendering need not convert it."""
    setattr(fn, "plain_data", True)  # noqa: B010
    return fn


def _is_data(fn: Any) -> bool:
    return getattr(fn, "plain_data", False) is True


def _member(obj: Compiled, name: str, optional: bool) -> Compiled:
    # The name was checked when parsed; reading an object's key is the common case.
    def fn(s: Scope) -> Any:
        value = obj(s)
        if type(value) is dict:
            return value.get(name)
        return get_member(value, name, optional)

    return _data(fn) if _is_data(obj) else fn


def _index(obj: Compiled, key: Compiled) -> Compiled:
    fn: Compiled = lambda s: get_member(obj(s), key(s))  # noqa: E731
    return _data(fn) if _is_data(obj) else fn


def _method_call(obj: Compiled, name: str, args: list[Compiled], optional: bool) -> Compiled:
    return lambda s: call_method(obj(s), name, [a(s) for a in args], optional)


def _call(fn: Compiled, args: list[Compiled], at: int) -> Compiled:
    def run(s: Scope) -> Any:
        target = fn(s)
        values = [a(s) for a in args]
        if isinstance(target, JsFunction):
            return target(*values)
        if callable(target) and (
            target in GLOBAL_FUNCTIONS.values() or getattr(target, "expression_callable", False)
        ):
            try:
                return target(*values)
            except ExpressionError:
                raise
            except (TypeError, ValueError) as exc:
                raise ExpressionError(f"call at position {at} failed: {exc}") from None
        raise ExpressionError(f"{_describe(target)} at position {at} cannot be called")

    return run


def expression_callable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a host function (such as `$`) as callable from expressions."""
    fn.expression_callable = True  # type: ignore[attr-defined]
    return fn


# --- templates -------------------------------------------------------------------------------


class Template:
    """A parameter value starting with '=': literal text and `{{ expression }}` blocks."""

    __slots__ = ("data", "parts", "single", "source")

    def __init__(self, source: str, parts: list[str | Compiled]) -> None:
        self.source = source
        self.parts = parts
        # A value that is exactly one block keeps the expression's type (number, object...).
        self.single = len(parts) == 1 and not isinstance(parts[0], str)
        # ... and when it only reads item data ($json.a.b) it is plain JSON already.
        self.data = self.single and _is_data(parts[0])

    def render(self, scope: Scope) -> Any:
        if self.single:
            part = self.parts[0]
            assert not isinstance(part, str)
            value = part(scope)
            return value if self.data else to_plain(value)
        out: list[str] = []
        for part in self.parts:
            out.append(part if isinstance(part, str) else to_text(part(scope)))
        return "".join(out)


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


@lru_cache(maxsize=4096)
def compile_template(source: str, names: frozenset[str]) -> Template:
    """Parse `=...{{ expr }}...` once; `names` are the variables the host will provide."""
    body = source[1:] if source.startswith("=") else source
    parts: list[str | Compiled] = []
    pos = 0
    while pos < len(body):
        start = body.find("{{", pos)
        if start < 0:
            parts.append(body[pos:])
            break
        if start > pos:
            parts.append(body[pos:start])
        end = _block_end(body, start + 2)
        if end < 0:
            raise ExpressionError(f"'{{{{' at position {start} is never closed with '}}}}'")
        code = body[start + 2 : end].strip()
        if not code:
            raise ExpressionError(f"empty {{{{ }}}} at position {start}")
        try:
            parts.append(_Parser(code, names).parse())
        except ExpressionError as exc:
            raise ExpressionError(f"in {{{{ {code} }}}}: {exc}") from None
        pos = end + 2
    return Template(source, parts)


def _block_end(body: str, start: int) -> int:
    """Find the '}}' closing a block, skipping braces inside strings and object literals."""
    depth = 0
    i = start
    quote_char = ""
    while i < len(body):
        ch = body[i]
        if quote_char:
            if ch == "\\":
                i += 2
                continue
            if ch == quote_char:
                quote_char = ""
        elif ch in "'\"`":
            quote_char = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0 and body.startswith("}}", i):
                return i
            depth = max(0, depth - 1)
        i += 1
    return -1
