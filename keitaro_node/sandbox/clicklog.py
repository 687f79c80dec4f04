"""/clicks/log, /conversions/log and /clicks/clean.

Log pages are fetched in two steps: first the ids of the page (ordered on an index and
skipped with OFFSET without touching the catalogue joins), then the requested columns of
just those ids. Paging through a million clicks stays cheap this way.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date
from typing import Any

from aiohttp import web

from .coerce import INT, Errors, read_fields, require
from .columns import JOIN_ORDER, JOINS, click_columns, conversion_columns
from .config import API_BASE
from .dataset import Dataset
from .errors import BadRequest, Invalid
from .query import (
    compile_filters,
    dataset_offset,
    now_text,
    parse_moment,
    parse_paging,
    parse_range,
    range_conditions,
    sort_fields,
)
from .state import dataset_of
from .store import dump_json
from .wire import body_object, ok, success

CLICK_DEFAULTS = [
    "datetime",
    "sub_id",
    "campaign_id",
    "stream_id",
    "offer_id",
    "landing_id",
    "country_code",
    "ip",
    "is_unique_campaign",
    "is_lead",
    "is_sale",
    "revenue",
    "cost",
]
CONVERSION_DEFAULTS = [
    "postback_datetime",
    "conversion_id",
    "sub_id",
    "campaign_id",
    "offer_id",
    "status",
    "revenue",
]


def _joins(names: set[str]) -> str:
    return " ".join(JOINS[j] for j in JOIN_ORDER if j in names)


def run_log(dataset: Dataset, body: Mapping[str, Any], kind: str) -> dict[str, Any]:
    started = time.perf_counter()
    rng = parse_range(body, dataset.today)
    limit, offset = parse_paging(body)
    if rng is None and limit is None:
        raise BadRequest("You must provide range or limit")
    tz = rng.offset if rng else 0
    if kind == "clicks":
        columns, source, key, moment = click_columns(tz), "clicks c", "c.id", "c.ts"
        defaults = CLICK_DEFAULTS
    else:
        columns = conversion_columns(tz)
        source, key, moment = "conversions v JOIN clicks c ON c.id = v.click_id", "v.id", "v.ts"
        defaults = CONVERSION_DEFAULTS
    raw_names = body.get("columns")
    if raw_names is not None and (
        not isinstance(raw_names, list) or not all(isinstance(n, str) for n in raw_names)
    ):
        raise BadRequest("Param 'columns' must be an array")
    names = list(dict.fromkeys(raw_names or defaults))
    for name in names:
        if name not in columns:
            raise BadRequest(f"Unknown column '{name}'")
    compiled = compile_filters(body.get("filters"), columns)
    where, params = range_conditions(rng, moment)
    where += compiled.where
    params += compiled.params
    where_sql = " AND ".join(where) or "1"
    filter_joins = set(compiled.joins)
    total = dataset.count(
        f"SELECT COUNT(*) FROM {source} {_joins(filter_joins)} WHERE {where_sql}", params
    )
    sort_joins = set(filter_joins)
    order = []
    for name, direction in sort_fields(body.get("sort"), names):
        order.append(f"{columns[name].sql} {direction}")
        sort_joins.update(columns[name].joins)
    order += [f"{moment} ASC", f"{key} ASC"] if not order else [f"{key} ASC"]
    ids: list[Any] = []
    if limit != 0:
        ids = dataset.store.column(
            f"SELECT {key} FROM {source} {_joins(sort_joins)} WHERE {where_sql} "
            f"ORDER BY {', '.join(order)} LIMIT ? OFFSET ?",
            [*params, -1 if limit is None else limit, offset],
        )
    rows: list[dict[str, Any]] = []
    if ids:
        out_joins: set[str] = set()
        for name in names:
            out_joins.update(columns[name].joins)
        selected = ", ".join(f'{columns[n].sql} AS "{n}"' for n in names)
        fetched = dataset.store.all(
            f"SELECT {key} AS __key, {selected} FROM {source} {_joins(out_joins)} "
            f"WHERE {key} IN (SELECT value FROM json_each(?))",
            [dump_json(ids)],
        )
        by_key = {row.pop("__key"): row for row in fetched}
        rows = [by_key[i] for i in ids if i in by_key]
    meta = {"execution_time": round(time.perf_counter() - started, 4), "datetime": now_text()}
    return {"rows": rows, "total": total, "meta": meta}


async def clicks_log(request: web.Request) -> web.Response:
    return ok(run_log(dataset_of(request), await body_object(request), "clicks"))


async def conversions_log(request: web.Request) -> web.Response:
    return ok(run_log(dataset_of(request), await body_object(request), "conversions"))


def period(
    body: Mapping[str, Any], errors: Errors, zone: str | None, today: date
) -> tuple[int, int] | None:
    """(start, end) epochs of ``start_date``..``end_date`` (dates are whole days)."""
    offset = dataset_offset(zone or "UTC", today)
    bounds = []
    for name, is_end in (("start_date", False), ("end_date", True)):
        try:
            bounds.append(parse_moment(body.get(name), offset, end=is_end, field_name=name))
        except BadRequest:
            errors.add(name, f"{name.replace('_', ' ').capitalize()} is invalid")
    if len(bounds) != 2:
        return None
    if bounds[0] >= bounds[1]:
        errors.add("end_date", "End date must be after start date")
        return None
    return bounds[0], bounds[1]


async def clean(request: web.Request) -> web.Response:
    """Deletes clicks (and their conversions) of a period, optionally of one campaign."""
    dataset = dataset_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "start_date", "end_date")
    values = read_fields(body, {"campaign_id": INT}, errors)
    zone = body.get("timezone")
    if zone is not None and not isinstance(zone, str):
        errors.add("timezone", "Timezone must be a string")
        zone = None
    bounds = None if errors else period(body, errors, zone, dataset.today)
    errors.raise_if_any()
    if bounds is None:
        raise Invalid.one("start_date", "Start date is invalid")
    where = "ts >= ? AND ts < ?"
    params: list[Any] = list(bounds)
    if values.get("campaign_id") is not None:
        where += " AND campaign_id = ?"
        params.append(values["campaign_id"])
    store = dataset.store
    with store.tx():
        store.execute(
            f"DELETE FROM conversions WHERE click_id IN (SELECT id FROM clicks WHERE {where})",
            params,
        )
        store.execute(f"DELETE FROM clicks WHERE {where}", params)
    dataset.changed()
    return success()


def routes() -> list[web.RouteDef]:
    return [
        web.post(f"{API_BASE}/clicks/log", clicks_log),
        web.post(f"{API_BASE}/conversions/log", conversions_log),
        web.post(f"{API_BASE}/clicks/clean", clean),
    ]
