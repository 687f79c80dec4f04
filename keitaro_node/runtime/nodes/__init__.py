"""The core nodes, under n8n's type names, one module each.

They register through the same hooks as any third-party node: add a node here by importing its
class and listing an instance in CORE_NODE_TYPES.
"""

from __future__ import annotations

from collections.abc import Callable

from ..description import CredentialType
from ..node import NodeType
from ..plugins import hookimpl
from .execute_workflow import ExecuteWorkflow
from .execute_workflow_trigger import ExecuteWorkflowTrigger
from .if_ import If
from .manual_trigger import ManualTrigger
from .no_op import NoOp
from .set import EditFields
from .split_in_batches import SplitInBatches
from .start import Start
from .sticky_note import StickyNote
from .wait import Wait

CORE_NODE_TYPES: tuple[NodeType, ...] = (
    ManualTrigger(),
    NoOp(),
    EditFields(),
    If(),
    Start(),
    StickyNote(),
    SplitInBatches(),
    Wait(),
    ExecuteWorkflow(),
    ExecuteWorkflowTrigger(),
)


@hookimpl
def register_node_types(register: Callable[[NodeType], None]) -> None:
    for node_type in CORE_NODE_TYPES:
        register(node_type)


@hookimpl
def register_credential_types(register: Callable[[CredentialType], None]) -> None:
    """The core registers no credential types."""
