"""The Keitaro client: every operation of the Keitaro node as a typed method.

See keitaro.py for how a call travels, generated.py for the methods (generated from
node_manifest.yaml by codegen.py).
"""

from keitaro_node.runtime.items import BinaryData

from .keitaro import Keitaro, PreparedRequest
from .pages import Pages
from .spec import TYPE_NAMES, OperationSpec, operation_spec, operation_specs

__all__ = [
    "TYPE_NAMES",
    "BinaryData",
    "Keitaro",
    "OperationSpec",
    "Pages",
    "PreparedRequest",
    "operation_spec",
    "operation_specs",
]
