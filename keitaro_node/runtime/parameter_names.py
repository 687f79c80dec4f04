"""Parameter names a node does not have: found at load, with a "did you mean".

A key is known when any parameter of the description at that level has that name, whatever
its displayOptions: n8n keeps values of some parameters that are hidden for the current
values (HTTP Request's `nodeCredentialType`, for one), and they must load. Collections and
fixedCollections are checked inside, down to their last level. Values that are expressions
cannot be looked into and are left alone.

n8n's editor writes no parameter keys of its own (exports hold only the description's
names), so there is no list of parameter keys to ignore; node keys it writes without meaning
for a run are listed in workflow.NODE_KEYS_WITHOUT_EFFECT.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from .description import NodeDescription, Parameter
from .expressions import is_expression


def unknown_parameters(description: NodeDescription, raw: Mapping[str, Any]) -> list[str]:
    """A message for every key of `raw` (and of its collections) that the description lacks."""
    problems: list[str] = []
    _check_level(description.properties, raw, "", problems)
    return problems


def _check_level(
    parameters: Iterable[Parameter], values: Mapping[str, Any], where: str, out: list[str]
) -> None:
    by_name: dict[str, list[Parameter]] = {}
    for parameter in parameters:
        by_name.setdefault(parameter.name, []).append(parameter)
    for key, value in values.items():
        variants = by_name.get(key)
        if variants is None:
            out.append(_unknown(key, by_name, where))
            continue
        if is_expression(value) or not isinstance(value, dict):
            continue
        path = f"{where}{key}"
        collections = [p for p in variants if p.type == "collection"]
        if collections:
            fields = [sub for p in collections for sub in p.sub_parameters]
            _check_level(fields, value, f"{path}.", out)
        fixed = [p for p in variants if p.type == "fixedCollection"]
        if fixed:
            _check_groups(fixed, value, path, out)


def _check_groups(
    variants: list[Parameter], value: Mapping[str, Any], path: str, out: list[str]
) -> None:
    groups: dict[str, list[Parameter]] = {}
    for parameter in variants:
        for group in parameter.groups:
            groups.setdefault(group.name, []).extend(group.values)
    for group_name, entries in value.items():
        fields = groups.get(group_name)
        if fields is None:
            out.append(_unknown(group_name, groups, f"{path}.", what="group"))
            continue
        rows = entries if isinstance(entries, list) else [entries]
        for number, row in enumerate(rows):
            if isinstance(row, dict):
                where = (
                    f"{path}.{group_name}[{number}]."
                    if isinstance(entries, list)
                    else (f"{path}.{group_name}.")
                )
                _check_level(fields, row, where, out)


def _unknown(key: str, known: Mapping[str, Any], where: str, what: str = "parameter") -> str:
    place = f" in '{where.rstrip('.')}'" if where else ""
    text = f"unknown {what} '{key}'{place}"
    close = did_you_mean(key, known)
    if close:
        text += f" - did you mean '{close}'?"
    elif known:
        text += f" (known: {', '.join(sorted(known))})" if len(known) <= 12 else ""
    return text


def did_you_mean(key: str, known: Iterable[str]) -> str | None:
    """The known name closest to `key`, when one is close enough to be a slip."""
    names = list(known)
    lowered = {name.lower(): name for name in names}
    if key.lower() in lowered:
        return lowered[key.lower()]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.7)
    return close[0] if close else None
