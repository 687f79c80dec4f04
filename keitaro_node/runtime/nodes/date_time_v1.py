"""Date & Time version 1: format a date, or add time to it, with moment.js's rules.

"Format a Date" reads the Value (a Unix timestamp in seconds below 12 digits, in milliseconds
from 12; text through moment's reader, or moment's tokens in "From Format"), moves it to "To
Timezone" when a zone option is set (wall times then belong to "From Timezone", by default the
workflow's) and writes it with moment's tokens (`MM/DD/YYYY`, `X`). Without zone options the
date is read and written in the process's local time, as n8n does. "Calculate a Date" reads the
Value as JavaScript's Date does (or strictly with "From Format"), adds or subtracts the duration
on the local wall clock and writes an ISO 8601 UTC text.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import NodeOperationError
from ..expressions.luxon import formatting
from ..expressions.luxon.v8_date import parse_js_date
from ..items import Item, PairedItem
from ..node import ExecutionContext
from . import date_time_moment as moment
from .date_time_common import (
    UNDEFINED,
    DateTimeValue,
    JsDate,
    Skipped,
    is_whole_number,
    js_number,
    js_string,
    key_text,
    raw_value,
    truthy,
)
from .date_time_zones import process_zone, workflow_zone_name

V1: dict[str, Any] = {"@version": [1]}
UNRECOGNIZED = 'The date input format could not be recognized. Please set the "From Format" field'
CANNOT_PARSE = 'Date input cannot be parsed. Please recheck the value and the "From Format" field.'
UNRECOGNIZED_CALCULATE = (
    'Unrecognized date input. Please specify a format in the "From Format" field.'
)
UNITS = (
    "quarters",
    "years",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
)


def _show(action: str, **more: list[Any]) -> dict[str, Any]:
    return {"show": {**V1, "action": [action], **more}}


def _zone_option(name: str, label: str, description: str) -> dict[str, Any]:
    return {
        "displayName": label,
        "name": name,
        "type": "string",
        "default": "UTC",
        "placeholder": "Europe/Berlin",
        "description": description,
        "x": {"n8nType": "options of the zones moment-timezone knows (getTimezones)"},
    }


_FORMATS = [
    {"name": "MM/DD/YYYY", "value": "MM/DD/YYYY", "description": "09/04/1986"},
    {"name": "YYYY/MM/DD", "value": "YYYY/MM/DD", "description": "1986/04/09"},
    {"name": "MMMM DD YYYY", "value": "MMMM DD YYYY", "description": "April 09 1986"},
    {"name": "MM-DD-YYYY", "value": "MM-DD-YYYY", "description": "09-04-1986"},
    {"name": "YYYY-MM-DD", "value": "YYYY-MM-DD", "description": "1986-04-09"},
    {"name": "Unix Timestamp", "value": "X", "description": "513388800.879"},
    {"name": "Unix Ms Timestamp", "value": "x", "description": "513388800"},
]

V1_PROPERTIES: list[dict[str, Any]] = [
    {
        "displayName": "Expressions can do more with dates: {{ $now.plus(1, 'week') }}",
        "name": "noticeDateTime",
        "type": "notice",
        "default": "",
        "displayOptions": {"show": V1},
    },
    {
        "displayName": "Action",
        "name": "action",
        "type": "options",
        "default": "format",
        "options": [
            {"name": "Calculate a Date", "value": "calculate", "action": "Add or subtract time"},
            {"name": "Format a Date", "value": "format", "action": "Write a date differently"},
        ],
        "displayOptions": {"show": V1},
    },
    {
        "displayName": "Value",
        "name": "value",
        "type": "string",
        "default": "",
        "required": True,
        "description": "The date to write differently",
        "displayOptions": _show("format"),
    },
    {
        "displayName": "Property Name",
        "name": "dataPropertyName",
        "type": "string",
        "default": "data",
        "required": True,
        "description": "The field that gets the formatted date",
        "displayOptions": _show("format"),
    },
    {
        "displayName": "Custom Format",
        "name": "custom",
        "type": "boolean",
        "default": False,
        "description": "Whether To Format is typed in rather than picked",
        "displayOptions": _show("format"),
    },
    {
        "displayName": "To Format",
        "name": "toFormat",
        "type": "string",
        "default": "",
        "placeholder": "YYYY-MM-DD",
        "description": "moment.js tokens; empty: ISO 8601 with the offset",
        "displayOptions": _show("format", custom=[True]),
    },
    {
        "displayName": "To Format",
        "name": "toFormat",
        "type": "options",
        "default": "MM/DD/YYYY",
        "options": _FORMATS,
        "description": "How the date is written",
        "displayOptions": _show("format", custom=[False]),
    },
    {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "placeholder": "Add option",
        "default": {},
        "displayOptions": _show("format"),
        "options": [
            {
                "displayName": "From Format",
                "name": "fromFormat",
                "type": "string",
                "default": "",
                "description": "moment.js tokens the Value is written in, when not ISO 8601",
            },
            _zone_option(
                "fromTimezone", "From Timezone Name or ID", "The zone of a Value without offset"
            ),
            _zone_option("toTimezone", "To Timezone Name or ID", "The zone the date is written in"),
        ],
    },
    {
        "displayName": "Date Value",
        "name": "value",
        "type": "string",
        "default": "",
        "required": True,
        "description": "The date (text or timestamp) to add time to or subtract time from",
        "displayOptions": _show("calculate"),
    },
    {
        "displayName": "Operation",
        "name": "operation",
        "type": "options",
        "noDataExpression": True,
        "default": "add",
        "required": True,
        "options": [
            {"name": "Add", "value": "add", "action": "Add time to Date Value"},
            {"name": "Subtract", "value": "subtract", "action": "Subtract time from Date Value"},
        ],
        "displayOptions": _show("calculate"),
    },
    {
        "displayName": "Duration",
        "name": "duration",
        "type": "number",
        "default": 0,
        "required": True,
        "typeOptions": {"minValue": 0},
        "description": "How many Time Units to add or subtract",
        "displayOptions": _show("calculate"),
    },
    {
        "displayName": "Time Unit",
        "name": "timeUnit",
        "type": "options",
        "default": "days",
        "required": True,
        "options": [{"name": u.capitalize(), "value": u} for u in UNITS],
        "description": "The unit of Duration",
        "displayOptions": _show("calculate"),
    },
    {
        "displayName": "Property Name",
        "name": "dataPropertyName",
        "type": "string",
        "default": "data",
        "required": True,
        "description": "The field that gets the new date",
        "displayOptions": _show("calculate"),
    },
    {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "placeholder": "Add option",
        "default": {},
        "displayOptions": _show("calculate"),
        "options": [
            {
                "displayName": "From Format",
                "name": "fromFormat",
                "type": "string",
                "default": "",
                "description": "moment.js tokens the Date Value is written in (read strictly)",
            }
        ],
    },
]


class _V1:
    """One run of version 1 over a node's items."""

    def __init__(self, ctx: ExecutionContext) -> None:
        self.ctx = ctx
        self.params = ctx.raw_parameters
        self.zone_name = workflow_zone_name(ctx)
        self.local = process_zone()

    def fail(self, message: str, index: int, hint: str | None = None) -> NodeOperationError:
        return NodeOperationError(
            message, description=hint, item_index=index, node_name=self.ctx.node_name
        )

    def run(self, index: int, item: Item) -> Item:
        action = self.params.get("action", 0)
        if action == "format":
            written: Any = self._format(index)
            if written is UNDEFINED:
                return Skipped()
        elif action == "calculate":
            written = self._calculate(index)
        else:
            raise self.fail(
                f"The action '{key_text(action)}' is not known",
                index,
                "Date & Time 1 can 'format' or 'calculate'",
            )
        field = key_text(self.params.get("dataPropertyName", index))
        out = Item(json=dict(item.json), binary=item.binary, paired_item=PairedItem(index))
        out.json[field] = written
        return out

    # --- Format a Date ------------------------------------------------------------------

    def _format(self, index: int) -> Any:
        value = raw_value(self.params, "value", index)
        to_format = self.params.get("toFormat", index)
        options = self.params.get("options", index, {})
        if isinstance(value, DateTimeValue):
            value = formatting.to_iso(value.value)
        number = js_number(value)
        if not math.isnan(number):
            value = number if is_whole_number(number) else number * 1000
        if value is UNDEFINED:
            return UNDEFINED
        from_format = options.get("fromFormat", UNDEFINED)
        if from_format is UNDEFINED and not self._moment(index, value, None).is_valid:
            raise self.fail(
                UNRECOGNIZED,
                index,
                f"the Value is {_shown(value)}; give ISO 8601 text or a Unix timestamp, or "
                "set 'From Format' to the moment.js tokens it is written in",
            )
        from_zone, to_zone = options.get("fromTimezone"), options.get("toTimezone")
        zoned = truthy(from_zone) or truthy(to_zone)
        fmt = key_text(from_format) if truthy(from_format) else None
        if is_whole_number(value):
            digits = js_string(value)
            reading = (
                moment.unix(float(value), self.local)
                if len(digits) < 12
                else moment.from_number(float(value), self.local)
            )
        elif zoned:
            zone_name = from_zone if truthy(from_zone) else self.zone_name
            reading = self._in_zone(index, value, key_text(zone_name), fmt)
        else:
            reading = self._moment(index, value, fmt)
        if zoned:
            reading = moment.to_zone(
                reading, key_text(to_zone if truthy(to_zone) else self.zone_name)
            )
        return moment.format_moment(reading, None if to_format is None else key_text(to_format))

    def _moment(self, index: int, value: Any, fmt: str | None) -> moment.Moment:
        """`moment(value[, format])` in the process's local time."""
        try:
            if fmt is not None:
                return moment.from_format(js_string(value), fmt, self.local)
            return moment.from_input(value, self.local)
        except moment.MomentUnsupported as exc:
            raise self._unsupported(index, exc) from None

    def _in_zone(self, index: int, value: Any, zone: str, fmt: str | None) -> moment.Moment:
        try:
            if fmt is not None:
                value = js_string(value)
            return moment.in_zone(value, zone, self.local, fmt)
        except moment.MomentUnsupported as exc:
            raise self._unsupported(index, exc) from None

    def _unsupported(self, index: int, exc: moment.MomentUnsupported) -> NodeOperationError:
        return self.fail(
            f"moment.js reading of {exc} is not reproduced here",
            index,
            "use other format tokens, or version 2 of the node",
        )

    # --- Calculate a Date ---------------------------------------------------------------

    def _calculate(self, index: int) -> str | None:
        value = raw_value(self.params, "value", index)
        operation = self.params.get("operation", index)
        amount = self.params.get("duration", index)
        unit = self.params.get("timeUnit", index)
        from_format = self.params.get("options", index, {}).get("fromFormat")
        if truthy(from_format):
            try:
                reading = moment.from_format(
                    js_string(value), key_text(from_format), self.local, strict=True
                )
            except moment.MomentUnsupported as exc:
                raise self._unsupported(index, exc) from None
            if not reading.is_valid:
                raise self.fail(
                    CANNOT_PARSE,
                    index,
                    f"the Date Value {_shown(value)} is not written as '{key_text(from_format)}' "
                    "(moment.js tokens, read strictly)",
                )
        else:
            ms = self._js_date(value)
            if math.isnan(ms):
                raise self.fail(
                    UNRECOGNIZED_CALCULATE,
                    index,
                    f"the Date Value is {_shown(value)}; give ISO 8601 text or a timestamp in "
                    "milliseconds, or set 'From Format'",
                )
            reading = moment.from_number(ms, self.local)
        number = self._amount(index, amount)
        if moment.normalize_unit(key_text(unit)) is None:
            raise self.fail(
                f"The time unit '{key_text(unit)}' is not known",
                index,
                f"units are {', '.join(UNITS)} (n8n would leave the date unchanged)",
            )
        moved = moment.add(reading, number if operation == "add" else -number, key_text(unit))
        return moment.to_iso_string(moved)

    def _js_date(self, value: Any) -> float:
        """`new Date(value).getTime()`."""
        if isinstance(value, str):
            return parse_js_date(value, self.local)
        if isinstance(value, (DateTimeValue, JsDate)):
            return moment.js_time_clip(float(js_number(value)))
        if isinstance(value, (list, dict)):
            return parse_js_date(js_string(value), self.local)
        if value is UNDEFINED:
            return math.nan
        return moment.js_time_clip(float(js_number(value)))

    def _amount(self, index: int, amount: Any) -> float:
        if amount is None:
            return 0.0
        number = js_number(amount) if not isinstance(amount, (list, dict)) else math.nan
        if isinstance(amount, bool) or math.isnan(number):
            raise self.fail(
                f"The Duration {_shown(amount)} is not a number",
                index,
                "give a number (n8n would leave the date unchanged)",
            )
        return float(number)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:60])
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return key_text(value)


async def execute_v1(ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
    run = _V1(ctx)

    def error_item(index: int, _item: Item, error: Any) -> Item:
        return Item(
            json={"error": getattr(error, "message", str(error))}, paired_item=PairedItem(index)
        )

    out = await ctx.map_each(items, run.run, error_item=error_item)
    return [[item for item in out if not isinstance(item, Skipped)]]


__all__ = ["V1_PROPERTIES", "execute_v1"]
