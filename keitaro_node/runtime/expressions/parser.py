"""Parser: expression text to Python closures, checked while parsing.

A recursive descent over tokens that builds closures directly. Nesting is bounded
(limits.MAX_NESTING), so no input can exhaust Python's stack while parsing.

Each piece is a Code: the closure and what the parser knows of its value, so that rendering
a block does only the work its expression needs (see Code).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import limits
from .builtins import BLOCKED_NAMES, GLOBALS, instance_of
from .members import call_method, check_member, get_member, invoke, new_instance
from .natives import METHOD_NAMES
from .regexp import RegExpValue
from .tokens import Token, scan_substitution, tokenize, unescape
from .values import (
    FORBIDDEN_MEMBERS,
    UNDEFINED,
    Compiled,
    ExpressionError,
    ExprObject,
    JsFunction,
    Scope,
    add,
    arith,
    bitwise,
    compare,
    js_string,
    loose_equal,
    strict_equal,
    tidy,
    to_number,
    truthy,
    type_error,
    typeof,
)

# Variables that hold only JSON data (item data, node parameters, indexes).
DATA_NAMES = frozenset({"$json", "$parameter", "$itemIndex", "$runIndex"})

_BINARY_PRECEDENCE = {
    "??": 1,
    "||": 2,
    "&&": 3,
    "|": 4,
    "^": 5,
    "&": 6,
    "==": 7,
    "!=": 7,
    "===": 7,
    "!==": 7,
    "<": 8,
    ">": 8,
    "<=": 8,
    ">=": 8,
    "in": 8,
    "instanceof": 8,
    "<<": 9,
    ">>": 9,
    ">>>": 9,
    "+": 10,
    "-": 10,
    "*": 11,
    "/": 11,
    "%": 11,
    "**": 12,
}

LITERALS: dict[str, Any] = {
    "true": True,
    "false": False,
    "null": None,
    "undefined": UNDEFINED,
    "NaN": math.nan,
    "Infinity": math.inf,
}

_NOT_CONSTANT = object()


@dataclass(frozen=True, slots=True)
class Code:
    """A compiled piece of an expression and what the parser knows of its value.

    `run` computes the value. `output`, when known, computes the value as it leaves a block:
    JSON data, with undefined at most at the top (never inside an array or object) and never
    a function, so rendering needs no conversion; it is `run` itself for pieces whose value is
    already that. `calls` says whether the piece calls anything: only calls can loop, read the
    workflow's time zone or make dates. `bounded` pieces spend nothing the step budget counts
    (reading names and members, choosing between values). `constant` is the value when it
    never changes; `path` the variable and member names when the piece only reads those.
    """

    run: Compiled
    output: Compiled | None = None
    calls: bool = False
    constant: Any = _NOT_CONSTANT
    bounded: bool = False
    path: tuple[str, ...] = ()

    @property
    def is_constant(self) -> bool:
        return self.constant is not _NOT_CONSTANT

    @property
    def is_plain(self) -> bool:
        """The value is already as it leaves a block."""
        return self.output is self.run


def _plain(run: Compiled, calls: bool = False, bounded: bool = False) -> Code:
    """A piece whose value is already as it leaves a block (text, a number, JSON data)."""
    return Code(run, run, calls, bounded=bounded)


def _constant(value: Any) -> Code:
    def run(_s: Scope) -> Any:
        return value

    return Code(run, run, False, value, bounded=True)


def _any_calls(*pieces: Code) -> bool:
    return any(piece.calls for piece in pieces)


def _all_bounded(*pieces: Code) -> bool:
    return all(piece.bounded for piece in pieces)


class _ShortCircuit(Exception):
    """`a?.b` with a nullish `a`: the rest of the chain is skipped."""


class _Spread:
    __slots__ = ("value",)

    def __init__(self, value: Compiled) -> None:
        self.value = value


Binder = Callable[[dict[str, Any], Any], None]
ParamsBinder = Callable[[dict[str, Any], list[Any]], None]
Argument = Code | _Spread


class _Parser:
    """Recursive descent over tokens, producing closures directly."""

    def __init__(self, text: str, names: frozenset[str], depth: int = 0) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.names = names
        self.locals: list[set[str]] = []
        self.depth = depth

    # --- token helpers ------------------------------------------------------------------

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        if token[0] != "end":
            self.pos += 1
        return token

    def at(self, value: str) -> bool:
        kind, text, _ = self.peek()
        return text == value and kind in ("op", "name")

    def expect(self, value: str) -> None:
        kind, text, at = self.take()
        if text != value or kind not in ("op", "name"):
            found = "the end" if kind == "end" else repr(text)
            raise ExpressionError(f"expected {value!r} at position {at}, found {found}")

    def accept(self, value: str) -> bool:
        if self.at(value):
            self.pos += 1
            return True
        return False

    def enter(self) -> None:
        self.depth += 1
        if self.depth > limits.MAX_NESTING:
            raise limits.depth_error()

    # --- grammar ------------------------------------------------------------------------

    def parse(self) -> Code:
        node = self.sequence()
        if self.at(";") and self.peek(1)[0] != "end":
            raise ExpressionError(f"only one expression is allowed, found ';' at {self.peek()[2]}")
        self.accept(";")
        kind, text, at = self.peek()
        if kind != "end":
            if text == "=" or text in ("++", "--"):
                raise ExpressionError(f"assignments are not supported (position {at})")
            if text == ";":
                raise ExpressionError(f"only one expression is allowed, found ';' at {at}")
            raise ExpressionError(f"unexpected {text!r} at position {at}")
        return node

    def sequence(self) -> Code:
        node = self.expression()
        if not self.at(","):
            return node
        pieces = [node]
        while self.accept(","):
            pieces.append(self.expression())
        runs = [piece.run for piece in pieces]

        def run(s: Scope) -> Any:
            value: Any = UNDEFINED
            for part in runs:
                value = part(s)
            return value

        return Code(run, calls=_any_calls(*pieces))

    def expression(self) -> Code:
        self.enter()
        try:
            if self._arrow_ahead():
                return self.arrow()
            condition = self.binary(1)
            if self.accept("?"):
                then = self.expression()
                self.expect(":")
                other = self.expression()
                return _choice(condition, then, other)
            if self.at("=") or self.at("++") or self.at("--"):
                raise ExpressionError(f"assignments are not supported (position {self.peek()[2]})")
            return condition
        finally:
            self.depth -= 1

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
            if k == "op" and t in "([{":
                depth += 1
            elif k == "op" and t in ")]}":
                depth -= 1
                if depth == 0:
                    return self.peek(offset + 1)[1] == "=>"
            offset += 1

    def params(self) -> tuple[list[str], ParamsBinder]:
        """A parameter list: names, defaults, rest and destructuring patterns."""
        binders: list[tuple[bool, Binder]] = []  # (is the rest parameter, binder)
        names: list[str] = []
        self.expect("(")
        while not self.accept(")"):
            if self.accept("..."):
                name = self.param_name()
                names.append(name)
                binders.append((True, _bind_name(name)))
            else:
                binder, bound = self.pattern()
                names.extend(bound)
                default = self.expression() if self.accept("=") else None
                binders.append((False, _with_default(binder, default)))
            if not self.accept(","):
                self.expect(")")
                break

        def bind(local: dict[str, Any], args: list[Any]) -> None:
            for index, (rest, binder) in enumerate(binders):
                if rest:
                    binder(local, args[index:])
                else:
                    binder(local, args[index] if index < len(args) else UNDEFINED)

        return names, bind

    def param_name(self) -> str:
        kind, text, at = self.take()
        if kind != "name":
            raise ExpressionError(f"expected a parameter name at position {at}")
        check_member(text)
        return text

    def pattern(self) -> tuple[Binder, list[str]]:
        if self.accept("{"):
            keys: list[tuple[str, Binder]] = []
            bound: list[str] = []
            while not self.accept("}"):
                key = self.param_name()
                if self.accept(":"):
                    inner, names = self.pattern()
                else:
                    inner, names = _bind_name(key), [key]
                default = self.expression() if self.accept("=") else None
                keys.append((key, _with_default(inner, default)))
                bound.extend(names)
                if not self.accept(","):
                    self.expect("}")
                    break

            def bind_object(local: dict[str, Any], value: Any) -> None:
                for key, binder in keys:
                    binder(local, get_member(value, key))

            return bind_object, bound
        if self.accept("["):
            items: list[Binder] = []
            bound = []
            while not self.accept("]"):
                inner, names = self.pattern()
                items.append(inner)
                bound.extend(names)
                if not self.accept(","):
                    self.expect("]")
                    break

            def bind_array(local: dict[str, Any], value: Any) -> None:
                for index, binder in enumerate(items):
                    binder(local, get_member(value, index))

            return bind_array, bound
        name = self.param_name()
        return _bind_name(name), [name]

    def arrow(self) -> Code:
        start = self.peek()[2]
        names: list[str]
        bind: ParamsBinder
        if self.peek()[0] == "name":
            name = self.param_name()
            names = [name]

            def bind_one(local: dict[str, Any], args: list[Any]) -> None:
                local[name] = args[0] if args else UNDEFINED

            bind = bind_one
        else:
            names, bind = self.params()
        self.expect("=>")
        self.locals.append(set(names))
        body = self.function_body() if self.at("{") else self.expression()
        self.locals.pop()
        return _function(bind, body, self.text[start : self.peek()[2]].strip())

    def function_body(self) -> Code:
        """`{ return expr; }`: the one statement form functions may have here."""
        self.expect("{")
        if self.accept("}"):
            return _constant(UNDEFINED)
        if not self.accept("return"):
            raise ExpressionError(
                f"function bodies may only hold 'return ...' (position {self.peek()[2]})"
            )
        body = self.sequence()
        self.accept(";")
        self.expect("}")
        return body

    def function_expression(self) -> Code:
        start = self.peek()[2]
        if self.peek()[0] == "name":
            self.take()
        names, bind = self.params()
        self.locals.append(set(names))
        body = self.function_body()
        self.locals.pop()
        source = "function " + self.text[start : self.tokens[self.pos - 1][2] + 1].strip()
        return _function(bind, body, source)

    def binary(self, min_precedence: int) -> Code:
        left = self.unary()
        while True:
            kind, op, _ = self.peek()
            precedence = _BINARY_PRECEDENCE.get(op) if kind in ("op", "name") else None
            if precedence is None or precedence < min_precedence:
                return left
            if kind == "name" and op not in ("in", "instanceof"):
                return left
            self.pos += 1
            self.enter()
            # ** is right-associative
            right = self.binary(precedence if op == "**" else precedence + 1)
            self.depth -= 1
            left = _binary(op, left, right)

    def unary(self) -> Code:
        kind, text, at = self.peek()
        if kind == "op" and text in ("!", "-", "+", "~"):
            self.pos += 1
            self.enter()
            operand = self.unary()
            self.depth -= 1
            return _unary(text, operand)
        if kind == "op" and text in ("++", "--"):
            raise ExpressionError(f"assignments are not supported (position {at})")
        if kind == "name" and text in ("typeof", "void", "delete"):
            self.pos += 1
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if text == "delete":
                raise ExpressionError(f"'delete' is not supported (position {at})")
            return _unary(text, operand)
        if kind == "name" and text == "new":
            return self.postfix(self.new_expression())
        return self.postfix(self.primary())

    def new_expression(self) -> Code:
        self.expect("new")
        kind, text, at = self.take()
        if kind != "name":
            raise ExpressionError(f"expected a constructor name after 'new' at position {at}")
        target = self.name(text, at)
        while self.at("."):
            self.pos += 1
            target = _member(target, self.param_name())
        args = self.arguments() if self.at("(") else []
        make = target.run

        def run(s: Scope) -> Any:
            return new_instance(make(s), _evaluate_args(args, s))

        return Code(run, calls=True)

    def postfix(self, node: Code) -> Code:
        chained = False
        while True:
            kind, text, _ = self.peek()
            if kind != "op":
                break
            if text in (".", "?."):
                self.pos += 1
                if text == "?.":
                    chained = True
                    node = _optional(node)
                    if self.at("("):
                        node = _call(node, self.arguments())
                        continue
                    if self.at("["):
                        self.pos += 1
                        key = self.sequence()
                        self.expect("]")
                        node = _index(node, key)
                        continue
                name_kind, name, name_at = self.take()
                if name_kind != "name":
                    raise ExpressionError(f"expected a property name at position {name_at}")
                check_member(name)
                if self.at("("):
                    node = _method_call(node, _constant(name), self.arguments())
                else:
                    node = _member(node, name)
            elif text == "[":
                self.pos += 1
                key = self.sequence()
                self.expect("]")
                if self.at("("):
                    node = _method_call(node, key, self.arguments())
                else:
                    node = _index(node, key)
            elif text == "(":
                node = _call(node, self.arguments())
            else:
                break
        return _chain(node) if chained else node

    def arguments(self) -> list[Argument]:
        self.expect("(")
        args: list[Argument] = []
        while not self.accept(")"):
            if self.accept("..."):
                args.append(_Spread(self.expression().run))
            else:
                args.append(self.expression())
            if not self.accept(","):
                self.expect(")")
                break
        return args

    def primary(self) -> Code:
        kind, text, at = self.take()
        if kind == "num":
            return _constant(_number_literal(text))
        if kind == "str":
            return _constant(unescape(text[1:-1]))
        if kind == "tpl":
            return self.template_literal(text)
        if kind == "regex":
            body, _, flags = text[1:].rpartition("/")
            RegExpValue.compile(body, flags)  # a bad pattern fails while parsing
            return Code(lambda s: RegExpValue(body, flags))
        if kind == "name":
            if text == "function":
                return self.function_expression()
            if text == "$if" and self.at("("):
                return self.if_call()
            return self.name(text, at)
        if text == "(":
            self.enter()
            inner = self.sequence()
            self.depth -= 1
            self.expect(")")
            return inner
        if text == "[":
            return self.array_literal()
        if text == "{":
            return self.object_literal()
        if kind == "end":
            raise ExpressionError(f"the expression ends too early (position {at})")
        raise ExpressionError(f"unexpected {text!r} at position {at}")

    def if_call(self) -> Code:
        args = self.arguments()
        if len(args) < 2:
            raise ExpressionError(
                "$if requires at least 2 parameters: test, value_if_true[, and value_if_false]"
            )
        test, then = args[0], args[1]
        other = args[2] if len(args) > 2 else _constant(False)
        if isinstance(test, _Spread) or isinstance(then, _Spread) or isinstance(other, _Spread):
            raise ExpressionError("$if takes its parameters as they are, not spread")
        return _choice(test, then, other)

    def array_literal(self) -> Code:
        self.enter()
        items: list[Argument] = []
        while not self.accept("]"):
            if self.at(","):
                self.pos += 1
                items.append(_constant(UNDEFINED))
                continue
            if self.accept("..."):
                items.append(_Spread(self.expression().run))
            else:
                items.append(self.expression())
            if not self.accept(","):
                self.expect("]")
                break
        self.depth -= 1
        return _array(items)

    def object_literal(self) -> Code:
        self.enter()
        entries: list[tuple[Code | None, Code]] = []  # (key, value); no key: a spread
        while not self.accept("}"):
            if self.accept("..."):
                entries.append((None, self.expression()))
            else:
                kind, text, at = self.take()
                key: Code
                if kind == "str":
                    name = unescape(text[1:-1])
                    key = _constant(name)
                elif kind == "num":
                    name = js_string(_number_literal(text))
                    key = _constant(name)
                elif kind == "name":
                    name = text
                    key = _constant(name)
                elif text == "[":
                    computed = self.expression()
                    self.expect("]")
                    key, name = _key_of(computed), ""
                else:
                    raise ExpressionError(f"expected a property name at position {at}")
                if name:
                    check_member(name)
                if self.accept(":"):
                    value = self.expression()
                elif self.at("("):
                    value = self._method_shorthand()
                else:
                    value = self.name(name, at)
                entries.append((key, value))
            if not self.accept(","):
                self.expect("}")
                break
        self.depth -= 1
        return _object(entries)

    def _method_shorthand(self) -> Code:
        start = self.peek()[2]
        names, bind = self.params()
        self.locals.append(set(names))
        body = self.function_body()
        self.locals.pop()
        return _function(bind, body, self.text[start : self.tokens[self.pos - 1][2] + 1])

    def template_literal(self, raw: str) -> Code:
        body = raw[1:-1]
        parts: list[Code] = []
        pos = 0
        text_start = 0
        while pos < len(body):
            ch = body[pos]
            if ch == "\\":
                pos += 2
                continue
            if ch == "$" and body.startswith("${", pos):
                if pos > text_start:
                    parts.append(_constant(unescape(body[text_start:pos])))
                end = scan_substitution(body, pos + 2)
                inner = _Parser(body[pos + 2 : end - 1], self.names, self.depth + 1)
                inner.locals = self.locals
                parts.append(inner.parse())
                pos = end
                text_start = end
                continue
            pos += 1
        if text_start < len(body):
            parts.append(_constant(unescape(body[text_start:])))
        if not parts:
            return _constant("")
        if len(parts) == 1 and parts[0].is_constant:
            return parts[0]
        runs = [part.run for part in parts]
        return _plain(lambda s: "".join(js_string(run(s)) for run in runs), _any_calls(*parts))

    def name(self, text: str, at: int) -> Code:
        if text in LITERALS:
            return _constant(LITERALS[text])
        if any(text in scope for scope in self.locals) or text in self.names:

            def lookup(s: Scope) -> Any:
                return s[text]

            is_data = text in DATA_NAMES and not any(text in scope for scope in self.locals)
            return Code(lookup, lookup if is_data else None, bounded=True, path=(text,))
        if text in GLOBALS:
            value = GLOBALS[text]
            return Code(lambda s: value, bounded=True)
        if text in BLOCKED_NAMES or text.startswith("__"):
            raise ExpressionError(
                f"'{text}' is not available in expressions (position {at})",
                "expressions read item data and the helpers n8n documents; "
                "they cannot reach the process, modules or the environment",
            )
        if text in ("let", "const", "var", "return", "if", "for", "while", "class"):
            raise ExpressionError(f"statements such as '{text}' are not supported (position {at})")
        # JavaScript would throw a ReferenceError; n8n's evaluator reads unknown names as
        # undefined, and so do we.
        return _constant(UNDEFINED)


def _number_literal(text: str) -> float | int:
    text = text.replace("_", "")
    lowered = text.lower()
    if lowered.startswith(("0x", "0b", "0o")):
        return tidy(int(text[2:], {"x": 16, "b": 2, "o": 8}[lowered[1]]))
    if any(c in text for c in ".eE"):
        return tidy(float(text))
    return tidy(int(text))


def _negate(value: float | int) -> float | int:
    if value == 0 and type(value) is int:
        return -0.0
    return tidy(-value)


def _bind_name(name: str) -> Binder:
    def bind(local: dict[str, Any], value: Any) -> None:
        local[name] = value

    return bind


def _with_default(binder: Binder, default: Code | None) -> Binder:
    if default is None:
        return binder
    make_default = default.run

    def bind(local: dict[str, Any], value: Any) -> None:
        binder(local, make_default(local) if value is UNDEFINED else value)

    return bind


def _function(bind: ParamsBinder, body: Code, source: str) -> Code:
    run_body = body.run
    return Code(lambda s: JsFunction(bind, run_body, s, source))


def _key_of(computed: Code) -> Code:
    compute = computed.run

    def key(s: Scope) -> str:
        value = compute(s)
        name = value if isinstance(value, str) else js_string(value)
        check_member(name)
        return name

    return _plain(key, computed.calls)


def _spread_into(out: dict[str, Any], value: Any) -> None:
    if isinstance(value, dict):
        limits.check_length(len(out) + len(value), "object")
        out.update(value)
    elif isinstance(value, (list, str)):
        for index, item in enumerate(value):
            out[str(index)] = item
    elif isinstance(value, ExprObject):
        plain = value.expr_plain()
        if isinstance(plain, dict):
            out.update(plain)


def _evaluate_args(args: list[Argument], s: Scope) -> list[Any]:
    values: list[Any] = []
    for arg in args:
        if isinstance(arg, _Spread):
            values.extend(_iterate(arg.value(s)))
            limits.check_length(len(values))
        else:
            values.append(arg.run(s))
    return values


def _iterate(value: Any) -> list[Any]:
    if isinstance(value, list):
        limits.charge(len(value))
        return value
    if isinstance(value, str):
        limits.charge(len(value))
        return list(value)
    raise type_error(f"{js_string(value)[:30]} is not iterable")


# --- combining pieces ------------------------------------------------------------------------


def _choice(condition: Code, then: Code, other: Code) -> Code:
    """`condition ? then : other` (and `$if(condition, then, other)`)."""
    calls = _any_calls(condition, then, other)
    bounded = _all_bounded(condition, then, other)
    run = _either(condition.run, then.run, other.run)
    if then.is_plain and other.is_plain:
        return Code(run, run, calls, bounded=bounded)
    if then.output is not None and other.output is not None:
        output = _either(condition.run, then.output, other.output)
        return Code(run, output, calls, bounded=bounded)
    return Code(run, None, calls, bounded=bounded)


def _either(test: Compiled, yes: Compiled, no: Compiled) -> Compiled:
    return lambda s: yes(s) if truthy(test(s)) else no(s)


def _logical(op: str, left: Code, right: Code) -> Code:
    """`&&`, `||` and `??`: the value of one side, chosen by the left one."""
    calls = _any_calls(left, right)
    bounded = _all_bounded(left, right)
    run = _pick(op, left.run, right)
    if left.is_plain and right.is_plain:
        return Code(run, run, calls, bounded=bounded)
    if left.output is not None and right.output is not None:
        # an output keeps the kind of its value (object, text, undefined...), so the left
        # side's output decides as the left side itself would
        output = _pick(op, left.output, Code(right.output, constant=right.constant))
        return Code(run, output, calls, bounded=bounded)
    return Code(run, None, calls, bounded=bounded)


def _pick(op: str, left: Compiled, right: Code) -> Compiled:
    if right.is_constant:  # `$json.a ?? 1`: no closure to call for the fallback
        fallback = right.constant
        if op == "??":
            return lambda s: r if (r := left(s)) is not None and r is not UNDEFINED else fallback
        if op == "||":
            return lambda s: r if truthy(r := left(s)) else fallback
        return lambda s: r if not truthy(r := left(s)) else fallback
    other = right.run
    if op == "??":
        return lambda s: r if (r := left(s)) is not None and r is not UNDEFINED else other(s)
    if op == "||":
        return lambda s: r if truthy(r := left(s)) else other(s)
    return lambda s: r if not truthy(r := left(s)) else other(s)


def _binary(op: str, left: Code, right: Code) -> Code:
    if op in ("&&", "||", "??"):
        return _logical(op, left, right)
    # every other operator gives a number, text or boolean
    bounded = op in ("===", "!==") and _all_bounded(left, right)
    return _plain(_operator(op, left, right), _any_calls(left, right), bounded)


def _operator(op: str, left_code: Code, right_code: Code) -> Compiled:
    left, right = left_code.run, right_code.run
    if op == "+":
        return _plus(left_code, right_code)
    if op in ("-", "*", "/", "%", "**"):
        return lambda s: arith(op, left(s), right(s))
    if op in ("&", "|", "^", "<<", ">>", ">>>"):
        return lambda s: bitwise(op, left(s), right(s))
    if op == "===":
        return lambda s: strict_equal(left(s), right(s))
    if op == "!==":
        return lambda s: not strict_equal(left(s), right(s))
    if op == "==":
        return lambda s: loose_equal(left(s), right(s))
    if op == "!=":
        return lambda s: not loose_equal(left(s), right(s))
    if op == "in":
        return lambda s: _in(left(s), right(s))
    if op == "instanceof":
        return lambda s: instance_of(left(s), right(s))
    return lambda s: compare(op, left(s), right(s))


def _plus(left_code: Code, right_code: Code) -> Compiled:
    """`a + b`; joining two short texts, the common case, needs no call of add()."""
    short = _SHORT_TEXT
    if right_code.is_constant:  # $json.name + ' - '
        after = right_code.constant
        left = left_code.run
        if isinstance(after, str) and len(after) < short:

            def plus_text(s: Scope) -> Any:
                a = left(s)
                if type(a) is str and len(a) < short:
                    return a + after
                return add(a, after)

            return plus_text
        return lambda s: add(left(s), after)
    right = right_code.run
    if left_code.is_constant:  # 'Flow ' + ($itemIndex + 1)
        before = left_code.constant
        return lambda s: add(before, right(s))
    left = left_code.run

    def plus(s: Scope) -> Any:
        a = left(s)
        b = right(s)
        if type(a) is str and type(b) is str and len(a) < short and len(b) < short:
            return a + b
        return add(a, b)

    return plus


# Texts this short joined need no check against limits.MAX_STRING.
_SHORT_TEXT = 65536


_UNARY: dict[str, Callable[[Any], Any]] = {
    "!": lambda value: not truthy(value),
    "-": lambda value: _negate(to_number(value)),
    "+": to_number,
    "~": lambda value: bitwise("^", value, -1),
    "typeof": typeof,
    "void": lambda value: UNDEFINED,
}


def _unary(op: str, operand: Code) -> Code:
    apply, value = _UNARY[op], operand.run
    bounded = op in ("!", "typeof", "void") and operand.bounded
    return _plain(lambda s: apply(value(s)), operand.calls, bounded)


def _in(key: Any, obj: Any) -> bool:
    name = key if isinstance(key, str) else js_string(key)
    if isinstance(obj, dict):
        return name in obj
    if isinstance(obj, list):
        return (name.isdigit() and int(name) < len(obj)) or name == "length"
    if isinstance(obj, ExprObject):
        return obj.expr_has(name)
    raise type_error(f"Cannot use 'in' operator to search for '{name}' in {js_string(obj)}")


def _array(items: list[Argument]) -> Code:
    if any(isinstance(item, _Spread) for item in items):
        return Code(lambda s: _evaluate_args(items, s), None, True)
    pieces = [item for item in items if isinstance(item, Code)]
    calls, bounded = _any_calls(*pieces), _all_bounded(*pieces)
    run = _array_builder(pieces, as_output=False)
    if all(piece.output is not None for piece in pieces):
        return Code(run, _array_builder(pieces, as_output=True), calls, bounded=bounded)
    return Code(run, None, calls, bounded=bounded)


def _array_builder(pieces: list[Code], as_output: bool) -> Compiled:
    """An array literal's closure; `as_output`: undefined entries become null, as in JSON."""
    if all(piece.is_constant for piece in pieces):
        values = [piece.constant for piece in pieces]
        if as_output:
            values = [None if value is UNDEFINED else value for value in values]
        return lambda s: values.copy()
    makers = [_piece(piece, as_output) for piece in pieces]
    if not as_output:
        return lambda s: [make(s) for make in makers]
    if len(makers) == 1:
        only = makers[0]
        return lambda s: [None if (v := only(s)) is UNDEFINED else v]
    return lambda s: [None if (v := make(s)) is UNDEFINED else v for make in makers]


