"""The core nodes, under n8n's type names, one module each.

They register through the same hooks as any third-party node: add a node here by importing its
class and listing an instance in CORE_NODE_TYPES.
"""

from __future__ import annotations

from collections.abc import Callable

from ..description import CredentialType
from ..http.credential_types import generic_credential_types
from ..node import NodeType
from ..plugins import hookimpl
from .aggregate import Aggregate
from .code import Code
from .date_time import DateTimeNode
from .execute_workflow import ExecuteWorkflow
from .execute_workflow_trigger import ExecuteWorkflowTrigger
from .filter import Filter
from .function import Function
from .function_item import FunctionItem
from .http_request import HttpRequest
from .if_ import If
from .item_lists import ItemLists
from .limit import Limit
from .manual_trigger import ManualTrigger
from .merge import Merge
from .no_op import NoOp
from .remove_duplicates import RemoveDuplicates
from .schedule_trigger import ScheduleTrigger
from .set import EditFields
from .sort import Sort
from .split_in_batches import SplitInBatches
from .split_out import SplitOut
from .start import Start
from .sticky_note import StickyNote
from .summarize import Summarize
from .switch import Switch
from .wait import Wait
from .webhook import Webhook

CORE_NODE_TYPES: tuple[NodeType, ...] = (
    ManualTrigger(),
    NoOp(),
    EditFields(),
    If(),
    Merge(),
    SplitOut(),
    Aggregate(),
    ItemLists(),
    Sort(),
    Limit(),
    RemoveDuplicates(),
    Summarize(),
    Code(),
    Function(),
    FunctionItem(),
    Filter(),
    Switch(),
    Start(),
    StickyNote(),
    SplitInBatches(),
    Wait(),
    ExecuteWorkflow(),
    ExecuteWorkflowTrigger(),
    HttpRequest(),
    Webhook(),
    ScheduleTrigger(),
    DateTimeNode(),
)


@hookimpl
def register_node_types(register: Callable[[NodeType], None]) -> None:
    for node_type in CORE_NODE_TYPES:
        register(node_type)


@hookimpl
def register_credential_types(register: Callable[[CredentialType], None]) -> None:
    """The generic credential types HTTP Request uses (credentials/generic/)."""
    for credential_type in generic_credential_types():
        register(credential_type)
