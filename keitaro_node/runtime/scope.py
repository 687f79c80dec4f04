"""The variables an item's expressions see: $json, $input, $('Node'), $itemIndex, ...

The engine builds one ItemScope per item it resolves parameters for; the run it belongs to is
seen through the RunView protocol (what ran, with which outputs), so this module knows nothing
of how the engine walks the graph.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from .expressions import (
    UNDEFINED,
    ZONE_KEY,
    ExpressionError,
    ExprObject,
    host_function,
    now_value,
    today_value,
)
from .expressions.luxon.zones import Zone
from .items import Item, paired_items_of
from .timezone import workflow_zone

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
        "$items",
        "$vars",
        "$env",
        "$prevNode",
        ZONE_KEY,
    }
)

# Environment variables that $env never shows, whatever the options: the names of secrets.
_SECRET_HINTS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "PRIVATE")


class RunView(Protocol):
    """What an expression may read of the run: the outputs of nodes that already ran."""

    def has_run(self, node: str) -> bool: ...

    def items(self, node: str, output: int = 0, run: int | None = None) -> list[Item]: ...


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
        if name in ("json", "binary"):  # $node["Name"].json: the first item of its output
            items = self._output()
            return item_view(items[0]).get(name, UNDEFINED) if items else UNDEFINED
        if name == "name":
            return self.name
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

    def expr_plain(self) -> Any:
        return {"name": self.name}

    def _paired(self) -> Item:
        if not self.run.has_run(self.name):
            raise ExpressionError(f"node '{self.name}' has not run (yet)")
        found = paired_items_of(self.current, self.name) if self.current is not None else []
        if len(found) == 1:
            return found[0]
        if not found:
            raise ExpressionError(f"no item of '{self.name}' is paired with this item")
        raise ExpressionError(
            f"Multiple matches: this item comes from {len(found)} items of '{self.name}' "
            f"(it was built from several items) - use $('{self.name}').all() or .first()"
        )


class InputRef(ExprObject):
    """`$input`: the current node's input items."""

    def __init__(self, items: list[Item], index: int, params: Any = None) -> None:
        self.items = items
        self.index = index
        self.params = params if params is not None else {}

    def expr_name(self) -> str:
        return "$input"

    def expr_get(self, name: str) -> Any:
        if name == "item":
            return item_view(self.items[self.index])
        if name == "params":
            return self.params
        if name == "context":
            return {}
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


class NodeOutputs(ExprObject):
    """`$node`: `$node["Name"].json` reads another node's first output item."""

    def __init__(self, run: RunView, node_names: frozenset[str], current: Item) -> None:
        self.run = run
        self.node_names = node_names
        self.current = current

    def expr_name(self) -> str:
        return "$node"

    def expr_get(self, name: str) -> Any:
        if name not in self.node_names:
            raise ExpressionError(
                f"Referenced node doesn't exist: there is no node called {name!r}"
            )
        return NodeRef(self.run, name, self.current)

    def expr_plain(self) -> Any:
        return {}


def environment(expose: bool) -> dict[str, str]:
    """What `$env` shows: nothing unless the engine allows it, and never a secret's name."""
    if not expose:
        return {}
    return {
        name: value
        for name, value in os.environ.items()
        if not any(hint in name.upper() for hint in _SECRET_HINTS)
    }


class _NodeRun:
    """What every item scope of one node run shares: the run, the node names, the items."""

    __slots__ = ("items", "node_names", "run")

    def __init__(self, run: RunView, node_names: frozenset[str], items: list[Item]) -> None:
        self.run = run
        self.node_names = node_names
        self.items = items


class ItemScope(dict[str, Any]):
    """The variables of one item's expressions; `$`, `$input`, `$binary` are made on first use.

    Made for every item, so it is a plain copy of the shared values plus the item's own two;
    what only some expressions read is built in __missing__.
    """

    __slots__ = ("index", "item", "node_run")

    index: int
    item: Item
    node_run: _NodeRun

    @property
    def node_names(self) -> frozenset[str]:
        """The names of the workflow's nodes (what `$('Node')` may name)."""
        return self.node_run.node_names

    def __missing__(self, key: str) -> Any:
        node_run, index, item = self.node_run, self.index, self.item
        run, node_names, items = node_run.run, node_run.node_names, node_run.items
        value: Any
        if key == "$":

            def node(name: Any) -> NodeRef:
                if not isinstance(name, str) or name not in node_names:
                    raise ExpressionError(
                        f"Referenced node doesn't exist: there is no node called {name!r}"
                    )
                return NodeRef(run, name, item)

            value = host_function("$", node)
        elif key == "$input":
            value = InputRef(items, index, self.get("$parameter"))
        elif key == "$binary":
            value = item_view(item).get("binary", {})
        elif key == "$node":
            value = NodeOutputs(run, node_names, item)
        elif key == "$items":

            def node_items(
                name: Any = UNDEFINED, output: Any = 0, run_index: Any = UNDEFINED
            ) -> list[dict[str, Any]]:
                if name is UNDEFINED or name is None:
                    return [item_view(i) for i in items]
                if not isinstance(name, str) or name not in node_names:
                    raise ExpressionError("Referenced node doesn't exist")
                if not run.has_run(name):
                    raise ExpressionError(f"node '{name}' has not run (yet)")
                chosen = None if run_index is UNDEFINED or run_index == -1 else int(run_index)
                return [item_view(i) for i in run.items(name, int(output or 0), chosen)]

            value = host_function("$items", node_items)
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
    options: Mapping[str, Any] | None = None,
    previous_node: str | None = None,
    run_index: int = 0,
    zone: Zone | None = None,
    previous_output: int = 0,
    previous_run: int = 0,
) -> Callable[[int], dict[str, Any]]:
    """The scope of each item of one node run: shared values made once, item values on call.

    `options` are the engine's: `expressionEnv` (bool) lets `$env` show the process
    environment (names that look like secrets are left out); `variables` fill `$vars`.
    The time zone is the workflow's (timezone.workflow_zone), unless `zone` is given.
    `previous_node`, `previous_output` and `previous_run` name the run that fed the node's
    first input (`$prevNode`; undefined for the node a run starts at).
    """
    options = options or {}
    if zone is None:
        zone = workflow_zone(getattr(workflow, "settings", None))
    previous = (
        {"name": previous_node, "outputIndex": previous_output, "runIndex": previous_run}
        if previous_node
        else UNDEFINED
    )
    shared = {  # `$json`, `$itemIndex`, `$node`, `$input`, ... are the item's own (ItemScope)
        "$runIndex": run_index,
        "$parameter": parameters,
        "$now": now_value(zone),
        "$today": today_value(zone),
        "$workflow": {
            "name": workflow.name,
            "id": workflow.id,
            "active": bool(getattr(workflow, "active", False)),
        },
        "$execution": {"id": execution_id, "mode": "manual"},
        "$vars": dict(options.get("variables") or {}),
        "$env": environment(bool(options.get("expressionEnv"))),
        "$prevNode": previous,
        ZONE_KEY: zone,
    }
    node_run = _NodeRun(run, frozenset(n.name for n in workflow.nodes), items)

    def scope(index: int) -> dict[str, Any]:
        item = items[index] if index < len(items) else Item()
        values = ItemScope(shared)
        values["$json"] = item.json
        values["$itemIndex"] = index
        values.node_run = node_run
        values.index = index
        values.item = item
        return values

    return scope
