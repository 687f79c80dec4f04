"""Sort: orders items by fields (ascending or descending), or shuffles them."""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import cmp_to_key
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import Item
from ..node import ExecutionContext
from .field_paths import field_value
from .js_values import UNDEFINED, is_equal, lodash_lt
from .reshaping import DISABLE_DOT_NOTATION, NESTED_HINT, ReshapingNode, passed

CODE_REFUSAL = (
    "the 'Code' sort type runs JavaScript to compare items, and this runtime has no "
    "JavaScript engine for it - use the 'Simple' type with fields to sort by, or sort in a "
    "Code node where one is available"
)

SORT_TYPE: dict[str, Any] = {
    "displayName": "Type",
    "name": "type",
    "type": "options",
    "default": "simple",
    "options": [
        {"name": "Simple", "value": "simple"},
        {"name": "Random", "value": "random"},
        {"name": "Code", "value": "code"},
    ],
    "description": "By fields, at random, or by JavaScript code (not supported here)",
}
SORT_FIELDS: dict[str, Any] = {
    "displayName": "Fields To Sort By",
    "name": "sortFieldsUi",
    "type": "fixedCollection",
    "typeOptions": {"multipleValues": True},
    "default": {},
    "displayOptions": {"show": {"type": ["simple"]}},
    "options": [
        {
            "displayName": "Sort Field",
            "name": "sortField",
            "values": [
                {
                    "displayName": "Field Name",
                    "name": "fieldName",
                    "type": "string",
                    "default": "",
                    "required": True,
                    "description": "The field to sort by; dots reach into nested objects",
                },
                {
                    "displayName": "Order",
                    "name": "order",
                    "type": "options",
                    "default": "ascending",
                    "options": [
                        {"name": "Ascending", "value": "ascending"},
                        {"name": "Descending", "value": "descending"},
                    ],
                },
            ],
        }
    ],
}
SORT_CODE: dict[str, Any] = {
    "displayName": "Code",
    "name": "code",
    "type": "string",
    "default": "",
    "typeOptions": {"rows": 10, "editor": "jsEditor"},
    "displayOptions": {"show": {"type": ["code"]}},
    "description": "JavaScript comparing items a and b (this runtime refuses the Code type)",
}
SORT_OPTIONS: dict[str, Any] = {
    "displayName": "Options",
    "name": "options",
    "type": "collection",
    "default": {},
    "displayOptions": {"show": {"type": ["simple"]}},
    "options": [DISABLE_DOT_NOTATION],
}


def sort_items(items: list[Item], params: Mapping[str, Any]) -> list[Item]:
    """Sort (or shuffle) as n8n's Sort does; input items keep their pairing."""
    indexed = [passed(item, i) for i, item in enumerate(items)]
    kind = params.get("type")
    if kind == "random":
        random.shuffle(indexed)
        return indexed
    if kind != "simple":
        raise NodeOperationError(CODE_REFUSAL)
    dot = not (params.get("options") or {}).get("disableDotNotation", False)
    fields = (params.get("sortFieldsUi") or {}).get("sortField") or []
    if not fields:
        raise NodeOperationError(
            "No sorting specified. Please add a field to sort by",
            description="add at least one field under 'Fields To Sort By'",
        )
    for field in fields:
        _check_found(items, field.get("fieldName", ""), dot)
    order = [(f.get("fieldName", ""), 1 if f.get("order") == "ascending" else -1) for f in fields]

    def value(item: Item, name: str) -> Any:
        found = field_value(item.json, name, dot)
        return found.lower() if isinstance(found, str) else found

    def compare(a: Item, b: Item) -> int:
        for name, direction in order:
            left, right = value(a, name), value(b, name)
            if not is_equal(left, right):
                return -direction if lodash_lt(left, right) else direction
        return 0

    return sorted(indexed, key=cmp_to_key(compare))


def _check_found(items: list[Item], name: str, dot: bool) -> None:
    if dot:
        found = any(field_value(item.json, name) is not UNDEFINED for item in items)
    else:
        found = any(name in item.json for item in items)
    if found:
        return
    message = f"Couldn't find the field '{name}' in the input data"
    if not dot and "." in name:
        raise NodeOperationError(message, description=NESTED_HINT)
    raise NodeOperationError(
        message, description="no input item has it - check the field name under 'Fields To Sort By'"
    )


class Sort(ReshapingNode):
    """n8n's Sort (v1): simple and random; the JavaScript 'code' type is refused."""

    type_names = ("n8n-nodes-base.sort", "sort")
    needs_all_items: ClassVar[bool] = True
    description_data: ClassVar[dict[str, Any]] = {
        "name": "sort",
        "displayName": "Sort",
        "description": "Changes the order of items",
        "version": 1,
        "group": ["transform"],
        "properties": [SORT_TYPE, SORT_FIELDS, SORT_CODE, SORT_OPTIONS],
    }

    def unsupported(self, parameters: Mapping[str, Any], type_version: float) -> str | None:
        return f"Sort: {CODE_REFUSAL}" if parameters.get("type") == "code" else None

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = self.start(ctx)
        return [sort_items(items, params)]
