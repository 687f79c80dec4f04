"""Descriptions are data checked at load: a broken manifest fails with the path of the problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from keitaro_node.keitaro.node import KeitaroNode
from keitaro_node.keitaro.routing import routing_table
from keitaro_node.runtime.description import (
    DescriptionError,
    load_node_description,
    parse_credential_type,
    parse_node_description,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "node_manifest.yaml").read_text("utf-8"))
    return data


def test_the_shipped_manifest_loads_with_the_russian_field(manifest: dict[str, Any]) -> None:
    description = parse_node_description(manifest)
    assert description.displayName == "Keitaro"
    assert description.description == "Работа с API Keitaro"
    op = description.operation("stream", "create")
    assert op is not None
    stream_data = next(p for p in op.parameters if p.name == "streamData")
    assert stream_data.displayName == "Данные Потока"
    assert stream_data.type == "json" and stream_data.required
    resource = next(p for p in description.properties if p.name == "resource")
    assert resource.noDataExpression and "stream" in [o.value for o in resource.choices]


def test_the_node_reads_the_manifest_from_its_package() -> None:
    description = KeitaroNode().description
    assert description.operation("stream", "create") is not None


def test_a_wrong_type_is_reported_with_its_json_path(manifest: dict[str, Any]) -> None:
    broken = copy.deepcopy(manifest)
    broken["resources"][0]["operations"][0]["parameters"][0] = {
        "displayName": "X",
        "name": "x",
        "type": "jsonish",
    }
    with pytest.raises(DescriptionError) as caught:
        parse_node_description(broken, "node_manifest.yaml")
    assert "$.resources[0].operations[0].parameters[0]" in str(caught.value)
    assert "node_manifest.yaml" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda m: m.pop("displayName"), "$: 'displayName' is a required property"),
        (
            lambda m: m["resources"][0]["operations"][0].update(name="create with space"),
            "$.resources[0].operations[0].name",
        ),
        (
            lambda m: m["properties"][0]["options"].append(
                {"displayName": "N", "name": "n", "type": "number", "default": "four"}
            ),
            "$.properties[0]",
        ),
        (
            lambda m: m["resources"][0].update(colour="red"),
            "$.resources[0]: Additional properties are not allowed",
        ),
    ],
)
def test_each_broken_part_names_its_place(
    manifest: dict[str, Any], change: Any, where: str
) -> None:
    broken = copy.deepcopy(manifest)
    change(broken)
    with pytest.raises(DescriptionError) as caught:
        parse_node_description(broken)
    assert where in str(caught.value)


def test_an_unknown_parameter_ref_is_named(manifest: dict[str, Any]) -> None:
    broken = copy.deepcopy(manifest)
    broken["resources"][0]["operations"][0]["parameters"] = [{"ref": "streamDta"}]
    with pytest.raises(DescriptionError, match="unknown parameter ref 'streamDta'"):
        parse_node_description(broken)


def test_routing_must_use_parameters_the_operation_has(manifest: dict[str, Any]) -> None:
    broken = copy.deepcopy(manifest)
    broken["resources"][0]["operations"][0]["routing"]["path"] = "/streams/{streamId}"
    with pytest.raises(DescriptionError, match=r"lacks: \['streamId'\]"):
        routing_table(parse_node_description(broken))


def test_a_broken_manifest_file_fails_at_load(tmp_path: Path, manifest: dict[str, Any]) -> None:
    manifest["version"] = "one"
    path = tmp_path / "node_manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True))
    with pytest.raises(DescriptionError, match=r"\$\.version"):
        load_node_description(path)


def test_credential_type_declares_secret_key_and_header() -> None:
    data = yaml.safe_load((ROOT / "credentials" / "keitaro_api.yaml").read_text("utf-8"))
    credential = parse_credential_type(data)
    assert credential.secret_fields == ("apiKey",)
    assert "Api-Key" in credential.authenticate["properties"]["headers"]
    data["properties"][0]["type"] = "password"
    with pytest.raises(DescriptionError, match=r"\$\.properties\[0\]\.type"):
        parse_credential_type(data)


def test_data_files_ship_inside_the_installed_package() -> None:
    import keitaro_node
    from keitaro_node.keitaro.resources import data_file

    package_dir = Path(keitaro_node.__file__).resolve().parent
    manifest = data_file("node_manifest.yaml")
    credentials = data_file("credentials/keitaro_api.yaml")
    if package_dir.parent == ROOT:
        pytest.skip("running from the checkout (editable install): the wheel is checked in CI")
    assert str(manifest).startswith(str(package_dir)) and str(credentials).startswith(
        str(package_dir)
    )


def test_parameters_shown_by_type_version() -> None:
    from keitaro_node.runtime.parameters import visible_parameters

    description = parse_node_description(
        {
            "name": "versioned",
            "displayName": "Versioned",
            "description": "reads a different field from 3.3 on",
            "version": [3, 3.2, 3.3, 3.4],
            "properties": [
                {
                    "displayName": "Old",
                    "name": "old",
                    "type": "string",
                    "default": "",
                    "displayOptions": {"show": {"@version": [3, 3.2]}},
                },
                {
                    "displayName": "New",
                    "name": "new",
                    "type": "string",
                    "default": "",
                    "displayOptions": {"show": {"@version": [{"_cnd": {"gte": 3.3}}]}},
                },
            ],
        }
    )
    names = {
        v: [p.name for p in visible_parameters(description, {}, v)] for v in (3, 3.2, 3.3, 3.4)
    }
    assert names == {3: ["old"], 3.2: ["old"], 3.3: ["new"], 3.4: ["new"]}
