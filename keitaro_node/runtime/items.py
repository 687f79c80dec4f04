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


@dataclass(slots=True)
class Item:
    """One item: `json` data, optional `binary` files, provenance and an optional error."""

    json: JsonObject = field(default_factory=dict)
    binary: dict[str, BinaryData] | None = None
    paired_item: PairedItem | None = None
    error: Exception | None = None
    metadata: JsonObject | None = None
    # Provenance filled in by the engine: the node that produced this item and the input item
    # it was paired with. Used for `$('Node').item` lookups.
    node: str | None = field(default=None, repr=False, compare=False)
    parent: Item | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> JsonObject:
        """The item as n8n shows it: `json`, `pairedItem`, and `binary`/`error` when present."""
        out: JsonObject = {"json": self.json}
        if self.binary:
            out["binary"] = {name: b.to_json() for name, b in self.binary.items()}
        if self.paired_item is not None:
            out["pairedItem"] = self.paired_item.to_json()
        if self.error is not None:
            to_json = getattr(self.error, "to_json", None)
            out["error"] = to_json() if callable(to_json) else {"message": str(self.error)}
        if self.metadata:
            out["metadata"] = self.metadata
        return out


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
