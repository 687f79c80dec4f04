"""Flows (streams): storage, the PUT semantics of their nested arrays, and positions.

Positions are contiguous (1..n) inside each (campaign, type) group of non-archived flows.
Rather than renumbering neighbours on every insert, listed flows carry a sparse ordering
key ``rank`` and their position is derived on read (1 + flows ranked before them), so
creating a flow at any position stays cheap when a campaign holds thousands of them.
Archived flows have no rank and keep their last position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .catalogues import ACTION_KEYS, FILTER_ALIASES
from .coerce import (
    BOOL,
    FLOAT,
    INT,
    INT_N,
    JSON,
    STR,
    Errors,
    Field,
    convert,
    enum,
    label,
    list_of_objects,
    read_fields,
    require,
)
from .errors import NotFound
from .store import Row, Store, dump_json, load_json, now

TYPES = ("forced", "regular", "default")
SCHEMAS = ("landings", "redirect", "action")
STATES = ("active", "disabled", "deleted")
TYPE_ORDER_SQL = "CASE type WHEN 'forced' THEN 0 WHEN 'regular' THEN 1 ELSE 2 END"

STREAM_FIELDS: dict[str, Field] = {
    "campaign_id": INT,
    "type": enum(*TYPES),
    "name": STR,
    "position": INT,
    "weight": FLOAT,
    "action_options": JSON,
    "comments": STR,
    "state": enum(*STATES),
    "action_type": STR,
    "action_payload": JSON,
    "schema": enum(*SCHEMAS),
    "collect_clicks": BOOL,
    "filter_or": BOOL,
}

TRIGGER_FIELDS: dict[str, Field] = {
    "id": INT_N,
    "condition": enum("not_respond", "always", "not_contains", "av_detected"),
    "target": enum("stream", "landings", "offers", "selected_page"),
    "action": enum("disable", "replace_url", "grab_from_page"),
    "selected_page": STR,
    "pattern": STR,
    "interval": INT,
    "alternative_urls": STR,
    "grab_from_page": STR,
    "av_settings": STR,
    "reverse": BOOL,
    "scan_page": BOOL,
    "enabled": BOOL,
}

SHARE_FIELDS: dict[str, Field] = {"share": INT, "state": enum("active", "disabled")}

_EVENT_TEXT = {
    "active": "Flow enabled",
    "disabled": "Flow disabled",
    "deleted": "Flow moved to archive",
}


def number(value: float) -> int | float:
    """Integral floats as ints, as PHP's JSON encoder prints them."""
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------- reading


def _filter_out(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "stream_id": row["stream_id"],
        "name": row["name"],
        "mode": row["mode"],
        "payload": load_json(row["payload"]),
        "oid": str(row["ordinal"]),
    }


def _trigger_out(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "oid": row["ordinal"],
        "stream_id": row["stream_id"],
        "taget": row["target"],
        "condition": row["condition"],
        "selected_page": row["selected_page"],
        "pattern": row["pattern"],
        "action": row["action"],
        "interval": row["interval"],
        "next_run_at": row["next_run_at"],
        "alternative_urls": row["alternative_urls"],
        "grab_from_page": row["grab_from_page"],
        "av_settings": row["av_settings"],
        "reverse": bool(row["reverse"]),
        "enabled": bool(row["enabled"]),
        "scan_page": bool(row["scan_page"]),
    }


