"""Read-only catalogues of flow types, schemas, actions and filter types.

The same data drives validation of stream writes, so a client that trusts
``GET /streams_actions`` or ``GET /stream_filters`` sees exactly what the sandbox accepts.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .config import API_BASE
from .wire import ok

SUB_ID_COUNT = 30
EXTRA_PARAM_COUNT = 10

STREAM_TYPES = [
    {"value": "forced", "name": "Forced"},
    {"value": "regular", "name": "Regular"},
    {"value": "default", "name": "Default"},
]

STREAM_SCHEMAS = [
    {
        "value": "landings",
        "name": "Landing pages and offers",
        "description": "Rotates the flow's landing pages and offers by their shares.",
    },
    {
        "value": "redirect",
        "name": "Redirect",
        "description": "Sends the visitor to the URL in the action payload.",
    },
    {
        "value": "action",
        "name": "Action",
        "description": "Runs a non-redirect action: another campaign, text, HTML, 404, nothing.",
    },
]


def _action(key: str, name: str, field: str, kind: str, description: str) -> dict[str, str]:
    return {"key": key, "name": name, "field": field, "type": kind, "description": description}


STREAM_ACTIONS = [
    _action("http", "HTTP redirect", "url", "redirect", "302 redirect to the URL."),
    _action("meta", "Meta refresh", "url", "redirect", "HTML page with a meta refresh tag."),
    _action("double_meta", "Double meta refresh", "url", "redirect", "Two meta refreshes."),
    _action("js", "JavaScript redirect", "url", "redirect", "Redirect by window.location."),
    _action("blank_referrer", "Blank referrer", "url", "redirect", "Redirect hiding referrer."),
    _action("formsubmit", "Form submit", "url", "redirect", "Auto-submitted HTML form."),
    _action("iframe", "Iframe", "url", "redirect", "Shows the URL in a full-page iframe."),
    _action("frame", "Frame", "url", "redirect", "Shows the URL in a frameset."),
    _action("js_for_iframe", "JS for iframe", "url", "redirect", "Script for iframe embeds."),
    _action("js_for_script", "JS for script", "url", "redirect", "Script tag embed (legacy)."),
    _action("remote", "Remote", "url", "redirect", "Fetches the URL; its body is the target."),
    _action("curl", "CURL", "url", "other", "Fetches the target server-side and outputs it."),
    _action("campaign", "Send to campaign", "campaign", "other", "Passes to another campaign."),
    _action("show_html", "Show HTML", "text", "other", "Outputs the payload as HTML."),
    _action("show_text", "Show text", "text", "other", "Outputs the payload as plain text."),
    _action("status404", "Not found", "nothing", "other", "Answers 404."),
    _action("do_nothing", "Do nothing", "nothing", "other", "Empty answer; payload is cleared."),
    _action("local_file", "Local file", "upload", "other", "Serves a file from the tracker."),
]

ACTION_ALIASES = {
    "location": "http",
    "group": "campaign",
    "build_html": "show_html",
    "return_html": "show_html",
    "echo": "show_text",
}
ACTION_KEYS = frozenset(a["key"] for a in STREAM_ACTIONS) | frozenset(ACTION_ALIASES)

FILTER_ALIASES = {"uniqueness_cookie": "uniqueness", "uniqueness_ip": "uniqueness"}

_IS = {"accept": "Is", "reject": "Is not"}


def _filter(
    value: str, group: str, tooltip: str, template: str = "list", defaults: str = "[]"
) -> dict[str, Any]:
    modes = {"accept": "Enabled", "reject": ""} if value == "limit" else dict(_IS)
    return {
        "value": value,
        "tooltip": tooltip,
        "modes": modes,
        "group": group,
        "template": template,
        "header_template": f"{value}-header",
        "defaults": defaults,
    }


def _build_filters() -> list[dict[str, Any]]:
    out = [
        _filter("country", "geo", "ISO-3166 two-letter country codes."),
        _filter("region", "geo", "Region names."),
        _filter("city", "geo", "City names."),
        _filter("ip", "geo", "IPs, ranges and CIDR blocks.", "textarea"),
        _filter("ipv_6", "geo", "Whether the visitor uses IPv6.", "toggle", "false"),
        _filter("isp", "geo", "Internet providers."),
        _filter("operator", "geo", "Mobile carriers."),
        _filter("connection_type", "geo", "Connection types (cable, cellular, ...)."),
        _filter("proxy", "geo", "Whether the visitor comes through a proxy.", "toggle", "false"),
        _filter("device_type", "device", "Device types (desktop, mobile, tablet, ...)."),
        _filter("device_model", "device", "Device models."),
        _filter("os", "device", "Operating systems."),
        _filter("os_version", "device", "Operating system versions."),
        _filter("browser", "device", "Browsers."),
        _filter("browser_version", "device", "Browser versions."),
        _filter("user_agent", "device", "User-Agent patterns.", "textarea"),
        _filter("language", "device", "Browser languages."),
        _filter("bot", "device", "Whether the visitor is a bot.", "toggle", "false"),
        _filter(
            "uniqueness",
            "device",
            "Uniqueness scope: stream, campaign or global.",
            "select",
            '"stream"',
        ),
        _filter("keyword", "parameters", "Keywords.", "textarea"),
        _filter("source", "parameters", "Sources.", "textarea"),
        _filter("search_engine", "parameters", "Search engines."),
        _filter("ad_campaign_id", "parameters", "Ad campaign ids.", "textarea"),
        _filter("creative_id", "parameters", "Creative ids.", "textarea"),
        _filter("x_requested_with", "parameters", "X-Requested-With header values."),
        _filter("referrer", "parameters", "Referrer patterns.", "textarea"),
        _filter(
            "empty_referrer", "parameters", "Whether the referrer is empty.", "toggle", "false"
        ),
        _filter(
            "parameter",
            "parameters",
            "Any query parameter: {name, value[]}.",
            "parameter",
            '{"name":"","value":[]}',
        ),
    ]
    out += [
        _filter(f"sub_id_{i}", "parameters", f"Values of sub_id_{i}.", "textarea")
        for i in range(1, SUB_ID_COUNT + 1)
    ]
    out += [
        _filter(f"extra_param_{i}", "parameters", f"Values of extra_param_{i}.", "textarea")
        for i in range(1, EXTRA_PARAM_COUNT + 1)
    ]
    out += [
        _filter(
            "interval",
            "time",
            "Date interval {from, to, timezone}.",
            "interval",
            '{"from":"","to":"","timezone":"UTC"}',
        ),
        _filter(
            "schedule",
            "time",
            "Weekly schedule {intervals[], timezone}.",
            "schedule",
            '{"intervals":[],"timezone":"UTC"}',
        ),
        _filter(
            "limit",
            "time",
            "Click caps {per_hour, per_day, total}.",
            "limit",
            '{"per_hour":0,"per_day":0,"total":0}',
        ),
    ]
    return out


STREAM_FILTERS = _build_filters()


async def stream_types(request: web.Request) -> web.Response:
    return ok(STREAM_TYPES)


async def stream_schemas(request: web.Request) -> web.Response:
    return ok(STREAM_SCHEMAS)


async def streams_actions(request: web.Request) -> web.Response:
    return ok(STREAM_ACTIONS)


async def stream_filters(request: web.Request) -> web.Response:
    return ok(STREAM_FILTERS)


def routes() -> list[web.RouteDef]:
    return [
        web.get(f"{API_BASE}/stream_types", stream_types),
        web.get(f"{API_BASE}/stream_schemas", stream_schemas),
        web.get(f"{API_BASE}/streams_actions", streams_actions),
        web.get(f"{API_BASE}/stream_filters", stream_filters),
    ]
