"""keitaro-node: an n8n-style node runtime with a node for the Keitaro Admin API v1.

The public API, importable from here:

* `run_workflow` / `run_workflow_sync`: run an n8n workflow, get plain data back;
* `Keitaro`: every operation of the Keitaro node as a typed method, for one-off calls;
* `Sandbox`: the built-in sandbox tracker for your own tests;
* the errors: NodeApiError, NodeOperationError, WorkflowError, WorkflowFormatError,
  ExpressionError.

Importing the package stays cheap: each name loads its module on first use, and heavy modules
(aiohttp, jsonschema, pydantic models) load only when a workflow runs or a client is made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from keitaro_node.api import ItemError, WorkflowResult, run_workflow, run_workflow_sync
    from keitaro_node.client import BinaryData, Keitaro, Pages, PreparedRequest
    from keitaro_node.runtime.credentials import CredentialStore
    from keitaro_node.runtime.errors import (
        NodeApiError,
        NodeError,
        NodeOperationError,
        WorkflowError,
    )
    from keitaro_node.runtime.expressions import ExpressionError
    from keitaro_node.runtime.items import Item
    from keitaro_node.runtime.workflow import WorkflowFormatError
    from keitaro_node.testing import Sandbox

_EXPORTS = {
    "run_workflow": "keitaro_node.api",
    "run_workflow_sync": "keitaro_node.api",
    "WorkflowResult": "keitaro_node.api",
    "ItemError": "keitaro_node.api",
    "Keitaro": "keitaro_node.client",
    "Pages": "keitaro_node.client",
    "PreparedRequest": "keitaro_node.client",
    "BinaryData": "keitaro_node.client",
    "Sandbox": "keitaro_node.testing",
    "CredentialStore": "keitaro_node.runtime.credentials",
    "Item": "keitaro_node.runtime.items",
    "NodeError": "keitaro_node.runtime.errors",
    "NodeApiError": "keitaro_node.runtime.errors",
    "NodeOperationError": "keitaro_node.runtime.errors",
    "WorkflowError": "keitaro_node.runtime.errors",
    "WorkflowFormatError": "keitaro_node.runtime.workflow",
    "ExpressionError": "keitaro_node.runtime.expressions",
}

__all__ = [
    "BinaryData",
    "CredentialStore",
    "ExpressionError",
    "Item",
    "ItemError",
    "Keitaro",
    "NodeApiError",
    "NodeError",
    "NodeOperationError",
    "Pages",
    "PreparedRequest",
    "Sandbox",
    "WorkflowError",
    "WorkflowFormatError",
    "WorkflowResult",
    "__version__",
    "run_workflow",
    "run_workflow_sync",
]

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module 'keitaro_node' has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
