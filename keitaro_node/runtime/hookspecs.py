"""Hook specifications: what a plugin can add to the host.

Hooks only register things (pluggy is synchronous); the engine awaits the registered nodes'
`execute` itself. Plugins implement these with `keitaro_node.runtime.plugins.hookimpl`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .description import CredentialType
    from .node import NodeType

PROJECT = "keitaro_node"

hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def register_node_types(register: Callable[[NodeType], None]) -> None:
    """Call `register(node_type)` for each node type the plugin provides."""


@hookspec
def register_credential_types(register: Callable[[CredentialType], None]) -> None:
    """Call `register(credential_type)` for each credential type the plugin provides."""
