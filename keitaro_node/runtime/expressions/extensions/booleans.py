"""Boolean extensions."""

from __future__ import annotations

from typing import Any

from ..values import UNDEFINED

BOOLEAN_EXTENSIONS: dict[str, Any] = {
    "toBoolean": lambda b, _a: b,
    "toInt": lambda b, _a: 1 if b else 0,
    "toFloat": lambda b, _a: 1 if b else 0,
    "toNumber": lambda b, _a: 1 if b else 0,
    "toDateTime": lambda b, _a: UNDEFINED,
}
