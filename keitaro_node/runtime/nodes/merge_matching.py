"""How Merge (v2 and v3) pairs items of two inputs by field values and combines them.

Input items arrive here already paired with where they came in (`PairedItem(index, input)`),
so an item sent on unchanged keeps that pairing and a combined item lists all of its sources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import NodeOperationError
from ..items import Item
from .field_paths import field_value
from .js_values import UNDEFINED, fuzzy_equal, is_equal, js_keys
from .object_merge import merge_method
from .reshaping import merged_binary, paired_list

# the "Clash Handling" choice that means "the later input wins": v2 names it preferInput2
PREFER_LATER = {2: "preferInput2", 3: "preferLast"}


def with_suffix(items: Sequence[Item], suffix: str) -> list[Item]:
    """Every field renamed `name_<suffix>` ("Always Add Input Number to Field Names")."""
    return [
        Item(
            json={f"{key}_{suffix}": item.json[key] for key in js_keys(item.json)},
            binary=item.binary,
            paired_item=item.paired_item,
        )
        for item in items
    ]


def with_source(items: Sequence[Item], source: str) -> list[Item]:
    return [
        Item(
            json={**item.json, "_source": source}, binary=item.binary, paired_item=item.paired_item
        )
        for item in items
    ]


def clash_values(options: Mapping[str, Any], version: int) -> dict[str, Any]:
    """The Clash Handling values as n8n reads them: merge settings only where they show.

    v2 shows "Merging Nested Fields" and "Minimize Empty Fields" for the two prefer choices,
    v3 for anything but "Always Add Input Number".
    """
    values = dict(((options.get("clashHandling") or {}).get("values")) or {})
    choice = values.get("resolveClash")
    shown = choice != "addSuffix" if version >= 3 else choice in ("preferInput1", "preferInput2")
    if not shown:
        values.pop("mergeMode", None)
        values.pop("overrideEmpty", None)
    return values


def combined(entries: Sequence[Item], clash: Mapping[str, Any]) -> Item:
    """One item from several, later entries winning clashes (the clash handling's merge)."""
    merge = merge_method(clash)
    return Item(
        json=merge(entries[0].json, *(e.json for e in entries[1:])),
        binary=merged_binary(*(e.binary for e in entries)),
        paired_item=paired_list(e.paired_item for e in entries),
    )


def check_match_fields(pairs: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if len(pairs) == 1 and pairs[0].get("field1") == "" and pairs[0].get("field2") == "":
        raise NodeOperationError(
            'You need to define at least one pair of fields in "Fields to Match" to match on',
            description="name the field that holds the same value in both inputs",
        )
    for number, pair in enumerate(pairs, start=1):
        first, second = pair.get("field1", ""), pair.get("field2", "")
        if first == "" or second == "":
            raise NodeOperationError(
                f'You need to define both fields in "Fields to Match" for pair {number}, '
                f"field 1 = '{first}' field 2 = '{second}'"
            )
    return list(pairs)


def check_fields_present(
    items: Sequence[Item], names: Sequence[str], dot: bool, label: str
) -> None:
    """Merge 2.0 fails when a field to match is in no item of an input."""
    for name in names:
        if dot:
            present = any(field_value(i.json, name) is not UNDEFINED for i in items)
        else:
            present = any(name in i.json for i in items)
        if not present:
            raise NodeOperationError(
                f"Field '{name}' is not present in any of items in '{label}'",
                description="check the field names under 'Fields to Match'",
            )


@dataclass
class Matches:
    """Input 1 items with their matches, and what did not match on either side."""

    matched: list[tuple[Item, list[Item]]] = field(default_factory=list)
    matched2: list[Item] = field(default_factory=list)
    unmatched1: list[Item] = field(default_factory=list)
    unmatched2: list[Item] = field(default_factory=list)


def find_matches(
    input1: Sequence[Item],
    input2: Sequence[Item],
    pairs: Sequence[Mapping[str, Any]],
    options: Mapping[str, Any],
    one_row_per_match: bool,
) -> Matches:
    """Match each input 1 item against input 2 on every pair of fields."""
    equal: Callable[[Any, Any], bool] = fuzzy_equal if options.get("fuzzyCompare") else is_equal
    dot = not options.get("disableDotNotation")
    first_only = options.get("multipleMatches", "all") == "first"
    found = Matches()
    matched_in_2: set[int] = set()
    for entry in input1:
        lookup = {pair["field2"]: field_value(entry.json, pair["field1"], dot) for pair in pairs}
        if any(value is UNDEFINED for value in lookup.values()):
            found.unmatched1.append(entry)
            continue
        hits: list[int] = []
        for index, candidate in enumerate(input2):
            if all(
                equal(expected, field_value(candidate.json, name, dot))
                for name, expected in lookup.items()
            ):
                hits.append(index)
                if first_only:
                    break
        matched_in_2.update(hits)
        if not hits:
            found.unmatched1.append(entry)
        elif one_row_per_match:
            found.matched.extend((entry, [input2[i]]) for i in hits)
        else:
            found.matched.append((entry, [input2[i] for i in hits]))
    for index, entry in enumerate(input2):
        (found.matched2 if index in matched_in_2 else found.unmatched2).append(entry)
    return found


def merge_matched(
    matched: Sequence[tuple[Item, list[Item]]],
    clash: Mapping[str, Any],
    version: int,
    join_mode: str | None = None,
) -> list[Item]:
    """Each input 1 item combined with its matches, by the clash handling."""
    later = PREFER_LATER[version]
    choice = clash.get("resolveClash", UNDEFINED)
    if choice is UNDEFINED:
        choice = "preferInput1" if join_mode == "enrichInput2" else later
    out: list[Item] = []
    for entry, matches in matched:
        if choice == "addSuffix":
            out.append(combined([*with_suffix([entry], "1"), *with_suffix(matches, "2")], clash))
        elif choice == "preferInput1":
            out.append(combined([*matches, entry], clash))
        elif choice == later:
            out.append(combined([entry, *matches], clash))
        else:  # an empty choice: n8n builds nothing from the pair
            out.append(Item(json={}))
    return out


def combine_by_fields(
    input1: list[Item],
    input2: list[Item],
    pairs: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    version: float,
) -> list[Item]:
    """Merge "by fields" (v2 mergeByFields, v3 combineByFields), every join mode."""
    major = 3 if version >= 3 else 2
    join = params.get("joinMode")
    output_from = params.get("outputDataFrom") or "both"
    raw_options = dict(params.get("options") or {})
    shows_multiple = (join == "keepMatches" and output_from == "both") or join in (
        "enrichInput1",
        "enrichInput2",
        "keepEverything",
    )
    if not shows_multiple:
        raw_options.pop("multipleMatches", None)
    dot = not raw_options.get("disableDotNotation")
    if version < 2.1:
        check_fields_present(input1, [p["field1"] for p in pairs], dot, "Input 1")
        check_fields_present(input2, [p["field2"] for p in pairs], dot, "Input 2")
    if not input1 or not input2:
        if not input1 and join == "keepNonMatches" and output_from == "input1":
            return []
        if not input2 and join == "keepNonMatches" and output_from == "input2":
            return []
        if join == "keepMatches":
            return []
        if (join == "enrichInput1" and not input1) or (join == "enrichInput2" and not input2):
            return []
        return [*input1, *input2]
    if not pairs:
        return [] if join in ("keepMatches", "keepEverything", "enrichInput2") else input1
    one_row_per_match = output_from == "both" or join in ("enrichInput1", "enrichInput2")
    matches = find_matches(input1, input2, pairs, raw_options, one_row_per_match)
    clash = clash_values(raw_options, major)
    suffixed = clash.get("resolveClash") == "addSuffix"
    if join in ("keepMatches", "keepEverything"):
        if output_from == "input1":
            out = [entry for entry, _ in matches.matched]
        elif output_from == "input2":
            out = list(matches.matched2)
        else:
            out = merge_matched(matches.matched, clash, major)
        if join == "keepEverything":
            rest1, rest2 = matches.unmatched1, matches.unmatched2
            if suffixed:
                rest1, rest2 = with_suffix(rest1, "1"), with_suffix(rest2, "2")
            out = [*out, *rest1, *rest2]
        return out
    if join == "keepNonMatches":
        if output_from == "input1":
            return matches.unmatched1
        if output_from == "input2":
            return matches.unmatched2
        return [
            *with_source(matches.unmatched1, "input1"),
            *with_source(matches.unmatched2, "input2"),
        ]
    if join in ("enrichInput1", "enrichInput2"):
        merged = merge_matched(matches.matched, clash, major, join)
        if join == "enrichInput1":
            rest = with_suffix(matches.unmatched1, "1") if suffixed else matches.unmatched1
        else:
            rest = with_suffix(matches.unmatched2, "2") if suffixed else matches.unmatched2
        return [*merged, *rest]
    return []


def all_combinations(
    input1: list[Item], input2: list[Item], clash: Mapping[str, Any]
) -> list[Item]:
    """Every item of one input with every item of the other (v2 multiplex, v3 combineAll)."""
    first, second = input1, input2
    if clash.get("resolveClash") == "preferInput1":
        first, second = second, first
    if clash.get("resolveClash") == "addSuffix":
        first, second = with_suffix(first, "1"), with_suffix(second, "2")
    return [combined([a, b], clash) for a in first for b in second]


def pair_by_position_v2(
    input1: list[Item], input2: list[Item], clash: Mapping[str, Any], include_unpaired: bool
) -> list[Item]:
    """Merge 2.x "by position": item i of input 1 with item i of input 2."""
    if not input1 or not input2:
        return [*input1, *input2]
    first, second = input1, input2
    if clash.get("resolveClash") == "preferInput1":
        first, second = second, first
    if clash.get("resolveClash") == "addSuffix":
        first, second = with_suffix(first, "1"), with_suffix(second, "2")
    count = (max if include_unpaired else min)(len(first), len(second))
    out: list[Item] = []
    for i in range(count):
        if i >= len(first):
            out.append(second[i])
        elif i >= len(second):
            out.append(first[i])
        else:
            out.append(combined([first[i], second[i]], clash))
    return out


def pair_by_position_v3(
    inputs: list[list[Item]], clash: Mapping[str, Any], include_unpaired: bool
) -> list[Item]:
    """Merge 3.x "by position" over any number of inputs.

    The preferred input (the last, or the first with "Use Earliest Version") is merged last
    again, unrenamed: n8n takes it before it adds input numbers to field names.
    """
    choice = clash.get("resolveClash")
    if isinstance(choice, str) and "preferInput" in choice:
        preferred_index = int(choice.replace("preferInput", "") or 0) - 1
    else:
        preferred_index = len(inputs) - 1
    preferred = inputs[preferred_index]
    if choice == "addSuffix":
        inputs = [with_suffix(items, str(k + 1)) for k, items in enumerate(inputs)]
    lengths = [len(items) for items in inputs] + [len(preferred)]
    count = max(lengths) if include_unpaired else min(lengths)
    merge = merge_method(clash)
    out: list[Item] = []
    for i in range(count):
        row = [items[i] for items in inputs if i < len(items)]
        best = preferred[i] if i < len(preferred) else None
        sources = [*row, *([best] if best is not None else [])]
        out.append(
            Item(
                json=merge({}, *(e.json for e in sources)),
                binary=merged_binary(*(e.binary for e in sources)),
                paired_item=paired_list(e.paired_item for e in sources),
            )
        )
    return out
