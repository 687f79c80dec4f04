"""A safe evaluator for n8n-style expressions: `={{ $json.name }}`, `=Flow {{ $itemIndex + 1 }}`.

Expressions are a small JavaScript-like language, parsed here and compiled to Python closures.
Nothing is handed to `eval`: names resolve only to the variables and helpers listed in the
README's Expressions section, member access reads only data (dict keys, list indices, a fixed
set of string/array/number methods), and anything else - Python attributes, `constructor`,
`__proto__`, imports, unknown globals - is an ExpressionError. Each distinct expression is
parsed once and cached.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .builtins import GLOBAL_FUNCTIONS, GLOBALS, DateTimeValue, Namespace, now_value, today_value
from .members import call_method, get_member
from .parser import _is_data, _Parser, expression_callable
from .values import (
    DATA_NAMES,
    Compiled,
    ExpressionError,
    ExprObject,
    JsFunction,
    Scope,
    to_plain,
    to_text,
    truthy,
)

__all__ = [
    "DATA_NAMES",
    "GLOBALS",
    "GLOBAL_FUNCTIONS",
    "Compiled",
    "DateTimeValue",
    "ExprObject",
    "ExpressionError",
    "JsFunction",
    "Namespace",
    "Scope",
    "Template",
    "call_method",
    "compile_template",
    "expression_callable",
    "get_member",
    "is_expression",
    "now_value",
    "to_plain",
    "to_text",
    "today_value",
    "truthy",
]


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
