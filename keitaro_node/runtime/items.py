"""Items: the unit of data that flows between nodes, shaped like n8n's INodeExecutionData."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonObject = dict[str, Any]


@dataclass(slots=True)
class BinaryData:
    """A file carried by an item; `data` holds the raw bytes (not base64) while in memory."""

    data: bytes
    mime_type: str = "application/octet-stream"
    file_name: str | None = None

    def to_json(self) -> JsonObject:
        import base64

        return {
            "data": base64.b64encode(self.data).decode("ascii"),
            "mimeType": self.mime_type,
            "fileName": self.file_name,
            "fileSize": len(self.data),
        }


@dataclass(slots=True)
class PairedItem:
    """Which input item an output item came from (`input` is the node's input index)."""

    item: int
    input: int = 0

    def to_json(self) -> JsonObject:
        return {"item": self.item, "input": self.input}


# One input item, or several (an item built from many: Merge, Aggregate, Summarize), as n8n's
# pairedItem is an object or an array of them
Pairing = PairedItem | list[PairedItem]


@dataclass(slots=True)
class Item:
    """One item: `json` data, optional `binary` files, provenance and an optional error."""

    json: JsonObject = field(default_factory=dict)
    binary: dict[str, BinaryData] | None = None
    paired_item: Pairing | None = None
    error: Exception | None = None
    metadata: JsonObject | None = None
    # Provenance filled in by the engine: the node that produced this item and the input items
    # it was paired with (`parent` the first, `more_parents` the others of a pairedItem list).
    # Used for `$('Node').item` lookups.
    node: str | None = field(default=None, repr=False, compare=False)
    parent: Item | None = field(default=None, repr=False, compare=False)
    more_parents: tuple[Item, ...] = field(default=(), repr=False, compare=False)

    def pairs(self) -> list[PairedItem]:
        """The input items this item came from, as a list (empty when it is not paired)."""
        pair = self.paired_item
        if pair is None:
            return []
        return list(pair) if isinstance(pair, list) else [pair]

    def parents(self) -> tuple[Item, ...]:
        """The input items this item came from, as the engine found them."""
        if self.parent is None:
            return self.more_parents
        return (self.parent, *self.more_parents)

    def to_json(self) -> JsonObject:
        """The item as n8n shows it: `json`, `pairedItem`, and `binary`/`error` when present."""
        out: JsonObject = {"json": self.json}
        if self.binary:
            out["binary"] = {name: b.to_json() for name, b in self.binary.items()}
        pair = self.paired_item
        if isinstance(pair, list):
            out["pairedItem"] = [p.to_json() for p in pair]
        elif pair is not None:
            out["pairedItem"] = pair.to_json()
        if self.error is not None:
            to_json = getattr(self.error, "to_json", None)
            out["error"] = to_json() if callable(to_json) else {"message": str(self.error)}
        if self.metadata:
            out["metadata"] = self.metadata
        return out


def paired_items_of(item: Item, node: str) -> list[Item]:
    """The items of `node` that `item` comes from, followed back through every pairedItem as
    n8n's `$('Node').item` follows them (the search stops at the first item of `node` on each
    path); each item once. One is the answer; none or several fail the lookup in n8n."""
    current: Item | None = item
    while current is not None and not current.more_parents:  # one line of parents: a walk
        if current.node == node:
            return [current]
        current = current.parent
    if current is None:
        return []
    found: list[Item] = []
    seen: set[int] = set()
    todo = [current]
    while todo:
        candidate = todo.pop()
        if id(candidate) in seen:
            continue
        seen.add(id(candidate))
        if candidate.node == node:
            found.append(candidate)
            continue
        todo.extend(reversed(candidate.parents()))
    return found


def items_from_json(values: Any) -> list[Item]:
    """Accept a list of plain objects or of n8n items (`{"json": {...}}`) and return Items."""
    if isinstance(values, dict):
        values = [values]
    if not isinstance(values, list):
        raise ValueError("input items must be a JSON array of objects (or one object)")
    items: list[Item] = []
    for index, value in enumerate(values):
        if not isinstance(value, dict):
            raise ValueError(f"input item {index} is {type(value).__name__}, expected an object")
        if set(value) <= {"json", "binary", "pairedItem"} and isinstance(value.get("json"), dict):
            items.append(Item(json=value["json"]))
        else:
            items.append(Item(json=value))
    return items
