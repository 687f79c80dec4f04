"""Parsing the report/log query language into SQL: range, filters, sort and paging."""

from __future__ import annotations

import calendar
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .coerce import to_float, to_int
from .columns import Column
from .dataset import compile_regexp
from .errors import BadRequest

INTERVALS = (
    "today",
    "yesterday",
    "7_days_ago",
    "first_day_of_this_week",
    "1_month_ago",
    "first_day_of_this_month",
    "1_year_ago",
    "first_day_of_this_year",
    "all_time",
)
OPERATORS = (
    "EQUALS",
    "NOT_EQUAL",
    "EQUALS_OR_GREATER_THAN",
    "EQUALS_OR_LESS_THAN",
    "GREATER_THAN",
    "LESS_THAN",
    "MATCH_REGEXP",
    "NOT_MATCH_REGEXP",
    "BEGINS_WITH",
    "ENDS_WITH",
    "CONTAINS",
    "NOT_CONTAIN",
    "IN_LIST",
    "NOT_IN_LIST",
    "BETWEEN",
    "IS_SET",
    "IS_NOT_SET",
    "IS_TRUE",
    "IS_FALSE",
    "HAS_LABEL",
    "NOT_HAS_LABEL",
    "IP_BEGINS_WITH",
)
_COMPARE = {
    "EQUALS": "=",
    "NOT_EQUAL": "!=",
    "EQUALS_OR_GREATER_THAN": ">=",
    "EQUALS_OR_LESS_THAN": "<=",
    "GREATER_THAN": ">",
    "LESS_THAN": "<",
}
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@dataclass
class TimeRange:
    """UTC epoch bounds (start inclusive, end exclusive) and the zone's offset in seconds."""

    start: int | None
    end: int | None
    offset: int


def zone_offset(name: str, at: datetime) -> int:
    if name.upper() in ("UTC", "GMT", "Z"):
        return 0
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"Unknown timezone '{name}'") from None
    delta = at.replace(tzinfo=zone).utcoffset()
    return int(delta.total_seconds()) if delta else 0


def dataset_offset(name: str, today: date) -> int:
    """Offset of a zone on the dataset's last day (one offset per query, DST ignored)."""
    return zone_offset(name, datetime(today.year, today.month, today.day, 12))


def _epoch(day: date, offset: int) -> int:
    return calendar.timegm(day.timetuple()) - offset


