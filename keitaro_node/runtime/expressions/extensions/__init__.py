"""n8n's extension methods (`.toInt()`, `.isEmail()`, `.plus(1, 'day')` ...) by value type.

Dispatch follows n8n: the extension for the value's type first, then the value's own
JavaScript method, then the generic isEmpty/isNotEmpty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from ..dates import JsDate, parse_any
from ..natives import native_method
from ..values import UNDEFINED, ExpressionError, ExprObject, is_number, js_string
from .arrays import ARRAY_EXTENSIONS
from .booleans import BOOLEAN_EXTENSIONS
from .dates import DATE_EXTENSIONS, IsoText, is_date_value
from .numbers import NUMBER_EXTENSIONS
from .objects import OBJECT_EXTENSIONS
from .strings import STRING_EXTENSIONS

Extension = Callable[[Any, list[Any]], Any]

_BY_TYPE: list[tuple[str, dict[str, Extension]]] = [
    ("Array", ARRAY_EXTENSIONS),
    ("Date", DATE_EXTENSIONS),
    ("Number", NUMBER_EXTENSIONS),
    ("Object", OBJECT_EXTENSIONS),
    ("String", STRING_EXTENSIONS),
    ("Boolean", BOOLEAN_EXTENSIONS),
]

_GENERIC: dict[str, Extension] = {
    "isEmpty": lambda value, _args: value is None or value is UNDEFINED or not value,
    "isNotEmpty": lambda value, _args: not (value is None or value is UNDEFINED or not value),
}

EXTENSION_NAMES = frozenset(name for _, table in _BY_TYPE for name in table) | frozenset(_GENERIC)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.\d{3}Z")


def _table_for(value: Any, name: str) -> tuple[Any, dict[str, Extension] | None]:
    if isinstance(value, list):
        return value, ARRAY_EXTENSIONS
    if isinstance(value, str):
        if name not in ("toDate", "toDateTime") and _ISO_DATE.search(value):
            parsed = parse_any(value)
            if parsed.is_valid and js_string(JsDate(parsed.ms).iso()) == value:
                # n8n picks the date extension but hands it the text, which Luxon reads as
                # an invalid date
                return IsoText(math.nan), DATE_EXTENSIONS
        return value, STRING_EXTENSIONS
    if isinstance(value, bool):
        return value, BOOLEAN_EXTENSIONS
    if is_number(value):
        return value, NUMBER_EXTENSIONS
    if is_date_value(value):
        return value, DATE_EXTENSIONS
    if isinstance(value, (dict, ExprObject)):
        return value, OBJECT_EXTENSIONS
    return value, None


def extension_for(value: Any, name: str) -> Callable[[list[Any]], Any] | None:
    """The extension `value.name(...)` calls, or None when the value's own method applies."""
    if isinstance(value, ExprObject) and not is_date_value(value):
        return None
    target, table = _table_for(value, name)
    function = table.get(name) if table is not None else None
    if function is None:
        if value is not None and value is not UNDEFINED and _has_native_method(value, name):
            return None
        function = _GENERIC.get(name)
    if function is None:
        if value is None or value is UNDEFINED:
            raise ExpressionError(
                f"{name} can't be used on {js_string(value)} value",
                f"To ignore this error, add a ? to the variable before this function, "
                f"e.g. my_var?.{name}",
            )
        raise wrong_type_error(name)
    bound = function
    return lambda args: bound(target, args)


def _has_native_method(value: Any, name: str) -> bool:
    """Whether the value's own JavaScript method answers (dates have only their extensions)."""
    return not isinstance(value, ExprObject) and native_method(value, name) is not None


def wrong_type_error(name: str) -> ExpressionError:
    types = [type_name for type_name, table in _BY_TYPE if name in table]
    if len(types) > 1:
        listed = ", ".join(f'"{t}"' for t in types[:-1])
        return ExpressionError(f'{name}() is only callable on types {listed}, and "{types[-1]}"')
    if types:
        return ExpressionError(f'{name}() is only callable on type "{types[0]}"')
    return ExpressionError(f"Unknown expression function: {name}")


__all__ = ["EXTENSION_NAMES", "extension_for", "wrong_type_error"]
