"""Campaigns: storage, defaults on create, partial updates, archive and clone."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping, Sequence
from typing import Any

from .coerce import (
    BOOL,
    FLOAT,
    INT,
    INT_N,
    STR,
    Errors,
    Field,
    enum,
    list_of_objects,
    read_fields,
    require,
)
from .errors import NotFound
from .store import Row, Store, dump_json, load_json, now
from .stream_model import campaign_streams, copy_streams, number, sync_campaign_streams

COST_TYPES = ("CPC", "CPUC", "CPM", "CPA", "CPS", "CPUV", "CPV", "RevShare")
POSTBACK_STATUSES = ("lead", "sale", "rejected", "rebill")
DEFAULT_CURRENCY = "USD"
_ALNUM = string.ascii_letters + string.digits

CAMPAIGN_FIELDS: dict[str, Field] = {
    "alias": STR,
    "name": STR,
    "type": enum("position", "weight"),
    "cookies_ttl": INT,
    "state": enum("active", "disabled", "deleted"),
    "position": INT,
    "cost_type": enum(*COST_TYPES),
    "cost_value": FLOAT,
    "cost_currency": STR,
    "cost_auto": BOOL,
    "group_id": INT_N,
    "bind_visitors": enum("s", "sl", "slo", nullable=True),
    "traffic_source_id": INT_N,
    "domain_id": INT_N,
    "token": STR,
    "notes": STR,
    "uniqueness_method": enum("ip", "ip_ua"),
    "uniqueness_use_cookies": BOOL,
    "traffic_loss": FLOAT,
}

_DEFAULTS: dict[str, Any] = {
    "type": "position",
    "state": "active",
    "position": 9999,
    "cookies_ttl": 24,
    "cost_type": "CPC",
    "cost_value": 0.0,
    "cost_currency": DEFAULT_CURRENCY,
    "cost_auto": False,
    "group_id": None,
    "bind_visitors": None,
    "traffic_source_id": None,
    "domain_id": None,
    "parameters": "{}",
    "notes": "",
    "uniqueness_method": "ip",
    "uniqueness_use_cookies": True,
    "traffic_loss": 0.0,
}


def random_alias(length: int = 8) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def random_token() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(32))


# ---------------------------------------------------------------- reading


def _postback_out(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "campaign_id": row["campaign_id"],
        "method": row["method"],
        "statuses": load_json(row["statuses"], []),
        "url": row["url"],
    }


def campaigns_out(
    store: Store,
    rows: Sequence[Row],
    *,
    with_streams: bool = False,
    extended: bool = False,
) -> list[dict[str, Any]]:
    """API representation of campaign rows (postbacks and domain looked up in batches)."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    marks = ",".join("?" * len(ids))
    postbacks: dict[int, list[dict[str, Any]]] = {}
    for pb in store.all(
        f"SELECT * FROM campaign_postbacks WHERE campaign_id IN ({marks}) ORDER BY id", ids
    ):
        postbacks.setdefault(pb["campaign_id"], []).append(_postback_out(pb))
    domain_ids = {r["domain_id"] for r in rows if r["domain_id"]}
    domains: dict[int, str] = {}
    if domain_ids:
        dmarks = ",".join("?" * len(domain_ids))
        for d in store.all(
            f"SELECT id, name, is_ssl FROM domains WHERE id IN ({dmarks})", list(domain_ids)
        ):
            domains[d["id"]] = f"{'https' if d['is_ssl'] else 'http'}://{d['name']}/"
    out = []
    for r in rows:
        item: dict[str, Any] = {
            "id": r["id"],
            "alias": r["alias"],
            "type": r["type"],
            "name": r["name"],
            "cookies_ttl": r["cookies_ttl"],
            "position": r["position"],
            "state": r["state"],
            "cost_type": r["cost_type"],
            "cost_value": number(r["cost_value"]),
            "cost_currency": r["cost_currency"],
            "group_id": r["group_id"] or 0,
            "bind_visitors": r["bind_visitors"],
            "traffic_source_id": r["traffic_source_id"] or 0,
            "token": r["token"],
            "cost_auto": bool(r["cost_auto"]),
            "parameters": load_json(r["parameters"], {}),
            "postbacks": postbacks.get(r["id"], []),
            "notes": r["notes"],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
            "domain_id": r["domain_id"],
            "domain": domains.get(r["domain_id"] or 0),
            "uniqueness_method": r["uniqueness_method"],
            "uniqueness_use_cookies": bool(r["uniqueness_use_cookies"]),
            "traffic_loss": number(r["traffic_loss"]),
        }
        if extended:
            item.update(_extended(store, r))
        if with_streams:
            item["streams"] = campaign_streams(store, r["id"])
        out.append(item)
    return out


