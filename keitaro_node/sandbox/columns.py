"""Report dimensions, log columns and measures, each as an SQL expression.

Click columns are expressions over ``clicks c`` plus the catalogue joins they name;
conversion columns add ``conversions v``. Time columns shift by the request's timezone
offset (whole seconds, inlined as a literal).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .catalogues import EXTRA_PARAM_COUNT, SUB_ID_COUNT
from .dataset import SUB3_NAMES

JOINS = {
    "camp": "LEFT JOIN ds_campaigns camp ON camp.id = c.campaign_id",
    "st": "LEFT JOIN ds_streams st ON st.id = c.stream_id",
    "o": "LEFT JOIN ds_offers o ON o.id = c.offer_id",
    "l": "LEFT JOIN ds_landings l ON l.id = c.landing_id",
    "src": "LEFT JOIN ds_sources src ON src.id = c.ts_id",
    "g": "LEFT JOIN ds_geo g ON g.id = c.geo",
    "d": "LEFT JOIN ds_devices d ON d.id = c.device",
    "r": "LEFT JOIN ds_referrers r ON r.id = c.ref",
}
JOIN_ORDER = tuple(JOINS)


@dataclass(frozen=True)
class Column:
    """``kind`` is int, float or str; it drives how filter values are coerced."""

    sql: str
    kind: str = "str"
    joins: tuple[str, ...] = ()


def _name(alias: str, column: str) -> Column:
    return Column(f"COALESCE({alias}.{column}, '')", "str", (alias,))


def _ip_part(shift: int) -> str:
    return f"((c.ip >> {shift}) & 255)"


def _time_columns(moment: str) -> dict[str, Column]:
    stamp = f"datetime({moment}, 'unixepoch')"
    return {
        "datetime": Column(stamp),
        "year": Column(f"CAST(strftime('%Y', {moment}, 'unixepoch') AS INTEGER)", "int"),
        "month": Column(f"strftime('%Y-%m', {moment}, 'unixepoch')"),
        "week": Column(f"strftime('%Y-%W', {moment}, 'unixepoch')"),
        "weekday": Column(f"CAST(strftime('%w', {moment}, 'unixepoch') AS INTEGER)", "int"),
        "day": Column(f"date({moment}, 'unixepoch')"),
        "hour": Column(f"CAST(strftime('%H', {moment}, 'unixepoch') AS INTEGER)", "int"),
        "day_hour": Column(f"strftime('%Y-%m-%d %H', {moment}, 'unixepoch')"),
    }


@lru_cache(maxsize=64)
def click_columns(offset: int) -> dict[str, Column]:
    """Every column of a click, by its API name."""
    moment = f"(c.ts + {int(offset)})"
    sub3 = " ".join(f"WHEN {i} THEN '{n}'" for i, n in enumerate(SUB3_NAMES, 1))
    ip = f"printf('%d.%d.%d.%d', {_ip_part(24)}, {_ip_part(16)}, {_ip_part(8)}, {_ip_part(0)})"
    cols: dict[str, Column] = {
        "click_id": Column("c.id", "int"),
        "sub_id": Column(
            "printf('%012x', (c.id * 1099511627791 + 174187495161674) % 281474976710656)"
        ),
        "visitor_code": Column("printf('%010x', (c.ip * 40503 + c.device) % 1099511627776)"),
        "campaign_id": Column("c.campaign_id", "int"),
        "campaign": _name("camp", "name"),
        "campaign_group_id": Column("COALESCE(camp.group_id, 0)", "int", ("camp",)),
        "campaign_group": _name("camp", "group_name"),
        "parent_campaign_id": Column("0", "int"),
        "parent_campaign": Column("''"),
        "stream_id": Column("c.stream_id", "int"),
        "stream": _name("st", "name"),
        "landing_id": Column("c.landing_id", "int"),
        "landing": _name("l", "name"),
        "landing_clicked_datetime": Column(
            f"CASE WHEN c.lp_clicked = 1 THEN datetime({moment} + 40, 'unixepoch') ELSE '' END"
        ),
        "offer_id": Column("c.offer_id", "int"),
        "offer": _name("o", "name"),
        "ts_id": Column("c.ts_id", "int"),
        "ts": _name("src", "name"),
        "language_id": Column("c.geo", "int"),
        "language": _name("g", "language"),
        "device_type_id": Column("c.device", "int"),
        "device_type": _name("d", "device_type"),
        "connection_type": _name("g", "connection_type"),
        "ip": Column(ip),
        "ip_mask1": Column(f"printf('%d.%d.%d.*', {_ip_part(24)}, {_ip_part(16)}, {_ip_part(8)})"),
        "ip_mask2": Column(f"printf('%d.%d.*.*', {_ip_part(24)}, {_ip_part(16)})"),
        "country_code": _name("g", "country_code"),
        "country": _name("g", "country"),
        "region": _name("g", "region"),
        "city": _name("g", "city"),
        "isp": _name("g", "isp"),
        "operator": _name("g", "operator"),
        "user_agent": _name("d", "user_agent"),
        "os": _name("d", "os"),
        "os_version": _name("d", "os_version"),
        "browser": _name("d", "browser"),
        "browser_version": _name("d", "browser_version"),
        "device_model": _name("d", "device_model"),
        "source": _name("r", "source"),
        "referrer": _name("r", "referrer"),
        "search_engine": _name("r", "search_engine"),
        "keyword": _name("r", "keyword"),
        "destination": Column(
            "CASE WHEN c.offer_id = 0 THEN 'https://fallback.example.com/' "
            "ELSE 'https://offers.example.com/go/' || c.offer_id END"
        ),
        "sub_id_1": Column("'pub' || c.sub1"),
        "sub_id_2": Column("'cr' || c.sub2"),
        "sub_id_3": Column(f"CASE c.sub3 {sub3} ELSE '' END"),
        "sub_id_4": Column("CASE WHEN c.sub4 = 0 THEN '' ELSE 'pl' || c.sub4 END"),
        "sub_id_5": Column("CASE WHEN c.sub5 = 0 THEN '' ELSE 'k' || c.sub5 END"),
        "revenue": Column(
            "CASE WHEN c.is_rejected = 1 THEN 0.0 ELSE c.revenue END", "float"
        ),
        "cost": Column("c.cost", "float"),
        "profit": Column(
            "ROUND((CASE WHEN c.is_rejected = 1 THEN 0.0 ELSE c.revenue END) - c.cost, 5)",
            "float",
        ),
        "ad_campaign_id": Column("'adc-' || c.campaign_id"),
        "external_id": Column("''"),
        "creative_id": Column("'cr' || c.sub2"),
        "is_unique_stream": Column("c.is_unique_stream", "int"),
        "is_unique_campaign": Column("c.is_unique_campaign", "int"),
        "is_unique_global": Column("c.is_unique_global", "int"),
        "is_lead": Column("c.is_lead", "int"),
        "is_sale": Column("c.is_sale", "int"),
        "is_rejected": Column("c.is_rejected", "int"),
        "is_bot": Column("c.is_bot", "int"),
        "is_using_proxy": Column("c.is_proxy", "int"),
        **_time_columns(moment),
    }  # fmt: skip
    for i in range(6, SUB_ID_COUNT + 1):
        cols[f"sub_id_{i}"] = Column("''")
    for i in range(1, EXTRA_PARAM_COUNT + 1):
        cols[f"extra_param_{i}"] = Column("''")
    return cols


@lru_cache(maxsize=64)
def conversion_columns(offset: int) -> dict[str, Column]:
    """Columns of a conversion: its own fields, then the click's (time = postback time)."""
    moment = f"(v.ts + {int(offset)})"
    cols = dict(click_columns(offset))
    cols.update(_time_columns(moment))
    cols.update(
        {
            "conversion_id": Column("v.id", "int"),
            "click_datetime": Column(f"datetime(c.ts + {int(offset)}, 'unixepoch')"),
            "postback_datetime": Column(f"datetime({moment}, 'unixepoch')"),
            "sale_datetime": Column(
                f"CASE WHEN v.sale_ts IS NULL THEN '' "
                f"ELSE datetime(v.sale_ts + {int(offset)}, 'unixepoch') END"
            ),
            "sale_period": Column(
                "CASE WHEN v.sale_ts IS NULL THEN 0 ELSE v.sale_ts - c.ts END", "int"
            ),
            "tid": Column("printf('t%010x', (v.id * 2246822519) % 1099511627776)"),
            "status": Column("v.status"),
            "previous_status": Column("v.previous_status"),
            "original_status": Column("v.original_status"),
            "params": Column("''"),
            "revenue": Column("v.revenue", "float"),
            "profit": Column("ROUND(v.revenue - c.cost, 5)", "float"),
        }
    )
    return cols


