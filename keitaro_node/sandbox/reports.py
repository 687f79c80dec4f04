"""/report/build (both dialects), /clicks/summary and /report/labels.

Aggregation runs in SQL: one grouped pass over the clicks into a temporary table of base
sums, then measures (ratios included) are computed, filtered, sorted and paged from it,
so ``total`` and ``summary`` come from the same numbers as the rows.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from .coerce import INT, Errors, read_fields, require
from .columns import BASE_SUMS, JOIN_ORDER, JOINS, MEASURES, click_columns
from .config import API_BASE
from .dataset import Dataset
from .errors import BadRequest, NotFound
from .query import (
    compile_filters,
    name_list,
    now_text,
    parse_paging,
    parse_range,
    range_conditions,
    sort_fields,
)
from .state import dataset_of, store_of
from .wire import body_object, ok, query_int, required_query, success

LABELS = ("whitelist", "blacklist")
LABEL_REFS = frozenset(
    ["ip", "source", "ad_campaign_id", "creative_id", "keyword"]
    + [f"sub_id_{i}" for i in range(1, 31)]
)
SUMMARY_MEASURES = ["clicks", "campaign_unique_clicks", "conversions", "revenue", "cost", "profit"]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build_report(dataset: Dataset, body: Mapping[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    store = dataset.store
    dims = name_list(body, "dimensions", "grouping")
    measures = name_list(body, "measures", "metrics")
    rng = parse_range(body, dataset.today)
    limit, offset = parse_paging(body)
    if rng is None and limit is None:
        raise BadRequest("You must provide range or limit")
    columns = click_columns(rng.offset if rng else 0)
    for name in dims:
        if name not in columns:
            raise BadRequest(f"Unknown dimension '{name}'")
    for name in measures:
        if name not in MEASURES:
            raise BadRequest(f"Unknown measure '{name}'")
    if set(dims) & set(measures):
        raise BadRequest("A name cannot be both a dimension and a measure")
    if not dims and not measures:
        raise BadRequest("Report needs dimensions or measures")
    compiled = compile_filters(body.get("filters"), columns, MEASURES)
    where, params = range_conditions(rng, "c.ts")
    where += compiled.where
    params += compiled.params
    joins = set(compiled.joins)
    for name in dims:
        joins.update(columns[name].joins)
    join_sql = " ".join(JOINS[j] for j in JOIN_ORDER if j in joins)
    selected = [f"{columns[d].sql} AS {_quote(d)}" for d in dims]
    selected += [f"{expr} AS {name}" for name, expr in BASE_SUMS.items()]
    group = ("GROUP BY " + ", ".join(str(i) for i in range(1, len(dims) + 1))) if dims else ""
    inner = (
        f"SELECT {', '.join(selected)} FROM clicks c {join_sql} "
        f"WHERE {' AND '.join(where) or '1'} {group} HAVING COUNT(*) > 0"
    )
    outer_where = " AND ".join(compiled.having) or "1"
    hparams = compiled.having_params
    order = [f"{_quote(n)} {o}" for n, o in sort_fields(body.get("sort"), dims + measures)]
    order += [_quote(d) for d in dims]
    outputs = [_quote(d) for d in dims] + [f"{MEASURES[m]} AS {_quote(m)}" for m in measures]
    store.execute("DROP TABLE IF EXISTS temp._report")
    store.execute(f"CREATE TEMP TABLE _report AS {inner}", params)
    try:
        total = int(store.scalar(f"SELECT COUNT(*) FROM _report WHERE {outer_where}", hparams))
        rows = store.all(
            f"SELECT {', '.join(outputs)} FROM _report WHERE {outer_where} "
            f"{'ORDER BY ' + ', '.join(order) if order else ''} LIMIT ? OFFSET ?",
            [*hparams, -1 if limit is None else limit, offset],
        )
        result: dict[str, Any] = {"rows": rows, "total": total}
        if body.get("summary"):
            result["summary"] = _summary(
                dataset, measures or SUMMARY_MEASURES, outer_where, hparams
            )
    finally:
        store.execute("DROP TABLE IF EXISTS temp._report")
    result["meta"] = {
        "execution_time": round(time.perf_counter() - started, 4),
        "datetime": now_text(),
    }
    return result


def _summary(
    dataset: Dataset, measures: list[str], where: str, params: list[Any]
) -> dict[str, Any]:
    sums = ", ".join(f"COALESCE(SUM({b}), 0) AS {b}" for b in BASE_SUMS)
    exprs = ", ".join(f"{MEASURES[m]} AS {_quote(m)}" for m in measures)
    row = dataset.store.one(
        f"SELECT {exprs} FROM (SELECT {sums} FROM _report WHERE {where})", params
    )
    return row or {}


async def build(request: web.Request) -> web.Response:
    body = await body_object(request)
    return ok(build_report(dataset_of(request), body))


async def summary(request: web.Request) -> web.Response:
    """Totals of a report-style query, without grouping."""
    body = dict(await body_object(request))
    body.pop("dimensions", None)
    body.pop("grouping", None)
    body["summary"] = True
    if not name_list(body, "measures", "metrics"):
        body["measures"] = SUMMARY_MEASURES
    if body.get("range") is None and body.get("limit") is None:
        body["range"] = {"interval": "all_time"}
    report = build_report(dataset_of(request), body)
    return ok({"summary": report["summary"], "meta": report["meta"]})


def _campaign_known(request: web.Request, campaign_id: int) -> None:
    known = dataset_of(request).known_campaign(campaign_id) or store_of(request).get(
        "campaigns", campaign_id
    )
    if not known:
        raise NotFound("Campaign", campaign_id)


async def get_labels(request: web.Request) -> web.Response:
    """Labelled values of one column of a campaign, as ``{value: label}``."""
    required_query(request, "campaign_id")
    campaign_id = query_int(request, "campaign_id")
    label = required_query(request, "label_name")
    ref = required_query(request, "ref_name")
    if ref not in LABEL_REFS:
        raise BadRequest(f"Unknown ref_name '{ref}'")
    assert campaign_id is not None
    _campaign_known(request, campaign_id)
    sql = "SELECT value, label FROM labels WHERE campaign_id = ? AND ref_name = ?"
    params: list[Any] = [campaign_id, ref]
    if label in LABELS:
        sql += " AND label = ?"
        params.append(label)
    rows = store_of(request).all(sql + " ORDER BY value", params)
    return ok({r["value"]: r["label"] for r in rows})


async def set_labels(request: web.Request) -> web.Response:
    """``items`` maps values to whitelist/blacklist; an empty label removes the value."""
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "campaign_id", "ref_name", "items")
    values = read_fields(body, {"campaign_id": INT}, errors)
    ref = body.get("ref_name")
    if ref is not None and (not isinstance(ref, str) or ref not in LABEL_REFS):
        errors.add("ref_name", f"Unknown ref_name {ref!r}")
    items = body.get("items")
    if items is not None and not isinstance(items, dict):
        errors.add("items", "Items must be an object {value: label}")
    elif isinstance(items, dict):
        for label in items.values():
            if label not in (*LABELS, "", None):
                errors.add("items", f"Label must be whitelist or blacklist, got {label!r}")
    errors.raise_if_any()
    campaign_id = int(values["campaign_id"])
    _campaign_known(request, campaign_id)
    store = store_of(request)
    assert isinstance(items, dict)
    with store.tx():
        for value, label in items.items():
            if label:
                store.execute(
                    "INSERT INTO labels (campaign_id, ref_name, value, label) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(campaign_id, ref_name, value) DO UPDATE SET label = excluded.label",
                    (campaign_id, ref, str(value), label),
                )
            else:
                store.execute(
                    "DELETE FROM labels WHERE campaign_id = ? AND ref_name = ? AND value = ?",
                    (campaign_id, ref, str(value)),
                )
    dataset_of(request).changed()
    return success()


def routes() -> list[web.RouteDef]:
    return [
        web.post(f"{API_BASE}/report/build", build),
        web.post(f"{API_BASE}/clicks/summary", summary),
        web.get(f"{API_BASE}/report/labels", get_labels),
        web.post(f"{API_BASE}/report/labels", set_labels),
    ]