def _extended(store: Store, row: Row) -> dict[str, Any]:
    group = store.scalar("SELECT name FROM groups WHERE id = ?", (row["group_id"] or 0,))
    source = store.scalar(
        "SELECT name FROM traffic_sources WHERE id = ?", (row["traffic_source_id"] or 0,)
    )
    count = store.scalar(
        "SELECT COUNT(*) FROM streams WHERE campaign_id = ? AND state != 'deleted'", (row["id"],)
    )
    return {"group": group, "ts": source, "streams_count": count}


def campaign_row(store: Store, campaign_id: int, *, archived_ok: bool = False) -> Row:
    row = store.get("campaigns", campaign_id)
    if row is None or (row["state"] == "deleted" and not archived_ok):
        raise NotFound("Campaign", campaign_id)
    return row


def campaign_out(store: Store, campaign_id: int, *, with_streams: bool = False) -> dict[str, Any]:
    row = campaign_row(store, campaign_id, archived_ok=True)
    return campaigns_out(store, [row], with_streams=with_streams)[0]


# ---------------------------------------------------------------- writing


def _normalise(body: Mapping[str, Any]) -> dict[str, Any]:
    data = dict(body)
    if data.get("bind_visitors") == "":
        data["bind_visitors"] = None
    return data


def _read_parameters(body: Mapping[str, Any], errors: Errors) -> str | None:
    """``parameters`` as stored JSON; accepts an object or a (double-)encoded string."""
    if "parameters" not in body:
        return None
    value = body["parameters"]
    for _ in range(2):
        if isinstance(value, str):
            try:
                value = load_json(value, {})
            except ValueError:
                break
    if isinstance(value, list) and not value:
        value = {}
    if value is None:
        value = {}
    if not isinstance(value, dict):
        errors.add("parameters", "Parameters must be an object")
        return None
    return dump_json(value)


def _read_postbacks(body: Mapping[str, Any], errors: Errors) -> list[dict[str, Any]] | None:
    if "postbacks" not in body:
        return None
    out = []
    for i, item in enumerate(list_of_objects(body, "postbacks", errors), 1):
        url = item.get("url")
        method = item.get("method", "GET")
        statuses = item.get("statuses", list(POSTBACK_STATUSES[:3]))
        if not isinstance(url, str) or not url:
            errors.add("postbacks", f"Postback #{i}: url is required")
        if method not in ("GET", "POST"):
            errors.add("postbacks", f"Postback #{i}: method must be GET or POST")
        if not isinstance(statuses, list) or any(s not in POSTBACK_STATUSES for s in statuses):
            errors.add(
                "postbacks",
                f"Postback #{i}: statuses must be a subset of lead, sale, rejected, rebill",
            )
        out.append({"id": item.get("id"), "url": url, "method": method, "statuses": statuses})
    return out


def _sync_postbacks(store: Store, campaign_id: int, items: Sequence[dict[str, Any]]) -> None:
    existing = {
        r["id"]
        for r in store.all(
            "SELECT id FROM campaign_postbacks WHERE campaign_id = ?", (campaign_id,)
        )
    }
    keep: set[int] = set()
    for item in items:
        values = {
            "method": item["method"],
            "statuses": dump_json(item["statuses"]),
            "url": item["url"],
        }
        if item["id"] in existing and item["id"] not in keep:
            store.update("campaign_postbacks", item["id"], values)
            keep.add(item["id"])
        else:
            keep.add(store.insert("campaign_postbacks", {"campaign_id": campaign_id, **values}))
    for pid in existing - keep:
        store.execute("DELETE FROM campaign_postbacks WHERE id = ?", (pid,))


def _check_alias(store: Store, alias: str, errors: Errors, exclude: int = 0) -> str:
    alias = alias.strip().replace(".", "-").replace("#", "-")
    if not alias:
        errors.add("alias", "Alias is required")
    elif (
        store.scalar("SELECT 1 FROM campaigns WHERE alias = ? AND id != ?", (alias, exclude))
        is not None
    ):
        errors.add("alias", "Alias has already used")
    return alias


