"""The workflow server: serves a folder of n8n workflow files over HTTP.

Webhook nodes answer at `/webhook/<path>`, Schedule Trigger nodes fire on time, and
`POST /run/{workflow}` runs a workflow on the items in the body (for n8n's HTTP Request node,
Make, Zapier). It runs workflows through `keitaro_node.app.run_workflow` and serves any node
type a plugin registers. The server's modules load on first use, so the command line that
imports `keitaro_node.serve.command` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import ServeConfig
    from .server import StartError, WorkflowServer

__all__ = ["ServeConfig", "StartError", "WorkflowServer"]


def __getattr__(name: str) -> Any:
    if name == "ServeConfig":
        from .config import ServeConfig

        return ServeConfig
    if name in ("StartError", "WorkflowServer"):
        from . import server

        return getattr(server, name)
    raise AttributeError(name)
