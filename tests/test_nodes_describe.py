"""`keitaro-node describe` for the core condition and field nodes: versions and parameters."""

from __future__ import annotations

import pytest

from keitaro_node.app import plugin_host
from keitaro_node.describe import describe_json, describe_text
from keitaro_node.runtime.parameters import visible_parameters


@pytest.mark.parametrize(
    ("type_name", "versions", "lines"),
    [
        (
            "n8n-nodes-base.if",
            [1, 2, 2.1, 2.2, 2.3],
            ["combineOperation: options", "[@version >= 2.1]"],
        ),
        ("n8n-nodes-base.filter", [1, 2, 2.1, 2.2, 2.3], ["combineConditions: options"]),
        ("n8n-nodes-base.switch", [1, 2, 3, 3.1, 3.2, 3.3, 3.4], ["allMatchingOutputs: boolean"]),
        (
            "n8n-nodes-base.set",
            [1, 2, 3, 3.1, 3.2, 3.3, 3.4],
            ["assignments: json", "[@version >= 3.3"],
        ),
    ],
)
def test_each_node_lists_its_versions_and_when_parameters_apply(
    type_name: str, versions: list[float], lines: list[str]
) -> None:
    node_type = plugin_host().node_type(type_name)
    text = describe_text(node_type)
    assert f"versions: {', '.join(str(v) for v in versions)}" in text
    for line in lines:
        assert line in text
    machine = describe_json(node_type)
    assert machine["versions"] == versions
    assert len(machine["parameters"]) == len(node_type.description.properties)


@pytest.mark.parametrize(
    ("type_name", "version", "raw", "shown"),
    [
        ("n8n-nodes-base.if", 1, {}, ["conditions", "combineOperation"]),
        ("n8n-nodes-base.if", 2, {}, ["conditions", "options"]),
        ("n8n-nodes-base.if", 2.2, {}, ["conditions", "looseTypeValidation", "options"]),
        ("n8n-nodes-base.filter", 1, {}, ["conditions", "combineConditions"]),
        ("n8n-nodes-base.switch", 2, {"mode": "expression"}, ["mode", "output", "outputsAmount"]),
        ("n8n-nodes-base.switch", 3.4, {}, ["mode", "rules", "looseTypeValidation", "options"]),
        ("n8n-nodes-base.set", 2, {}, ["keepOnlySet", "values", "options"]),
        (
            "n8n-nodes-base.set",
            3.2,
            {"include": "selected"},
            ["mode", "duplicateItem", "fields", "include", "includeFields", "options"],
        ),
        (
            "n8n-nodes-base.set",
            3.4,
            {"includeOtherFields": True, "include": "except"},
            [
                "mode",
                "duplicateItem",
                "assignments",
                "includeOtherFields",
                "include",
                "excludeFields",
                "options",
            ],
        ),
    ],
)
def test_the_parameters_n8n_saves_at_a_version_are_the_ones_declared_for_it(
    type_name: str, version: float, raw: dict[str, object], shown: list[str]
) -> None:
    description = plugin_host().node_type(type_name).description
    assert [p.name for p in visible_parameters(description, raw, version)] == shown


def test_every_registered_node_type_is_described_with_its_versions_and_parameters() -> None:
    host = plugin_host(load_entry_points=False)
    described = 0
    for name, node_type in host.node_types.items():
        if name not in node_type.type_names[:1]:
            continue  # the same type under its short name
        text = describe_text(node_type)
        machine = describe_json(node_type)
        version = node_type.description.version
        versions = list(version) if isinstance(version, tuple) else [version]
        assert machine["versions"] == versions, name
        assert f"types: {name}" in text, name
        if name.startswith("n8n-nodes-base."):  # the Keitaro node lists its by resource
            assert len(machine["parameters"]) == len(node_type.description.properties), name
        else:
            assert machine["parameters"], name
        described += 1
    assert described >= 28  # the Keitaro node and every core node
