"""Edit Fields (Set) at each version: n8n's errors, binary files, and input left untouched."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from node_cases import check_against_n8n, error_cases
from support import chain, node, run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.errors import WorkflowError, WorkflowLoadError
from keitaro_node.runtime.items import BinaryData, Item
from keitaro_node.runtime.workflow import parse_workflow


@pytest.mark.parametrize("path", error_cases("set"), ids=lambda p: p.name.split(".")[0])
async def test_failing_runs_fail_as_in_n8n(path: Path) -> None:
    await check_against_n8n(path)


def set_workflow(parameters: dict[str, Any], version: float = 3.4, **settings: Any) -> Any:
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Set", "n8n-nodes-base.set", parameters, typeVersion=version, **settings),
    )


def assignments(*rows: tuple[str, Any, str]) -> dict[str, Any]:
    return {
        "assignments": [
            {"id": str(i), "name": n, "value": v, "type": t} for i, (n, v, t) in enumerate(rows)
        ]
    }


async def run_with_binary(workflow: dict[str, Any], json: dict[str, Any]) -> Item:
    item = Item(json=json, binary={"data": BinaryData(b"PK\x03\x04", "application/zip", "a.zip")})
    result = await run_workflow(parse_workflow(copy.deepcopy(workflow)), [item], None)
    return result.items("Set")[0]


async def test_a_binary_assignment_takes_a_binary_field_of_the_input() -> None:
    workflow = set_workflow({"assignments": assignments(("archive", "data", "binary"))})
    out = await run_with_binary(workflow, {"a": 1})
    assert out.json == {}
    assert out.binary is not None and out.binary["archive"].data == b"PK\x03\x04"


async def test_a_binary_assignment_of_a_missing_field_names_it() -> None:
    workflow = set_workflow({"assignments": assignments(("archive", "nope", "binary"))})
    with pytest.raises(WorkflowError, match="The item has no binary field 'nope' \\[item 0\\]"):
        await run_with_binary(workflow, {})


@pytest.mark.parametrize(
    ("version", "parameters", "kept"),
    [
        (3.4, {"includeOtherFields": True}, True),
        (3.4, {"includeOtherFields": True, "options": {"stripBinary": True}}, False),
        (3.4, {}, False),
        (3.3, {"includeOtherFields": True}, False),
        (3.3, {"includeOtherFields": True, "options": {"includeBinary": True}}, True),
        (3.2, {}, False),
        (3.2, {"options": {"includeBinary": True}}, True),
        (2, {}, True),
        (2, {"keepOnlySet": True}, False),
    ],
)
async def test_binary_files_are_kept_as_n8n_keeps_them(
    version: float, parameters: dict[str, Any], kept: bool
) -> None:
    out = await run_with_binary(set_workflow(parameters, version), {"a": 1})
    assert (out.binary is not None) is kept


async def test_nested_writes_and_removals_leave_the_input_item_alone() -> None:
    original = {"a": {"b": {"c": 1}, "list": [1, 2, 3]}, "keep": "x"}
    workflow = set_workflow(
        {
            "assignments": assignments(("a.b.d", 2, "number"), ("a.list[1]", 9, "number")),
            "includeOtherFields": True,
            "include": "except",
            "excludeFields": "a.b.c, keep",
        }
    )
    result = await run(workflow, [copy.deepcopy(original)])
    assert result.items("Start")[0].json == original
    assert result.items("Set")[0].json == {"a": {"b": {"d": 2}, "list": [1, 9, 3]}}


async def test_a_field_that_does_not_convert_names_the_item_and_the_way_out() -> None:
    workflow = set_workflow({"assignments": assignments(("n", "={{ $json.v }}", "number"))})
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{"v": "1"}, {"v": "one"}])
    error: Any = caught.value.error
    assert caught.value.node_name == "Set" and error.item_index == 1
    assert error.message == "'n' expects a number but we got 'one' [item 1]"
    assert "Ignore Type Conversion Errors" in error.description


async def test_assignments_of_the_wrong_shape_are_refused() -> None:
    workflow = set_workflow({"assignments": {"assignments": {"name": "a"}}})
    with pytest.raises(
        WorkflowError, match="must be \\{assignments: \\[\\{name, value, type\\}\\]\\}"
    ):
        await run(workflow, [{}])


async def test_an_assignment_without_a_type_is_refused() -> None:
    workflow = set_workflow({"assignments": {"assignments": [{"name": "a", "value": 1}]}})
    with pytest.raises(WorkflowError, match="field 'a' of 'Fields to Set' has no type"):
        await run(workflow, [{}])


async def test_an_unknown_include_option_is_refused_before_anything_runs() -> None:
    # n8n fails at the node ('The include option "some" is not known!'); the load check
    # refuses the workflow before any node has run, naming the value and the known ones
    workflow = set_workflow({"include": "some"}, version=3.2)
    with pytest.raises(WorkflowLoadError) as caught:
        await run(workflow, [{}])
    assert "node 'Set': unknown include 'some'" in str(caught.value)
    assert "'all', 'none', 'selected', 'except'" in str(caught.value)


async def test_raw_json_fills_blocks_in_as_text_and_repairs_slips() -> None:
    workflow = set_workflow(
        {"mode": "raw", "jsonOutput": "={ name: {{ $json.n }}, 'tags': {{ $json.t }}, }"}
    )
    result = await run(workflow, [{"n": "Spring sale", "t": ["a", "b"]}])
    assert result.items("Set")[0].json == {"name": "Spring sale", "tags": ["a", "b"]}


async def test_version_1_writes_booleans_then_numbers_then_text() -> None:
    values = {
        "string": [{"name": "x", "value": "text"}],
        "number": [{"name": "x", "value": "5"}],
        "boolean": [{"name": "x", "value": "false"}],
    }
    result = await run(set_workflow({"values": values}, version=1), [{}])
    assert result.items("Set")[0].json == {"x": "text"}
    result = await run(set_workflow({"values": {"number": values["number"]}}, version=2), [{}])
    assert result.items("Set")[0].json == {"x": 5}
    result = await run(set_workflow({"values": {"boolean": values["boolean"]}}, version=1), [{}])
    assert result.items("Set")[0].json == {"x": True}  # JavaScript truthiness, as n8n


async def test_under_an_error_output_only_json_mode_failures_move_there() -> None:
    # n8n's manual mode builds {error, pairedItem} items that stay on the main output
    manual = set_workflow(
        {"assignments": assignments(("n", "={{ $json.v }}", "number"))},
        onError="continueErrorOutput",
    )
    result = await run(manual, [{"v": "1"}, {"v": "one"}])
    main, errors = result.outputs["Set"]
    assert [i.json for i in main] == [
        {"n": 1},
        {"error": "'n' expects a number but we got 'one' [item 1]", "pairedItem": {"item": 1}},
    ]
    assert errors == []
    raw = set_workflow(
        {"mode": "raw", "jsonOutput": "={{ $json.v }}"}, onError="continueErrorOutput"
    )
    result = await run(raw, [{"v": {"a": 1}}, {"v": "[1]"}])
    main, errors = result.outputs["Set"]
    assert [i.json for i in main] == [{"a": 1}]
    # the engine puts the input item's fields under the error, as n8n does
    # (tests/golden/set/error_output_raw_json)
    assert [i.json for i in errors] == [
        {"v": "[1]", "error": "The 'JSON Output' in item 1 does not contain a valid JSON object"}
    ]


async def test_names_from_expressions_and_fixed_values_give_the_same_fields() -> None:
    # fixed names and types are read once per run; a name from an expression makes the node
    # read the whole collection per item: both must give the same items and errors
    fixed = assignments(("a.b", "={{ $json.v }}", "number"), ("c", "7", "number"))
    named = assignments(("={{ 'a' + '.b' }}", "={{ $json.v }}", "number"), ("c", "7", "number"))
    items = [{"v": "1"}, {"v": "2"}]
    for collection in (fixed, named):
        parameters = {"assignments": collection, "includeOtherFields": True}
        result = await run(set_workflow(parameters), items)
        assert [i.json for i in result.items("Set")] == [
            {"v": "1", "a": {"b": 1}, "c": 7},
            {"v": "2", "a": {"b": 2}, "c": 7},
        ]
        with pytest.raises(
            WorkflowError, match=r"'a\.b' expects a number but we got 'x' \[item 1\]"
        ):
            await run(set_workflow(parameters), [{"v": "1"}, {"v": "x"}])
