"""What the core nodes share: a description declared as data, parsed once."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from ..description import NodeDescription, parse_node_description
from ..node import NodeType


class DescribedNode(NodeType):
    description_data: ClassVar[dict[str, Any]] = {}

    @cached_property
    def description(self) -> NodeDescription:
        return parse_node_description(
            self.description_data, source=f"{self.type_names[0]} description"
        )
