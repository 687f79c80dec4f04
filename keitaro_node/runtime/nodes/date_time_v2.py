"""Date & Time version 2: one operation per node, each writing one field of a new item.

Dates are read as n8n 1.123 reads them (its parseDate): a Luxon DateTime given by an
expression is used as it is; a number, or text that is a number, is a Unix timestamp in seconds
when it has fewer than 12 digits and in milliseconds otherwise (a fraction means seconds);
other text goes through moment's reader (ISO 8601, RFC 2822, then JavaScript's Date), whose
wall times without an offset are the process's local time, or through Luxon's fromFormat with
the workflow's zone when "From Date Format" is set. The result is put in the workflow's zone
(formatDate: in UTC, or in `Etc/GMT-N` when the text holds `+N`, unless "Use Workflow
Timezone" is on) and written back as Luxon writes it.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import NodeOperationError
from ..expressions.luxon import formatting, parsing
from ..expressions.luxon.duration import Duration, diff
from ..expressions.luxon.model import LuxonDateTime
from ..expressions.luxon.zones import UTC_ZONE, Zone, fixed_zone
from ..expressions.values import number_string
from ..items import Item, PairedItem
from ..node import ExecutionContext
from . import date_time_moment as moment
from .date_time_common import (
    UNDEFINED,
    DateTimeValue,
    is_whole_number,
    js_number,
    json_number,
    key_text,
    raw_value,
    truthy,
)
from .date_time_zones import luxon_zone, process_zone, workflow_zone_name

V2: dict[str, Any] = {"@version": [2]}
OPERATIONS = (
    "addToDate",
    "extractDate",
    "formatDate",
    "getCurrentDate",
    "getTimeBetweenDates",
    "roundDate",
    "subtractFromDate",
)
INVALID_FORMAT = "Invalid date format"
_LUXON_UNITS = {
    "year": "years",
    "years": "years",
    "quarter": "quarters",
    "quarters": "quarters",
    "month": "months",
    "months": "months",
    "week": "weeks",
    "weeks": "weeks",
    "day": "days",
    "days": "days",
    "hour": "hours",
    "hours": "hours",
    "minute": "minutes",
    "minutes": "minutes",
    "second": "seconds",
    "seconds": "seconds",
    "millisecond": "milliseconds",
    "milliseconds": "milliseconds",
}
# Luxon turns the fraction of a calendar unit into time with its "casual" lengths
_CASUAL_MS = {
    "years": 365 * 86_400_000,
    "quarters": 91 * 86_400_000,
    "months": 30 * 86_400_000,
    "weeks": 7 * 86_400_000,
    "days": 86_400_000,
    "hours": 3_600_000,
    "minutes": 60_000,
    "seconds": 1000,
    "milliseconds": 1,
}
_CALENDAR = ("years", "quarters", "months", "weeks", "days")


def _show(operations: list[str], **more: list[Any]) -> dict[str, Any]:
    return {"show": {**V2, "operation": operations, **more}}


def _notice(operation: str, text: str) -> dict[str, Any]:
    return {
        "displayName": text,
        "name": "notice",
        "type": "notice",
        "default": "",
        "displayOptions": _show([operation]),
    }


def _output_field(operation: str, default: str) -> dict[str, Any]:
    return {
        "displayName": "Output Field Name",
        "name": "outputFieldName",
        "type": "string",
        "default": default,
        "description": "The field of the output item that gets the result",
        "displayOptions": _show([operation]),
    }


INCLUDE_INPUT_FIELDS: dict[str, Any] = {
    "displayName": "Include Input Fields",
    "name": "includeInputFields",
    "type": "boolean",
    "default": False,
    "description": "Whether the output item starts as a copy of the input item",
}


def _options(operation: str, *more: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "placeholder": "Add option",
        "default": {},
        "displayOptions": _show([operation]),
        "options": [INCLUDE_INPUT_FIELDS, *more],
    }


def _date(operation: str, label: str, name: str = "date", **more: Any) -> dict[str, Any]:
    return {
        "displayName": label,
        "name": name,
        "type": "string",
        "default": "",
        "description": "A date: ISO 8601 text, a Unix timestamp, or a DateTime expression",
        "displayOptions": _show([operation]),
        **more,
    }


_DURATION_UNITS = [
    {"name": "Years", "value": "years"},
    {"name": "Quarters", "value": "quarters"},
    {"name": "Months", "value": "months"},
    {"name": "Weeks", "value": "weeks"},
    {"name": "Days", "value": "days"},
    {"name": "Hours", "value": "hours"},
    {"name": "Minutes", "value": "minutes"},
    {"name": "Seconds", "value": "seconds"},
    {"name": "Milliseconds", "value": "milliseconds"},
]
_PARTS = [
    {"name": "Year", "value": "year"},
    {"name": "Month", "value": "month"},
    {"name": "Week", "value": "week"},
    {"name": "Day", "value": "day"},
    {"name": "Hour", "value": "hour"},
    {"name": "Minute", "value": "minute"},
    {"name": "Second", "value": "second"},
]


def _shift(operation: str, verb: str, label: str, unit_label: str) -> list[dict[str, Any]]:
    return [
        _notice(operation, f"Expressions do this too: {{{{ $json.date.{verb}(5, 'minutes') }}}}"),
        _date(operation, label, "magnitude", required=True),
        {
            "displayName": unit_label,
            "name": "timeUnit",
            "type": "options",
            "default": "days",
            "required": True,
            "options": _DURATION_UNITS,
            "description": "The unit of the duration",
            "displayOptions": _show([operation]),
        },
        {
            "displayName": "Duration",
            "name": "duration",
            "type": "number",
            "default": 0,
            "description": "How many units to move the date by",
            "displayOptions": _show([operation]),
        },
        _output_field(operation, "newDate"),
        _options(operation),
    ]


V2_PROPERTIES: list[dict[str, Any]] = [
    {
        "displayName": "Operation",
        "name": "operation",
        "type": "options",
        "noDataExpression": True,
        "default": "getCurrentDate",
        "options": [
            {"name": "Add to a Date", "value": "addToDate"},
            {"name": "Extract Part of a Date", "value": "extractDate"},
            {"name": "Format a Date", "value": "formatDate"},
            {"name": "Get Current Date", "value": "getCurrentDate"},
            {"name": "Get Time Between Dates", "value": "getTimeBetweenDates"},
            {"name": "Round a Date", "value": "roundDate"},
            {"name": "Subtract From a Date", "value": "subtractFromDate"},
        ],
        "displayOptions": {"show": V2},
    },
    _notice("getCurrentDate", "Expressions have the current date too: {{ $now }}, {{ $today }}"),
    {
        "displayName": "Include Current Time",
        "name": "includeTime",
        "type": "boolean",
        "default": True,
        "description": "Whether the time of day is kept (off: midnight)",
        "displayOptions": _show(["getCurrentDate"]),
    },
    _output_field("getCurrentDate", "currentDate"),
    _options(
        "getCurrentDate",
        {
            "displayName": "Timezone",
            "name": "timezone",
            "type": "string",
            "default": "",
            "placeholder": "America/New_York",
            "description": "An IANA zone name; empty: the workflow's zone",
        },
    ),
    *_shift("addToDate", "plus", "Date to Add To", "Time Unit to Add"),
    *_shift("subtractFromDate", "minus", "Date to Subtract From", "Time Unit to Subtract"),
    _notice("formatDate", "Expressions do this too: {{ $json.date.format('yyyy-MM-dd') }}"),
    _date("formatDate", "Date"),
    {
        "displayName": "Format",
        "name": "format",
        "type": "options",
        "default": "MM/dd/yyyy",
        "typeOptions": {"openOptions": True},  # n8n formats with any value it is given
        "options": [
            {"name": "Custom Format", "value": "custom"},
            {"name": "MM/DD/YYYY", "value": "MM/dd/yyyy", "description": "09/04/1986"},
            {"name": "YYYY/MM/DD", "value": "yyyy/MM/dd", "description": "1986/04/09"},
            {"name": "MMMM DD YYYY", "value": "MMMM dd yyyy", "description": "April 09 1986"},
            {"name": "MM-DD-YYYY", "value": "MM-dd-yyyy", "description": "09-04-1986"},
            {"name": "YYYY-MM-DD", "value": "yyyy-MM-dd", "description": "1986-04-09"},
            {"name": "Unix Timestamp", "value": "X", "description": "1672531200"},
            {"name": "Unix Ms Timestamp", "value": "x", "description": "1674691200000"},
        ],
        "description": "How the date is written (Luxon's tokens)",
        "displayOptions": _show(["formatDate"]),
    },
    {
        "displayName": "Custom Format",
        "name": "customFormat",
        "type": "string",
        "default": "",
        "placeholder": "yyyy-MM-dd",
        "hint": "Luxon's format tokens",
        "displayOptions": _show(["formatDate"], format=["custom"]),
    },
    _output_field("formatDate", "formattedDate"),
    _options(
        "formatDate",
        {
            "displayName": "From Date Format",
            "name": "fromFormat",
            "type": "string",
            "default": "e.g yyyyMMdd",
            "hint": "Tokens are case sensitive",
            "description": "Luxon's tokens for reading the Date when it is no ISO text",
        },
        {
            "displayName": "Use Workflow Timezone",
            "name": "timezone",
            "type": "boolean",
            "default": False,
            "description": "Whether the date is written in the workflow's zone (off: its own)",
        },
    ),
    _notice("roundDate", "Expressions do this too: {{ $json.date.startOf('month') }}"),
    _date("roundDate", "Date"),
    {
        "displayName": "Mode",
        "name": "mode",
        "type": "options",
        "default": "roundDown",
        "options": [
            {"name": "Round Down", "value": "roundDown"},
            {"name": "Round Up", "value": "roundUp"},
        ],
        "displayOptions": _show(["roundDate"]),
    },
    {
        "displayName": "To Nearest",
        "name": "toNearest",
        "type": "options",
        "default": "month",
        "options": _PARTS,
        "displayOptions": _show(["roundDate"], mode=["roundDown"]),
    },
    {
        "displayName": "To",
        "name": "to",
        "type": "options",
        "default": "month",
        "options": [{"name": "End of Month", "value": "month"}],
        "description": "Rounding up gives the start of the next month, as in n8n",
        "displayOptions": _show(["roundDate"], mode=["roundUp"]),
    },
    _output_field("roundDate", "roundedDate"),
    _options("roundDate"),
    _date("getTimeBetweenDates", "Start Date", "startDate"),
    _date("getTimeBetweenDates", "End Date", "endDate"),
    {
        "displayName": "Units",
        "name": "units",
        "type": "multiOptions",
        "default": ["day"],
        "options": [
            {"name": "Year", "value": "year"},
            {"name": "Month", "value": "month"},
            {"name": "Week", "value": "week"},
            {"name": "Day", "value": "day"},
            {"name": "Hour", "value": "hour"},
            {"name": "Minute", "value": "minute"},
            {"name": "Second", "value": "second"},
            {"name": "Millisecond", "value": "millisecond"},
        ],
        "displayOptions": _show(["getTimeBetweenDates"]),
    },
    _output_field("getTimeBetweenDates", "timeDifference"),
    _options(
        "getTimeBetweenDates",
        {
            "displayName": "Output as ISO String",
            "name": "isoString",
            "type": "boolean",
            "default": False,
            "description": "Whether the difference is an ISO 8601 duration text (off: an object)",
        },
    ),
    _notice("extractDate", "Expressions do this too: {{ $json.date.month }}"),
    _date("extractDate", "Date"),
    {
        "displayName": "Part",
        "name": "part",
        "type": "options",
        "default": "month",
        "options": _PARTS,
        "displayOptions": _show(["extractDate"]),
    },
    _output_field("extractDate", "datePart"),
    _options("extractDate"),
]


class _V2:
    """One run of version 2 over a node's items."""

    def __init__(self, ctx: ExecutionContext) -> None:
        self.ctx = ctx
        self.params = ctx.raw_parameters
        self.operation = self.params.get("operation", 0)
        if self.operation not in OPERATIONS:
            raise NodeOperationError(
                f"The operation '{self.operation}' is not known",
                description=f"Date & Time 2 has: {', '.join(OPERATIONS)}",
                node_name=ctx.node_name,
            )
        self.zone_name = workflow_zone_name(ctx)
        self.default_zone = luxon_zone(self.zone_name, UTC_ZONE) or UTC_ZONE
        self.include = truthy(self.params.get("options.includeInputFields", 0, False))
        self.local = process_zone()

    def fail(self, message: str, index: int, hint: str | None = None) -> NodeOperationError:
        return NodeOperationError(
            message, description=hint, item_index=index, node_name=self.ctx.node_name
        )

    def run(self, index: int, item: Item) -> Item:
        out = Item(json=dict(item.json) if self.include else {}, paired_item=PairedItem(index))
        if self.include:
            out.binary = item.binary
        handler = getattr(self, f"_{self.operation}")
        handler(index, out.json)
        return out

    # --- operations ---------------------------------------------------------------------

    def _getCurrentDate(self, index: int, json: dict[str, Any]) -> None:
        field = key_text(self.params.get("outputFieldName", index))
        timezone = self.params.get("options", index, {}).get("timezone")
        chosen = timezone if truthy(timezone) else self.zone_name
        zone = self._zone(chosen)
        if zone is None:
            raise self.fail(
                f"The timezone {key_text(chosen)} is not valid. Please check the timezone.",
                index,
                "give an IANA zone name such as Europe/Berlin, or UTC",
            )
        now = LuxonDateTime(moment._now_ms(), zone)
        if not truthy(self.params.get("includeTime", index)):
            now = now.start_of("day")
        json[field] = _text(now)

    def _addToDate(self, index: int, json: dict[str, Any], sign: int = 1) -> None:
        date = self._read(index, "magnitude", self.zone_name)
        unit = self.params.get("timeUnit", index)
        amount = self.params.get("duration", index)
        field = key_text(self.params.get("outputFieldName", index))
        json[field] = _text(self._plus(index, date, unit, amount, sign))

    def _subtractFromDate(self, index: int, json: dict[str, Any]) -> None:
        self._addToDate(index, json, -1)

    def _formatDate(self, index: int, json: dict[str, Any]) -> None:
        value = raw_value(self.params, "date", index)
        fmt = self.params.get("format", index)
        field = key_text(self.params.get("outputFieldName", index))
        options = self.params.get("options", index, {})
        if value is None or value is UNDEFINED:
            if value is None:
                json[field] = None
            return
        zone = self.zone_name if truthy(options.get("timezone")) else None
        date = self.parse(index, value, zone, options.get("fromFormat"), "date")
        if fmt == "custom":
            fmt = self.params.get("customFormat", index)
        json[field] = formatting.to_format(date, key_text(fmt))

    def _roundDate(self, index: int, json: dict[str, Any]) -> None:
        date = self._read(index, "date", self.zone_name)
        mode = self.params.get("mode", index)
        field = key_text(self.params.get("outputFieldName", index))
        if mode == "roundDown":
            unit = self._unit(index, self.params.get("toNearest", index))
            json[field] = _text(_start_of(date, unit))
        elif mode == "roundUp":
            unit = self._unit(index, self.params.get("to", index))
            moved = _plus(date, unit, 1) if date.is_valid else date
            json[field] = _text(_start_of(moved, unit))

    def _getTimeBetweenDates(self, index: int, json: dict[str, Any]) -> None:
        start = self._read(index, "startDate", self.zone_name)
        end = self._read(index, "endDate", self.zone_name)
        chosen = self.params.get("units", index)
        field = key_text(self.params.get("outputFieldName", index))
        iso = truthy(self.params.get("options", index, {}).get("isoString"))
        duration = self._between(index, start, end, chosen)
        if duration is None:  # a date that is not valid: Luxon's invalid Duration
            json[field] = None if iso else {}
            return
        json[field] = duration.to_iso() if iso else _duration_object(duration)

    def _extractDate(self, index: int, json: dict[str, Any]) -> None:
        date = self._read(index, "date", self.zone_name)
        field = key_text(self.params.get("outputFieldName", index))
        part = self.params.get("part", index)
        getter = "weekNumber" if part == "week" else key_text(part)
        if getter not in _GETTERS:
            return  # Luxon has no such getter: the field is undefined
        json[field] = json_number(date.get(getter)) if date.is_valid else None

    # --- reading dates ------------------------------------------------------------------

    def _read(self, index: int, name: str, zone: str | None) -> LuxonDateTime:
        return self.parse(index, raw_value(self.params, name, index), zone, None, name)

    def parse(
        self, index: int, value: Any, zone: str | None, from_format: Any, name: str
    ) -> LuxonDateTime:
        """n8n's parseDate: the value as a Luxon DateTime in `zone` (None: UTC or +N).

        n8n 1.123 evaluates expressions in an isolate ('vm' engine), which hands a DateTime
        over as its ISO text: the node never sees the DateTime itself.
        """
        if isinstance(value, DateTimeValue):
            value = _text(value.value)
        if not truthy(from_format):
            number = js_number(value)
            if not math.isnan(number):
                value = number if is_whole_number(number) else number * 1000
        if is_whole_number(value):
            digits = number_string(value)
            ms = float(value) * 1000 if len(digits) < 12 else float(value)
            parsed = LuxonDateTime(ms, self.default_zone)
        else:
            if not zone and self._includes_plus(index, value, name):
                after = value.split("+")[1][:2]
                zone = f"Etc/GMT-{number_string(js_number(after) * 1)}"
            if truthy(from_format):
                text = value if isinstance(value, str) else key_text(value)
                parsed = _from_format(text, key_text(from_format), self.default_zone)
            else:
                try:
                    reading = moment.from_input(value, self.local)
                except moment.MomentUnsupported as exc:
                    raise self.fail(f"The {name} parameter is {exc}", index) from None
                parsed = (
                    LuxonDateTime(reading.ms, UTC_ZONE)
                    if reading.is_valid
                    else parsing.unparsable(key_text(value), "ISO 8601")
                )
        target = self._zone(zone or "Etc/UTC")
        if target is None:
            parsed = LuxonDateTime.invalid_value("unsupported zone")
        elif parsed.is_valid:
            parsed = parsed.set_zone(target)
        if parsed.invalid == "unparsable":
            raise self.fail(
                INVALID_FORMAT,
                index,
                f"the {name} parameter is {_shown(value)}: give ISO 8601 text, a Unix timestamp "
                "or a DateTime, or set the format it is in",
            )
        return parsed

    def _includes_plus(self, index: int, value: Any, name: str) -> bool:
        """`date.includes('+')`, which n8n asks only when no zone was chosen."""
        if isinstance(value, str):
            return "+" in value
        if isinstance(value, list):
            if any(v == "+" and isinstance(v, str) for v in value):
                raise self.fail("date.split is not a function", index)
            return False
        if value is UNDEFINED:
            message = "Cannot read properties of undefined (reading 'includes')"
        elif value is None:
            message = "Cannot read properties of null (reading 'includes')"
        else:
            message = "date.includes is not a function"
        raise self.fail(message, index, f"the {name} parameter is {_shown(value)}, not a date")

    def _zone(self, name: Any) -> Zone | None:
        if isinstance(name, (int, float)) and not isinstance(name, bool):
            return fixed_zone(int(name)) if math.isfinite(name) else None
        return luxon_zone(name, self.default_zone) if isinstance(name, str) else None

    # --- arithmetic ---------------------------------------------------------------------

    def _unit(self, index: int, unit: Any) -> str:
        name = _LUXON_UNITS.get(key_text(unit).lower()) if unit is not None else None
        if name is None:
            raise self.fail(
                f"Invalid unit {key_text(unit)}",
                index,
                "units are years, quarters, months, weeks, days, hours, minutes, seconds "
                "and milliseconds",
            )
        return name

    def _plus(
        self, index: int, date: LuxonDateTime, unit: Any, amount: Any, sign: int
    ) -> LuxonDateTime:
        if not date.is_valid:
            return date
        name = self._unit(index, unit)
        if amount is None or amount is UNDEFINED:
            return date
        number = js_number(amount)
        if isinstance(amount, bool) or amount == "" or math.isnan(number):
            raise self.fail(
                f"Invalid unit value {key_text(amount)}", index, "the Duration must be a number"
            )
        return _plus(date, name, sign * number)

    def _between(
        self, index: int, start: LuxonDateTime, end: LuxonDateTime, chosen: Any
    ) -> Duration | None:
        if not (start.is_valid and end.is_valid):
            return None
        listed = chosen if isinstance(chosen, list) else [chosen]
        units = [self._unit(index, u) for u in listed]
        if not units:
            raise self.fail("Invalid unit undefined", index, "choose at least one unit under Units")
        return diff(end, start, units)


