"""The plugin host: a typed facade over pluggy's PluginManager.

Built-in nodes are plugins too and go through the same hooks as third-party ones. External
plugins come from the `keitaro_node` entry point group; `KEITARO_NODE_LOAD_PLUGINS` limits
which distributions load (a comma list; empty loads none).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .description import CredentialType
from .node import NodeType

ENTRY_POINT_GROUP = hookspecs.PROJECT

hookimpl = pluggy.HookimplMarker(hookspecs.PROJECT)


class PluginError(RuntimeError):
    """A plugin is broken: a misspelt hook, or a name registered twice."""


class PluginHost:
    """Loads plugins and keeps the node and credential types they register."""

    def __init__(
        self, default_plugins: Iterable[ModuleType | object] = (), load_entry_points: bool = True
    ) -> None:
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        if load_entry_points:
            self._load_entry_points()
        for plugin in default_plugins:
            self.manager.register(plugin)
        try:
            self.manager.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"a plugin implements an unknown hook: {exc}") from exc
        self._node_types: dict[str, NodeType] | None = None
        self._credential_types: dict[str, CredentialType] | None = None

    def _load_entry_points(self) -> None:
        only = os.environ.get("KEITARO_NODE_LOAD_PLUGINS")
        if only is None:
            self.manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
            return
        for name in filter(None, (n.strip() for n in only.split(","))):
            self.manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=name)

    def register(self, plugin: Any, name: str | None = None) -> None:
        """Add a plugin after start-up (tests, embedding applications)."""
        self.manager.register(plugin, name=name)
        self.manager.check_pending()
        self._node_types = None
        self._credential_types = None

    @property
    def node_types(self) -> dict[str, NodeType]:
        """Node types by every name they answer to."""
        if self._node_types is None:
            found: dict[str, NodeType] = {}

            def register(node_type: NodeType) -> None:
                for name in node_type.type_names:
                    if name in found and found[name] is not node_type:
                        raise PluginError(f"node type '{name}' is registered twice")
                    found[name] = node_type

            self.manager.hook.register_node_types(register=register)
            self._node_types = found
        return self._node_types

    @property
    def credential_types(self) -> dict[str, CredentialType]:
        if self._credential_types is None:
            found: dict[str, CredentialType] = {}

            def register(credential_type: CredentialType) -> None:
                if credential_type.name in found:
                    raise PluginError(
                        f"credential type '{credential_type.name}' is registered twice"
                    )
                found[credential_type.name] = credential_type

            self.manager.hook.register_credential_types(register=register)
            self._credential_types = found
        return self._credential_types

    def node_type(self, name: str) -> NodeType:
        try:
            return self.node_types[name]
        except KeyError:
            known = ", ".join(sorted(self.node_types))
            raise PluginError(f"unknown node type '{name}' (installed: {known})") from None
