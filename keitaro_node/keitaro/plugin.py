"""Registers the Keitaro node and its credential type through the host's hooks."""

from __future__ import annotations

from collections.abc import Callable

from keitaro_node.runtime.description import CredentialType, load_credential_type
from keitaro_node.runtime.node import NodeType
from keitaro_node.runtime.plugins import hookimpl

from .node import KeitaroNode
from .resources import data_file

KEITARO_NODE = KeitaroNode()


@hookimpl
def register_node_types(register: Callable[[NodeType], None]) -> None:
    register(KEITARO_NODE)


@hookimpl
def register_credential_types(register: Callable[[CredentialType], None]) -> None:
    register(load_credential_type(data_file("credentials/keitaro_api.yaml")))
