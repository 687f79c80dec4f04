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
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from . import limits
from .builtins import GLOBALS, HostFunction, Namespace
from .dates import SETTINGS, DateTimeValue, DurationValue, JsDate, now_ms
from .luxon.model import LuxonDateTime
from .luxon.zones import Zone, find_zone
from .members import call_method, get_member
from .parser import Code, parse_expression
from .values import (
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
    "GLOBALS",
    "UNDEFINED",
    "ZONE_KEY",
    "Compiled",
    "DateTimeValue",
    "DurationValue",
    "ExprObject",
    "ExpressionError",
    "HostFunction",
    "JsDate",
    "JsError",
    "JsFunction",
    "Namespace",
    "Scope",
    "Template",
    "Zone",
    "call_method",
    "compile_template",
    "find_zone",
    "get_member",
    "host_function",
    "is_expression",
    "js_string",
    "now_value",
    "to_plain",
    "to_text",
    "today_value",
    "truthy",
]


def host_function(name: str, fn: Callable[..., Any]) -> HostFunction:
    """A function of the host (such as `$('Node')`) that expressions may call.

    Its errors, and calls with arguments it cannot take, fail the item.
    """
    return HostFunction(name, fn, fails_item=True)


def _block(code: Code, run: Compiled, undefined: Any) -> Compiled:
    """`run` (of `code`) as one `{{ }}` block: a fresh budget, the workflow's zone, n8n's rules.

    A JavaScript error makes the block `undefined` (the given stand-in, None where the block
    is the whole value); a broken limit fails the item. The zone is set only for blocks that
    call something, as nothing else reads it, and the budget only for blocks that can spend
    it (`$json.a.b ?? 1` cannot).
    """
    budget = limits.BUDGET
    steps = limits.MAX_STEPS
    settings = SETTINGS
    calls, bounded = code.calls, code.bounded

    def block(scope: Scope) -> Any:
        if calls:
            zone = scope.get(ZONE_KEY)
            if zone is not None:
                settings.zone = zone
        if not bounded:
            budget.steps = steps
        try:
            value = run(scope)
        except JsError as exc:
            log.debug("expression block is undefined, as in n8n: %s", exc)
            return undefined
        except RecursionError:
            raise limits.depth_error() from None
        except MemoryError:
            raise _memory_error() from None
        return undefined if value is UNDEFINED else value

    return block


def _memory_error() -> ExpressionError:
    return ExpressionError("the expression needs more memory than allowed (the size limit)")


def _whole_value(code: Code) -> Compiled:
    """Render a template that is one block: the value keeps its type (number, object...)."""
    if code.output is not None:
        return _block(code, code.output, None)  # JSON already, nothing to convert
    block = _block(code, code.run, None)

    def render(scope: Scope) -> Any:
        value = block(scope)
        if typeof(value) == "function":
            raise ExpressionError("this is a function, please add ()")
        try:
            return to_plain(value)
        except RecursionError:
            raise limits.data_depth_error() from None

    return render


def _text(parts: list[str | Code]) -> Compiled:
    """Render a template of text and blocks: one string, each block read as n8n reads it."""
    pieces = [
        part if isinstance(part, str) else _block(part, part.run, UNDEFINED) for part in parts
    ]

    def render(scope: Scope) -> str:
        out = [piece if isinstance(piece, str) else template_text(piece(scope)) for piece in pieces]
        return limits.check_string("".join(out))

    return render


class Template:
    """A parameter value starting with '=': literal text and `{{ expression }}` blocks.

    `render(scope)` gives the parameter's value for one item's scope. It is fitted to the
    template when compiled: a value that is one block (`single`) keeps the expression's type,
    and a block known to give JSON data (`$json.a ?? 1`) is returned without any conversion.
    `evaluate(scope)` gives a one-block template's value as JavaScript has it (a DateTime,
    undefined), for nodes that read dates from their parameters.
    """

    __slots__ = ("blocks", "evaluate", "render", "single", "source")

    render: Callable[[Scope], Any]
    evaluate: Callable[[Scope], Any]

    def __init__(self, source: str, parts: list[str | Code]) -> None:
        self.source = source
        self.blocks = [part for part in parts if not isinstance(part, str)]
        self.single = len(parts) == 1 and not isinstance(parts[0], str)
        if self.single:
            self.render = _whole_value(self.blocks[0])
            self.evaluate = _block(self.blocks[0], self.blocks[0].run, UNDEFINED)
        else:
            self.render = self.evaluate = _text(parts)

    def value(self, scope: Scope) -> Any:
        """A one-block template's value under the limits, with JavaScript's errors raised
        (JsError) rather than making it undefined."""
        if not self.single:
            raise ExpressionError("the template is not one {{ }} block")
        zone = scope.get(ZONE_KEY)
        if zone is not None:
            SETTINGS.zone = zone
        limits.reset()
        try:
            return self.blocks[0].run(scope)
        except RecursionError:
            raise limits.depth_error() from None


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


@lru_cache(maxsize=4096)
def compile_template(source: str, names: frozenset[str]) -> Template:
    """Parse `=...{{ expr }}...` once; `names` are the variables the host will provide."""
    body = source[1:] if source.startswith("=") else source
    parts: list[str | Code] = []
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
