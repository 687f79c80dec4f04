"""Code, Function and Function Item nodes through the real engine and the real runtimes."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from support import chain, node, run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.code.world import names_nodes_by_value
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.items import BinaryData, Item
from keitaro_node.runtime.nodes.code import Code
from keitaro_node.runtime.nodes.function import Function
from keitaro_node.runtime.nodes.function_item import FunctionItem
from keitaro_node.runtime.workflow import parse_workflow

CODE = "n8n-nodes-base.code"
ITEMS = [{"n": 1, "name": "a"}, {"n": 2, "name": "b"}, {"n": 3, "name": "c"}]
FAST = {"codeTimeout": 2, "codeMemoryMb": 64}


def code_node(
    code: str,
    mode: str = "runOnceForAllItems",
    language: str = "javaScript",
    name: str = "Code",
    version: int = 2,
    **settings: Any,
) -> dict[str, Any]:
    key = "jsCode" if language == "javaScript" else "pythonCode"
    parameters: dict[str, Any] = {"mode": mode, key: code}
    if version >= 2:
        parameters["language"] = language
    spec = node(name, CODE, parameters, **settings)
    spec["typeVersion"] = version
    return spec


def start() -> dict[str, Any]:
    return node("Start", "n8n-nodes-base.manualTrigger")


async def outputs(workflow: dict[str, Any], items: Any = None, name: str = "Code") -> list[Any]:
    result = await run(workflow, ITEMS if items is None else items)
    return [item.json for item in result.items(name)]


async def run_with(workflow: dict[str, Any], options: dict[str, Any]) -> Any:
    return await run_workflow(
        parse_workflow(workflow), [Item(json=dict(i)) for i in ITEMS], options=options
    )


# --- each mode in each language -------------------------------------------------------------

DOUBLE_ALL = {
    "javaScript": "return $input.all().map(i => ({json: {name: i.json.name, d: i.json.n * 2}}));",
    "python": "return [{'json': {'name': i.json.name, 'd': i.json.n * 2}} for i in _input.all()]",
    "pythonNative": "return [{'json': {'name': i['json']['name'], 'd': i['json']['n'] * 2}}"
    " for i in _items]",
}
DOUBLE_EACH = {
    "javaScript": "return {json: {name: $json.name, d: $json.n * 2}};",
    "python": "return {'name': _json.name, 'd': _json['n'] * 2}",
    "pythonNative": "return {'json': {'name': _item['json']['name'], 'd': _item['json']['n'] * 2}}",
}
DOUBLED = [{"name": "a", "d": 2}, {"name": "b", "d": 4}, {"name": "c", "d": 6}]


@pytest.mark.parametrize("language", ["javaScript", "python", "pythonNative"])
@pytest.mark.parametrize("mode", ["runOnceForAllItems", "runOnceForEachItem"])
async def test_each_mode_in_each_language_maps_the_items(mode: str, language: str) -> None:
    table = DOUBLE_ALL if mode == "runOnceForAllItems" else DOUBLE_EACH
    result = await run(chain(start(), code_node(table[language], mode, language)), ITEMS)
    out = result.items("Code")
    assert [i.json for i in out] == DOUBLED
    assert [i.paired_item.item if i.paired_item else None for i in out] == [0, 1, 2]


async def test_version_1_runs_javascript() -> None:
    workflow = chain(start(), code_node("return [{json: {v: items.length}}];", version=1))
    assert await outputs(workflow) == [{"v": 3}]


async def test_all_items_mode_returns_one_object_as_one_item_and_null_as_none() -> None:
    one = chain(start(), code_node("return {total: items.reduce((s, i) => s + i.json.n, 0)};"))
    assert await outputs(one) == [{"total": 6}]
    none = chain(start(), code_node("return null;"), code_node("return [{json: {}}];", name="B"))
    result = await run(none, ITEMS)
    assert result.items("Code") == [] and "B" not in result.outputs


async def test_default_template_mutates_the_items_input_all_gives() -> None:
    code = (
        "for (const item of $input.all()) {\n  item.json.myNewField = 1;\n}\nreturn $input.all();"
    )
    assert await outputs(chain(start(), code_node(code))) == [{**i, "myNewField": 1} for i in ITEMS]


async def test_values_come_back_as_json() -> None:
    code = (
        "return [{json: {d: new Date(Date.UTC(2024, 0, 2)), u: undefined, n: NaN, "
        "f: () => 1, list: [1, undefined, () => 2], m: new Map([[1, 2]])}}];"
    )
    assert await outputs(chain(start(), code_node(code))) == [
        {"d": "2024-01-02T00:00:00.000Z", "n": None, "list": [1, None, None], "m": {}}
    ]


async def test_each_item_mode_skips_empty_results_and_keeps_globals() -> None:
    code = (
        "if (typeof seen === 'undefined') { seen = 0; }\nseen += 1;\n"
        "if ($json.n === 2) return null;\nreturn {json: {seen, index: $itemIndex}};"
    )
    result = await run(chain(start(), code_node(code, "runOnceForEachItem")), ITEMS)
    out = result.items("Code")
    assert [i.json for i in out] == [{"seen": 1, "index": 0}, {"seen": 3, "index": 2}]
    assert [i.paired_item.item for i in out if i.paired_item] == [0, 2]


# --- bindings -------------------------------------------------------------------------------

FILTER = "return $input.all().filter(item => item.json.n !== 2);"


@pytest.mark.parametrize(
    ("language", "code"),
    [
        (
            "javaScript",
            "return {json: {me: $json.name, start: $('Start').item.json.n, "
            "filter: $('Filter').item.json.name, count: $('Start').all().length}};",
        ),
        (
            "python",
            "return {'me': _json.name, 'start': _('Start').item.json.n, "
            "'filter': _('Filter').item.json['name'], 'count': len(_('Start').all())}",
        ),
    ],
)
async def test_paired_item_of_an_earlier_node(language: str, code: str) -> None:
    workflow = chain(
        start(),
        code_node(FILTER, name="Filter"),
        code_node(code, "runOnceForEachItem", language),
    )
    assert await outputs(workflow) == [
        {"me": "a", "start": 1, "filter": "a", "count": 3},
        {"me": "c", "start": 3, "filter": "c", "count": 3},
    ]


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("javaScript", "return {json: {n: $('Start').item.json.n}};"),
        ("python", "return {'n': _('Start').item.json.n}"),
    ],
)
async def test_an_item_built_from_several_has_several_matches(language: str, code: str) -> None:
    # n8n: "Multiple matches found" (tests/golden/engine/paired_item_multiple_matches)
    aggregate = node("All", "n8n-nodes-base.aggregate", {"aggregate": "aggregateAllItemData"})
    workflow = chain(start(), aggregate, code_node(code, "runOnceForEachItem", language))
    with pytest.raises(WorkflowError, match="Multiple matches: item 0 comes from several items"):
        await run(workflow, ITEMS)


async def test_a_returned_pairedItem_list_is_kept() -> None:
    code = "return [{json: {a: 1}, pairedItem: [{item: 0}, {item: 2}]}];"
    result = await run(chain(start(), code_node(code)), ITEMS)
    (item,) = result.items("Code")
    assert item.to_json()["pairedItem"] == [{"item": 0, "input": 0}, {"item": 2, "input": 0}]
    assert [parent.json["name"] for parent in item.parents()] == ["a", "c"]


async def test_item_matching_in_all_items_mode() -> None:
    code = "return $input.all().map((item, k) => ({json: {p: $('Start').itemMatching(k).json.n}}));"
    workflow = chain(start(), code_node(FILTER, name="Filter"), code_node(code))
    assert await outputs(workflow) == [{"p": 1}, {"p": 3}]


async def test_input_helpers_and_run_facts() -> None:
    code = (
        "return [{json: {first: $input.first().json.name, last: $input.last().json.name, "
        "json: $json.name, index: $itemIndex, run: $runIndex, node: typeof $node, "
        "workflow: $workflow.name, prev: $prevNode.name, executed: $('Start').isExecuted}}];"
    )
    assert await outputs(chain(start(), code_node(code))) == [
        {
            "first": "a",
            "last": "c",
            "json": "a",
            "index": 0,
            "run": 0,
            "node": "object",
            "workflow": "test",
            "prev": "Start",
            "executed": True,
        }
    ]


async def test_python_views_have_attribute_and_key_access_and_to_py() -> None:
    code = (
        "rows = [i.json.to_py() for i in _input.all()]\n"
        "assert type(rows[0]) is dict\n"
        "return [{'first': _input.first().json['name'], 'last': _input.last().json.name, "
        "'names': [r['name'] for r in rows], 'position': _itemIndex, 'wf': _workflow.name}]"
    )
    assert await outputs(chain(start(), code_node(code, language="python"))) == [
        {"first": "a", "last": "c", "names": ["a", "b", "c"], "position": 0, "wf": "test"}
    ]


@pytest.mark.parametrize(
    ("language", "code"),
    [
        (
            "javaScript",
            "const name = ['St', 'art'].join('');\nreturn [{json: {n: $(name).first().json.n}}];",
        ),
        ("python", "name = ''.join(['St', 'art'])\nreturn [{'n': _(name).first().json.n}]"),
    ],
)
async def test_a_node_named_at_run_time_is_found(language: str, code: str) -> None:
    assert await outputs(chain(start(), code_node(code, language=language))) == [{"n": 1}]


@pytest.mark.parametrize(
    ("code", "language", "by_value"),
    [
        ("$('Start').first()", "javaScript", False),
        ('$( "Start" ).all(); $json.a', "javaScript", False),
        ("$(name).first()", "javaScript", True),
        ("$items(names[0])", "javaScript", True),
        ("$node[key].json", "javaScript", True),
        ("_('Start').first()", "python", False),
        ("_(name).first()", "python", True),
        ("my_(name); x._(name)", "python", False),
    ],
)
def test_code_that_names_nodes_by_value_is_told_apart(
    code: str, language: str, by_value: bool
) -> None:
    assert names_nodes_by_value(code, language) is by_value


async def test_a_name_made_at_run_time_that_names_no_node_is_refused_clearly() -> None:
    # (n8n: "Referenced node doesn't exist")
    code = "const name = ['No', 'pe'].join('');\nreturn [{json: {n: $(name).first().json.n}}];"
    with pytest.raises(WorkflowError) as failure:
        await run(chain(start(), code_node(code)), ITEMS)
    message = str(failure.value)
    assert "no node called 'Nope' is available here" in message
    assert "[line 2]" in message


async def test_binary_data_passes_through_and_can_be_made() -> None:
    code = (
        "const out = $input.all();\n"
        "out.push({json: {made: true}, binary: {file: {data: btoa('hi'), mimeType: 'text/plain', "
        "fileName: 'hi.txt'}}});\nreturn out;"
    )
    workflow = parse_workflow(chain(start(), code_node(code)))
    given = Item(json={"n": 1}, binary={"data": BinaryData(b"\x00\x01", "image/png", "a.png")})
    result = await run_workflow(workflow, [given])
    out = result.items("Code")
    assert out[0].binary is not None and out[0].binary["data"].data == b"\x00\x01"
    assert out[0].binary["data"].mime_type == "image/png"
    assert out[1].binary is not None and out[1].binary["file"].data == b"hi"
    assert out[1].binary["file"].file_name == "hi.txt"


async def test_console_log_goes_to_the_log_not_stdout(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = chain(
        start(),
        code_node("console.log('from js', {a: 1});\nreturn [];", name="Js"),
        code_node("print('from python', 2)\nreturn []", language="python", name="Py"),
    )
    workflow["connections"]["Start"]["main"][0].append({"node": "Py", "type": "main", "index": 0})
    workflow["settings"] = {"executionOrder": "v1"}  # Start feeds two nodes
    with caplog.at_level(logging.INFO):
        await run(workflow, ITEMS)
    assert 'Js: from js {"a":1}' in caplog.text
    assert "Py: from python 2" in caplog.text
    printed = capsys.readouterr()
    assert "from js" not in printed.out and "from python" not in printed.out


# --- wrong shapes, errors and limits --------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "mode", "expected"),
    [
        ("return 5;", "runOnceForAllItems", "Code doesn't return items properly"),
        ("return [1, 2];", "runOnceForAllItems", "Code doesn't return items properly"),
        ("return [{json: {a: 1}}, {b: 2}];", "runOnceForAllItems", "Unknown top-level item key"),
        ("return [{json: 1}];", "runOnceForAllItems", "A 'json' property isn't an object"),
        ("return $json.n === 2 ? [1] : {};", "runOnceForEachItem", "item 1: A 'json' property"),
    ],
)
async def test_a_result_of_the_wrong_shape_is_an_error(code: str, mode: str, expected: str) -> None:
    with pytest.raises(WorkflowError) as failure:
        await run(chain(start(), code_node(code, mode)), ITEMS)
    assert expected in str(failure.value)


async def test_runtime_errors_name_the_item_and_the_line() -> None:
    code = "const n = $json.n;\nif (n === 2) {\n  return {json: {x: $json.missing.deeper}};\n}\nreturn {json: {n}};"
    with pytest.raises(WorkflowError) as failure:
        await run(chain(start(), code_node(code, "runOnceForEachItem")), ITEMS)
    assert str(failure.value.error).startswith(
        "item 1: Cannot read properties of undefined (reading 'deeper') [line 3]"
    )
    assert failure.value.error.line == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("language", "code", "line"),
    [
        ("javaScript", "const a = 1;\nconst b = ;\nreturn [];", 2),
        ("python", "a = 1\n\nb = (\nreturn []", 3),
        ("pythonNative", "a = 1\nb = )\nreturn []", 2),
    ],
)
async def test_syntax_errors_name_the_line(language: str, code: str, line: int) -> None:
    with pytest.raises(WorkflowError) as failure:
        await run(chain(start(), code_node(code, language=language)), ITEMS)
    assert f"line {line}" in str(failure.value)
    assert "SyntaxError" in str(failure.value)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("const fs = require('fs');\nreturn [];", "Module 'fs' is disallowed [line 1]"),
        ("return [{json: {h: process.env.HOME}}];", "process is not defined [line 1]"),
        ("await fetch('http://127.0.0.1:9/');\nreturn [];", "fetch is not defined [line 1]"),
    ],
)
async def test_no_file_network_or_process_access(code: str, expected: str) -> None:
    workflow = chain(start(), code_node(code, onError="continueRegularOutput"))
    result = await run(workflow, ITEMS)
    [failed] = result.items("Code")
    assert failed.json == {"error": expected}
    assert failed.error is not None
    assert "without file, network or process access" in (failed.error.description or "")  # type: ignore[attr-defined]


LOOP_ON_ITEM_1 = {
    "javaScript": "if ($json.n === 2) { while (true) {} }\nreturn {json: {n: $json.n}};",
    "python": "while _json.n == 2:\n  pass\nreturn {'n': _json.n}",
    "pythonNative": "while _item['json']['n'] == 2:\n    pass\nreturn {'n': _item['json']['n']}",
}


@pytest.mark.parametrize("language", ["javaScript", "python", "pythonNative"])
async def test_an_endless_loop_fails_its_item_and_the_run_goes_on(language: str) -> None:
    workflow = chain(
        start(),
        code_node(
            LOOP_ON_ITEM_1[language],
            "runOnceForEachItem",
            language,
            onError="continueRegularOutput",
        ),
        code_node("return $input.all();", name="After"),
    )
    result = await run_with(workflow, {"codeTimeout": 1})
    out = [i.json for i in result.items("After")]
    assert out == [{"n": 1}, {"error": "Task execution timed out after 1 second"}, {"n": 3}]


async def test_a_javascript_loop_after_await_is_stopped_too() -> None:
    code = "await null;\nwhile (true) {}"
    with pytest.raises(WorkflowError) as failure:
        await run_with(chain(start(), code_node(code)), {"codeTimeout": 1})
    assert "Task execution timed out after 1 second" in str(failure.value)


@pytest.mark.parametrize(
    "code",
    [
        "const a = [];\nwhile (true) { a.push('x'.repeat(1000) + Math.random()); }",
        "await null;\nconst a = [];\nwhile (true) { a.push({k: 'x'.repeat(100) + Math.random()}); }",
    ],
)
async def test_javascript_that_allocates_without_bound_runs_out_of_memory(code: str) -> None:
    workflow = chain(
        start(),
        code_node(
            "if ($json.n === 2) {\n" + code + "\n}\nreturn {json: {n: $json.n}};",
            "runOnceForEachItem",
            onError="continueRegularOutput",
        ),
    )
    result = await run_with(workflow, {"codeMemoryMb": 64, "codeTimeout": 30})
    out = [i.json for i in result.items("Code")]
    assert out[0] == {"n": 1} and out[2] == {"n": 3}
    assert out[1] == {"error": "The code ran out of memory (limit 64 MB)"}


async def test_python_that_allocates_without_bound_fails_its_item() -> None:
    code = "if _json.n == 2:\n  a = []\n  while True:\n    a.append('x' * 100000)\nreturn {'n': _json.n}"
    workflow = chain(
        start(),
        code_node(code, "runOnceForEachItem", "python", onError="continueRegularOutput"),
    )
    result = await run_with(workflow, {"codeMemoryMb": 200, "codeTimeout": 30})
    out = [i.json for i in result.items("Code")]
    assert out[0] == {"n": 1} and out[2] == {"n": 3}
    assert out[1] == {"error": "MemoryError\n"}


async def test_python_errors_are_worded_as_n8n_with_the_line_in_the_description() -> None:
    code = "value = _json.n\nif value == 2:\n  raise ValueError('no twos')\nreturn {'n': value}"
    workflow = chain(
        start(),
        code_node(code, "runOnceForEachItem", "python", onError="continueRegularOutput"),
    )
    result = await run(workflow, ITEMS)
    failed = result.items("Code")[1]
    assert failed.json == {"error": "ValueError: no twos\n"}
    assert str(failed.error) == "item 1: ValueError: no twos\n (ValueError, line 3)"


async def test_python_gets_no_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEITARO_API_KEY", "secret-key-for-the-test")
    code = "import os\nreturn [{'env': dict(os.environ), 'cwd': os.getcwd()}]"
    [out] = await outputs(chain(start(), code_node(code, language="python")))
    assert "KEITARO_API_KEY" not in out["env"]
    assert "secret-key-for-the-test" not in str(out)
    assert "keitaro-node-python-" in out["cwd"]


async def test_python_refuses_values_json_cannot_hold() -> None:
    code = "import datetime\nreturn [{'when': datetime.date(2024, 1, 2)}]"
    with pytest.raises(WorkflowError) as failure:
        await run(chain(start(), code_node(code, language="python")), ITEMS)
    assert "the returned value[0].when is a date, which is not JSON" in str(failure.value)


async def test_a_missing_javascript_engine_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "py_mini_racer", None)
    with pytest.raises(WorkflowError) as failure:
        await run(chain(start(), code_node("return [];")), ITEMS)
    assert "pip install 'keitaro-node[code]'" in str(failure.value)


async def test_bad_limits_are_refused_by_name() -> None:
    with pytest.raises(WorkflowError) as failure:
        await run_with(chain(start(), code_node("return [];")), {"codeTimeout": "soon"})
    assert "codeTimeout must be a number" in str(failure.value)


# --- Function and Function Item -------------------------------------------------------------


async def test_function_gets_items_with_their_index() -> None:
    code = "for (item of items) {\n  item.json.position = item.index;\n}\nreturn items;"
    workflow = chain(start(), node("Function", "n8n-nodes-base.function", {"functionCode": code}))
    assert await outputs(workflow, name="Function") == [
        {**i, "position": k} for k, i in enumerate(ITEMS)
    ]


async def test_function_errors_continue_and_stop_as_n8n() -> None:
    code = "const a = 1;\nthrow new Error('nope');"
    params = {"functionCode": code}
    going = chain(
        start(),
        node("Function", "n8n-nodes-base.function", params, onError="continueRegularOutput"),
    )
    assert await outputs(going, name="Function") == [{"error": "nope"}]
    with pytest.raises(WorkflowError) as failure:
        await run(chain(start(), node("Function", "n8n-nodes-base.function", params)), ITEMS)
    assert str(failure.value.error) == "nope [Line 2]"


async def test_function_item_maps_each_item_with_fresh_globals() -> None:
    code = (
        "if (typeof seen === 'undefined') { seen = 0; }\nseen += 1;\n"
        "item.seen = seen;\nitem.index = $itemIndex;\nreturn item;"
    )
    workflow = chain(
        start(), node("Function Item", "n8n-nodes-base.functionItem", {"functionCode": code})
    )
    assert await outputs(workflow, name="Function Item") == [
        {**i, "seen": 1, "index": k} for k, i in enumerate(ITEMS)
    ]


async def test_function_item_errors_name_the_item_and_line() -> None:
    code = "const a = item.n;\nif (a === 3) { throw new Error('no threes'); }\nreturn item;"
    workflow = chain(
        start(), node("Function Item", "n8n-nodes-base.functionItem", {"functionCode": code})
    )
    with pytest.raises(WorkflowError) as failure:
        await run(workflow, ITEMS)
    assert str(failure.value.error) == "item 2: no threes [Line 2 | Item Index: 2]"


async def test_function_item_refuses_a_result_that_is_not_an_object() -> None:
    workflow = chain(
        start(),
        node(
            "Function Item",
            "n8n-nodes-base.functionItem",
            {"functionCode": "return 5;"},
            onError="continueRegularOutput",
        ),
    )
    out = await outputs(workflow, name="Function Item")
    assert out == [{"error": "Function Item returned number, not an object"}] * 3


# --- what a streaming engine needs to know ---------------------------------------------------


def test_nodes_say_whether_they_need_every_item() -> None:
    assert Code().gathers_all_items({"mode": "runOnceForAllItems"}) is True
    assert Code().gathers_all_items({}) is True
    assert Code().gathers_all_items({"mode": "runOnceForEachItem"}) is False
    assert Function().gathers_all_items({}) is True
    assert FunctionItem().gathers_all_items({}) is False
