"""The variables an item's expressions see: $json, $input, $('Node'), $itemIndex, ...

The engine builds one ItemScope per item it resolves parameters for; the run it belongs to is
seen through the RunView protocol (what ran, with which outputs), so this module knows nothing
of how the engine walks the graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from .expressions import (
    ExpressionError,
    ExprObject,
    expression_callable,
    now_value,
    today_value,
)
from .items import Item

SCOPE_NAMES = frozenset(
    {
        "$json",
        "$binary",
        "$itemIndex",
        "$runIndex",
        "$parameter",
        "$",
        "$node",
        "$input",
        "$now",
        "$today",
        "$workflow",
        "$execution",
    }
)


class RunView(Protocol):
    """What an expression may read of the run: the outputs of nodes that already ran."""

    def has_run(self, node: str) -> bool: ...

    def items(self, node: str, output: int = 0) -> list[Item]: ...


class NodeRef(ExprObject):
    """`$('Node Name')` inside an expression."""

    def __init__(self, run: RunView, name: str, current: Item | None) -> None:
        self.run = run
        self.name = name
        self.current = current

    def expr_name(self) -> str:
        return f"$('{self.name}')"

    def _output(self) -> list[Item]:
        if not self.run.has_run(self.name):
            raise ExpressionError(f"node '{self.name}' has not run (yet)")
        return self.run.items(self.name)

    def expr_get(self, name: str) -> Any:
        if name == "item":
            return item_view(self._paired())
        if name == "isExecuted":
            return self.run.has_run(self.name)
        return super().expr_get(name)

    def expr_call(self, name: str, args: list[Any]) -> Any:
        items = self._output()
        if name == "all":
            return [item_view(i) for i in items]
        if name == "first":
            return item_view(items[0]) if items else None
        if name == "last":
            return item_view(items[-1]) if items else None
        if name in ("item", "pairedItem", "itemMatching"):
            return item_view(self._paired())
        return super().expr_call(name, args)

    def _paired(self) -> Item:
        if not self.run.has_run(self.name):
            raise ExpressionError(f"node '{self.name}' has not run (yet)")
        current = self.current
        while current is not None:
            if current.node == self.name:
                return current
            current = current.parent
        raise ExpressionError(f"no item of '{self.name}' is paired with this item")


class InputRef(ExprObject):
    """`$input`: the current node's input items."""

    def __init__(self, items: list[Item], index: int) -> None:
        self.items = items
        self.index = index

    def expr_name(self) -> str:
        return "$input"

    def expr_get(self, name: str) -> Any:
        if name == "item":
            return item_view(self.items[self.index])
        return super().expr_get(name)

    def expr_call(self, name: str, args: list[Any]) -> Any:
        if name == "all":
            return [item_view(i) for i in self.items]
        if name == "first":
            return item_view(self.items[0]) if self.items else None
        if name == "last":
            return item_view(self.items[-1]) if self.items else None
        return super().expr_call(name, args)


def item_view(item: Item) -> dict[str, Any]:
    view: dict[str, Any] = {"json": item.json}
    if item.binary:
        view["binary"] = {
            k: {"mimeType": b.mime_type, "fileName": b.file_name} for k, b in item.binary.items()
        }
    return view


class ItemScope(dict[str, Any]):
    """The variables of one item's expressions; `$`, `$input`, `$binary` are made on first use."""

    def __init__(
        self,
        shared: dict[str, Any],
        run: RunView,
        node_names: frozenset[str],
        items: list[Item],
        index: int,
        item: Item,
    ) -> None:
        super().__init__(shared)
        self["$json"] = item.json
        self["$itemIndex"] = index
        self._lazy = (run, node_names, items, index, item)

    def __missing__(self, key: str) -> Any:
        run, node_names, items, index, item = self._lazy
        value: Any
        if key == "$":

            @expression_callable
            def value(name: Any) -> NodeRef:
                if not isinstance(name, str) or name not in node_names:
                    raise ExpressionError(f"there is no node called {name!r} in this workflow")
                return NodeRef(run, name, item)

        elif key == "$input":
            value = InputRef(items, index)
        elif key == "$binary":
            value = item_view(item).get("binary", {})
        else:
            raise KeyError(key)
        self[key] = value
        return value


def node_scope_factory(
    run: RunView,
    workflow: Any,
    execution_id: str,
    node_name: str,
    node_type: str,
    parameters: dict[str, Any],
    items: list[Item],
    run_index: int = 0,
) -> Callable[[int], dict[str, Any]]:
    """The scope of each item of one node run: shared values made once, item values on call."""
    shared = {
        "$runIndex": run_index,
        "$parameter": parameters,
        "$node": {"name": node_name, "type": node_type},
        "$now": now_value(),
        "$today": today_value(),
        "$workflow": {"name": workflow.name, "id": workflow.id},
        "$execution": {"id": execution_id, "mode": "manual"},
    }
    node_names = frozenset(n.name for n in workflow.nodes)

    def scope(index: int) -> dict[str, Any]:
        item = items[index] if index < len(items) else Item()
        return ItemScope(shared, run, node_names, items, index, item)

    return scope
