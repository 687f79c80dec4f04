"""Reading members and calling methods: only data and whitelisted methods, never Python.

A call `value.name(args)` goes where n8n sends it: when `name` is one of n8n's extension
methods (`.toInt()`, `.isEmail()`, `.plus()` ...), the extension for the value's type, else
the value's own JavaScript method, else the generic isEmpty/isNotEmpty; other names go to the
value's JavaScript method.
"""

from __future__ import annotations

from typing import Any

from . import limits
from .extensions import EXTENSION_NAMES, extension_for, wrong_type_error
from .natives import native_method
from .regexp import MatchArray
from .values import (
    FORBIDDEN_MEMBERS,
    UNDEFINED,
    ExpressionError,
    ExprObject,
    JsFunction,
    js_string,
    type_error,
)


def check_member(name: str) -> None:
    if name == "constructor":
        raise ExpressionError(
            "Expression contains invalid constructor function call",
            "Constructor override attempt is not allowed due to security concerns",
        )
    if name in FORBIDDEN_MEMBERS or name.startswith("__"):
        raise ExpressionError(f'Cannot access "{name}" due to security concerns')


def _nullish_read(obj: Any, name: str) -> Exception:
    kind = "null" if obj is None else "undefined"
    return type_error(f"Cannot read properties of {kind} (reading '{name}')")


class BoundMethod(ExprObject):
    """A method read without calling it (`[].map`): a function value."""

    def __init__(self, obj: Any, name: str) -> None:
        self.obj = obj
        self.name = name

    def expr_typeof(self) -> str:
        return "function"

    def expr_callable(self) -> bool:
        return True

    def expr_invoke(self, args: list[Any]) -> Any:
        return call_method(self.obj, self.name, args)

    def expr_string(self) -> str:
        return f"function {self.name}() {{ [native code] }}"

    def expr_plain(self) -> Any:
        return None


def get_member(obj: Any, key: Any) -> Any:
    name = key if isinstance(key, str) else js_string(key)
    if type(obj) is dict:
        if name in obj:
            return obj[name]
        check_member(name)
        return UNDEFINED
    check_member(name)
    if obj is None or obj is UNDEFINED:
        raise _nullish_read(obj, name)
    if isinstance(obj, (list, str)):
        if name == "length":
            return len(obj)
        if name.isdigit():
            index = int(name)
            return obj[index] if index < len(obj) else UNDEFINED
        if isinstance(obj, MatchArray) and name in obj.extra:
            return obj.extra[name]
        if native_method(obj, name) is not None:
            return BoundMethod(obj, name)
        return UNDEFINED
    if isinstance(obj, ExprObject):
        return obj.expr_get(name)
    if isinstance(obj, dict):
        return obj.get(name, UNDEFINED)
    if native_method(obj, name) is not None:
        return BoundMethod(obj, name)
    return UNDEFINED


def call_method(obj: Any, name: str, args: list[Any]) -> Any:
    if name in EXTENSION_NAMES:
        extension = extension_for(obj, name)
        if extension is not None:
            return extension(args)
    if type(obj) is dict:
        member = obj.get(name, UNDEFINED)
        if member is not UNDEFINED:
            return invoke(member, args)
    elif isinstance(obj, ExprObject):
        return obj.expr_call(name, args)
    elif obj is None or obj is UNDEFINED:
        if name in EXTENSION_NAMES:
            raise ExpressionError(
                f"{name} can't be used on {js_string(obj)} value",
                f"To ignore this error, add a ? to the variable before this function, "
                f"e.g. my_var?.{name}",
            )
        raise _nullish_read(obj, name)
    method = native_method(obj, name)
    if method is None:
        if name in EXTENSION_NAMES:
            raise wrong_type_error(name)
        raise type_error(f"{_short(obj)}.{name} is not a function")
    try:
        return method(obj, *args)
    except ExpressionError:
        raise
    except RecursionError:
        raise limits.data_depth_error() from None
    except (TypeError, ValueError, IndexError, KeyError, OverflowError) as exc:
        raise type_error(f"{name}(): {exc}") from None


def _short(obj: Any) -> str:
    text = js_string(obj) if not isinstance(obj, dict) else "object"
    return text[:30]


def invoke(target: Any, args: list[Any]) -> Any:
    """`target(args)`: an arrow function or a callable host object (`Math.max`, `$('Node')`)."""
    if isinstance(target, JsFunction):
        return target(*args)
    if isinstance(target, ExprObject) and target.expr_callable():
        limits.charge()
        return target.expr_invoke(args)
    raise type_error(
        f"{_short(target) if target is not UNDEFINED else 'undefined'} is not a function"
    )


def new_instance(target: Any, args: list[Any]) -> Any:
    if isinstance(target, ExprObject):
        return target.expr_new(args)
    raise type_error(f"{js_string(target)[:30]} is not a constructor")
