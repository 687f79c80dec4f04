"""The time zone of a workflow's run, as n8n picks it, for expressions and nodes alike.

n8n reads dates without an offset, and makes `$now` and `$today`, in the workflow's time zone:
its `settings.timezone`, else the instance's GENERIC_TIMEZONE, else America/New_York. Here TZ
stands in for an instance setting after GENERIC_TIMEZONE (a process started with TZ=... means
that zone). JavaScript's Date is another matter: it reads the process's zone, as in n8n.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .expressions.luxon.zones import UTC_ZONE, Zone, find_zone

N8N_DEFAULT_ZONE = "America/New_York"
_ZONE_VARIABLES = ("GENERIC_TIMEZONE", "TZ")


def workflow_zone(settings: Mapping[str, Any] | None = None) -> Zone:
    """The zone for a workflow with these settings (None: a workflow that names none)."""
    named = settings.get("timezone") if isinstance(settings, Mapping) else None
    if isinstance(named, str) and named and named != "DEFAULT":
        zone = find_zone(named)
        if zone is not None:
            return zone
    for variable in _ZONE_VARIABLES:
        name = os.environ.get(variable, "").lstrip(":")
        zone = find_zone(name) if name else None
        if zone is not None:
            return zone
    return find_zone(N8N_DEFAULT_ZONE) or UTC_ZONE  # UTC only where there is no zone data