def _piece(piece: Code, as_output: bool) -> Compiled:
    if as_output:
        assert piece.output is not None
        return piece.output
    return piece.run


def _object(entries: list[tuple[Code | None, Code]]) -> Code:
    calls = _any_calls(*(value for _, value in entries))
    fixed = [(key.constant, value) for key, value in entries if key is not None and key.is_constant]
    if len(fixed) == len(entries) and len({name for name, _ in fixed}) == len(fixed):
        run = _object_builder(fixed, as_output=False)
        bounded = _all_bounded(*(value for _, value in fixed))
        if all(value.output is not None for _, value in fixed):
            return Code(run, _object_builder(fixed, as_output=True), calls, bounded=bounded)
        return Code(run, None, calls, bounded=bounded)
    general = [(None if key is None else key.run, value.run) for key, value in entries]

    def build(s: Scope) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in general:
            if key is None:
                _spread_into(out, value(s))
            else:
                out[key(s)] = value(s)
        return out

    return Code(build, None, calls or any(key is not None and key.calls for key, _ in entries))


def _object_builder(fields: list[tuple[str, Code]], as_output: bool) -> Compiled:
    """An object literal with fixed, distinct keys: a prepared copy with the changing values
    filled in. `as_output`: keys whose value is undefined are left out, as in JSON."""
    prepared: dict[str, Any] = {}
    changing: list[tuple[str, Compiled]] = []
    for name, value in fields:
        if value.is_constant and not (as_output and value.constant is UNDEFINED):
            prepared[name] = value.constant
        else:
            prepared[name] = None  # keeps the key's place
            changing.append((name, _piece(value, as_output)))
    if not changing:
        return lambda s: prepared.copy()
    if as_output:

        def output(s: Scope) -> dict[str, Any]:
            out = prepared.copy()
            for name, make in changing:
                value = make(s)
                if value is UNDEFINED:
                    del out[name]
                else:
                    out[name] = value
            return out

        return output

    def build(s: Scope) -> dict[str, Any]:
        out = prepared.copy()
        for name, make in changing:
            out[name] = make(s)
        return out

    return build


