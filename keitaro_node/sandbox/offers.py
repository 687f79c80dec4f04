"""/offers: CRUD, archive (DELETE .../archive), clone, restore and the file API."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import BOOL, FLOAT, INT_N, JSON, LIST, OBJ, STR, Errors, Field, enum
from .config import API_BASE
from .crud import Resource
from .entities import ID
from .files import file_routes, folder_name
from .store import Row, Store, dump_json, load_json
from .stream_model import number

TABLE, MODEL, OWNER = "offers", "Offer", "offer"

FIELDS: dict[str, Field] = {
    "name": STR,
    "group_id": INT_N,
    "offer_type": enum("local", "external", "preloaded", "action"),
    "action_type": STR,
    "action_payload": JSON,
    "action_options": OBJ,
    "affiliate_network_id": INT_N,
    "payout_value": FLOAT,
    "payout_currency": STR,
    "payout_type": enum("CPA", "CPC"),
    "state": enum("active", "disabled", "deleted"),
    "payout_auto": BOOL,
    "payout_upsell": BOOL,
    "country": LIST,
    "notes": STR,
    "archive": STR,
    "conversion_cap_enabled": BOOL,
    "daily_cap": FLOAT,
    "conversion_timezone": STR,
    "alternative_offer_id": INT_N,
}

_DEFAULTS: dict[str, Any] = {
    "offer_type": "external",
    "action_type": "http",
    "action_payload": '""',
    "action_options": "{}",
    "group_id": None,
    "affiliate_network_id": None,
    "payout_value": 0.0,
    "payout_currency": "USD",
    "payout_type": "CPA",
    "payout_auto": False,
    "payout_upsell": False,
    "country": "[]",
    "notes": "",
    "state": "active",
    "archive": "",
    "conversion_cap_enabled": False,
    "daily_cap": 0.0,
    "conversion_timezone": "UTC",
    "alternative_offer_id": None,
}


def offer_out(store: Store, row: Row) -> dict[str, Any]:
    network = store.scalar(
        "SELECT name FROM affiliate_networks WHERE id = ?", (row["affiliate_network_id"] or 0,)
    )
    local = row["offer_type"] == "local"
    folder = folder_name(OWNER, row["id"])
    return {
        "id": row["id"],
        "name": row["name"],
        "group_id": row["group_id"] or 0,
        "offer_type": row["offer_type"],
        "action_type": row["action_type"],
        "action_payload": load_json(row["action_payload"], ""),
        "action_options": load_json(row["action_options"], {}),
        "affiliate_network_id": row["affiliate_network_id"] or 0,
        "affiliate_network": network or "",
        "payout_value": number(row["payout_value"]),
        "payout_currency": row["payout_currency"],
        "payout_type": row["payout_type"],
        "payout_auto": bool(row["payout_auto"]),
        "payout_upsell": bool(row["payout_upsell"]),
        "state": row["state"],
        "country": load_json(row["country"], []),
        "notes": row["notes"],
        "archive": row["archive"],
        "local_path": f"lander/{folder}" if local else "",
        "preview_path": f"/lander/{folder}/index.html" if local else "",
        "conversion_cap_enabled": bool(row["conversion_cap_enabled"]),
        "daily_cap": number(row["daily_cap"]),
        "conversion_timezone": row["conversion_timezone"],
        "alternative_offer_id": row["alternative_offer_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _refine(values: dict[str, Any], errors: Errors) -> None:
    country = values.get("country")
    if country is not None and not all(isinstance(c, str) for c in country):
        errors.add("country", "Country must be an array of strings")
    for key in ("action_payload", "action_options", "country"):
        if key in values:
            value = values[key]
            values[key] = dump_json(value if value is not None else [] if key == "country" else "")


OFFERS = Resource(TABLE, MODEL, offer_out, FIELDS, _refine, defaults=_DEFAULTS, owner=OWNER)


def routes() -> list[web.RouteDef]:
    """Offers archive at DELETE .../archive; clone answers an Offer, the spec's shape."""
    base = f"{API_BASE}/offers"
    return [
        web.get(base, OFFERS.listing()),
        web.post(base, OFFERS.create),
        web.get(f"{base}/deleted", OFFERS.listing(archived=True)),
        web.get(f"{base}/{ID}", OFFERS.get),
        web.put(f"{base}/{ID}", OFFERS.update),
        web.delete(f"{base}/{ID}/archive", OFFERS.archive),
        web.post(f"{base}/{ID}/restore", OFFERS.restore),
        web.post(f"{base}/{ID}/clone", OFFERS.clone),
        *file_routes(base, OWNER, TABLE, MODEL),
    ]