# Base sums computed per group; measures are formulas over them.
BASE_SUMS = {
    "b_clicks": "COUNT(*)",
    "b_cu": "SUM(c.is_unique_campaign)",
    "b_su": "SUM(c.is_unique_stream)",
    "b_gu": "SUM(c.is_unique_global)",
    "b_bots": "SUM(c.is_bot)",
    "b_proxies": "SUM(c.is_proxy)",
    "b_empty_ref": "SUM(c.ref = 0)",
    "b_leads": "SUM(c.is_lead)",
    "b_sales": "SUM(c.is_sale)",
    "b_rejected": "SUM(c.is_rejected)",
    "b_lp_views": "SUM(c.landing_id != 0)",
    "b_lp_clicks": "SUM(c.lp_clicked)",
    "b_lead_rev": "TOTAL(CASE WHEN c.is_lead = 1 THEN c.revenue ELSE 0 END)",
    "b_sale_rev": "TOTAL(CASE WHEN c.is_sale = 1 THEN c.revenue ELSE 0 END)",
    "b_rej_rev": "TOTAL(CASE WHEN c.is_rejected = 1 THEN c.revenue ELSE 0 END)",
    "b_cost": "TOTAL(c.cost)",
}

_CONV = "(b_leads + b_sales + b_rejected)"
_REV = "(b_lead_rev + b_sale_rev)"


