"""Loop Over Items (Split in Batches): hands its input out in batches, one batch per run.

The first run keeps the input items in the node's state and sends the first batch on; every
later run (the loop coming back) sends the next batch and, from version 2 on, collects what
came back. When nothing is left, version 1 gives no data (its branch ends), versions 2 and 3
send everything collected on their "done" output. The state (kept items with their place in the input they
came in) lasts for the execution, as n8n's node context does: a node that has finished goes on answering "done" unless `options.reset`
starts it again.

Outputs: version 1 one output; version 2 "loop" then "done"; version 3 "done" then "loop".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from ..items import Item, PairedItem
from ..node import ExecutionContext
from .base import DescribedNode


def _batch_size(default: int, versions: list[int]) -> dict[str, Any]:
    return {
        "displayName": "Batch Size",
        "name": "batchSize",
        "type": "number",
        "typeOptions": {"minValue": 1},
        "default": default,
        "description": "How many items each run hands out",
        "displayOptions": {"show": {"@version": versions}},
    }


class SplitInBatches(DescribedNode):
    """n8n's Loop Over Items / Split In Batches, versions 1, 2 and 3."""

    type_names = ("n8n-nodes-base.splitInBatches",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "splitInBatches",
        "displayName": "Loop Over Items (Split in Batches)",
        "description": "Hands items out in batches, one batch per run of a loop",
        "version": [1, 2, 3],
        "group": ["organization"],
        "outputs": ["main", "main"],
        "properties": [
            {
                "displayName": "Every node already runs once per item; a loop is for batches",
                "name": "splitInBatchesNotice",
                "type": "notice",
                "default": "",
            },
            _batch_size(10, [1, 2]),
            _batch_size(1, [3]),
            {
                "displayName": "Options",
                "name": "options",
                "type": "collection",
                "default": {},
                "options": [
                    {
                        "displayName": "Reset",
                        "name": "reset",
                        "type": "boolean",
                        "default": False,
                        "description": "Start again with this run's input as a new set of items",
                    }
                ],
            },
        ],
    }

    def output_count(self, parameters: Mapping[str, Any], type_version: float) -> int:
        return 1 if type_version < 2 else 2

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Always: the batches are cut from the whole input."""
        return True

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]] | None:
        params = ctx.get_parameters(0)
        size = int(params["batchSize"])  # as JavaScript's splice reads 2.5: 2
        reset = bool((params.get("options") or {}).get("reset"))
        version = ctx.type_version
        state = ctx.node_state
        if "items" not in state or reset:
            state["currentRunIndex"] = 0
            state["maxRunIndex"] = math.ceil(len(items) / size)
            batch = list(items[:size])  # input items: the engine pairs them with the input
            state["items"] = [(item, index) for index, item in enumerate(items)][size:]
            if version >= 2:
                state["processedItems"] = []
        else:
            state["currentRunIndex"] += 1
            kept: list[tuple[Item, int]] = state["items"]
            batch = [_again(item, index) for item, index in kept[:size]]
            state["items"] = kept[size:]
            if version >= 2:
                came_back = [(item, index) for index, item in enumerate(items)]
                state["processedItems"] = [*state["processedItems"], *came_back]
        state["noItemsLeft"] = not state["items"]
        state["done"] = not batch
        if batch:
            if version < 2:
                return [batch]
            return [batch, []] if version < 3 else [[], batch]
        if version < 2:
            return None
        done = [_again(item, index) for item, index in state["processedItems"]]
        return [[], done] if version < 3 else [done, []]


def _again(item: Item, index: int) -> Item:
    """An item kept from an earlier run, handed out again: paired with the item it was, at its
    place in that run's input (n8n's sourceOverwrite)."""
    out = Item(json=item.json, binary=item.binary, paired_item=PairedItem(index))
    out.parent = item
    return out
