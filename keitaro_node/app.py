"""Assembles the host: core nodes and the Keitaro node as default plugins, plus installed ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.engine import Engine, RunResult
from keitaro_node.runtime.engine.plan import Plan
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.runtime.workflow import Workflow


def default_plugins() -> list[object]:
    from keitaro_node.keitaro import plugin as keitaro_plugin
    from keitaro_node.runtime import nodes as core_nodes

    return [core_nodes, keitaro_plugin]


def plugin_host(load_entry_points: bool = True) -> PluginHost:
    return PluginHost(default_plugins(), load_entry_points=load_entry_points)


async def run_workflow(
    workflow: Workflow,
    items: list[Item] | None = None,
    credentials: CredentialStore | None = None,
    host: PluginHost | None = None,
    options: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run a workflow with the default host; raises WorkflowError when a node stops it."""
    engine = Engine(host or plugin_host(), credentials, options)
    return await engine.run(workflow, items)


def check_workflow(
    workflow: Workflow,
    credentials: CredentialStore | None = None,
    host: PluginHost | None = None,
    options: Mapping[str, Any] | None = None,
) -> Plan:
    """Check everything a run needs without running it; WorkflowLoadError lists the problems
    (for callers that must know before they open outputs or take input). The plan tells
    which nodes the run reaches and how they take items."""
    return Engine(host or plugin_host(), credentials, options).prepare(workflow)
