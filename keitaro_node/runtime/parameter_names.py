"""Parameter names a node does not have: found at load, with a "did you mean".

A top-level key is known when any parameter of the description has that name, whatever its
displayOptions: n8n keeps values of some parameters that are hidden for the current values
(HTTP Request's `nodeCredentialType`, for one), and they must load.

A node may declare one name several times, each definition shown for other versions or other
values (If's `conditions` is a fixedCollection at version 1 and filter conditions from 2 on).
What is inside a value is checked against the definitions shown for the node's typeVersion and
values (displayOptions, `@version` included); when none is shown (a kept, hidden value), against
those of its version; only when no definition belongs to the version, against all of them. A
key inside is accepted when any of those definitions knows it. Collections and fixedCollections
are checked inside, down to their last level. Values that are expressions cannot be looked into
and are left alone.

n8n's editor writes no parameter keys of its own (exports hold only the description's
names), so there is no list of parameter keys to ignore; node keys it writes without meaning
for a run are listed in workflow.NODE_KEYS_WITHOUT_EFFECT.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from .description import DisplayOptions, NodeDescription, Parameter
from .expressions import is_expression
from .parameters import shown_values


def unknown_parameters(
    description: NodeDescription, raw: Mapping[str, Any], type_version: float | None = None
) -> list[str]:
    """A message for every key of `raw` (and of its collections) that the description lacks."""
    problems: list[str] = []
    root = shown_values(description, raw, type_version)
    context = {**root, **{f"/{k}": v for k, v in root.items() if k != "@version"}}
    _check_level(description.properties, raw, context, type_version, "", problems)
    return problems


def _check_level(
    parameters: Iterable[Parameter],
    values: Mapping[str, Any],
    shown: Mapping[str, Any],
    version: float | None,
    where: str,
    out: list[str],
) -> None:
    """Check the keys of `values` against `parameters`; `shown` is what their displayOptions
    read (the level's values with defaults, `@version`, the root's values as `/name`)."""
    by_name: dict[str, list[Parameter]] = {}
    for parameter in parameters:
        by_name.setdefault(parameter.name, []).append(parameter)
    for key, value in values.items():
        variants = by_name.get(key)
        if variants is None:
            out.append(_unknown(key, _names_of_version(by_name, version), where))
            continue
        if is_expression(value) or not isinstance(value, dict):
            continue
        variants = _applying(variants, shown, version)
        path = f"{where}{key}"
        collections = [p for p in variants if p.type == "collection"]
        if collections:
            fields = [sub for p in collections for sub in p.sub_parameters]
            _check_level(fields, value, _inner(shown, value), version, f"{path}.", out)
        fixed = [p for p in variants if p.type == "fixedCollection"]
        if fixed:
            _check_groups(fixed, value, shown, version, path, out)


def _check_groups(
    variants: list[Parameter],
    value: Mapping[str, Any],
    shown: Mapping[str, Any],
    version: float | None,
    path: str,
    out: list[str],
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
                _check_level(fields, row, _inner(shown, row), version, where, out)


def _applying(
    variants: list[Parameter], shown: Mapping[str, Any], version: float | None
) -> list[Parameter]:
    """The definitions of one name that apply: shown for these values, else of this version,
    else all of them."""
    if len(variants) == 1:
        return variants
    visible = [p for p in variants if p.displayOptions is None or p.displayOptions.allows(shown)]
    if visible:
        return visible
    of_version = [p for p in variants if _of_version(p, version)]
    return of_version or variants


def _of_version(parameter: Parameter, version: float | None) -> bool:
    """Whether the parameter's displayOptions let it show at this typeVersion (other
    conditions aside)."""
    display = parameter.displayOptions
    if display is None or version is None:
        return True
    only_version = DisplayOptions(
        show={k: v for k, v in display.show.items() if k in ("@version", "/@version")},
        hide={k: v for k, v in display.hide.items() if k in ("@version", "/@version")},
    )
    return only_version.allows({"@version": version, "/@version": version})


def _names_of_version(
    by_name: Mapping[str, list[Parameter]], version: float | None
) -> dict[str, list[Parameter]]:
    """The names a "did you mean" may suggest: those that belong to this version."""
    return {
        name: variants
        for name, variants in by_name.items()
        if any(_of_version(p, version) for p in variants)
    }


def _inner(shown: Mapping[str, Any], level: Mapping[str, Any]) -> dict[str, Any]:
    """What displayOptions inside a collection read: its own values by name, the node's
    top-level values as `/name`, and `@version`."""
    inner = {k: v for k, v in shown.items() if k.startswith("/") or k == "@version"}
    inner.update(level)
    return inner


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
