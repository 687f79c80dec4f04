"""Keitaro Admin API sandbox: an aiohttp + SQLite emulator of a tracker's Admin API v1.

It stands alone (it shares no code with the client) so that a bug in one cannot hide
in the other. Start it with ``Sandbox`` in tests or ``python -m keitaro_node.sandbox``.

Names load on first use, so that reading the command's options (``keitaro-node --help``)
does not import aiohttp's server.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .config import API_BASE, DEFAULT_API_KEY, SandboxConfig
    from .demo import Demo
    from .faults import MODES as FAULT_MODES
    from .faults import FaultPlan
    from .server import Sandbox, SandboxStartError, serve

_WHERE = {
    "API_BASE": ("config", "API_BASE"),
    "DEFAULT_API_KEY": ("config", "DEFAULT_API_KEY"),
    "SandboxConfig": ("config", "SandboxConfig"),
    "create_app": ("app", "create_app"),
    "Demo": ("demo", "Demo"),
    "FAULT_MODES": ("faults", "MODES"),
    "FaultPlan": ("faults", "FaultPlan"),
    "Sandbox": ("server", "Sandbox"),
    "SandboxStartError": ("server", "SandboxStartError"),
    "serve": ("server", "serve"),
}

__all__ = [
    "API_BASE",
    "DEFAULT_API_KEY",
    "FAULT_MODES",
    "Demo",
    "FaultPlan",
    "Sandbox",
    "SandboxConfig",
    "SandboxStartError",
    "create_app",
    "serve",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{where[0]}", __name__), where[1])
    globals()[name] = value
    return value
