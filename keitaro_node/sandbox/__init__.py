"""Keitaro Admin API sandbox: an aiohttp + SQLite emulator of a tracker's Admin API v1.

It stands alone (it shares no code with the client) so that a bug in one cannot hide
in the other. Start it with ``Sandbox`` in tests or ``python -m keitaro_node.sandbox``.
"""

from .app import create_app
from .config import API_BASE, DEFAULT_API_KEY, SandboxConfig
from .faults import MODES as FAULT_MODES
from .faults import FaultPlan
from .server import Sandbox, serve

__all__ = [
    "API_BASE",
    "DEFAULT_API_KEY",
    "FAULT_MODES",
    "FaultPlan",
    "Sandbox",
    "SandboxConfig",
    "create_app",
    "serve",
]
