"""The expression evaluator: the supported subset, and that it cannot reach Python."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from support import chain, keitaro_workflow, node, run, stream_body

from keitaro_node.runtime.errors import NodeOperationError, WorkflowError
from keitaro_node.runtime.expressions import (
    UNDEFINED,
    DateTimeValue,
    ExpressionError,
    compile_template,
)
from keitaro_node.runtime.expressions.luxon import LuxonDateTime
from keitaro_node.runtime.expressions.luxon.zones import UTC_ZONE
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.scope import SCOPE_NAMES, node_scope_factory
from keitaro_node.sandbox import Sandbox

NAMES = frozenset({"$json", "$itemIndex", "$now"})
SCOPE: dict[str, Any] = {
    "$json": {
        "a": {"b": 5},
        "name": "gb flow",
        "ids": [3, 1, 2],
        "key with space": "ok",
        "zero": 0,
    },
    "$itemIndex": 4,
    "$now": DateTimeValue(
        LuxonDateTime.from_datetime(datetime(2026, 3, 9, 14, 5, 7, tzinfo=UTC), UTC_ZONE)
    ),
}


def render(source: str) -> Any:
    return compile_template(source, NAMES).render(SCOPE)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("={{ $json.a.b }}", 5),
        ("={{ $json['key with space'] }}", "ok"),
        ('={{ $json["a"]["b"] * 2 }}', 10),
        ("=Flow {{ $itemIndex + 1 }}", "Flow 5"),
        ("={{ $json.name.toUpperCase() }}-{{ $json.ids.length }}", "GB FLOW-3"),
        ("={{ $json.ids.map(x => x * 10) }}", [30, 10, 20]),
        ("={{ $json.ids.filter(x => x > 1).join('|') }}", "3|2"),
        ("={{ $json.missing ?? 'fallback' }}", "fallback"),
        ("={{ $json.zero || 7 }}", 7),
        ("={{ $json.a.b >= 5 ? 'big' : 'small' }}", "big"),
        ("={{ {name: $json.name, n: [1, 2]} }}", {"name": "gb flow", "n": [1, 2]}),
        ("={{ `id-${$itemIndex}` }}", "id-4"),
        ("={{ JSON.stringify({a: 1}) }}", '{"a":1}'),
        ("={{ JSON.parse('[1,2]')[1] }}", 2),
        ("={{ Math.max(1, $json.a.b) }}", 5),
        ("={{ 7 / 2 }}", 3.5),
        ("={{ 1 === 1.0 && '1' == 1 && !('1' === 1) }}", True),
        ("={{ $now.toFormat('yyyy-MM-dd HH:mm') }}", "2026-03-09 14:05"),
        ("={{ $now.minus({days: 10}).toFormat('yyyy-MM-dd') }}", "2026-02-27"),
        ("={{ $json.name.split(' ')[0] }}", "gb"),
        ("=plain text", "plain text"),
        ("={{ $json.a }}", {"b": 5}),
        ("=obj: {{ $json.a }}", "obj: [object Object]"),
        ("={{ typeof $json.ids }}", "object"),
        ("={{ Object.keys($json.a) }}", ["b"]),
        ("={{ $json?.missing?.deeper }}", None),
        ("={{ String($json.a.b).padStart(3, '0') }}", "005"),
        ("={{ DateTime.fromObject({year: 2020}, {zone: 'No/Such_Zone'}).isValid }}", False),
        (
            "={{ DateTime.fromObject({year: 2020}, {zone: 'UTC+2'}).toISO() }}",
            "2020-01-01T00:00:00.000+02:00",
        ),
        ("={{ 'one. TWO! three? 4'.toSentenceCase() }}", "One. Two! Three?"),
        ("={{ (1234567.891).format('de-DE') }}", "1.234.567,891"),
        ("={{ 'ab'.match(/(?<x>b)/).groups.x + 'ab'.match(/b/).index }}", "b1"),
    ],
)
def test_supported_subset(source: str, expected: Any) -> None:
    assert render(source) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("={{ $json.__class__ }}", '__class__" due to security concerns'),
        ("={{ $json.name.__class__.__mro__ }}", "security concerns"),
        ("={{ $json['__proto__'] }}", "security concerns"),
        (
            "={{ $json.constructor.constructor('return process')() }}",
            "invalid constructor function call",
        ),
        ("={{ ''.constructor }}", "invalid constructor"),
        ("={{ __import__('os').system('echo hacked') }}", "'__import__' is not available"),
        ("={{ process.env.KEITARO_API_KEY }}", "'process' is not available"),
        ("={{ require('fs') }}", "'require' is not available"),
        ("={{ globalThis }}", "'globalThis' is not available"),
        ("={{ this.x }}", "'this' is not available"),
        ("={{ $json.name.format }}", None),
        ("={{ $json.name.format() }}", "format() is only callable on types"),
        ("={{ 'x'.repeat(20000000) }}", "the size limit"),
        ("={{ $json.missing.deeper }}", None),
        ("={{ 1 + }}", "ends too early"),
        ("={{ $json.a ", "never closed"),
        ("={{ $json.a; $json.b }}", "only one expression is allowed"),
        ("={{ x = 1 }}", "assignments are not supported"),
    ],
)
def test_escapes_and_mistakes_are_expression_errors(source: str, message: str | None) -> None:
    if (
        message is None
    ):  # undefined, as n8n gives it (JavaScript's TypeError makes the block undefined)
        assert render(source) is None
        return
    with pytest.raises(ExpressionError, match=re.escape(message)):
        render(source)


def test_evaluate_gives_a_one_block_templates_javascript_value() -> None:
    date = compile_template("={{ $now.plus({days: 1}) }}", NAMES)
    assert date.single and isinstance(date.evaluate(SCOPE), DateTimeValue)
    assert date.render(SCOPE) == "2026-03-10T14:05:07.000Z"
    missing = compile_template("={{ $json.missing.deeper }}", NAMES)
    assert missing.evaluate(SCOPE) is UNDEFINED and missing.render(SCOPE) is None
    text = compile_template("=in {{ $itemIndex }} days", NAMES)
    assert not text.single and text.evaluate(SCOPE) == text.render(SCOPE) == "in 4 days"


def test_each_expression_is_parsed_once() -> None:
    assert compile_template("={{ $json.a.b + 1 }}", NAMES) is compile_template(
        "={{ $json.a.b + 1 }}", NAMES
    )


async def test_an_expression_per_item_builds_each_stream(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    workflow = keitaro_workflow(
        {
            "resource": "stream",
            "operation": "create",
            "streamData": (
                "={{ {campaign_id: $json.cid, type: 'regular', name: $json.geo + ' #' + ($itemIndex + 1),"
                " schema: 'redirect', action_type: 'http', action_payload: 'https://x.test/' + $json.geo.toLowerCase(),"
                " filters: [{name: 'country', mode: 'accept', payload: [$json.geo]}]} }}"
            ),
        }
    )
    items = [{"cid": campaign_id, "geo": geo} for geo in ("GB", "DE", "FR")]
    result = await run(workflow, items, credentials)
    data = [i.json["data"] for i in result.items("Keitaro")]
    assert [d["name"] for d in data] == ["GB #1", "DE #2", "FR #3"]
    assert [d["filters"][0]["payload"] for d in data] == [["GB"], ["DE"], ["FR"]]
    assert data[1]["action_payload"] == "https://x.test/de"


async def test_an_expression_that_tries_to_escape_fails_the_item_and_sends_nothing(
    tracker: Sandbox, credentials
) -> None:
    workflow = keitaro_workflow(
        {
            "resource": "stream",
            "operation": "create",
            "streamData": "={{ $json.constructor.constructor('return process')() }}",
        }
    )
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{}], credentials)
    error = caught.value.error
    assert isinstance(error, NodeOperationError)
    assert "item 0:" in str(error) and "'Данные Потока' (streamData)" in str(error)
    assert "invalid constructor function call" in str(error)
    assert tracker.request_count() == 0


async def test_node_reference_follows_paired_items(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    set_params = {
        "mode": "manual",
        "assignments": {
            "assignments": [{"name": "label", "value": "={{ $json.geo + '!' }}", "type": "string"}]
        },
    }
    keitaro_params = {
        "resource": "stream",
        "operation": "create",
        "streamData": (
            "={{ {campaign_id: $('Start').item.json.cid, type: 'regular', name: $json.label + ' from ' + $('Start').item.json.geo,"
            " schema: 'action', action_type: 'do_nothing'} }}"
        ),
    }
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Label", "n8n-nodes-base.set", set_params, typeVersion=3.4),
        node("Keitaro", "n8n-nodes-keitaro.keitaro", keitaro_params),
    )
    result = await run(
        workflow,
        [{"cid": campaign_id, "geo": "GB"}, {"cid": campaign_id, "geo": "NL"}],
        credentials,
    )
    assert [i.json["data"]["name"] for i in result.items("Keitaro")] == [
        "GB! from GB",
        "NL! from NL",
    ]


def _edit_fields(value: str, type_: str) -> dict[str, Any]:
    assignments = [{"id": "a", "name": "r", "value": value, "type": type_}]
    return chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node(
            "Set",
            "n8n-nodes-base.set",
            {"assignments": {"assignments": assignments}, "options": {}},
            typeVersion=3.4,
        ),
    )


# What n8n 1.123 outputs for these (recorded with tests/golden/record_n8n.py on {"s": "hello"}).
@pytest.mark.parametrize(
    ("value", "type_", "expected"),
    [
        ("={{ {a: $json.missing, b: 1} }}", "object", {"b": 1}),
        ("={{ [$json.missing, 2] }}", "array", [None, 2]),
        (
            "={{ $json.s ? [{x: $json.missing, y: [$json.missing]}] : [] }}",
            "array",
            [{"y": [None]}],
        ),
        ("={{ {a: $json.s, n: [$json.s.length, 'x']} }}", "object", {"a": "hello", "n": [5, "x"]}),
        (
            "=a{{ {a: 1} }}b{{ [1, [2, 3]] }}c{{ $json.missing }}",
            "string",
            "a[object Object]b1,2,3c",
        ),
    ],
)
async def test_a_value_leaves_the_expression_as_json_has_it(
    value: str, type_: str, expected: Any
) -> None:
    result = await run(_edit_fields(value, type_), [{"s": "hello"}])
    assert result.items("Set")[0].json == {"r": expected}


@pytest.mark.parametrize(
    "value", ["={{ {a: $json.s.toUpperCase, b: 2} }}", "={{ [$json.s.toUpperCase, 3] }}"]
)
async def test_a_function_inside_the_value_fails_the_item_as_in_n8n(value: str) -> None:
    with pytest.raises(WorkflowError) as caught:
        await run(_edit_fields(value, "object"), [{"s": "hello"}])
    assert "function toUpperCase() { [native code] } could not be cloned" in str(caught.value)


class _NoRun:
    def has_run(self, node: str) -> bool:
        return False

    def items(self, node: str, output: int = 0, run: int | None = None) -> list[Item]:
        return []


class _Flow:
    name = "flow"
    id = "7"
    settings: ClassVar[dict[str, str]] = {"timezone": "UTC"}
    nodes: ClassVar[list[Any]] = []


def _node_scope(**engine: Any) -> dict[str, Any]:
    factory = node_scope_factory(
        _NoRun(), _Flow(), "1", "Set", "n8n-nodes-base.set", {}, [Item(json={})], **engine
    )
    return factory(0)


def test_engine_options_fill_env_and_vars_and_the_previous_node(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KN_TEST_REGION", "eu")
    monkeypatch.setenv("KN_TEST_API_KEY", "secret")
    scope = _node_scope(
        options={"expressionEnv": True, "variables": {"tier": "gold"}},
        previous_node="Filter",
        previous_output=1,
    )

    def value(source: str) -> Any:
        return compile_template(source, SCOPE_NAMES).render(scope)

    assert value("={{ $env.KN_TEST_REGION }}") == "eu"
    assert value("={{ $env.KN_TEST_API_KEY }}") is None
    assert value("={{ $vars.tier }}") == "gold"
    assert value("={{ $prevNode.name + '/' + $prevNode.outputIndex }}") == "Filter/1"


def test_nodes_can_call_the_scopes_node_lookup_as_a_function() -> None:
    scope = _node_scope()
    with pytest.raises(ExpressionError, match="Referenced node doesn't exist"):
        scope["$"]("Nowhere")


def test_without_engine_options_env_vars_and_the_previous_node_are_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KN_TEST_REGION", "eu")
    scope = _node_scope()
    for source in ("={{ $env.KN_TEST_REGION }}", "={{ $vars.tier }}", "={{ $prevNode }}"):
        assert compile_template(source, SCOPE_NAMES).render(scope) is None


def test_stream_body_helper_is_a_valid_stream() -> None:
    from keitaro_node.keitaro.body_checks import check_body

    check_body("stream_create", stream_body(1))
