"""Functions shared by the plain CRUD resources (offers, landings, networks, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import NotFound
from .store import Row, Store, now

ID = r"{id:\d{1,18}}"


def fetch(store: Store, table: str, model: str, ident: int, *, listed: bool = False) -> Row:
    """The row, or a 404 worded after ``model``; ``listed`` also hides archived rows."""
    row = store.get(table, ident)
    if row is None or (listed and row.get("state") == "deleted"):
        raise NotFound(model, ident)
    return row


def copy_row(store: Store, table: str, row: Mapping[str, Any], **changes: Any) -> int:
    """Insert a copy of ``row`` (new id, fresh timestamps) with ``changes`` applied."""
    ts = now()
    values = {k: v for k, v in row.items() if k != "id"}
    if "created_at" in values:
        values["created_at"] = ts
    if "updated_at" in values:
        values["updated_at"] = ts
    values.update(changes)
    return store.insert(table, values)


def set_state(store: Store, table: str, ident: int, state: str) -> None:
    store.execute(
        f"UPDATE {table} SET state = ?, updated_at = ? WHERE id = ?", (state, now(), ident)
    )