def _optional(obj: Code) -> Code:
    read = obj.run

    def run(s: Scope) -> Any:
        value = read(s)
        if value is None or value is UNDEFINED:
            raise _ShortCircuit
        return value

    return Code(run, run if obj.is_plain else None, obj.calls, bounded=obj.bounded)


def _chain(node: Code) -> Code:
    inner = node.run

    def run(s: Scope) -> Any:
        try:
            return inner(s)
        except _ShortCircuit:
            return UNDEFINED

    return Code(run, run if node.is_plain else None, node.calls, bounded=node.bounded)


def _member(obj: Code, name: str) -> Code:
    # The name was checked when parsed; reading an object's key is the common case.
    if obj.path:
        run = _path_reader(obj.path[0], (*obj.path[1:], name))
    else:
        read = obj.run

        def run(s: Scope) -> Any:
            value = read(s)
            if type(value) is dict:
                return value.get(name, UNDEFINED)
            return get_member(value, name)

    # a member of JSON data is JSON data, unless the name is a method (`$json.s.trim`)
    plain = obj.is_plain and name not in METHOD_NAMES
    path = (*obj.path, name) if obj.path else ()
    return Code(run, run if plain else None, obj.calls, bounded=obj.bounded, path=path)


def _path_reader(variable: str, names: tuple[str, ...]) -> Compiled:
    """One closure for `$json.a.b`: the variable's value, then each member in turn."""
    if len(names) == 1:
        (name,) = names

        def read_one(s: Scope) -> Any:
            value = s[variable]
            if type(value) is dict:
                return value.get(name, UNDEFINED)
            return get_member(value, name)

        return read_one

    def read(s: Scope) -> Any:
        value = s[variable]
        for name in names:
            value = value.get(name, UNDEFINED) if type(value) is dict else get_member(value, name)
        return value

    return read


