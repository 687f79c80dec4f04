"""HTTP Request errors say what real n8n 1.123 said for the same answers (recorded under
tests/golden/http_request/), word for word, plus the item index."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from keitaro_node.app import run_workflow
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.workflow import parse_workflow

FOLDER = Path(__file__).resolve().parent / "golden" / "http_request"


def _failing_cases() -> list[Path]:
    out = []
    for path in sorted(FOLDER.glob("*.workflow.json")):
        recorded = path.with_name(path.name.replace(".workflow.json", ".n8n.json"))
        if recorded.exists() and json.loads(recorded.read_text("utf-8")).get("error"):
            out.append(path)
    return out


@pytest.fixture(scope="module")
def golden_server() -> Iterator[None]:
    spec = importlib.util.spec_from_file_location("golden_http_server", FOLDER / "server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stop = module.start()
    yield
    stop()


def test_there_are_error_cases() -> None:
    assert len(_failing_cases()) >= 10


@pytest.mark.parametrize("path", _failing_cases(), ids=lambda p: p.name.split(".")[0])
async def test_our_error_is_n8ns(path: Path, golden_server: None) -> None:
    recorded: dict[str, Any] = json.loads(
        path.with_name(path.name.replace(".workflow.json", ".n8n.json")).read_text("utf-8")
    )
    failed = recorded["lastNodeExecuted"]
    [run] = recorded["runData"][failed]
    workflow = parse_workflow(json.loads(path.read_text("utf-8")))
    with pytest.raises(WorkflowError) as caught:
        await run_workflow(workflow)
    error = caught.value.error
    assert caught.value.node_name == failed
    assert getattr(error, "message", None) == run["error"]
    if run.get("errorDescription") and getattr(error, "http_code", None):
        assert error.description == run["errorDescription"]
    assert str(error).startswith("item 0: ")
