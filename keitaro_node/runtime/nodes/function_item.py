"""Function Item (legacy): JavaScript run once per item, `item` (its json) in and out.

Each item gets a copy of its json as `item`, its binary through getBinaryData() /
setBinaryData(), and its own bindings ($json, $itemIndex, $('Node'), ...); globals the code
creates do not carry over to the next item, as in n8n.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..code.errors import CodeError, js_plain_error
from ..code.javascript import JsEngine
from ..code.outputs import failed_item, log_lines
from ..code.results import to_item
from ..code.world import build_world, js_string_literals, names_nodes_by_value, world_json
from ..items import Item, PairedItem
from ..node import ExecutionContext
from .base import DescribedNode
from .code import code_limits
from .function import _plain, with_line

NO_DATA = "No data got returned. Always an object has to be returned!"


class FunctionItem(DescribedNode):
    """n8n's Function Item node, typeVersion 1."""

    type_names = ("n8n-nodes-base.functionItem", "functionItem")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "functionItem",
        "displayName": "Function Item",
        "description": "Runs JavaScript once per item (legacy: use the Code node)",
        "version": 1,
        "properties": [
            {
                "displayName": "JavaScript Code",
                "name": "functionCode",
                "type": "string",
                "default": "return item;",
                "noDataExpression": True,
                "description": "Gets `item` (the item's json) and returns the new json",
            }
        ],
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Never: each item is mapped on its own."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        code = ctx.get_parameters(0).get("functionCode") or ""
        world = build_world(
            ctx, items, js_string_literals(code), "functionItem", names_nodes_by_value(code)
        )
        out: list[Item] = []
        async with JsEngine(code, world_json(world), code_limits(ctx)) as engine:
            for index in range(len(items)):
                outcome = await engine.run(index, "functionItem")
                log_lines(ctx.logger, ctx.node_name, outcome.logs)
                try:
                    if outcome.error is not None:
                        raise (
                            js_plain_error(outcome.raw_error, index)
                            if outcome.raw_error is not None
                            else _plain(outcome.error)
                        )
                    assert outcome.returned is not None
                    out.append(
                        _item(outcome.returned.kind, outcome.returned.value, outcome.binary, index)
                    )
                except CodeError as error:
                    if ctx.continue_on_fail:
                        out.append(failed_item(error, index))
                        continue
                    raise with_line(error, index) from None
        return [out]


def _item(kind: str, value: Any, binary: Any, index: int) -> Item:
    if kind == "undefined":
        raise CodeError(NO_DATA, item_index=index)
    if not isinstance(value, dict):
        shown = "null" if value is None else kind
        raise CodeError(
            f"Function Item returned {shown}, not an object",
            description="return the item's json as an object, for example `return item;` "
            "(n8n 1.123 would output a non-object as the item's json, which later nodes "
            "cannot read)",
            item_index=index,
        )
    data: dict[str, Any] = {"json": value}
    if isinstance(binary, dict) and binary:
        data["binary"] = binary
    item = to_item(data, index)
    item.paired_item = PairedItem(index)
    return item
