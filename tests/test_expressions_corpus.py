"""The expression corpus: every case gives n8n's recorded answer or is a documented deviation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "expressions"))

from corpus import Case, load_cases, load_deviations, outcome, rendered_both_ways, same

CASES = load_cases()
DEVIATIONS = load_deviations()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.group}:{c.source[:60]}" for c in CASES])
def test_case_gives_n8ns_answer_or_is_a_documented_deviation(case: Case) -> None:
    actual = outcome(case.source)
    if case.source in DEVIATIONS:
        assert not same(case.expected, actual), "listed as a deviation but now agrees with n8n"
        return
    assert same(case.expected, actual), f"n8n: {case.expected}\nours: {actual}"


def test_at_least_95_percent_of_the_corpus_agrees_with_n8n() -> None:
    agreeing = sum(same(c.expected, outcome(c.source)) for c in CASES)
    assert len(CASES) >= 900
    assert agreeing / len(CASES) >= 0.95, f"{agreeing} of {len(CASES)}"
    assert set(DEVIATIONS) <= {c.source for c in CASES}


# Shapes whose value the renderer builds as JSON directly (literals, choices, member paths),
# with undefined, null, functions and spreads inside, on top of the corpus's cases.
SHAPES = [
    "[$json.missing, 1]",
    "[$json.missing]",
    "[undefined, null, NaN]",
    "{a: undefined, b: null}",
    "{a: $json.missing, b: [$json.missing, {c: $json.nul, d: $json.missing}]}",
    "{a: 1, a: $json.missing}",
    "{a: $json.missing, a: 2}",
    "{'a b': [$json.missing], [$json.s]: 1, 3: $json.n}",
    "$json.o ?? {x: $json.missing}",
    "$json.missing ?? [$json.missing]",
    "$json.missing || {a: $json.missing}",
    "$json.zero || [$json.missing, $json.zero]",
    "$json.t && [$json.missing]",
    "$json.fa && [1]",
    "$json.nul ?? $json.missing",
    "$json.n ? {a: $json.o.missing} : [1]",
    "$json.empty ? 1 : {a: [$json.missing]}",
    "$if($json.t, [$json.missing], 2)",
    "{a: $json.s.length, b: $json.arr[0], c: $json.arr['1'], d: $json['o'].b}",
    "$json.arr[$json.zero]",
    "$json.objs[1].name",
    "$json.s.toUpperCase",
    "{f: $json.s.trim}",
    "[$json.arr.map]",
    "$json.s.length.toFixed",
    "$json.o?.a",
    "$json.missing?.a.b",
    "$json.o.missing.deeper",
    "`${$json.missing}-${$json.arr}`",
    "typeof $json.missing",
    "!$json.missing",
    "[...$json.arr, $json.missing]",
    "{...$json.o, z: $json.missing}",
    "$json.s + $json.missing",
    "$json.missing + [1, [2]]",
    "$json.s + ' ' + $json.n",
    "1 + $json.s",
    "$json.mixedArr",
    "{now: $now, d: $now.year}",
    "[$now.toFormat, 1]",
    "(x => [x, $json.missing])($json.n)",
    "[1, 2].map(x => ({v: x, u: $json.missing}))",
    "$json.n === 42 ? $json.o : $json.arr",
]


@pytest.mark.parametrize(
    "source",
    [c.source for c in CASES] + SHAPES,
    ids=[f"{c.group}:{c.source[:60]}" for c in CASES] + [f"shape:{s}" for s in SHAPES],
)
def test_rendering_gives_the_value_converted_to_json(source: str) -> None:
    """Blocks known to give JSON skip the conversion; that must never change a result."""
    fast, converted = rendered_both_ways(source)
    assert fast == converted
