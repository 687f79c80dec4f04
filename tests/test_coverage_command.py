"""`keitaro-node coverage` works from any directory and says where Keitaro's document comes from."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import ROOT

import keitaro_node
from keitaro_node.keitaro.coverage import SpecNotFound, find_spec, spec_candidates

SCRIPT = Path(sys.executable).parent / "keitaro-node"


def coverage(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}
    return subprocess.run(
        [str(SCRIPT), "coverage", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**clean, **(env or {})},
    )


@pytest.fixture
def small_document(tmp_path: Path) -> Path:
    """A stand-in OpenAPI document: two operations the node has, one it lacks."""
    document = {
        "openapi": "3.0.0",
        "paths": {
            "/campaigns": {"get": {}, "post": {}},
            "/campaigns/{id}/teleport": {"post": {}},
        },
    }
    path = tmp_path / "doc" / "openapi.json"
    path.parent.mkdir()
    path.write_text(json.dumps(document))
    return path


def test_spec_works_from_any_directory(small_document: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    done = coverage("--spec", str(small_document), cwd=elsewhere)
    assert done.returncode == 1, done.stderr  # one operation is not covered
    assert "2 of 3 operations of Keitaro's API description are covered" in done.stdout
    assert "not covered: POST /campaigns/{}/teleport" in done.stdout


def test_the_environment_variable_names_the_document(small_document: Path, tmp_path: Path) -> None:
    done = coverage(cwd=tmp_path, env={"KEITARO_OPENAPI": str(small_document)})
    assert "2 of 3 operations" in done.stdout, done.stderr


def test_a_missing_document_says_what_to_download_and_how_to_pass_it(tmp_path: Path) -> None:
    done = coverage("--spec", str(tmp_path / "nope.json"), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert str(tmp_path / "nope.json") in done.stderr
    assert "admin-api.docs.keitaro.io" in done.stderr
    assert "--spec PATH" in done.stderr and "KEITARO_OPENAPI" in done.stderr


def test_the_default_place_is_beside_the_checkout_not_beside_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    places = spec_candidates(environ={})
    name = "keitaro-admin-api-openapi.json"
    assert tmp_path.parent / "shared" / "keitaro-api" / name not in places
    assert places[0] == tmp_path / name
    beside = ROOT.parent / "shared" / "keitaro-api" / name
    from_checkout = Path(keitaro_node.__file__).resolve().parents[1] == ROOT
    assert (beside in places) == from_checkout  # an installed wheel has no checkout beside it
    if not any(p.is_file() for p in places):
        with pytest.raises(SpecNotFound) as caught:
            find_spec(environ={})
        assert "not installed with keitaro-node" in str(caught.value)
        assert all(str(p) in str(caught.value) for p in places)
