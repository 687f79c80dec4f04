"""Function (legacy): JavaScript run once over all items, `items` in and items out.

n8n replaced it by the Code node but still runs workflows that have it. The code sees `items`
(copies of the input items, each with its `index`), `$item(i)` for another item's bindings, and
the first item's bindings ($json, $('Node'), ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..code.errors import CodeError, js_plain_error
from ..code.javascript import JsEngine
from ..code.outputs import assign_paired_items, failed_item, log_lines
from ..code.results import Returned, normalize_items, to_item
from ..code.world import build_world, js_string_literals, names_nodes_by_value, world_json
from ..items import Item
from ..node import ExecutionContext
from .base import DescribedNode
from .code import code_limits

NO_DATA = "No data got returned. Always return an Array of items!"
NOT_ARRAY = "Always an Array of items has to be returned!"
NO_JSON = 'All returned items have to contain a property named "json"!'
JSON_NOT_OBJECT = "The json-property has to be an object!"
BINARY_NOT_OBJECT = "The binary-property has to be an object!"


class Function(DescribedNode):
    """n8n's Function node, typeVersion 1."""

    type_names = ("n8n-nodes-base.function", "function")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "function",
        "displayName": "Function",
        "description": "Runs JavaScript once over all items (legacy: use the Code node)",
        "version": 1,
        "properties": [
            {
                "displayName": "JavaScript Code",
                "name": "functionCode",
                "type": "string",
                "default": "return items;",
                "noDataExpression": True,
                "description": "Gets `items` and returns the output items",
            }
        ],
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Always: the code gets every item at once."""
        return True

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        code = ctx.get_parameters(0).get("functionCode") or ""
        world = build_world(
            ctx, items, js_string_literals(code), "function", names_nodes_by_value(code)
        )
        async with JsEngine(code, world_json(world), code_limits(ctx)) as engine:
            outcome = await engine.run(0, "function")
        log_lines(ctx.logger, ctx.node_name, outcome.logs)
        try:
            if outcome.error is not None:
                raise (
                    js_plain_error(outcome.raw_error, None)
                    if outcome.raw_error is not None
                    else _plain(outcome.error)
                )
            assert outcome.returned is not None
            out = [to_item(data) for data in function_items(outcome.returned)]
        except CodeError as error:
            if ctx.continue_on_fail:
                return [[failed_item(error, None)]]
            raise with_line(error, None) from None
        return [assign_paired_items(out, len(items))]


def function_items(returned: Returned) -> list[dict[str, Any]]:
    """The Function node's checks of what its code returned."""
    value = returned.value
    if returned.kind in ("undefined", "null"):
        raise CodeError(NO_DATA)
    if returned.kind == "array":
        if not all(isinstance(entry, dict) for entry in value):
            raise CodeError(NO_JSON)
    elif returned.kind != "object" or not isinstance(value, dict):
        raise CodeError(NOT_ARRAY)
    items = normalize_items(value)
    for item in items:
        if "json" not in item:
            raise CodeError(NO_JSON)
        if not isinstance(item["json"], dict):
            raise CodeError(JSON_NOT_OBJECT)
        if "binary" in item and not isinstance(item["binary"], dict):
            raise CodeError(BINARY_NOT_OBJECT)
    return items


def with_line(error: CodeError, index: int | None) -> CodeError:
    """The error as n8n's legacy nodes raise it: `[Line N]` and `Item Index` appended."""
    parts = []
    if error.line is not None:
        parts.append(f"Line {error.line}")
    if index is not None:
        parts.append(f"Item Index: {index}")
    suffix = f" [{' | '.join(parts)}]" if parts else ""
    return CodeError(
        error.message.rstrip() + suffix,
        description=error.description,
        item_index=index if index is not None else error.item_index,
        line=error.line,
    )


def _plain(error: CodeError) -> CodeError:
    """A syntax error or a limit: the message without the Code node's trailing space."""
    return CodeError(
        error.message.rstrip(),
        description=error.description,
        item_index=error.item_index,
        line=error.line,
    )
