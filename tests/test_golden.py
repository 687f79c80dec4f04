"""Workflows run by real n8n 1.123, recorded under tests/golden/: ours must give the same runs.

Cases that still differ are listed in tests/golden/known_differences.yaml with the reason;
they run as strict xfails, so a case that starts to agree must leave the list.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from golden.golden import HERE, case_id, cases, differences, expected_run, our_run

KNOWN: dict[str, str] = (
    yaml.safe_load((HERE / "known_differences.yaml").read_text("utf-8")) or {}
    if (HERE / "known_differences.yaml").exists()
    else {}
)


def _params() -> list[object]:
    out: list[object] = []
    for path in cases():
        name = case_id(path)
        marks = [pytest.mark.xfail(reason=KNOWN[name], strict=True)] if name in KNOWN else []
        out.append(pytest.param(path, id=name, marks=marks))
    return out


@pytest.fixture(scope="session")
def case_servers() -> Iterator[Callable[[Path], None]]:
    """Cases in a folder with a server.py meet that server (started once, on its fixed port),
    as n8n did when they were recorded."""
    stops: dict[Path, Callable[[], None]] = {}

    def ensure(folder: Path) -> None:
        script = folder / "server.py"
        if folder in stops or not script.exists():
            return
        spec = importlib.util.spec_from_file_location(f"golden_server_{folder.name}", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        stops[folder] = module.start()

    yield ensure
    for stop in stops.values():
        stop()


@pytest.mark.parametrize("path", _params())
async def test_the_run_matches_n8n(path: Path, case_servers: Callable[[Path], None]) -> None:
    case_servers(path.parent)
    problems = differences(await our_run(path), expected_run(path))
    assert not problems, "\n".join(problems)


def test_every_known_difference_names_a_recorded_case() -> None:
    names = {case_id(p) for p in cases()}
    assert set(KNOWN) <= names, sorted(set(KNOWN) - names)
