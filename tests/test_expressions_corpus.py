"""The expression corpus: every case gives n8n's recorded answer or is a documented deviation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "expressions"))

from corpus import load_cases, load_deviations, outcome, same

CASES = load_cases()
DEVIATIONS = load_deviations()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.group}:{c.source[:60]}" for c in CASES])
def test_case_gives_n8ns_answer_or_is_a_documented_deviation(case) -> None:  # type: ignore[no-untyped-def]
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