def _ratio(top: str, bottom: str, scale: int = 1, digits: int = 2) -> str:
    return (
        f"CASE WHEN ({bottom}) > 0 THEN ROUND(({top}) * {scale}.0 / ({bottom}), {digits}) "
        "ELSE 0.0 END"
    )


def _money(expr: str) -> str:
    return f"ROUND({expr}, 4)"


MEASURES: dict[str, str] = {
    "clicks": "b_clicks",
    "campaign_unique_clicks": "b_cu",
    "stream_unique_clicks": "b_su",
    "global_unique_clicks": "b_gu",
    "uc_campaign_rate": _ratio("b_cu", "b_clicks", 100),
    "uc_stream_rate": _ratio("b_su", "b_clicks", 100),
    "uc_global_rate": _ratio("b_gu", "b_clicks", 100),
    "bots": "b_bots",
    "bot_share": _ratio("b_bots", "b_clicks", 100),
    "proxies": "b_proxies",
    "empty_referrers": "b_empty_ref",
    "conversions": _CONV,
    "leads": "b_leads",
    "sales": "b_sales",
    "rejected": "b_rejected",
    "rebills": "0",
    "approve": _ratio("b_sales", _CONV, 100),
    "lp_clicks": "b_lp_clicks",
    "lp_ctr": _ratio("b_lp_clicks", "b_lp_views", 100),
    "landing_clicked_period": "CASE WHEN b_lp_clicks > 0 THEN 40 ELSE 0 END",
    "cr": _ratio(_CONV, "b_clicks", 100),
    "crs": _ratio("b_sales", "b_clicks", 100),
    "crl": _ratio("b_leads", "b_clicks", 100),
    "roi": _ratio(f"{_REV} - b_cost", "b_cost", 100),
    "roi_confirmed": _ratio("b_sale_rev - b_cost", "b_cost", 100),
    "epc": _ratio(_REV, "b_clicks", 1, 4),
    "epc_confirmed": _ratio("b_sale_rev", "b_clicks", 1, 4),
    "cps": _ratio("b_cost", "b_sales", 1, 4),
    "cpa": _ratio("b_cost", "b_leads + b_sales", 1, 4),
    "cpc": _ratio("b_cost", "b_clicks", 1, 4),
    "ecpc": _ratio("b_cost", "b_cu", 1, 4),
    "ecpm": _ratio(_REV, "b_clicks", 1000, 4),
    "ecpm_confirmed": _ratio("b_sale_rev", "b_clicks", 1000, 4),
    "ec": _ratio(_REV, _CONV, 1, 4),
    "ec_confirmed": _ratio("b_sale_rev", "b_sales", 1, 4),
    "profitability": _ratio(f"{_REV} - b_cost", _REV, 100),
    "cost": _money("b_cost"),
    "revenue": _money(_REV),
    "profit": _money(f"{_REV} - b_cost"),
    "lead_revenue": _money("b_lead_rev"),
    "sale_revenue": _money("b_sale_rev"),
    "rejected_revenue": _money("b_rej_rev"),
    "profit_confirmed": _money("b_sale_rev - b_cost"),
}
