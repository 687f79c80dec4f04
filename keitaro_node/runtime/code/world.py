"""The data a Code node's code may read, gathered once per node run and sent as JSON.

The engines cannot call back into the run while code executes, so everything the bindings
give - the input items, the items of nodes named in the code (`$('Node')`), which of their
items each input item is paired with, and facts about the node, workflow and execution - is
collected here first, as n8n's task runner asks for the data its code needs before it runs.
A node is included when its name appears in the code as a string literal; code that names
nodes with other values (`$(name)`) gets every node of the workflow.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..expressions import ExpressionError
from ..items import Item, paired_items_of
from ..node import ExecutionContext

_JS_STRING = re.compile(
    r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"|`((?:[^`\\$]|\\.|\$(?!\{))*)`"
)


def js_string_literals(code: str) -> set[str]:
    """String literals of JavaScript code (without `${}` parts), escapes resolved simply."""
    found: set[str] = set()
    for match in _JS_STRING.finditer(code):
        raw = next(g for g in match.groups() if g is not None)
        try:
            found.add(json.loads('"' + raw.replace('"', '\\"').replace("\\'", "'") + '"'))
        except json.JSONDecodeError:
            found.add(raw)
    return found


# `$('Node')`, `$items(...)`, `$node[...]` with something else than a string literal inside
_JS_NODE_BY_VALUE = re.compile(r"\$(?:items)?\(\s*(?![\s'\"`)])|\$node\[\s*(?!['\"`])")
_PY_NODE_BY_VALUE = re.compile(
    r"(?<![\w.])_(?:items)?\(\s*(?![\s'\")])|(?<![\w.])_node\[\s*(?!['\"])"
)


def names_nodes_by_value(code: str, language: str = "javaScript") -> bool:
    """Whether the code names a node with something else than a string literal, as in
    `$(name)`: the world must then hold every node that ran."""
    pattern = _PY_NODE_BY_VALUE if language.startswith("python") else _JS_NODE_BY_VALUE
    return pattern.search(code) is not None


def python_string_literals(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return js_string_literals(code)
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def item_view(item: Item) -> dict[str, Any]:
    """An item as n8n's code sees it: json, pairedItem, binary with base64 data."""
    view: dict[str, Any] = {"json": item.json}
    if item.binary:
        view["binary"] = {name: b.to_json() for name, b in item.binary.items()}
    if item.paired_item is not None:
        view["pairedItem"] = item.to_json()["pairedItem"]
    return view


def _input_view(item: Item, index: int) -> dict[str, Any]:
    """An input item as the node gets it: n8n pairs each with its own input position."""
    view = item_view(item)
    view["pairedItem"] = {"item": index}
    return view


def build_world(
    ctx: ExecutionContext,
    items: list[Item],
    names: Iterable[str],
    mode: str,
    every_node: bool = False,
) -> dict[str, Any]:
    """Everything the bindings need, for the given input items and referenced names (and
    every node of the workflow, with `every_node`)."""
    scope = ctx.scope_factory(0)
    wanted = set(names)
    if every_node:
        wanted.update(getattr(scope, "node_names", ()))
    nodes: dict[str, Any] = {}
    for name in sorted(wanted):
        entry = _node_entry(scope, name, items)
        if entry is not None:
            nodes[name] = entry
    return {
        "mode": mode,
        "input": [_input_view(item, index) for index, item in enumerate(items)],
        "nodes": nodes,
        "node": _plain(scope.get("$node")) or {"name": ctx.node_name},
        "workflow": {"active": False, **(_plain(scope.get("$workflow")) or {})},
        "execution": _plain(scope.get("$execution")) or {},
        "runIndex": _plain(scope.get("$runIndex")) or 0,
        "parameter": _plain(scope.get("$parameter")) or {},
        "prevNode": _plain(scope.get("$prevNode")) or None,
    }


def _node_entry(scope: Mapping[str, Any], name: str, items: list[Item]) -> dict[str, Any] | None:
    try:
        finder = scope["$"]  # made on first use: .get() would not make it
    except KeyError:
        return None
    if not callable(finder):
        return None
    try:
        ref = finder(name)
    except ExpressionError:
        return None  # not a node of this workflow: just a string in the code
    run = getattr(ref, "run", None)
    if run is None or not run.has_run(name):
        return {"executed": False, "items": [], "pairs": []}
    produced: list[Item] = run.items(name)
    position = {id(item): index for index, item in enumerate(produced)}
    pairs: list[int | None] = []  # -1: several items of the node (n8n: multiple matches)
    for item in items:
        found = paired_items_of(item, name)
        pairs.append(position.get(id(found[0])) if len(found) == 1 else -1 if found else None)
    return {"executed": True, "items": [item_view(i) for i in produced], "pairs": pairs}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return None


def world_json(world: dict[str, Any]) -> str:
    """JSON text of the world; NaN and infinities (not JSON) become null."""
    try:
        return json.dumps(world, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(_finite(world), ensure_ascii=False, separators=(",", ":"))
    except TypeError:
        return json.dumps(world, ensure_ascii=False, default=str, separators=(",", ":"))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
