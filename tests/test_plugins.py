"""Plugins: a third-party node found through the entry point group, hooks checked at load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import chain, node, run

from keitaro_node.app import plugin_host
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.plugins import PluginError, PluginHost

PLUGIN_SOURCE = textwrap.dedent(
    '''
    """A third-party plugin, as another distribution would ship it."""
    from keitaro_node.runtime.description import parse_node_description
    from keitaro_node.runtime.errors import NodeApiError
    from keitaro_node.runtime.items import Item, PairedItem
    from keitaro_node.runtime.node import NodeType
    from keitaro_node.runtime.plugins import hookimpl


    class Shout(NodeType):
        type_names = ("acme.shout",)

        @property
        def description(self):
            return parse_node_description({
                "name": "shout", "displayName": "Shout", "description": "Upper-cases a field",
                "version": 1,
                "properties": [{"displayName": "Field", "name": "field", "type": "string", "default": "text", "required": True}],
            })

        async def execute(self, ctx, items):
            async def handle(index, item):
                field = ctx.get_parameters(index)["field"]
                return Item(json={**item.json, field: str(item.json.get(field, "")).upper()})
            return [await ctx.map_items(items, handle)]


    class DropAll(Shout):
        type_names = ("acme.dropAll",)

        async def execute(self, ctx, items):
            return [[]]


    class Flaky(Shout):
        """Fails as a whole node the first `failures` runs."""
        type_names = ("acme.flaky",)
        failures = 2
        runs = 0

        async def execute(self, ctx, items):
            Flaky.runs += 1
            if Flaky.runs <= Flaky.failures:
                raise NodeApiError("service unavailable", http_code=503)
            return [[Item(json={"runs": Flaky.runs}, paired_item=PairedItem(0))]]


    @hookimpl
    def register_node_types(register):
        for node_type in (Shout(), DropAll(), Flaky()):
            register(node_type)
    '''
)


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install a distribution with a `keitaro_node` entry point into a directory on sys.path."""
    (tmp_path / "acme_nodes.py").write_text(PLUGIN_SOURCE)
    dist = tmp_path / "acme_nodes-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-nodes\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[keitaro_node]\nacme = acme_nodes\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("KEITARO_NODE_LOAD_PLUGINS", raising=False)
    return tmp_path


async def test_third_party_node_from_an_entry_point_runs_in_a_workflow(
    installed_plugin: Path,
) -> None:
    host = plugin_host()
    assert "acme.shout" in host.node_types
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Shout", "acme.shout", {"field": "word"}),
    )
    result = await run(workflow, [{"word": "hello"}, {"word": "keitaro"}], host=host)
    assert [i.json["word"] for i in result.items("Shout")] == ["HELLO", "KEITARO"]
    # built-in nodes register through the same hook
    assert {"n8n-nodes-keitaro.keitaro", "n8n-nodes-base.set"} <= set(host.node_types)


async def test_load_plugins_variable_can_exclude_a_plugin(
    installed_plugin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEITARO_NODE_LOAD_PLUGINS", "")
    assert "acme.shout" not in plugin_host().node_types


async def test_always_output_data_when_a_node_returns_nothing(installed_plugin: Path) -> None:
    host = plugin_host()
    quiet = chain(node("Start", "n8n-nodes-base.manualTrigger"), node("Drop", "acme.dropAll"))
    assert (await run(quiet, [{"a": 1}], host=host)).items("Drop") == []
    quiet["nodes"][1]["alwaysOutputData"] = True
    assert [i.json for i in (await run(quiet, [{"a": 1}], host=host)).items("Drop")] == [{}]


async def test_retry_on_fail_reruns_a_node_that_failed_as_a_whole(installed_plugin: Path) -> None:
    host = plugin_host()
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node("Flaky", "acme.flaky", retryOnFail=True, maxTries=3, waitBetweenTries=0),
    )
    result = await run(workflow, [{}], host=host)
    assert result.items("Flaky")[0].json == {"runs": 3}


def test_a_misspelt_hook_fails_loudly() -> None:
    from keitaro_node.runtime.plugins import hookimpl

    class Misspelt:
        @hookimpl
        def register_node_typos(self, register: object) -> None:  # not a hook
            pass

    with pytest.raises(PluginError, match="unknown hook"):
        PluginHost([Misspelt()], load_entry_points=False)


def test_a_node_type_registered_twice_is_refused(host: PluginHost) -> None:
    from keitaro_node.keitaro.node import KeitaroNode
    from keitaro_node.runtime.plugins import hookimpl

    class Copycat:
        @hookimpl
        def register_node_types(self, register):  # type: ignore[no-untyped-def]
            register(KeitaroNode())

    fresh = plugin_host(load_entry_points=False)
    fresh.register(Copycat())
    with pytest.raises(PluginError, match="registered twice"):
        _ = fresh.node_types


async def test_unknown_node_type_in_a_workflow(host: PluginHost) -> None:
    workflow = chain(node("Start", "n8n-nodes-base.manualTrigger"), node("Mystery", "acme.mystery"))
    with pytest.raises(WorkflowError, match=r"unknown node type 'acme\.mystery'"):
        await run(workflow, [{}], host=host)
