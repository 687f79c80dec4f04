"""pairedItem: how output items are tied to input items, and how lookups follow the ties."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from support import chain, node, run

from keitaro_node.app import default_plugins
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.items import Item, PairedItem, paired_items_of
from keitaro_node.runtime.node import ExecutionContext
from keitaro_node.runtime.nodes.base import DescribedNode
from keitaro_node.runtime.plugins import PluginHost, hookimpl


class Fresh(DescribedNode):
    """Returns `count` new items without pairing them (-1: as many as came in)."""

    type_names = ("test.fresh",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "fresh",
        "displayName": "Fresh",
        "description": "New, unpaired items",
        "version": 1,
        "properties": [{"displayName": "Count", "name": "count", "type": "number", "default": -1}],
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        count = int(ctx.get_parameters(0)["count"])
        return [[Item(json={"k": k}) for k in range(len(items) if count < 0 else count)]]


class _Plugin:
    @hookimpl
    def register_node_types(self, register: Any) -> None:
        register(Fresh())


def host() -> PluginHost:
    return PluginHost([*default_plugins(), _Plugin()], load_entry_points=False)


def lookup(expression: str) -> dict[str, Any]:
    assignment = {"id": "a", "name": "from", "value": expression, "type": "string"}
    parameters = {"assignments": {"assignments": [assignment]}, "includeOtherFields": True}
    return node("Lookup", "n8n-nodes-base.set", parameters, typeVersion=3.4)


@pytest.mark.parametrize(
    ("count", "start", "expected"),
    [(-1, [{"n": "a"}, {"n": "b"}], ["a", "b"]), (3, [{"n": "a"}], ["a", "a", "a"])],
)
async def test_unpaired_items_are_paired_as_n8ns_engine_pairs_them(
    count: int, start: list[dict[str, Any]], expected: list[str]
) -> None:
    # by position when as many items came out as went in; with the only input item otherwise
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Fresh", "test.fresh", {"count": count}),
        lookup("={{ $('Start').item.json.n }}"),
    )
    result = await run(workflow, start, host=host())
    assert [item.json["from"] for item in result.items("Lookup")] == expected


async def test_items_that_cannot_be_paired_stay_unpaired() -> None:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Fresh", "test.fresh", {"count": 3}),
        lookup("={{ $('Start').item.json.n }}"),
    )
    with pytest.raises(WorkflowError, match="no item of 'Start' is paired with this item"):
        await run(workflow, [{"n": "a"}, {"n": "b"}], host=host())


def test_a_lookup_follows_every_pair_and_counts_distinct_matches() -> None:
    start = [Item(json={"n": n}, node="Start") for n in (1, 2)]
    left = Item(json={}, node="Left", parent=start[0])
    right = Item(json={}, node="Right", parent=start[0])
    other = Item(json={}, node="Other")
    both = Item(json={}, paired_item=[PairedItem(0), PairedItem(0, 1)], node="Merge")
    both.parent, both.more_parents = left, (right,)
    assert paired_items_of(both, "Start") == [start[0]]  # two paths, one item
    assert paired_items_of(both, "Right") == [right]
    unrelated = Item(json={}, node="Merge", parent=other, more_parents=(right,))
    assert paired_items_of(unrelated, "Start") == [start[0]]  # the first path finds nothing
    spread = Item(json={}, node="Aggregate", parent=start[0], more_parents=(start[1],))
    assert paired_items_of(spread, "Start") == start
    assert both.to_json()["pairedItem"] == [{"item": 0, "input": 0}, {"item": 0, "input": 1}]