_GETTERS = frozenset(
    (
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "millisecond",
        "weekday",
        "weekNumber",
        "weekYear",
        "ordinal",
        "quarter",
    )
)


def _plus(date: LuxonDateTime, unit: str, amount: float) -> LuxonDateTime:
    """Luxon's plus({unit: amount}): whole calendar units on the wall clock, the rest as time."""
    if unit in _CALENDAR:
        whole = math.trunc(amount)
        moved = date.plus({unit: whole}) if whole else date
        extra = (amount - whole) * _CASUAL_MS[unit]
    else:
        moved, extra = date, amount * _CASUAL_MS[unit]
    if extra and moved.is_valid:
        return LuxonDateTime(moved.ms + extra, moved.zone, moved.locale)
    return moved


def _from_format(text: str, fmt: str, zone: Zone) -> LuxonDateTime:
    """Luxon 3.4's fromFormat, which reads no Unix timestamps (X, x)."""
    if any(token[0] in "Xx" for token in _format_tokens(fmt)):
        return parsing.unparsable(text, f"format {fmt}")
    try:
        return parsing.from_format(text, fmt, zone)
    except (ValueError, IndexError):
        return parsing.unparsable(text, f"format {fmt}")


def _format_tokens(fmt: str) -> list[str]:
    """The token runs of a Luxon format, quoted literals left out."""
    tokens: list[str] = []
    index = 0
    while index < len(fmt):
        if fmt[index] == "'":
            end = fmt.find("'", index + 1)
            index = len(fmt) if end < 0 else end + 1
            continue
        end = index
        while end < len(fmt) and fmt[end] == fmt[index]:
            end += 1
        tokens.append(fmt[index:end])
        index = end
    return tokens


def _start_of(date: LuxonDateTime, unit: str) -> LuxonDateTime:
    if not date.is_valid or unit == "milliseconds":
        return date
    return date.start_of(unit[:-1])


def _text(date: LuxonDateTime) -> str:
    """Luxon's DateTime#toString: ISO 8601, or "Invalid DateTime"."""
    return formatting.to_iso(date) or formatting.INVALID


def _duration_object(duration: Duration) -> dict[str, Any]:
    return {unit: json_number(value) for unit, value in duration.values.items()}


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:60])
    if value is UNDEFINED:
        return "undefined"
    return key_text(value) if not isinstance(value, dict) else "an object"


async def execute_v2(ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
    run = _V2(ctx)

    def error_item(_index: int, _item: Item, error: Any) -> Item:
        return Item(json={"error": getattr(error, "message", str(error))})

    return [await ctx.map_each(items, run.run, error_item=error_item)]


__all__ = ["V2_PROPERTIES", "execute_v2"]
