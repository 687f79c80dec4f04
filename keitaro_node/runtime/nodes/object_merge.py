"""Merging item objects as n8n's Merge node does (lodash merge, mergeWith, assign, assignWith).

A deep merge combines nested objects key by key and arrays index by index (`[1, 2, 3]` merged
with `[9]` is `[9, 2, 3]`); a shallow merge replaces each top-level field whole. The results
never share containers with the sources of a deep merge, so inputs are never changed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from .field_paths import member
from .js_values import UNDEFINED, array_index, js_keys

# (value in the target, value in the source) -> the value to keep, or UNDEFINED for "merge"
Customizer = Callable[[Any, Any], Any]
MergeMethod = Callable[..., dict[str, Any]]


def _entries(source: Any) -> list[tuple[str, Any]]:
    if isinstance(source, dict):
        return [(key, source[key]) for key in js_keys(source)]
    if isinstance(source, list):
        return [(str(i), v) for i, v in enumerate(source)]
    return []


def _put(target: Any, key: str, value: Any) -> None:
    if value is UNDEFINED:
        return
    if isinstance(target, dict):
        target[key] = value
        return
    if isinstance(target, list):
        index = array_index(key)
        if index is None:
            return
        while len(target) <= index:
            target.append(None)
        target[index] = value


def _merge_into(target: Any, source: Any, customizer: Customizer | None) -> None:
    for key, value in _entries(source):
        current = member(target, key)
        chosen = customizer(current, value) if customizer else UNDEFINED
        if chosen is not UNDEFINED:
            _put(target, key, chosen)
        elif isinstance(value, (dict, list)):
            # into an array only an array, into an object an object or an array
            wanted = list if isinstance(value, list) else (dict, list)
            into: Any = current if isinstance(current, wanted) else type(value)()
            _merge_into(into, value, customizer)
            _put(target, key, into)
        else:
            _put(target, key, value)


def deep_merge(target: dict[str, Any], *sources: Any, customizer: Customizer | None = None) -> Any:
    """lodash merge / mergeWith into `target` (changed and returned)."""
    for source in sources:
        if source:
            _merge_into(target, source, customizer)
    return target


def assign(target: dict[str, Any], *sources: Any, customizer: Customizer | None = None) -> Any:
    """lodash assign / assignWith into `target`: top-level fields only."""
    for source in sources:
        for key, value in _entries(source) if source else ():
            chosen = customizer(target.get(key, UNDEFINED), value) if customizer else UNDEFINED
            target[key] = value if chosen is UNDEFINED else chosen
    return target


def keep_target_when_empty(current: Any, incoming: Any) -> Any:
    """n8n's "minimize empty fields": an empty incoming value (missing, null, "") keeps the
    current one."""
    if incoming is UNDEFINED or incoming is None or incoming == "":
        return current
    return UNDEFINED


def merge_method(clash: Mapping[str, Any]) -> MergeMethod:
    """How Merge combines one item's fields with the next: `(first, *others) -> new object`.

    `clash` is the "Clash Handling" values (`mergeMode`, `overrideEmpty`); anything else falls
    back to a deep merge, as n8n does.
    """
    mode = clash.get("mergeMode")
    if clash.get("overrideEmpty"):
        if mode == "deepMerge":
            return lambda first, *others: deep_merge(
                copy.deepcopy(first), *others, customizer=keep_target_when_empty
            )
        if mode == "shallowMerge":
            return lambda first, *others: assign(
                dict(first), *others, customizer=keep_target_when_empty
            )
    elif mode == "shallowMerge":
        return lambda first, *others: assign({}, first, *others)
    return lambda first, *others: deep_merge({}, first, *others)
