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
from .http_request import HttpRequest
from .if_ import If
from .manual_trigger import ManualTrigger
from .no_op import NoOp
from .set import EditFields

CORE_NODE_TYPES: tuple[NodeType, ...] = (
    ManualTrigger(),
    NoOp(),
    EditFields(),
    If(),
    HttpRequest(),
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