def _share_out(row: Row, key: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "stream_id": row["stream_id"],
        key: row[key],
        "state": row["state"],
        "share": row["share"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def stream_out(
    row: Row,
    position: int,
    filters: Sequence[Row] = (),
    triggers: Sequence[Row] = (),
    landings: Sequence[Row] = (),
    offers: Sequence[Row] = (),
) -> dict[str, Any]:
    return {
        "id": row["id"],
        "type": row["type"],
        "name": row["name"],
        "campaign_id": row["campaign_id"],
        "position": position,
        "weight": number(row["weight"]),
        "action_options": load_json(row["action_options"]),
        "comments": row["comments"],
        "state": row["state"],
        "updated_at": row["updated_at"],
        "action_type": row["action_type"],
        "action_payload": load_json(row["action_payload"], ""),
        "schema": row["schema"],
        "collect_clicks": bool(row["collect_clicks"]),
        "filter_or": bool(row["filter_or"]),
        "filters": [_filter_out(r) for r in filters],
        "triggers": [_trigger_out(r) for r in triggers],
        "landings": [_share_out(r, "landing_id") for r in landings],
        "offers": [_share_out(r, "offer_id") for r in offers],
    }


def load_streams(
    store: Store,
    where: str,
    params: Sequence[Any] = (),
    order: str = "id",
    *,
    whole_groups: bool = False,
) -> list[dict[str, Any]]:
    """Flows matching ``where`` with their nested arrays, in ``order``.

    ``whole_groups`` promises that the rows hold every listed flow of their groups in rank
    order, so positions can be counted off instead of queried one by one.
    """
    rows = store.all(f"SELECT * FROM streams WHERE {where} ORDER BY {order}", params)
    if not rows:
        return []
    if len(rows) == 1:
        sub, sub_params = "stream_id = ?", (rows[0]["id"],)
    else:
        sub, sub_params = f"stream_id IN (SELECT id FROM streams WHERE {where})", tuple(params)
    nested: dict[str, dict[int, list[Row]]] = {}
    for table, order_by in (
        ("stream_filters", "ordinal, id"),
        ("stream_triggers", "ordinal, id"),
        ("stream_landings", "id"),
        ("stream_offers", "id"),
    ):
        groups: dict[int, list[Row]] = {}
        for r in store.all(f"SELECT * FROM {table} WHERE {sub} ORDER BY {order_by}", sub_params):
            groups.setdefault(r["stream_id"], []).append(r)
        nested[table] = groups
    if whole_groups:
        seen: dict[tuple[int, str], int] = {}
        positions = []
        for row in rows:
            key = (row["campaign_id"], row["type"])
            seen[key] = seen.get(key, 0) + 1
            positions.append(seen[key])
    else:
        positions = [position_of(store, row) for row in rows]
    return [
        stream_out(
            row,
            position,
            nested["stream_filters"].get(row["id"], ()),
            nested["stream_triggers"].get(row["id"], ()),
            nested["stream_landings"].get(row["id"], ()),
            nested["stream_offers"].get(row["id"], ()),
        )
        for row, position in zip(rows, positions, strict=True)
    ]


def get_stream(store: Store, stream_id: int) -> dict[str, Any]:
    found = load_streams(store, "id = ?", (stream_id,))
    if not found:
        raise NotFound("Stream", stream_id)
    return found[0]


def campaign_streams(store: Store, campaign_id: int) -> list[dict[str, Any]]:
    """Non-archived flows of a campaign in evaluation order: forced, regular, default."""
    return load_streams(
        store,
        "campaign_id = ? AND rank IS NOT NULL",
        (campaign_id,),
        f"{TYPE_ORDER_SQL}, rank, id",
        whole_groups=True,
    )


# ---------------------------------------------------------------- validation


def _read_filters(body: Mapping[str, Any], errors: Errors) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(list_of_objects(body, "filters", errors), 1):
        name = item.get("name")
        if isinstance(name, str):
            name = FILTER_ALIASES.get(name, name)
        if not name:
            errors.add("filters", f"Filter #{i}: name is required")
            continue
        # An unknown name (such as "geo") is stored and never matches: trackers accept it
        # silently (BEHAVIOUR.md §3.3), which is why the client checks names itself.
        mode = item.get("mode", "accept" if name == "limit" else None)
        if mode not in ("accept", "reject"):
            errors.add("filters", f"Filter #{i}: mode must be accept or reject")
            continue
        fid = item.get("id")
        out.append(
            {
                "id": fid if isinstance(fid, int) and not isinstance(fid, bool) else None,
                "name": name,
                "mode": mode,
                "payload": dump_json(item.get("payload", [])),
            }
        )
    return out


def _read_triggers(body: Mapping[str, Any], errors: Errors) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(list_of_objects(body, "triggers", errors), 1):
        sub = Errors()
        require(item, sub, "condition", "action", "target")
        values = read_fields(item, TRIGGER_FIELDS, sub)
        for field, messages in sub.fields.items():
            for message in messages:
                errors.add("triggers", f"Trigger #{i}: {field}: {message}")
        if not sub:
            out.append(values)
    return out


def _read_shares(body: Mapping[str, Any], field: str, key: str, errors: Errors) -> list[Row]:
    out = []
    for i, item in enumerate(list_of_objects(body, field, errors), 1):
        sub = Errors()
        require(item, sub, key, "share")
        ref = convert(key, item.get(key), INT, sub) if key in item else None
        values = read_fields(item, SHARE_FIELDS, sub)
        if sub:
            for messages in sub.fields.values():
                for message in messages:
                    errors.add(field, f"Item #{i}: {message}")
            continue
        out.append({key: ref, "share": values["share"], "state": values.get("state", "active")})
    return out


# ---------------------------------------------------------------- positions

_GROUP = "campaign_id = ? AND type = ? AND rank IS NOT NULL AND id != ?"


def position_of(store: Store, row: Row) -> int:
    if row["rank"] is None:
        return int(row["position"])
    before = store.scalar(
        "SELECT COUNT(*) FROM streams WHERE campaign_id = ? AND type = ? AND rank < ?",
        (row["campaign_id"], row["type"], row["rank"]),
    )
    return 1 + int(before)


def _edge_rank(store: Store, campaign_id: int, kind: str, exclude: int, last: bool) -> Any:
    order = "DESC" if last else "ASC"
    return store.scalar(
        f"SELECT rank FROM streams WHERE {_GROUP} ORDER BY rank {order} LIMIT 1",
        (campaign_id, kind, exclude),
    )


def _rank_for(store: Store, campaign_id: int, kind: str, wanted: int | None, exclude: int) -> float:
    """Ordering key that puts a flow at position ``wanted`` (None or too big = last)."""
    if wanted is not None and wanted <= 1:
        first = _edge_rank(store, campaign_id, kind, exclude, last=False)
        return 1.0 if first is None else float(first) - 1.0
    if wanted is not None:
        pair = [
            float(r["rank"])
            for r in store.all(
                f"SELECT rank FROM streams WHERE {_GROUP} ORDER BY rank LIMIT 2 OFFSET ?",
                (campaign_id, kind, exclude, wanted - 2),
            )
        ]
        if len(pair) == 2:
            low, high = pair
            middle = (low + high) / 2
            if low < middle < high:
                return middle
            _respace(store, campaign_id, kind)
            return _rank_for(store, campaign_id, kind, wanted, exclude)
    last = _edge_rank(store, campaign_id, kind, exclude, last=True)
    return 1.0 if last is None else float(last) + 1.0


def _respace(store: Store, campaign_id: int, kind: str) -> None:
    """Spread ranks out again once repeated midpoints exhaust float precision."""
    rows = store.all(
        "SELECT id FROM streams WHERE campaign_id = ? AND type = ? AND rank IS NOT NULL "
        "ORDER BY rank, id",
        (campaign_id, kind),
    )
    store.executemany(
        "UPDATE streams SET rank = ? WHERE id = ?",
        [(float(i), r["id"]) for i, r in enumerate(rows, 1)],
    )


# ---------------------------------------------------------------- writing


def _check_campaign(store: Store, campaign_id: int) -> None:
    state = store.scalar("SELECT state FROM campaigns WHERE id = ?", (campaign_id,))
    if state is None or state == "deleted":
        raise NotFound("Campaign", campaign_id)


def _sync_shares(
    store: Store, table: str, key: str, stream_id: int, items: Sequence[Row], ts: str
) -> None:
    """Replace the flow's rows by ``items``; rows matched by ``key`` keep id and created_at."""
    existing = {
        r[key]: r["id"]
        for r in store.all(f"SELECT id, {key} FROM {table} WHERE stream_id = ?", (stream_id,))
    }
    wanted: dict[int, Row] = {}
    for item in items:
        wanted[item[key]] = item
    for ref, item in wanted.items():
        row_id = existing.get(ref)
        if row_id is None:
            store.insert(
                table,
                {
                    "stream_id": stream_id,
                    key: ref,
                    "state": item["state"],
                    "share": item["share"],
                    "created_at": ts,
                    "updated_at": ts,
                },
            )
        else:
            store.execute(
                f"UPDATE {table} SET share = ?, state = ?, updated_at = ? WHERE id = ?",
                (item["share"], item["state"], ts, row_id),
            )
    stale = [row_id for ref, row_id in existing.items() if ref not in wanted]
    for row_id in stale:
        store.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))


