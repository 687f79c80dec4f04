"""Start-up of `run`: package data is read through a JSON copy keyed by the file's text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keitaro_node.keitaro.resources import data_file
from keitaro_node.runtime.data_cache import CACHE_ENV, load_data_file
from keitaro_node.runtime.description import load_node_description


def test_yaml_is_read_once_then_from_its_json_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    source = tmp_path / "type.yaml"
    source.write_text("name: a\nvalues: [1, 2]\n")
    assert load_data_file(source) == {"name": "a", "values": [1, 2]}
    (copy,) = cache.iterdir()
    assert json.loads(copy.read_text()) == {"name": "a", "values": [1, 2]}
    copy.write_text('{"name": "from the copy"}')  # the copy is what is read now
    assert load_data_file(source) == {"name": "from the copy"}
    source.write_text("name: b\n")  # an edited file has another key: never a stale copy
    assert load_data_file(source) == {"name": "b"}
    assert len(list(cache.iterdir())) == 2


def test_data_json_cannot_hold_is_not_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    source = tmp_path / "dated.yaml"
    source.write_text("day: 2026-01-31\n1: one\n")
    first = load_data_file(source)
    assert str(first["day"]) == "2026-01-31" and first[1] == "one"
    assert not cache.exists() or list(cache.iterdir()) == []


def test_an_unwritable_or_disabled_cache_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "type.yaml"
    source.write_text("name: a\n")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert load_data_file(source) == {"name": "a"}
    monkeypatch.setenv(CACHE_ENV, "off")
    assert load_data_file(source) == {"name": "a"}


def test_the_manifest_loads_the_same_through_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    direct = load_node_description(data_file("node_manifest.yaml"))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = load_node_description(data_file("node_manifest.yaml"))
    again = load_node_description(data_file("node_manifest.yaml"))
    assert direct == first == again
