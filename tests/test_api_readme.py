"""The README's Python API examples run as printed, each in a fresh process outside the checkout.

A block that defines `test_*` functions (an example of a user's own test) has them called.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

_CALL_TESTS = """
for _name, _value in list(globals().items()):
    if _name.startswith("test_") and callable(_value):
        _value()
        print("passed", _name)
"""


def readme_blocks(section: str) -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start : end if end != -1 else len(text)]
    return re.findall(r"```python\n(.*?)```", body, flags=re.DOTALL)


BLOCKS = readme_blocks("Python API")


def test_the_section_has_examples() -> None:
    assert len(BLOCKS) >= 4
    assert all("import keitaro_node" in block for block in BLOCKS)
    assert not any("keitaro_node.runtime" in b or "keitaro_node.app" in b for b in BLOCKS)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_a_readme_example_runs(index: int, tmp_path: Path) -> None:
    code = BLOCKS[index] + _CALL_TESTS
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, f"example {index + 1} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), "the example printed nothing"