def _month_back(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def interval_days(name: str, today: date) -> tuple[date, date] | None:
    """First and last local day of a preset, relative to the sandbox's today."""
    starts = {
        "today": today,
        "yesterday": today - timedelta(days=1),
        "7_days_ago": today - timedelta(days=6),
        "first_day_of_this_week": today - timedelta(days=today.weekday()),
        "1_month_ago": _month_back(today, 1),
        "first_day_of_this_month": today.replace(day=1),
        "1_year_ago": _month_back(today, 12),
        "first_day_of_this_year": today.replace(month=1, day=1),
    }
    if name == "all_time":
        return None
    first = starts[name]
    last = first if name == "yesterday" else today
    return first, last


def parse_moment(text: Any, offset: int, *, end: bool, field_name: str = "range") -> int:
    """Epoch for a date or datetime; a date-only end covers that whole day."""
    if not isinstance(text, str):
        raise BadRequest(f"Invalid date in '{field_name}': {text!r}")
    value = text.strip().replace("T", " ")
    for fmt in _FORMATS:
        try:
            moment = datetime.strptime(value, fmt)
        except ValueError:
            continue
        epoch = calendar.timegm(moment.timetuple()) - offset
        if end:
            epoch += 86400 if fmt == "%Y-%m-%d" else 60 if fmt == "%Y-%m-%d %H:%M" else 1
        return epoch
    raise BadRequest(f"Invalid date in '{field_name}': {text!r}")


def parse_range(body: Mapping[str, Any], today: date) -> TimeRange | None:
    raw = body.get("range")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BadRequest("Param 'range' must be an object")
    interval, start, end = raw.get("interval"), raw.get("from"), raw.get("to")
    if not interval and not start and not end:
        raise BadRequest("Range must contain either interval, from or to")
    zone = raw.get("timezone") or "UTC"
    if not isinstance(zone, str):
        raise BadRequest("Range timezone must be a string")
    offset = dataset_offset(zone, today)
    if interval and interval != "custom_date_range":
        if interval not in INTERVALS:
            raise BadRequest(
                f"Unknown interval '{interval}'; expected one of {', '.join(INTERVALS)}"
            )
        days = interval_days(str(interval), today)
        if days is None:
            return TimeRange(None, None, offset)
        return TimeRange(_epoch(days[0], offset), _epoch(days[1], offset) + 86400, offset)
    return TimeRange(
        parse_moment(start, offset, end=False) if start else None,
        parse_moment(end, offset, end=True) if end else None,
        offset,
    )


def parse_paging(body: Mapping[str, Any]) -> tuple[int | None, int]:
    values: list[int | None] = []
    for name in ("limit", "offset"):
        raw = body.get(name)
        if raw is None:
            values.append(None)
            continue
        try:
            number = to_int(raw)
        except ValueError:
            raise BadRequest(f"Param '{name}' must be a non-negative integer") from None
        if number < 0:
            raise BadRequest(f"Param '{name}' must be a non-negative integer")
        values.append(number)
    return values[0], values[1] or 0


def name_list(body: Mapping[str, Any], *keys: str) -> list[str]:
    """The first present array among ``keys`` (new dialect name first), de-duplicated."""
    for key in keys:
        if key in body and body[key] is not None:
            value = body[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise BadRequest(f"Param '{key}' must be an array")
            return list(dict.fromkeys(value))
    return []


@dataclass
class Compiled:
    """SQL pieces from the filters: row conditions and, for reports, measure conditions."""

    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    joins: set[str] = field(default_factory=set)
    having: list[str] = field(default_factory=list)
    having_params: list[Any] = field(default_factory=list)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _value(raw: Any, kind: str, name: str) -> Any:
    try:
        if kind == "int":
            try:
                return to_int(raw)
            except ValueError:
                return to_float(raw)
        if kind == "float":
            return to_float(raw)
    except ValueError:
        raise BadRequest(f"Filter '{name}' needs a number, got {raw!r}") from None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, bool):
        return "1" if raw else "0"
    return str(raw)


def _list(raw: Any) -> list[Any]:
    if isinstance(raw, list):
        return raw
    if isinstance(raw, str):
        return [p.strip() for p in re.split(r"[\n,]+", raw) if p.strip()]
    return [raw]


def condition(name: str, op: str, raw: Any, sql: str, kind: str) -> tuple[str, list[Any]]:
    """One filter as an SQL condition over ``sql`` with its parameters."""
    nocase = " COLLATE NOCASE" if kind == "str" else ""
    if op in _COMPARE:
        if raw is None:
            raise BadRequest(f"Filter '{name}' needs an expression")
        return f"{sql} {_COMPARE[op]} ?{nocase}", [_value(raw, kind, name)]
    if op in ("MATCH_REGEXP", "NOT_MATCH_REGEXP"):
        pattern = str(raw or "")
        try:
            compile_regexp(pattern)
        except re.error as exc:
            raise BadRequest(f"Filter '{name}' has an invalid regular expression: {exc}") from None
        negate = "NOT " if op == "NOT_MATCH_REGEXP" else ""
        return f"{negate}(CAST({sql} AS TEXT) REGEXP ?)", [pattern]
    if op in ("BEGINS_WITH", "ENDS_WITH", "CONTAINS", "NOT_CONTAIN", "IP_BEGINS_WITH"):
        text = _escape_like(str(raw if raw is not None else ""))
        pattern = {
            "BEGINS_WITH": f"{text}%",
            "IP_BEGINS_WITH": f"{text}%",
            "ENDS_WITH": f"%{text}",
        }.get(op, f"%{text}%")
        negate = "NOT " if op == "NOT_CONTAIN" else ""
        return f"CAST({sql} AS TEXT) {negate}LIKE ? ESCAPE '\\'", [pattern]
    if op in ("IN_LIST", "NOT_IN_LIST"):
        items = [_value(v, kind, name) for v in _list(raw)]
        if not items:
            return ("0" if op == "IN_LIST" else "1"), []
        marks = ", ".join("?" * len(items))
        negate = "NOT " if op == "NOT_IN_LIST" else ""
        return f"{sql}{nocase} {negate}IN ({marks})", items
    if op == "BETWEEN":
        items = _list(raw)
        if len(items) != 2:
            raise BadRequest(f"Filter '{name}' with BETWEEN needs an array of two values")
        return f"{sql} BETWEEN ? AND ?", [_value(v, kind, name) for v in items]
    empty = f"({sql} IS NULL OR {sql} = {'0' if kind != 'str' else chr(39) * 2})"
    if op == "IS_SET":
        return f"NOT {empty}", []
    if op == "IS_NOT_SET":
        return empty, []
    truthy = f"(COALESCE({sql}, 0) NOT IN (0, '', '0'))"
    if op == "IS_TRUE":
        return truthy, []
    if op == "IS_FALSE":
        return f"NOT {truthy}", []
    label = str(raw or "").lower()
    if label not in ("whitelist", "blacklist"):
        raise BadRequest(f"Filter '{name}' with {op} needs 'whitelist' or 'blacklist'")
    negate = "NOT " if op == "NOT_HAS_LABEL" else ""
    return (
        f"{negate}EXISTS (SELECT 1 FROM labels lb WHERE lb.campaign_id = c.campaign_id "
        f"AND lb.ref_name = ? AND lb.value = CAST({sql} AS TEXT) AND lb.label = ?)",
        [name, label],
    )


def compile_filters(
    raw: Any, columns: Mapping[str, Column], measures: Mapping[str, str] | None = None
) -> Compiled:
    """Filters on columns go to WHERE; on measures (reports only) to the grouped level."""
    out = Compiled()
    if raw is None:
        return out
    if not isinstance(raw, list):
        raise BadRequest("Param 'filters' must be an array")
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest("Each filter must be an object {name, operator, expression}")
        name, op = item.get("name"), item.get("operator")
        if not isinstance(name, str) or not name:
            raise BadRequest("Filter name is required")
        if not isinstance(op, str) or op not in OPERATORS:
            raise BadRequest(f"Unknown filter operator {op!r} for '{name}'")
        expression = item.get("expression")
        if measures is not None and name in measures and name not in columns:
            sql, params = condition(name, op, expression, f"({measures[name]})", "float")
            out.having.append(sql)
            out.having_params.extend(params)
        elif name in columns:
            column = columns[name]
            sql, params = condition(name, op, expression, column.sql, column.kind)
            out.where.append(sql)
            out.params.extend(params)
            out.joins.update(column.joins)
        else:
            raise BadRequest(f"Unknown filter field '{name}'")
    return out


def sort_fields(raw: Any, allowed: Collection[str]) -> list[tuple[str, str]]:
    """(name, ASC|DESC) pairs; sorts on columns that are not selected are dropped silently."""
    if raw is None:
        return []
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise BadRequest("Param 'sort' must be an array")
    terms: list[tuple[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest("Each sort must be an object {name, order}")
        order = str(item.get("order") or "ASC").upper()
        if order not in ("ASC", "DESC"):
            raise BadRequest("Sort order must be ASC or DESC")
        name = item.get("name")
        if isinstance(name, str) and name in allowed:
            terms.append((name, order))
    return terms


def range_conditions(rng: TimeRange | None, column: str) -> tuple[list[str], list[Any]]:
    if rng is None:
        return [], []
    where, params = [], []
    if rng.start is not None:
        where.append(f"{column} >= ?")
        params.append(rng.start)
    if rng.end is not None:
        where.append(f"{column} < ?")
        params.append(rng.end)
    return where, params


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
