"""/affiliate_networks: CRUD with archive, clone and restore."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .coerce import STR, Field
from .config import API_BASE
from .crud import Resource
from .entities import ID
from .store import Row, Store

TABLE, MODEL = "affiliate_networks", "AffiliateNetwork"

FIELDS: dict[str, Field] = {
    "name": STR,
    "postback_url": STR,
    "offer_param": STR,
    "notes": STR,
    "template_name": STR,
}


def network_out(store: Store, row: Row) -> dict[str, Any]:
    offers = store.scalar(
        "SELECT COUNT(*) FROM offers WHERE affiliate_network_id = ? AND state != 'deleted'",
        (row["id"],),
    )
    return {
        "id": row["id"],
        "name": row["name"],
        "postback_url": row["postback_url"],
        "offer_param": row["offer_param"],
        "state": row["state"],
        "template_name": row["template_name"],
        "notes": row["notes"],
        "pull_api_options": row["pull_api_options"],
        "offers": offers,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


NETWORKS = Resource(
    TABLE,
    MODEL,
    network_out,
    FIELDS,
    defaults={
        "postback_url": "",
        "offer_param": "",
        "notes": "",
        "template_name": "",
        "pull_api_options": "",
        "state": "active",
    },
)


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/affiliate_networks"
    return [
        web.get(base, NETWORKS.listing()),
        web.post(base, NETWORKS.create),
        web.get(f"{base}/{ID}", NETWORKS.get),
        web.put(f"{base}/{ID}", NETWORKS.update),
        web.delete(f"{base}/{ID}", NETWORKS.archive),
        web.post(f"{base}/{ID}/restore", NETWORKS.restore),
        web.post(f"{base}/{ID}/clone", NETWORKS.clone),
    ]