def create_campaign(store: Store, body: Mapping[str, Any]) -> int:
    """Insert a campaign with the API defaults; optional ``streams`` creates its flows."""
    body = _normalise(body)
    errors = Errors()
    require(body, errors, "alias", "name")
    values = read_fields(body, CAMPAIGN_FIELDS, errors)
    if isinstance(values.get("alias"), str) and "alias" not in errors.fields:
        values["alias"] = _check_alias(store, values["alias"], errors)
    parameters = _read_parameters(body, errors)
    postbacks = _read_postbacks(body, errors)
    errors.raise_if_any()
    ts = now()
    row = {**_DEFAULTS, **values, "created_at": ts, "updated_at": ts}
    if parameters is not None:
        row["parameters"] = parameters
    if not row.get("token"):
        row["token"] = random_token()
    row["cookies_ttl"] = min(max(int(row["cookies_ttl"]), 1), 8760)
    if row["type"] == "position":
        row["bind_visitors"] = None
    with store.tx():
        campaign_id = store.insert("campaigns", row)
        if postbacks:
            _sync_postbacks(store, campaign_id, postbacks)
        if "streams" in body:
            sync_campaign_streams(store, campaign_id, body["streams"])
    return campaign_id


def update_campaign(store: Store, campaign_id: int, body: Mapping[str, Any]) -> None:
    """Partial update; ``postbacks`` replaces the set and ``streams`` synchronises flows."""
    current = campaign_row(store, campaign_id)
    body = _normalise(body)
    errors = Errors()
    values = read_fields(body, CAMPAIGN_FIELDS, errors)
    if "name" in values and not str(values["name"] or "").strip():
        errors.add("name", "Name is required")
    if "alias" in values and "alias" not in errors.fields:
        values["alias"] = _check_alias(store, values["alias"] or "", errors, campaign_id)
    parameters = _read_parameters(body, errors)
    postbacks = _read_postbacks(body, errors)
    errors.raise_if_any()
    if parameters is not None:
        values["parameters"] = parameters
    if "token" in values and not values["token"]:
        values["token"] = random_token()
    if "cookies_ttl" in values:
        values["cookies_ttl"] = min(max(int(values["cookies_ttl"]), 1), 8760)
    if values.get("type", current["type"]) == "position":
        values["bind_visitors"] = None
    values["updated_at"] = now()
    with store.tx():
        store.update("campaigns", campaign_id, values)
        if values.get("state") in ("disabled", "deleted"):
            _unpark(store, campaign_id)
        if postbacks is not None:
            _sync_postbacks(store, campaign_id, postbacks)
        if "streams" in body:
            sync_campaign_streams(store, campaign_id, body["streams"])


def _unpark(store: Store, campaign_id: int) -> None:
    """Domains stop using a disabled or archived campaign as their default."""
    store.execute(
        "UPDATE domains SET default_campaign_id = NULL WHERE default_campaign_id = ?",
        (campaign_id,),
    )


def set_campaign_state(store: Store, campaign_id: int, state: str) -> None:
    with store.tx():
        store.update("campaigns", campaign_id, {"state": state, "updated_at": now()})
        if state != "active":
            _unpark(store, campaign_id)


def clone_campaign(store: Store, campaign_id: int) -> int:
    """Copy with a fresh alias and token, named "Copy of ...", flows and postbacks included."""
    source = campaign_row(store, campaign_id)
    ts = now()
    row = {k: v for k, v in source.items() if k != "id"}
    alias = random_alias()
    while store.scalar("SELECT 1 FROM campaigns WHERE alias = ?", (alias,)) is not None:
        alias = random_alias()
    row.update(
        alias=alias,
        token=random_token(),
        name=f"Copy of {source['name']}",
        created_at=ts,
        updated_at=ts,
    )
    with store.tx():
        new_id = store.insert("campaigns", row)
        for pb in store.all(
            "SELECT * FROM campaign_postbacks WHERE campaign_id = ? ORDER BY id", (campaign_id,)
        ):
            store.insert(
                "campaign_postbacks",
                {
                    "campaign_id": new_id,
                    "method": pb["method"],
                    "statuses": pb["statuses"],
                    "url": pb["url"],
                },
            )
        copy_streams(store, campaign_id, new_id)
    return new_id


def seed_campaign(store: Store, name: str = "Demo campaign") -> dict[str, Any]:
    """A ready-made campaign, created directly in the store (no HTTP, no counters)."""
    alias = random_alias()
    while store.scalar("SELECT 1 FROM campaigns WHERE alias = ?", (alias,)) is not None:
        alias = random_alias()
    campaign_id = create_campaign(store, {"name": name, "alias": alias})
    return campaign_out(store, campaign_id)