def _index(obj: Code, key: Code) -> Code:
    if key.is_constant and isinstance(key.constant, (str, int)):
        name = key.constant if isinstance(key.constant, str) else js_string(key.constant)
        if name not in FORBIDDEN_MEMBERS and not name.startswith("__"):
            return _member(obj, name)  # `$json['a b']`, `$json.list[0]`
    read, compute = obj.run, key.run
    return Code(lambda s: get_member(read(s), compute(s)), None, obj.calls or key.calls)


def _method_call(obj: Code, name: Code, args: list[Argument]) -> Code:
    read = obj.run
    if name.is_constant and isinstance(name.constant, str):
        method = name.constant
        check_member(method)
        if any(isinstance(a, _Spread) for a in args):
            return Code(lambda s: call_method(read(s), method, _evaluate_args(args, s)), None, True)
        runs = [a.run for a in args if isinstance(a, Code)]
        return Code(lambda s: call_method(read(s), method, [a(s) for a in runs]), None, True)
    compute = name.run
    return Code(
        lambda s: call_method(read(s), _name(compute(s)), _evaluate_args(args, s)), None, True
    )


def _name(key: Any) -> str:
    name = key if isinstance(key, str) else js_string(key)
    check_member(name)
    return name


def _call(fn: Code, args: list[Argument]) -> Code:
    target = fn.run

    def run(s: Scope) -> Any:
        return invoke(target(s), _evaluate_args(args, s))

    return Code(run, None, True)


def parse_expression(code: str, names: frozenset[str]) -> Code:
    try:
        return _Parser(code, names).parse()
    except RecursionError:
        raise limits.depth_error() from None
