"""Tokenizer and parser: expression text to Python closures, checked while parsing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .builtins import GLOBAL_FUNCTIONS, GLOBALS, LITERALS
from .members import _check_member, call_method, get_member
from .values import (
    DATA_NAMES,
    Compiled,
    ExpressionError,
    JsFunction,
    Scope,
    _add,
    _arith,
    _compare,
    _describe,
    _loose_equal,
    _number,
    _strict_equal,
    _tidy,
    _typeof,
    to_text,
    truthy,
)

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
