"""Parameters as the runtime hands them to nodes: typed and checked, or as n8n hands them."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from support import chain, node, run

from keitaro_node.app import default_plugins
from keitaro_node.runtime.errors import WorkflowLoadError
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.node import ExecutionContext
from keitaro_node.runtime.nodes.base import DescribedNode
from keitaro_node.runtime.plugins import PluginHost, hookimpl

PROPERTIES: list[dict[str, Any]] = [
    {"displayName": "Label", "name": "label", "type": "string", "default": "", "required": True},
    {
        "displayName": "Separator",
        "name": "separator",
        "type": "options",
        "default": ",",
        "options": [
            {"name": "Comma", "value": ","},
            {"name": "None", "value": ""},
            {"name": "Space", "value": " "},
        ],
    },
    {"displayName": "Suffix", "name": "suffix", "type": "string", "default": "!"},
    {"displayName": "Count", "name": "count", "type": "number", "default": 1},
    {
        "displayName": "Target",
        "name": "target",
        "type": "options",
        "default": "none",
        "typeOptions": {"loadOptionsMethod": "targets"},
        "options": [{"name": "None", "value": "none"}],
    },
    {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "default": {},
        "options": [
            {"displayName": "Mode", "name": "mode", "type": "string", "default": "a"},
            {
                "displayName": "Only In Mode B",
                "name": "onlyB",
                "type": "boolean",
                "default": False,
                "displayOptions": {"show": {"mode": ["b"]}},
            },
        ],
    },
]


class Echo(DescribedNode):
    """Writes what it was handed: typed values, or the values as n8n hands them."""

    type_names = ("test.echo",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "echo",
        "displayName": "Echo",
        "description": "Echoes its parameters",
        "version": 1,
        "properties": PROPERTIES,
    }

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        return [[Item(json=ctx.get_parameters(i)) for i in range(len(items))]]


class RawEcho(Echo):
    type_names = ("test.rawEcho",)
    typed_parameters: ClassVar[bool] = False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        params = ctx.raw_parameters
        return [
            [
                Item(json={"values": dict(params.values), "count": params.get("count", i)})
                for i in range(len(items))
            ]
        ]


class _Plugin:
    @hookimpl
    def register_node_types(self, register: Any) -> None:
        register(Echo())
        register(RawEcho())


def host() -> PluginHost:
    return PluginHost([*default_plugins(), _Plugin()], load_entry_points=False)


def workflow(type_name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    return chain(node("Start", "n8n-nodes-base.manualTrigger"), node("Echo", type_name, parameters))


async def echo(type_name: str, parameters: dict[str, Any], items: Any = None) -> list[Any]:
    result = await run(workflow(type_name, parameters), items or [{}], host=host())
    return [item.json for item in result.items("Echo")]


async def test_text_of_spaces_and_line_breaks_is_a_value_as_in_n8n() -> None:
    # n8n takes only '' for empty (Summarize joins with ' ', a line break or nothing)
    (typed,) = await echo("test.echo", {"label": " ", "separator": " ", "suffix": "\n"})
    assert (typed["label"], typed["separator"], typed["suffix"]) == (" ", " ", "\n")
    (typed,) = await echo("test.echo", {"label": "x", "separator": ""})
    assert typed["separator"] == ""
    (typed,) = await echo("test.echo", {"label": "x", "suffix": ""})
    assert typed["suffix"] == ""


@pytest.mark.parametrize("type_name", ["test.echo", "test.rawEcho"])
async def test_an_empty_required_value_refuses_the_workflow_before_anything_runs(
    type_name: str,
) -> None:
    # n8n 1.123 refuses such a workflow ("The workflow has issues and cannot be executed");
    # whitespace is a value there (tests/golden/engine/required_parameter_whitespace)
    for empty in ({}, {"label": ""}):
        with pytest.raises(WorkflowLoadError) as caught:
            await echo(type_name, empty)
        assert str(caught.value) == (
            "the workflow cannot run: node 'Echo': 'Label' (label) is required"
        )
    assert await echo(type_name, {"label": "={{ $json.name }}"}, [{"name": "a"}])


async def test_options_loaded_from_the_node_accept_values_not_declared() -> None:
    (typed,) = await echo("test.echo", {"label": "x", "target": 3})
    assert typed["target"] == 3
    with pytest.raises(WorkflowLoadError, match="unknown separator ';'"):
        await echo("test.echo", {"label": "x", "separator": ";"})


async def test_values_read_as_n8n_hands_them_are_not_converted() -> None:
    # a typed node gets a number; one that reads values as n8n hands them gets the text
    parameters = {"label": "x", "count": "={{ $json.n }}", "options": {"mode": "a", "onlyB": True}}
    (typed,) = await echo("test.echo", parameters, [{"n": "7"}])
    assert typed["count"] == 7
    (raw,) = await echo("test.rawEcho", parameters, [{"n": "7"}])
    assert raw["count"] == "7"
    # defaults filled in, expressions kept until read, hidden options of a collection dropped
    assert raw["values"] == {
        "label": "x",
        "separator": ",",
        "suffix": "!",
        "count": "={{ $json.n }}",
        "target": "none",
        "options": {"mode": "a"},
    }


async def test_a_node_reading_values_as_n8n_hands_them_gets_no_conversion_refusals() -> None:
    # text in a number field is the node's to judge; fixed option lists are still checked
    (raw,) = await echo("test.rawEcho", {"label": "x", "count": "many"})
    assert raw["count"] == "many"
    with pytest.raises(WorkflowLoadError, match="must be a number"):
        await echo("test.echo", {"label": "x", "count": "many"})
    with pytest.raises(WorkflowLoadError, match="unknown separator ';'"):
        await echo("test.rawEcho", {"label": "x", "separator": ";"})
    with pytest.raises(WorkflowLoadError, match="'Options' \\(options\\) must be an object"):
        await echo("test.rawEcho", {"label": "x", "options": [1]})
