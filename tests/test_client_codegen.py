"""The generated client matches the manifest, and its signatures let mypy check calls."""

from __future__ import annotations

import inspect
import re

from support import ROOT

from keitaro_node import Keitaro
from keitaro_node.client import codegen, operation_specs
from keitaro_node.client.names import snake


def test_the_generated_module_is_what_the_manifest_generates() -> None:
    current = codegen.TARGET.read_text("utf-8")
    assert current == codegen.render(), "run: python -m keitaro_node.client.codegen"
    assert codegen.main(["--check"]) == 0


def test_every_operation_is_a_method_with_the_parameters_the_routing_reads() -> None:
    kt = Keitaro("tracker.example.com", "k" * 32)
    specs = operation_specs()
    assert len(specs) == 114
    for spec in specs.values():
        method = getattr(getattr(kt, snake(spec.resource)), snake(spec.name))
        signature = inspect.signature(method)
        assert list(signature.parameters) == [p.python_name for p in spec.parameters], spec.title
        assert all(p.kind is p.KEYWORD_ONLY for p in signature.parameters.values())
        required = {n for n, p in signature.parameters.items() if p.default is p.empty}
        for p in spec.parameters:
            if p.python_name in required:
                assert p.parameter.required, f"{spec.title}: {p.name} need not be given"
        assert inspect.iscoroutinefunction(method) is (spec.kind != "pages"), spec.title
    download = inspect.signature(kt.offer.download)
    assert list(download.parameters) == ["offer_id"]  # the n8n binary field is not a parameter


def test_mypy_accepts_an_example_and_reports_each_mistake() -> None:
    from mypy import api

    example = ROOT / "tests" / "typing" / "client_example.py"
    mistakes = ROOT / "tests" / "typing" / "client_mistakes.py"
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--show-error-codes", str(example), str(mistakes)]
    )
    assert status == 1, out + err
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert not [e for e in errors if "client_example.py" in e], out
    flagged = {
        int(m.group(1)) for e in errors if (m := re.search(r"client_mistakes\.py:(\d+):", e))
    }
    lines = mistakes.read_text("utf-8").splitlines()
    marked = {n for n, line in enumerate(lines, 1) if "# error:" in line}
    assert flagged == marked, out