def _sync_by_id(
    store: Store, table: str, stream_id: int, items: Sequence[Row], columns: Mapping[str, Any]
) -> None:
    """Replace the flow's rows by ``items``; items carrying a known ``id`` update in place."""
    existing = {
        r["id"] for r in store.all(f"SELECT id FROM {table} WHERE stream_id = ?", (stream_id,))
    }
    keep: set[int] = set()
    for ordinal, item in enumerate(items, 1):
        values = {k: item.get(k, default) for k, default in columns.items()}
        values["ordinal"] = ordinal
        item_id = item.get("id")
        if isinstance(item_id, int) and item_id in existing and item_id not in keep:
            store.update(table, item_id, values)
            keep.add(item_id)
        else:
            keep.add(store.insert(table, {"stream_id": stream_id, **values}))
    for row_id in existing - keep:
        store.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))


_FILTER_COLUMNS = {"name": "", "mode": "accept", "payload": "[]"}
_TRIGGER_COLUMNS = {
    "target": "stream",
    "condition": "always",
    "selected_page": "",
    "pattern": "",
    "action": "disable",
    "interval": 60,
    "next_run_at": 0,
    "alternative_urls": "",
    "grab_from_page": "",
    "av_settings": "",
    "reverse": False,
    "enabled": True,
    "scan_page": False,
}


