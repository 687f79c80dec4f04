"""What the nodes that reshape items share: versions checked, refusals, item provenance.

`needs_all_items` is what `gathers_all_items` answers for them: whether a node can take items
one by one (False: Split Out) or must see the whole input at once (True: it sorts, groups,
counts, combines inputs or keeps the last items), so a streaming engine gathers everything
before such a node.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import BinaryData, Item, PairedItem, Pairing
from ..node import ExecutionContext, NodeCheck
from ..parameters import shown_values
from .base import DescribedNode

NESTED_HINT = (
    "If the field is nested, turn off 'Disable Dot Notation' in the node options so that "
    "'parent.child' reaches into objects"
)
DISABLE_DOT_NOTATION: dict[str, Any] = {
    "displayName": "Disable Dot Notation",
    "name": "disableDotNotation",
    "type": "boolean",
    "default": False,
    "description": "Whether 'parent.child' names a field with a dot rather than a nested one",
}


def paired_list(pairs: Iterable[Pairing | None]) -> list[PairedItem] | None:
    """One pairedItem list standing for all of `pairs` (None when there are none), as n8n
    pairs an item built from several input items."""
    flat: list[PairedItem] = []
    for pair in pairs:
        if isinstance(pair, list):
            flat.extend(pair)
        elif pair is not None:
            flat.append(pair)
    return flat or None


def passed(item: Item, index: int, input_index: int = 0) -> Item:
    """An input item sent on unchanged, paired with where it came in."""
    return Item(json=item.json, binary=item.binary, paired_item=PairedItem(index, input_index))


def merged_binary(*binaries: dict[str, BinaryData] | None) -> dict[str, BinaryData] | None:
    """Binary files of several items, later ones winning on equal names."""
    out: dict[str, BinaryData] = {}
    for binary in binaries:
        if binary:
            out.update(binary)
    return out or None


def version_label(version: float) -> str:
    return str(int(version)) if float(version).is_integer() else str(version)


class ReshapingNode(DescribedNode):
    """Base for the core nodes that reshape, filter or combine items."""

    needs_all_items: ClassVar[bool] = True

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        return self.needs_all_items

    @property
    def versions(self) -> tuple[float, ...]:
        version = self.description.version
        return tuple(version) if isinstance(version, tuple) else (version,)

    def unsupported(self, parameters: Mapping[str, Any], type_version: float) -> str | None:
        """Why these settings cannot run as n8n runs them (None when they can).

        `parameters` are the node's parameters with defaults filled in. An engine may ask this
        when it loads a workflow; `start` asks it again before the node touches any item.
        """
        return None

    def check(self, node: NodeCheck) -> list[str]:
        """Settings that cannot run as n8n runs them are refused when the workflow loads."""
        values = shown_values(self.description, node.parameters, node.type_version)
        values.pop("@version", None)
        reason = self.unsupported(values, node.type_version)
        return [reason] if reason else []

    def start(self, ctx: ExecutionContext) -> dict[str, Any]:
        """Check the version and the settings; the parameters n8n reads at item 0."""
        if ctx.type_version not in self.versions:
            known = ", ".join(version_label(v) for v in self.versions)
            raise NodeOperationError(
                f"{self.description.displayName} has no typeVersion "
                f"{version_label(ctx.type_version)} here",
                description=f"the versions this runtime implements are {known}",
                node_name=ctx.node_name,
            )
        parameters = ctx.get_parameters(0)
        reason = self.unsupported(parameters, ctx.type_version)
        if reason:
            raise NodeOperationError(reason, node_name=ctx.node_name)
        return parameters
