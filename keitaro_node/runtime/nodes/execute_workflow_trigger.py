"""Execute Workflow Trigger ("When Executed by Another Workflow"): where a sub-workflow starts.

It hands on the items the calling Execute Workflow node sent. Version 1 and "Accept all data"
pass them as they are; with input fields (listed, or taken from a JSON example) each item
keeps only those fields, and a field the caller did not send is null, as in n8n.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import NodeOperationError
from ..items import Item, PairedItem
from ..node import ExecutionContext, NodeCheck
from .base import DescribedNode

V1 = {"show": {"@version": [{"_cnd": {"eq": 1}}]}}
LATER = {"@version": [{"_cnd": {"gte": 1.1}}]}
TYPES = ["any", "string", "number", "boolean", "array", "object"]


class ExecuteWorkflowTrigger(DescribedNode):
    """n8n's Execute Workflow Trigger, versions 1 and 1.1."""

    type_names = ("n8n-nodes-base.executeWorkflowTrigger",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "executeWorkflowTrigger",
        "displayName": "Execute Workflow Trigger",
        "description": "Starts a workflow that another workflow runs (Execute Workflow)",
        "version": [1, 1.1],
        "group": ["trigger"],
        "inputs": [],
        "properties": [
            {
                "displayName": "Events",
                "name": "events",
                "type": "hidden",
                "noDataExpression": True,
                "default": "worklfow_call",  # n8n's own spelling
            },
            {
                "displayName": "A calling workflow's items start this one",
                "name": "notice",
                "type": "notice",
                "default": "",
                "displayOptions": V1,
            },
            {
                "displayName": "An older version of this node",
                "name": "outdatedVersionWarning",
                "type": "notice",
                "default": "",
                "displayOptions": V1,
            },
            {
                "displayName": "Input data mode",
                "name": "inputSource",
                "type": "options",
                "noDataExpression": True,
                "default": "workflowInputs",
                "options": [
                    {"name": "Define using fields below", "value": "workflowInputs"},
                    {"name": "Define using JSON example", "value": "jsonExample"},
                    {"name": "Accept all data", "value": "passthrough"},
                ],
                "displayOptions": {"show": LATER},
            },
            {
                "displayName": "Fields come from an example object",
                "name": "jsonExample_notice",
                "type": "notice",
                "default": "",
                "displayOptions": {"show": {**LATER, "inputSource": ["jsonExample"]}},
            },
            {
                "displayName": "JSON Example",
                "name": "jsonExample",
                "type": "json",
                "noDataExpression": True,
                "default": '{\n  "aField": "a string",\n  "aNumber": 123\n}',
                "displayOptions": {"show": {**LATER, "inputSource": ["jsonExample"]}},
            },
            {
                "displayName": "Workflow Input Schema",
                "name": "workflowInputs",
                "type": "fixedCollection",
                "typeOptions": {"multipleValues": True},
                "default": {},
                "displayOptions": {"show": {**LATER, "inputSource": ["workflowInputs"]}},
                "options": [
                    {
                        "name": "values",
                        "displayName": "Values",
                        "values": [
                            {
                                "displayName": "Name",
                                "name": "name",
                                "type": "string",
                                "default": "",
                                "required": True,
                                "noDataExpression": True,
                            },
                            {
                                "displayName": "Type",
                                "name": "type",
                                "type": "options",
                                "default": "string",
                                "noDataExpression": True,
                                "options": [{"name": t.title(), "value": t} for t in TYPES],
                            },
                        ],
                    }
                ],
            },
        ],
    }

    def check(self, node: NodeCheck) -> list[str]:
        if node.parameters.get("inputSource") == "jsonExample":
            try:
                _example_fields(node.parameters.get("jsonExample", "{}"))
            except NodeOperationError as exc:
                return [exc.message]
        return []

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Each item goes on as it came (shaped by the declared inputs)."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        source = ctx.parameters.static_value("inputSource", "passthrough")
        if ctx.type_version < 1.1 or source == "passthrough":
            return [items]
        if source == "jsonExample":
            fields = _example_fields(ctx.parameters.static_value("jsonExample", "{}"))
        else:
            schema = ctx.parameters.static_value("workflowInputs") or {}
            fields = [str(entry.get("name")) for entry in schema.get("values", [])]
        wanted = set(fields)
        return [
            [
                Item(
                    json={
                        **dict.fromkeys(fields),
                        **{k: v for k, v in item.json.items() if k in wanted},
                    },
                    binary=item.binary,
                    paired_item=PairedItem(index),
                )
                for index, item in enumerate(items)
            ]
        ]


def _example_fields(example: Any) -> list[str]:
    if isinstance(example, str):
        try:
            example = json.loads(example)
        except json.JSONDecodeError as exc:
            raise NodeOperationError(f"'JSON Example' is not valid JSON: {exc.msg}") from None
    if not isinstance(example, dict):
        raise NodeOperationError("'JSON Example' must be an object: its keys are the inputs")
    return list(example)
