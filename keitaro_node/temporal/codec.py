"""Items, errors and node outputs as JSON: what crosses Temporal between workflow and activity.

An item travels as n8n shows it (`json`, `binary` as base64, `pairedItem`, `error`,
`metadata`). Lineage travels only as far as an expression can follow it: `$('Node').item`
walks from the current item up its parents to the item `Node` produced, so a node whose
parameters name other nodes gets, for each input item, the chain of its ancestors up to the
farthest named node (shared ancestors once, in a table); a node that names no other node gets
none. The items of named nodes' last runs travel too (`$('Node').all()`, `.first()`), and
which nodes have run (`.isExecuted`). Output items a node passed on unchanged travel back as
their place in the input (`{"same": [input, index]}`), so the walker sees the very items it
handed out and pairs them as it does locally.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from keitaro_node.runtime.errors import NodeApiError, NodeError, NodeOperationError
from keitaro_node.runtime.items import BinaryData, Item, PairedItem

from .kinds import parameter_texts

JsonDict = dict[str, Any]


# --- errors ----------------------------------------------------------------------------------


def encode_error(error: BaseException) -> JsonDict:
    """An exception as data; node errors keep every field the walker and people read."""
    if isinstance(error, NodeError):
        data: JsonDict = {
            "kind": "api" if isinstance(error, NodeApiError) else "node",
            "type": type(error).__name__,
            "message": error.message,
            "description": error.description,
            "itemIndex": error.item_index,
            "node": error.node_name,
            "retryable": error.retryable,
        }
        if isinstance(error, NodeOperationError):
            data["kind"] = "operation"
        if isinstance(error, NodeApiError):
            data.update(httpCode=error.http_code, attempts=error.attempts, details=error.details)
        return data
    return {"kind": "other", "type": type(error).__name__, "message": str(error)}


def decode_error(data: Mapping[str, Any]) -> Exception:
    kind = data.get("kind")
    common: JsonDict = {
        "description": data.get("description"),
        "item_index": data.get("itemIndex"),
        "node_name": data.get("node"),
        "retryable": bool(data.get("retryable", False)),
    }
    message = str(data.get("message", ""))
    if kind == "api":
        return NodeApiError(
            message,
            http_code=data.get("httpCode"),
            attempts=int(data.get("attempts") or 1),
            details=data.get("details"),
            **common,
        )
    if kind == "operation":
        return NodeOperationError(message, **common)
    if kind == "node":
        return NodeError(message, **common)
    return NodeOperationError(f"unexpected {data.get('type', 'error')}: {message}")


# --- items -----------------------------------------------------------------------------------


def encode_item(item: Item, *, with_node: bool = False) -> JsonDict:
    out: JsonDict = {"json": item.json}
    if item.binary:
        out["binary"] = {
            name: {
                "data": base64.b64encode(b.data).decode("ascii"),
                "mimeType": b.mime_type,
                "fileName": b.file_name,
            }
            for name, b in item.binary.items()
        }
    if item.paired_item is not None:  # [item, input], or a list of them
        pairs = [[p.item, p.input] for p in item.pairs()]
        out["pairedItem"] = pairs if isinstance(item.paired_item, list) else pairs[0]
    if item.error is not None:
        out["error"] = encode_error(item.error)
    if item.metadata:
        out["metadata"] = item.metadata
    if with_node and item.node is not None:
        out["node"] = item.node
    return out


def decode_item(data: Mapping[str, Any]) -> Item:
    binary = data.get("binary")
    pair = data.get("pairedItem")
    error = data.get("error")
    item = Item(
        json=data.get("json") or {},
        binary={
            name: BinaryData(
                base64.b64decode(b["data"]), b.get("mimeType") or "", b.get("fileName")
            )
            for name, b in binary.items()
        }
        if binary
        else None,
        paired_item=_decode_pairing(pair),
        error=decode_error(error) if error is not None else None,
        metadata=data.get("metadata"),
    )
    item.node = data.get("node")
    return item


def _decode_pairing(pair: Any) -> PairedItem | list[PairedItem] | None:
    if pair is None:
        return None
    if pair and isinstance(pair[0], list):
        return [PairedItem(int(p[0]), int(p[1])) for p in pair]
    return PairedItem(int(pair[0]), int(pair[1]))


def encode_items(items: Iterable[Item]) -> list[JsonDict]:
    return [encode_item(i) for i in items]


def decode_items(data: Iterable[Mapping[str, Any]]) -> list[Item]:
    return [decode_item(d) for d in data]


# --- lineage ---------------------------------------------------------------------------------


def encode_inputs(
    inputs: Sequence[Sequence[Item]], wanted: frozenset[str]
) -> tuple[list[list[JsonDict]], list[JsonDict]]:
    """Input groups, and the ancestors expressions may reach (`wanted`: the node names the
    node's parameters mention). Each input item carries `node` and, with lineage, `up`: the
    index of its parent in the table."""
    table: list[JsonDict] = []
    seen: dict[int, int] = {}

    def ancestor(item: Item, still: frozenset[str]) -> int:
        key = id(item)
        if key in seen:
            return seen[key]
        entry: JsonDict = {"node": item.node}
        if item.node in wanted:
            entry.update(encode_item(item))
        index = seen[key] = len(table)
        table.append(entry)
        rest = still - {item.node} if item.node else still
        if item.parent is not None and rest:
            entry["up"] = ancestor(item.parent, rest)
        return index

    groups: list[list[JsonDict]] = []
    for group in inputs:
        encoded: list[JsonDict] = []
        for item in group:
            data = encode_item(item, with_node=True)
            rest = wanted - {item.node} if item.node else wanted
            if rest and item.parent is not None:
                data["up"] = ancestor(item.parent, rest)
            encoded.append(data)
        groups.append(encoded)
    return groups, table


def decode_inputs(
    groups: Sequence[Sequence[Mapping[str, Any]]], table: Sequence[Mapping[str, Any]]
) -> list[list[Item]]:
    """Items with their parents linked again, as the walker had them."""
    built: list[Item | None] = [None] * len(table)

    def ancestor(index: int) -> Item:
        done = built[index]
        if done is not None:
            return done
        entry = table[index]
        item = decode_item(entry) if "json" in entry else Item()
        item.node = entry.get("node")
        built[index] = item
        if "up" in entry:
            item.parent = ancestor(int(entry["up"]))
        return item

    out: list[list[Item]] = []
    for group in groups:
        items: list[Item] = []
        for data in group:
            item = decode_item(data)
            if "up" in data:
                item.parent = ancestor(int(data["up"]))
            items.append(item)
        out.append(items)
    return out


# --- outputs ---------------------------------------------------------------------------------


def encode_outputs(
    outputs: Sequence[Sequence[Item]] | None, inputs: Sequence[Sequence[Item]], offset: int = 0
) -> list[list[JsonDict]] | None:
    """A node's outputs; items it passed on unchanged become their place in the input.

    `offset` is where this chunk starts in the node's whole input: places and pairedItem
    indices are given in the whole input's numbering.
    """
    if outputs is None:
        return None
    places = {id(item): (g, n) for g, group in enumerate(inputs) for n, item in enumerate(group)}
    out: list[list[JsonDict]] = []
    for output in outputs:
        encoded: list[JsonDict] = []
        for item in output:
            place = places.get(id(item))
            if place is not None:
                group, index = place
                encoded.append({"same": [group, index + (offset if group == 0 else 0)]})
                continue
            data = encode_item(item)
            pair = data.get("pairedItem")
            if offset and pair is not None and pair[1] == 0:
                data["pairedItem"] = [pair[0] + offset, 0]
            error = data.get("error")
            if offset and error is not None and error.get("itemIndex") is not None:
                error["itemIndex"] += offset
            encoded.append(data)
        out.append(encoded)
    return out


def decode_outputs(
    data: Sequence[Sequence[Mapping[str, Any]]] | None, inputs: Sequence[Sequence[Item]]
) -> list[list[Item]] | None:
    if data is None:
        return None
    outputs: list[list[Item]] = []
    for output in data:
        items: list[Item] = []
        for entry in output:
            same = entry.get("same")
            if same is not None:
                items.append(inputs[int(same[0])][int(same[1])])
            else:
                items.append(decode_item(entry))
        outputs.append(items)
    return outputs


def mentioned_nodes(parameters: Any, names: Iterable[str], own: str) -> frozenset[str]:
    """Names of other nodes that appear anywhere in a node's parameter texts.

    Generous on purpose (a name inside any text counts): shipping a node's items that no
    expression reads costs bytes, missing one would fail the expression.
    """
    joined = "\n".join(parameter_texts(parameters))
    if not joined:
        return frozenset()
    return frozenset(name for name in names if name != own and name in joined)
