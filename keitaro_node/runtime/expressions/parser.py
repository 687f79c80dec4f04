"""Parser: expression text to Python closures, checked while parsing.

A recursive descent over tokens that builds closures directly. Nesting is bounded
(limits.MAX_NESTING), so no input can exhaust Python's stack while parsing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from . import limits
from .builtins import BLOCKED_NAMES, GLOBALS
from .members import call_method, check_member, get_member, invoke, new_instance
from .regexp import RegExpValue
from .tokens import Token, scan_substitution, tokenize, unescape
from .values import (
    DATA_NAMES,
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


class _ShortCircuit(Exception):
    """`a?.b` with a nullish `a`: the rest of the chain is skipped."""


class _Spread:
    __slots__ = ("value",)

    def __init__(self, value: Compiled) -> None:
        self.value = value


Binder = Callable[[dict[str, Any], Any], None]


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

    def parse(self) -> Compiled:
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

    def sequence(self) -> Compiled:
        node = self.expression()
        if not self.at(","):
            return node
        parts = [node]
        while self.accept(","):
            parts.append(self.expression())

        def run(s: Scope) -> Any:
            value: Any = UNDEFINED
            for part in parts:
                value = part(s)
            return value

        return run

    def expression(self) -> Compiled:
        self.enter()
        try:
            if self._arrow_ahead():
                return self.arrow()
            condition = self.binary(1)
            if self.accept("?"):
                then = self.expression()
                self.expect(":")
                other = self.expression()
                fn: Compiled = lambda s: then(s) if truthy(condition(s)) else other(s)  # noqa: E731
                return _data(fn) if _is_data(then) and _is_data(other) else fn
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

    def params(self) -> tuple[list[str], Callable[[dict[str, Any], list[Any]], None]]:
        """A parameter list: names, defaults, rest and destructuring patterns."""
        binders: list[tuple[str, Binder]] = []
        names: list[str] = []
        self.expect("(")
        while not self.accept(")"):
            if self.accept("..."):
                name = self.param_name()
                names.append(name)
                binders.append(("rest", _bind_name(name)))
            else:
                binder, bound = self.pattern()
                names.extend(bound)
                default = self.expression() if self.accept("=") else None
                binders.append(("one", _with_default(binder, default)))
            if not self.accept(","):
                self.expect(")")
                break

        def bind(local: dict[str, Any], args: list[Any]) -> None:
            for index, (kind, binder) in enumerate(binders):
                if kind == "rest":
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

    def arrow(self) -> Compiled:
        start = self.peek()[2]
        if self.peek()[0] == "name":
            name = self.param_name()
            names = [name]

            def bind(local: dict[str, Any], args: list[Any]) -> None:
                local[name] = args[0] if args else UNDEFINED

        else:
            names, bind = self.params()  # type: ignore[no-untyped-call,union-attr,arg-type,assignment,var-annotated,no-any-return,attr-defined,misc,unused-ignore]
        self.expect("=>")
        self.locals.append(set(names))
        if self.at("{"):  # noqa: SIM108
            body = self.function_body()
        else:
            body = self.expression()
        self.locals.pop()
        source = self.text[start : self.peek()[2]].strip()
        return lambda s: JsFunction(bind, body, s, source)

    def function_body(self) -> Compiled:
        """`{ return expr; }`: the one statement form functions may have here."""
        self.expect("{")
        if self.accept("}"):
            return lambda s: UNDEFINED
        if not self.accept("return"):
            raise ExpressionError(
                f"function bodies may only hold 'return ...' (position {self.peek()[2]})"
            )
        body = self.sequence()
        self.accept(";")
        self.expect("}")
        return body

    def function_expression(self) -> Compiled:
        start = self.peek()[2]
        if self.peek()[0] == "name":
            self.take()
        names, bind = self.params()
        self.locals.append(set(names))
        body = self.function_body()
        self.locals.pop()
        source = "function " + self.text[start : self.tokens[self.pos - 1][2] + 1].strip()
        return lambda s: JsFunction(bind, body, s, source)

    def binary(self, min_precedence: int) -> Compiled:
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

    def unary(self) -> Compiled:
        kind, text, at = self.peek()
        if kind == "op" and text in ("!", "-", "+", "~"):
            self.pos += 1
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if text == "!":
                return _data(lambda s: not truthy(operand(s)))
            if text == "-":
                return _data(lambda s: _negate(to_number(operand(s))))
            if text == "~":
                return _data(lambda s: bitwise("^", operand(s), -1))
            return _data(lambda s: to_number(operand(s)))
        if kind == "op" and text in ("++", "--"):
            raise ExpressionError(f"assignments are not supported (position {at})")
        if kind == "name" and text in ("typeof", "void", "delete"):
            self.pos += 1
            self.enter()
            operand = self.unary()
            self.depth -= 1
            if text == "typeof":
                return _data(lambda s: typeof(_safe_typeof_operand(operand, s)))
            if text == "void":
                return _data(lambda s: (operand(s), UNDEFINED)[1])
            raise ExpressionError(f"'delete' is not supported (position {at})")
        if kind == "name" and text == "new":
            return self.postfix(self.new_expression())
        return self.postfix(self.primary())

    def new_expression(self) -> Compiled:
        self.expect("new")
        kind, text, at = self.take()
        if kind != "name":
            raise ExpressionError(f"expected a constructor name after 'new' at position {at}")
        target = self.name(text, at)
        while self.at("."):
            self.pos += 1
            member = self.param_name()
            target = _member(target, member, False)
        args = self.arguments() if self.at("(") else []

        def run(s: Scope) -> Any:
            return new_instance(target(s), _evaluate_args(args, s))

        return run

    def postfix(self, node: Compiled) -> Compiled:
        chained = False
        while True:
            kind, text, at = self.peek()
            if kind != "op":
                break
            if text in (".", "?."):
                optional = text == "?."
                self.pos += 1
                if optional:
                    chained = True
                    node = _optional(node)
                    if self.at("("):
                        node = _call(node, self.arguments(), at)
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
                    node = _member(node, name, optional)
            elif text == "[":
                self.pos += 1
                key = self.sequence()
                self.expect("]")
                if self.at("("):
                    node = _method_call(node, key, self.arguments())
                else:
                    node = _index(node, key)
            elif text == "(":
                node = _call(node, self.arguments(), at)
            else:
                break
        return _chain(node) if chained else node

    def arguments(self) -> list[Compiled | _Spread]:
        self.expect("(")
        args: list[Compiled | _Spread] = []
        while not self.accept(")"):
            if self.accept("..."):
                args.append(_Spread(self.expression()))
            else:
                args.append(self.expression())
            if not self.accept(","):
                self.expect(")")
                break
        return args

    def primary(self) -> Compiled:
        kind, text, at = self.take()
        if kind == "num":
            return _constant(_number_literal(text))
        if kind == "str":
            return _constant(unescape(text[1:-1]))
        if kind == "tpl":
            return self.template_literal(text, at)
        if kind == "regex":
            body, _, flags = text[1:].rpartition("/")
            RegExpValue.compile(body, flags)  # a bad pattern fails while parsing
            return lambda s: RegExpValue(body, flags)
        if kind == "name":
            if text == "function":
                return self.function_expression()
            if text == "$if" and self.at("("):
                return self.if_call(at)
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

    def if_call(self, at: int) -> Compiled:
        args = self.arguments()
        if any(isinstance(a, _Spread) for a in args) or len(args) < 2:
            raise ExpressionError(
                "$if requires at least 2 parameters: test, value_if_true[, and value_if_false]"
            )
        test, then = args[0], args[1]
        other = args[2] if len(args) > 2 else _constant(False)
        assert not isinstance(test, _Spread) and not isinstance(then, _Spread)
        assert not isinstance(other, _Spread)
        return lambda s: then(s) if truthy(test(s)) else other(s)

    def array_literal(self) -> Compiled:
        self.enter()
        items: list[Compiled | _Spread] = []
        while not self.accept("]"):
            if self.at(","):
                self.pos += 1
                items.append(_constant(UNDEFINED))
                continue
            if self.accept("..."):
                items.append(_Spread(self.expression()))
            else:
                items.append(self.expression())
            if not self.accept(","):
                self.expect("]")
                break
        self.depth -= 1
        if any(isinstance(i, _Spread) for i in items):
            return lambda s: _evaluate_args(items, s)
        plain = [i for i in items if not isinstance(i, _Spread)]
        array: Compiled = lambda s: [item(s) for item in plain]  # noqa: E731
        return _data(array) if all(_is_data(i) for i in plain) else array

    def object_literal(self) -> Compiled:
        self.enter()
        entries: list[tuple[Compiled | None, Compiled]] = []
        while not self.accept("}"):
            if self.accept("..."):
                entries.append((None, self.expression()))
            else:
                kind, text, at = self.take()
                key: Compiled
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

        def build(s: Scope) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, value in entries:
                if key is None:
                    _spread_into(out, value(s))
                else:
                    out[key(s)] = value(s)
            return out

        if all(k is not None and _is_data(v) for k, v in entries):
            return _data(build)
        return build

    def _method_shorthand(self) -> Compiled:
        start = self.peek()[2]
        names, bind = self.params()
        self.locals.append(set(names))
        body = self.function_body()
        self.locals.pop()
        source = self.text[start : self.tokens[self.pos - 1][2] + 1]
        return lambda s: JsFunction(bind, body, s, source)

    def template_literal(self, raw: str, at: int) -> Compiled:
        body = raw[1:-1]
        parts: list[Compiled] = []
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
        if len(parts) == 1 and getattr(parts[0], "constant", False):
            return parts[0]
        return _data(lambda s: "".join(js_string(part(s)) for part in parts))

    def name(self, text: str, at: int) -> Compiled:
        if text in LITERALS:
            return _constant(LITERALS[text])
        if any(text in scope for scope in self.locals):
            return lambda s: s[text]
        if text in self.names:
            lookup: Compiled = lambda s: s[text]  # noqa: E731
            return _data(lookup) if text in DATA_NAMES else lookup
        if text in GLOBALS:
            value = GLOBALS[text]
            return lambda s: value
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


def _safe_typeof_operand(operand: Compiled, s: Scope) -> Any:
    return operand(s)


def _bind_name(name: str) -> Binder:
    def bind(local: dict[str, Any], value: Any) -> None:
        local[name] = value

    return bind


def _with_default(binder: Binder, default: Compiled | None) -> Binder:
    if default is None:
        return binder

    def bind(local: dict[str, Any], value: Any) -> None:
        binder(local, default(local) if value is UNDEFINED else value)

    return bind


def _key_of(computed: Compiled) -> Compiled:
    def key(s: Scope) -> str:
        value = computed(s)
        name = value if isinstance(value, str) else js_string(value)
        check_member(name)
        return name

    return key


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


def _evaluate_args(args: list[Compiled | _Spread], s: Scope) -> list[Any]:
    values: list[Any] = []
    for arg in args:
        if isinstance(arg, _Spread):
            values.extend(_iterate(arg.value(s)))
            limits.check_length(len(values))
        else:
            values.append(arg(s))
    return values


def _iterate(value: Any) -> list[Any]:
    if isinstance(value, list):
        limits.charge(len(value))
        return value
    if isinstance(value, str):
        limits.charge(len(value))
        return list(value)
    if isinstance(value, ExprObject):
        items = value.expr_call("__iterate__", []) if hasattr(value, "iterate") else None
        if isinstance(items, list):
            return items
    raise type_error(f"{js_string(value)[:30]} is not iterable")


def _constant(value: Any) -> Compiled:
    fn = _data(lambda _s: value)
    fn.constant = True  # type: ignore[attr-defined]
    return fn


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
        fn = lambda s: r if (r := left(s)) is not None and r is not UNDEFINED else right(s)  # noqa: E731
        return _data(fn) if both else fn
    return _data(_operator(op, left, right))


def _operator(op: str, left: Compiled, right: Compiled) -> Compiled:
    """Operators whose result is a number, text or boolean."""
    if op == "+":
        return lambda s: add(left(s), right(s))
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
        return lambda s: _instanceof(left(s), right(s))
    return lambda s: compare(op, left(s), right(s))


def _in(key: Any, obj: Any) -> bool:
    name = key if isinstance(key, str) else js_string(key)
    if isinstance(obj, dict):
        return name in obj
    if isinstance(obj, list):
        return (name.isdigit() and int(name) < len(obj)) or name == "length"
    if isinstance(obj, ExprObject):
        return obj.expr_has(name)
    raise type_error(f"Cannot use 'in' operator to search for '{name}' in {js_string(obj)}")


def _instanceof(value: Any, cls: Any) -> bool:
    from .builtins import instance_of

    return instance_of(value, cls)


def _data(fn: Compiled) -> Compiled:
    """Mark a closure whose result is plain item data, so rendering need not convert it."""
    fn.plain_data = True  # type: ignore[attr-defined]
    return fn


def _is_data(fn: Any) -> bool:
    return getattr(fn, "plain_data", False) is True


def _optional(obj: Compiled) -> Compiled:
    def fn(s: Scope) -> Any:
        value = obj(s)
        if value is None or value is UNDEFINED:
            raise _ShortCircuit
        return value

    return fn


def _chain(node: Compiled) -> Compiled:
    def fn(s: Scope) -> Any:
        try:
            return node(s)
        except _ShortCircuit:
            return UNDEFINED

    return fn


def _member(obj: Compiled, name: str, optional: bool) -> Compiled:
    # The name was checked when parsed; reading an object's key is the common case.
    def fn(s: Scope) -> Any:
        value = obj(s)
        if type(value) is dict:
            return value.get(name, UNDEFINED)
        return get_member(value, name)

    return _data(fn) if _is_data(obj) else fn


def _index(obj: Compiled, key: Compiled) -> Compiled:
    fn: Compiled = lambda s: get_member(obj(s), key(s))  # noqa: E731
    return _data(fn) if _is_data(obj) else fn


def _method_call(obj: Compiled, name: Compiled, args: list[Compiled | _Spread]) -> Compiled:
    if any(isinstance(a, _Spread) for a in args):
        return lambda s: call_method(obj(s), _name(name(s)), _evaluate_args(args, s))
    plain = [a for a in args if not isinstance(a, _Spread)]
    return lambda s: call_method(obj(s), _name(name(s)), [a(s) for a in plain])


def _name(key: Any) -> str:
    name = key if isinstance(key, str) else js_string(key)
    check_member(name)
    return name


def _call(fn: Compiled, args: list[Compiled | _Spread], at: int) -> Compiled:
    def run(s: Scope) -> Any:
        return invoke(fn(s), _evaluate_args(args, s))

    return run


def expression_callable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a host function (such as `$`) as callable from expressions."""
    fn.expression_callable = True  # type: ignore[attr-defined]
    return fn


def parse_expression(code: str, names: frozenset[str]) -> Compiled:
    try:
        return _Parser(code, names).parse()
    except RecursionError:
        raise limits.depth_error() from None
