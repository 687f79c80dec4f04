"""What both versions of the Date & Time node share: raw parameter values, JavaScript numbers.

n8n hands a node the value an expression gives - a JavaScript Date, a number, undefined, an
object - without converting it to the parameter's type, and the node's reading of a date depends
on exactly that (`Number(value)`, `moment(value)`). `raw_value` gives the same; a Luxon DateTime
stays a DateTimeValue here, and each version turns it into the ISO text n8n 1.123's expression
engine hands over.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import NodeOperationError
from ..expressions import (
    UNDEFINED,
    DateTimeValue,
    ExpressionError,
    ExprObject,
    JsDate,
    compile_template,
    is_expression,
)
from ..expressions.luxon.model import LuxonDateTime
from ..expressions.values import js_string, to_number, truthy
from ..items import Item
from ..raw_parameters import RawParameters
from ..scope import SCOPE_NAMES

__all__ = [
    "UNDEFINED",
    "DateTimeValue",
    "JsDate",
    "LuxonDateTime",
    "Skipped",
    "is_whole_number",
    "js_number",
    "js_string",
    "json_number",
    "key_text",
    "raw_value",
    "truthy",
]


class Skipped(Item):
    """Stands for an input item that gives no output item (version 1 skips undefined dates)."""


def raw_value(params: RawParameters, path: str, index: int) -> Any:
    """The parameter's value for item `index` as n8n's getNodeParameter gives it.

    An expression that is one `{{ }}` block keeps what it evaluates to: a DateTime, a
    JavaScript Date, undefined. Other values are read as RawParameters reads them.
    """
    value = params.raw_value(path, UNDEFINED)
    if not (is_expression(value) and "{{" in value):
        return params.get(path, index, UNDEFINED)
    try:
        template = compile_template(value, SCOPE_NAMES)
        if not template.single:
            return template.render(params.scope(index))
        result = template.evaluate(params.scope(index))
    except ExpressionError as exc:
        raise NodeOperationError(
            f"the expression in parameter '{path}' failed: {exc}",
            item_index=index,
            node_name=params.node_name,
        ) from None
    if isinstance(result, ExprObject) and not isinstance(result, (DateTimeValue, JsDate)):
        return result.expr_plain()
    return result


def js_number(value: Any) -> float | int:
    """JavaScript's Number(value), for the values a parameter can hold."""
    if isinstance(value, dict):
        return math.nan
    return to_number(value)


def is_whole_number(value: Any) -> bool:
    """Number.isInteger(value): a JavaScript number (not a boolean) without a fraction."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or (math.isfinite(value) and float(value).is_integer())


def key_text(value: Any) -> str:
    """The property name JavaScript makes of a value (`item.json[value] = ...`)."""
    return js_string(value)


def json_number(value: float | int) -> float | int | None:
    """A number as n8n stores it in JSON: NaN and infinities become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
