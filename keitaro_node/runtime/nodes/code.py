"""Code: JavaScript or Python over the items, once for all of them or once per item.

JavaScript runs in an embedded V8 isolate, Python in a separate process (runtime/code/). The
bindings, the checks of what the code returns and the error texts follow n8n 1.123 with task
runners on (its default): see the README's "Code nodes" section for what differs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from ..code.errors import CodeError
from ..code.javascript import JsEngine
from ..code.limits import CodeLimits
from ..code.outputs import assign_paired_items, failed_item, log_lines
from ..code.python_runner import PythonProcess
from ..code.results import (
    JS_WORDS,
    PYTHON_WORDS,
    Returned,
    all_items,
    each_item,
    each_item_js,
    to_item,
)
from ..code.world import (
    build_world,
    js_string_literals,
    names_nodes_by_value,
    python_string_literals,
    world_json,
)
from ..errors import NodeOperationError
from ..items import Item
from ..node import ExecutionContext
from .base import DescribedNode

ALL_ITEMS = "runOnceForAllItems"
EACH_ITEM = "runOnceForEachItem"


class Code(DescribedNode):
    """n8n's Code node, typeVersion 1 (JavaScript) and 2 (JavaScript or Python)."""

    type_names = ("n8n-nodes-base.code", "code")
    description_data: ClassVar[dict[str, Any]] = {
        "name": "code",
        "displayName": "Code",
        "description": "Runs JavaScript or Python over the items",
        "version": [1, 2],
        "properties": [
            {
                "displayName": "Mode",
                "name": "mode",
                "type": "options",
                "noDataExpression": True,
                "default": ALL_ITEMS,
                "options": [
                    {"name": "Run Once for All Items", "value": ALL_ITEMS},
                    {"name": "Run Once for Each Item", "value": EACH_ITEM},
                ],
            },
            {
                "displayName": "Language",
                "name": "language",
                "type": "options",
                "noDataExpression": True,
                "default": "javaScript",
                "displayOptions": {"show": {"@version": [2]}},
                "options": [
                    {"name": "JavaScript", "value": "javaScript"},
                    {"name": "Python (Beta)", "value": "python"},
                    {"name": "Python (Native) (Beta)", "value": "pythonNative"},
                ],
            },
            {
                "displayName": "Language",
                "name": "language",
                "type": "hidden",
                "default": "javaScript",
                "displayOptions": {"show": {"@version": [1]}},
            },
            {
                "displayName": "JavaScript",
                "name": "jsCode",
                "type": "string",
                "default": "",
                "noDataExpression": True,
                "description": "The code; it sees $input, $json, $('Node'), items/item, ...",
                "displayOptions": {"show": {"language": ["javaScript"]}},
            },
            {
                "displayName": "Python",
                "name": "pythonCode",
                "type": "string",
                "default": "",
                "noDataExpression": True,
                "description": "The code; it sees _input, _json, _('Node'), ... (native: _items, _item)",
                "displayOptions": {"show": {"language": ["python", "pythonNative"]}},
            },
        ],
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """True when the node must see every input item at once (Run Once for All Items).

        In Run Once for Each Item mode items map one by one; a streaming run may hand them
        over in chunks (each chunk then starts with fresh JavaScript globals).
        """
        return bool(parameters.get("mode", ALL_ITEMS) != EACH_ITEM)

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = ctx.get_parameters(0)
        mode = params.get("mode") or ALL_ITEMS
        language = (params.get("language") or "javaScript") if ctx.type_version >= 2 else None
        limits = code_limits(ctx)
        if language in (None, "javaScript"):
            return [await _javascript(ctx, items, params.get("jsCode") or "", mode, limits)]
        return [await _python(ctx, items, params.get("pythonCode") or "", mode, language, limits)]


def code_limits(ctx: ExecutionContext) -> CodeLimits:
    try:
        return CodeLimits.from_options(ctx.options)
    except ValueError as exc:
        raise NodeOperationError(str(exc), node_name=ctx.node_name) from None


_EACH_ONLY = re.compile(r"\$input\.(?P<method>first|last|all|itemMatching)")


def check_each_item_code(code: str) -> None:
    """n8n refuses `$input.all()` and its kin in "Run Once for Each Item" JavaScript."""
    match = _EACH_ONLY.search(code)
    if match is None:
        return
    method = match.group("method")
    for number, line in enumerate(code.split("\n"), start=1):
        text = line.lstrip()
        if method in text and not text.startswith(("//", "/*", "*")):
            raise CodeError(
                f"Can't use .{method}() here [line {number}, for item 0]",
                description="this is only available in 'Run Once for All Items' mode",
                line=number,
            )


async def _javascript(
    ctx: ExecutionContext, items: list[Item], code: str, mode: str, limits: CodeLimits
) -> list[Item]:
    each = mode == EACH_ITEM
    if each:
        check_each_item_code(code)
    world = build_world(ctx, items, js_string_literals(code), mode, names_nodes_by_value(code))
    async with JsEngine(code, world_json(world), limits) as engine:
        if not each:
            outcome = await engine.run(0, "all")
            log_lines(ctx.logger, ctx.node_name, outcome.logs)
            if outcome.error is not None:
                if ctx.continue_on_fail:
                    return [failed_item(outcome.error, None)]
                raise outcome.error
            assert outcome.returned is not None
            return _all_items_out(outcome.returned, len(items), JS_WORDS, none_is_empty=True)
        out: list[Item] = []
        for index in range(len(items)):
            outcome = await engine.run(index, "each")
            log_lines(ctx.logger, ctx.node_name, outcome.logs)
            if outcome.error is not None:
                if ctx.continue_on_fail:
                    out.append(failed_item(outcome.error, index))
                    continue
                raise outcome.error
            assert outcome.returned is not None
            data = each_item_js(outcome.returned, index)
            if data is not None:
                out.append(to_item(data, index))
        return out


async def _python(
    ctx: ExecutionContext,
    items: list[Item],
    code: str,
    mode: str,
    language: str,
    limits: CodeLimits,
) -> list[Item]:
    native = language == "pythonNative"
    each = mode == EACH_ITEM
    names = set() if native else python_string_literals(code)
    by_value = not native and names_nodes_by_value(code, language)
    world = build_world(ctx, items, names, mode, by_value)
    async with PythonProcess(code, language, world_json(world), limits) as process:
        if not each:
            outcome = await process.run(0, "all")
            log_lines(ctx.logger, ctx.node_name, outcome.logs)
            if outcome.error is not None:
                if ctx.continue_on_fail:
                    return [failed_item(outcome.error, None)]
                raise outcome.error
            assert outcome.returned is not None
            return _all_items_out(outcome.returned, len(items), PYTHON_WORDS, none_is_empty=native)
        out: list[Item] = []
        for index in range(len(items)):
            outcome = await process.run(index, "each")
            log_lines(ctx.logger, ctx.node_name, outcome.logs)
            if outcome.error is not None:
                if ctx.continue_on_fail:
                    out.append(failed_item(outcome.error, index))
                    continue
                raise outcome.error
            assert outcome.returned is not None
            if native and outcome.returned.kind == "null":
                continue  # native Python: None outputs nothing for the item
            data = each_item(outcome.returned, index, PYTHON_WORDS)
            data["pairedItem"] = {"item": index}
            if "binary" in data and not data["binary"]:
                del data["binary"]
            out.append(to_item(data, index))
        return out


def _all_items_out(
    returned: Returned, input_count: int, words: Any, *, none_is_empty: bool
) -> list[Item]:
    if none_is_empty and returned.kind == "null":
        return []
    out = [to_item(data) for data in all_items(returned, words)]
    return assign_paired_items(out, input_count)
