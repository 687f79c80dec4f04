"""The README's count of recorded n8n workflows that agree is the test suite's own count."""

from __future__ import annotations

import re

import yaml
from golden.golden import HERE, case_id, cases
from support import ROOT


def test_the_readme_states_the_golden_count_and_names_every_difference() -> None:
    known = yaml.safe_load((HERE / "known_differences.yaml").read_text("utf-8")) or {}
    recorded = [case_id(path) for path in cases()]
    differing = [name for name in recorded if name in known]
    assert set(known) <= set(recorded), "known_differences.yaml names cases that do not exist"
    readme = (ROOT / "README.md").read_text("utf-8")
    agree, total = len(recorded) - len(differing), len(recorded)
    stated = re.search(r"\*\*(\d+) of (\d+) fixture workflows give n8n's output\.\*\*", readme)
    assert stated is not None, "the README no longer states the golden count"
    assert (int(stated[1]), int(stated[2])) == (agree, total)
    assert f"The other {len(differing)} differ on purpose" in readme
    for name in differing:
        assert f"`{name}`" in readme, f"the README does not name {name}"
