"""Re-costing clicks: /clicks/update_costs and /campaigns/{id}/update_costs.

The given cost of a period is spread evenly over the matching clicks (only over campaign-
unique clicks when ``only_campaign_uniques`` is set; the others then cost nothing). The
tracker queues this work; the sandbox applies it before answering.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from aiohttp import web

from .clicklog import period
from .coerce import BOOL, Errors, label, read_fields, require, to_float, to_int
from .columns import click_columns
from .config import API_BASE
from .dataset import Dataset
from .entities import ID
from .errors import NotFound
from .state import dataset_of, store_of
from .wire import body_object, path_id, success

COST_FILTERS = frozenset(
    ["keyword", "source", "external_id", "creative_id", "ad_campaign_id"]
    + [f"sub_id_{i}" for i in range(1, 16)]
)


def _filter_sql(filters: Mapping[str, Any]) -> tuple[list[str], list[Any]]:
    """Conditions over ``clicks`` alone (catalogue values through sub-selects)."""
    columns = click_columns(0)
    where: list[str] = []
    params: list[Any] = []
    for name, value in filters.items():
        if name not in COST_FILTERS or value in (None, ""):
            continue
        if name in ("source", "keyword"):
            where.append(f"c.ref IN (SELECT id FROM ds_referrers WHERE {name} = ?)")
        else:
            where.append(f"{columns[name].sql} = ?")
        params.append(str(value))
    return where, params


def _read_entry(
    item: Mapping[str, Any], errors: Errors, where: str, zone: str | None, today: date
) -> tuple[int, int, float, dict[str, Any]] | None:
    sub = Errors()
    require(item, sub, "start_date", "end_date", "cost")
    cost = 0.0
    if "cost" not in sub.fields:
        try:
            cost = to_float(item["cost"])
        except ValueError:
            sub.add("cost", "Cost must be a number")
    filters = item.get("filters") or {}
    if not isinstance(filters, dict):
        sub.add("filters", "Filters must be an object")
    bounds = None if sub else period(item, sub, item.get("timezone") or zone, today)
    for field, messages in sub.fields.items():
        for message in messages:
            errors.add(where or field, f"{label(field)}: {message}" if where else message)
    if bounds is None or not isinstance(filters, dict):
        return None
    return bounds[0], bounds[1], cost, filters


def apply_costs(
    dataset: Dataset,
    campaign_ids: list[int],
    entries: list[tuple[int, int, float, dict[str, Any]]],
    only_uniques: bool,
) -> None:
    store = dataset.store
    with store.tx():
        for campaign_id in campaign_ids:
            for start, end, cost, filters in entries:
                conditions, params = _filter_sql(filters)
                where = " AND ".join(["c.campaign_id = ?", "c.ts >= ?", "c.ts < ?", *conditions])
                args = [campaign_id, start, end, *params]
                payer = "c.is_unique_campaign = 1" if only_uniques else "1"
                count = store.scalar(
                    f"SELECT COUNT(*) FROM clicks c WHERE {where} AND {payer}", args
                )
                each = round(cost / count, 6) if count else 0.0
                store.execute(
                    f"UPDATE clicks AS c SET cost = CASE WHEN {payer} THEN ? ELSE 0 END "
                    f"WHERE {where}",
                    [each, *args],
                )
    dataset.changed()


def _check_campaign(request: web.Request, campaign_id: int) -> None:
    if not dataset_of(request).known_campaign(campaign_id) and not store_of(request).get(
        "campaigns", campaign_id
    ):
        raise NotFound("Campaign", campaign_id)


async def clicks_update_costs(request: web.Request) -> web.Response:
    dataset = dataset_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "campaign_ids", "costs")
    campaign_ids: list[int] = []
    raw_ids = body.get("campaign_ids")
    if raw_ids is not None:
        try:
            if not isinstance(raw_ids, list) or not raw_ids:
                raise ValueError
            campaign_ids = [to_int(i) for i in raw_ids]
        except ValueError:
            errors.add("campaign_ids", "Campaign ids must be a non-empty array of integers")
    raw_costs = body.get("costs")
    entries = []
    if raw_costs is not None:
        if not isinstance(raw_costs, list) or not raw_costs:
            errors.add("costs", "Costs must be a non-empty array")
        else:
            for i, item in enumerate(raw_costs, 1):
                if not isinstance(item, dict):
                    errors.add("costs", f"Cost #{i} must be an object")
                    continue
                entry = _read_entry(
                    item, errors, f"costs.{i - 1}", body.get("timezone"), dataset.today
                )
                if entry:
                    entries.append(entry)
    only = body.get("only_campaign_uniques", 0)
    if only not in (0, 1, True, False, "0", "1"):
        errors.add("only_campaign_uniques", "Only campaign uniques must be 0 or 1")
    errors.raise_if_any()
    for campaign_id in campaign_ids:
        _check_campaign(request, campaign_id)
    apply_costs(dataset, campaign_ids, entries, str(only) in ("1", "True"))
    return success()


async def campaign_update_costs(request: web.Request) -> web.Response:
    campaign_id = path_id(request)
    _check_campaign(request, campaign_id)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "start_date", "end_date", "timezone", "cost", "currency")
    flags = read_fields(body, {"only_campaign_uniques": BOOL}, errors)
    entry = (
        None
        if errors
        else _read_entry(body, errors, "", body.get("timezone"), dataset_of(request).today)
    )
    errors.raise_if_any()
    if entry is not None:
        apply_costs(
            dataset_of(request), [campaign_id], [entry], bool(flags.get("only_campaign_uniques"))
        )
    return success()


def routes() -> list[web.RouteDef]:
    return [
        web.post(f"{API_BASE}/clicks/update_costs", clicks_update_costs),
        web.post(f"{API_BASE}/campaigns/{ID}/update_costs", campaign_update_costs),
    ]
