"""A safe evaluator for n8n-style expressions: `={{ $json.name }}`, `=Flow {{ $itemIndex + 1 }}`.

Expressions are the part of JavaScript n8n users write, parsed here and compiled to Python
closures. Nothing is handed to `eval`: names resolve only to the variables and helpers listed
in the README's Expressions section, member access reads only data and whitelisted methods,
and every `{{ }}` block runs under hard limits (steps, nesting, value sizes; see limits.py).
As in n8n, a JavaScript runtime error (TypeError, RangeError, ...) inside a block makes that
block undefined; errors of n8n's own helpers, syntax errors and broken limits fail the item.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from . import limits
from .builtins import GLOBALS, Namespace
from .dates import SETTINGS, DateTimeValue, DurationValue, JsDate, now_ms, set_default_zone
from .luxon.model import LuxonDateTime
from .luxon.zones import Zone, find_zone
from .members import call_method, get_member
from .parser import _is_data, expression_callable, parse_expression
from .values import (
    DATA_NAMES,
    UNDEFINED,
    Compiled,
    ExpressionError,
    ExprObject,
    JsError,
    JsFunction,
    Scope,
    js_string,
    template_text,
    to_plain,
    to_text,
    truthy,
    typeof,
)

log = logging.getLogger("keitaro_node.expressions")

ZONE_KEY = "$__zone"  # the scope entry holding the workflow's Zone (not a variable)

__all__ = [
    "DATA_NAMES",
    "GLOBALS",
    "UNDEFINED",
    "ZONE_KEY",
    "Compiled",
    "DateTimeValue",
    "DurationValue",
    "ExprObject",
    "ExpressionError",
    "JsDate",
    "JsFunction",
    "Namespace",
    "Scope",
    "Template",
    "call_method",
    "compile_template",
    "expression_callable",
    "find_zone",
    "get_member",
    "is_expression",
    "js_string",
    "now_value",
    "to_plain",
    "to_text",
    "today_value",
    "truthy",
]


def _evaluate(part: Compiled, scope: Scope) -> Any:
    limits.reset()
    try:
        return part(scope)
    except JsError as exc:
        log.debug("expression block is undefined, as in n8n: %s", exc)
        return UNDEFINED
    except RecursionError:
        raise limits.depth_error() from None
    except MemoryError:
        raise ExpressionError(
            "the expression needs more memory than allowed (the size limit)"
        ) from None


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
        zone = scope.get(ZONE_KEY)
        if zone is not None:
            SETTINGS.zone = zone
        if self.single:
            part = self.parts[0]
            assert not isinstance(part, str)
            value = _evaluate(part, scope)
            if value is UNDEFINED:
                return None
            if typeof(value) == "function":
                raise ExpressionError("this is a function, please add ()")
            return value if self.data else to_plain(value)
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                out.append(template_text(_evaluate(part, scope)))
        return limits.check_string("".join(out))

    def evaluate(self, scope: Scope) -> Any:
        """The raw expression value (DateTime objects, undefined) of a single-block template."""
        zone = scope.get(ZONE_KEY)
        if zone is not None:
            SETTINGS.zone = zone
        if not self.single:
            return self.render(scope)
        part = self.parts[0]
        assert not isinstance(part, str)
        return _evaluate(part, scope)


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
        while start > 0 and _escaped(body, start):
            start = body.find("{{", start + 2)
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
            parts.append(parse_expression(code, names))
        except ExpressionError as exc:
            raise ExpressionError(f"in {{{{ {code[:200]} }}}}: {exc}") from None
        pos = end + 2
    return Template(source, parts)


def _escaped(body: str, index: int) -> bool:
    count = 0
    while index - count - 1 >= 0 and body[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


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


def now_value(zone: Zone | None = None) -> DateTimeValue:
    return DateTimeValue(LuxonDateTime(now_ms(), zone or SETTINGS.zone))


def today_value(zone: Zone | None = None) -> DateTimeValue:
    return DateTimeValue(LuxonDateTime(now_ms(), zone or SETTINGS.zone).start_of("day"))


__all__ += ["Zone", "set_default_zone"]