def write_stream(
    store: Store,
    body: Mapping[str, Any],
    stream_id: int | None = None,
    campaign_id: int | None = None,
) -> int:
    """Create (``stream_id`` None) or partially update a flow; returns its id.

    ``campaign_id`` pins the flow to a campaign (used when a campaign body carries flows).
    Scalars change only when present; ``filters``, ``triggers``, ``landings`` and ``offers``
    replace the flow's set when present. Forced clearing applies after every write.
    """
    errors = Errors()
    creating = stream_id is None
    if creating:
        required = ("type", "name", "schema", "action_type")
        require(body, errors, *(required if campaign_id else ("campaign_id", *required)))
    values = read_fields(body, STREAM_FIELDS, errors)
    if "name" in values and not creating and not str(values["name"]).strip():
        errors.add("name", "Name is required")
    action = values.get("action_type")
    if action is not None and action not in ACTION_KEYS:
        errors.add("action_type", f"Action type '{action}' is not supported")
    if values.get("position") is not None and values["position"] < 1:
        errors.add("position", "Position must be positive")
    if values.get("weight") is not None and values["weight"] < 0:
        errors.add("weight", "Weight cannot be negative")
    filters = _read_filters(body, errors) if "filters" in body else None
    triggers = _read_triggers(body, errors) if "triggers" in body else None
    landings = _read_shares(body, "landings", "landing_id", errors) if "landings" in body else None
    offers = _read_shares(body, "offers", "offer_id", errors) if "offers" in body else None
    errors.raise_if_any()
    # association edits (filters, triggers, landings, offers) leave the flow's own
    # updated_at alone, as on trackers; only its columns move it
    touches_columns = creating or bool(values)
    if campaign_id is not None:
        values["campaign_id"] = campaign_id

    ts = now()
    with store.tx():
        current: Row | None = None
        if not creating:
            current = store.get("streams", stream_id or 0)
            if current is None:
                raise NotFound("Stream", stream_id)
        final: dict[str, Any] = {
            "campaign_id": None,
            "type": None,
            "schema": None,
            "action_type": None,
            "state": "active",
            **(current or {}),
            **values,
        }
        if current is None or final["campaign_id"] != current["campaign_id"]:
            _check_campaign(store, final["campaign_id"])
        if final["type"] == "default" and final["state"] == "active":
            other = store.scalar(
                "SELECT id FROM streams WHERE campaign_id = ? AND type = 'default' "
                "AND state = 'active' AND id != ?",
                (final["campaign_id"], stream_id or 0),
            )
            if other is not None:
                raise_invalid("type", f"Campaign already has an active default flow #{other}")
        if final["action_type"] == "do_nothing":
            values["action_payload"] = ""
        if "action_payload" in values:
            payload = values["action_payload"]
            values["action_payload"] = dump_json("" if payload is None else payload)
        if "action_options" in values:
            values["action_options"] = dump_json(values["action_options"])
        if touches_columns:
            values["updated_at"] = ts

        if current is None:
            stream_id = _insert_stream(store, values, final, ts)
        else:
            _move_if_needed(store, current, final, values)
            if values:
                store.update("streams", current["id"], values)
            if current["state"] != final["state"]:
                add_event(store, current["id"], final["state"], ts)
        assert stream_id is not None
        if filters is not None:
            _sync_by_id(store, "stream_filters", stream_id, filters, _FILTER_COLUMNS)
        if triggers is not None:
            _sync_by_id(store, "stream_triggers", stream_id, triggers, _TRIGGER_COLUMNS)
        if landings is not None:
            _sync_shares(store, "stream_landings", "landing_id", stream_id, landings, ts)
        if offers is not None:
            _sync_shares(store, "stream_offers", "offer_id", stream_id, offers, ts)
        _force_clear(store, stream_id, final["type"], final["schema"])
    return stream_id


def raise_invalid(field: str, message: str) -> None:
    errors = Errors()
    errors.add(field, message)
    errors.raise_if_any()


def _insert_stream(store: Store, values: dict[str, Any], final: Mapping[str, Any], ts: str) -> int:
    row = {
        "campaign_id": final["campaign_id"],
        "type": final["type"],
        "name": values["name"],
        "weight": 0.0,
        "action_type": final["action_type"],
        "action_payload": '""',
        "action_options": "{}",
        "comments": "",
        "state": final["state"],
        "schema": final["schema"],
        "collect_clicks": False,
        "filter_or": False,
        "created_at": ts,
        **values,
    }
    wanted = row.get("position")
    if row["state"] == "deleted":
        row["position"], row["rank"] = wanted or 0, None
    else:
        row["position"] = 0
        row["rank"] = _rank_for(store, row["campaign_id"], row["type"], wanted, 0)
    return store.insert("streams", row)


def _move_if_needed(
    store: Store, current: Row, final: Mapping[str, Any], values: dict[str, Any]
) -> None:
    """Re-rank a flow that is archived, restored, regrouped or given a new position."""
    was_listed = current["rank"] is not None
    is_listed = final["state"] != "deleted"
    regrouped = (final["campaign_id"], final["type"]) != (current["campaign_id"], current["type"])
    wanted = values.pop("position", None)
    if not is_listed:
        if was_listed:
            values["position"], values["rank"] = position_of(store, current), None
        elif wanted is not None:
            values["position"] = wanted
        return
    if (
        not was_listed
        or regrouped
        or (wanted is not None and wanted != position_of(store, current))
    ):
        values["rank"] = _rank_for(
            store, final["campaign_id"], final["type"], wanted, current["id"]
        )


def _force_clear(store: Store, stream_id: int, kind: str, schema: str) -> None:
    if kind == "default":
        store.execute("DELETE FROM stream_filters WHERE stream_id = ?", (stream_id,))
        store.execute("DELETE FROM stream_triggers WHERE stream_id = ?", (stream_id,))
    if schema in ("action", "redirect"):
        store.execute("DELETE FROM stream_landings WHERE stream_id = ?", (stream_id,))
        store.execute("DELETE FROM stream_offers WHERE stream_id = ?", (stream_id,))


def add_event(store: Store, stream_id: int, state: str, ts: str) -> None:
    text = _EVENT_TEXT.get(state, f"Flow state changed to {state}")
    store.insert(
        "stream_events",
        {"stream_id": stream_id, "datetime": ts, "event": state, "message": text, "is_read": 0},
    )


def set_state(store: Store, stream_id: int, state: str) -> dict[str, Any]:
    """Enable, disable, archive or restore a flow, keeping positions contiguous."""
    write_stream(store, {"state": state}, stream_id)
    return get_stream(store, stream_id)


# ---------------------------------------------------------------- campaign-level operations


def copy_streams(store: Store, source_campaign: int, target_campaign: int) -> None:
    """Copy a campaign's non-archived flows with filters, triggers, landings and offers."""
    ts = now()
    for flow in campaign_streams(store, source_campaign):
        row = store.get("streams", flow["id"])
        assert row is not None
        copy = {k: v for k, v in row.items() if k != "id"}
        copy.update(campaign_id=target_campaign, created_at=ts, updated_at=ts)
        new_id = store.insert("streams", copy)
        for table in ("stream_filters", "stream_triggers", "stream_landings", "stream_offers"):
            for child in store.all(f"SELECT * FROM {table} WHERE stream_id = ?", (flow["id"],)):
                child_copy = {k: v for k, v in child.items() if k != "id"}
                child_copy["stream_id"] = new_id
                if "created_at" in child_copy:
                    child_copy.update(created_at=ts, updated_at=ts)
                store.insert(table, child_copy)


def sync_campaign_streams(store: Store, campaign_id: int, items: Any) -> None:
    """Make the campaign's flows match ``items``: update by id, create new, archive the rest."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise_invalid("streams", f"{label('streams')} must be an array of objects")
    listed: set[int] = set()
    with store.tx():
        for item in items:
            sid = item.get("id")
            if sid is None:
                listed.add(write_stream(store, item, None, campaign_id))
                continue
            owner = store.scalar("SELECT campaign_id FROM streams WHERE id = ?", (sid,))
            if owner != campaign_id:
                raise_invalid("streams", f"Flow #{sid} does not belong to campaign #{campaign_id}")
            write_stream(store, {k: v for k, v in item.items() if k != "id"}, sid)
            listed.add(int(sid))
        for row in store.all(
            "SELECT id FROM streams WHERE campaign_id = ? AND state != 'deleted'", (campaign_id,)
        ):
            if row["id"] not in listed:
                write_stream(store, {"state": "deleted"}, row["id"])
