"""Execute Workflow (Execute Sub-workflow): runs another workflow on this node's items.

The other workflow comes from a file (source "localFile", typeVersion 1 and 1.1) or from
JSON in the node (source "parameter"), and runs on this engine with the same credentials,
options and plugins; a sub-workflow without settings of its own takes its caller's, as in
n8n. What it returns is what n8n returns: the outputs of its node that ran last. "Run once
with all items" hands it every item; "Run once for each item" runs it per item.

Refused at load: source "database" (n8n's database is not here - export the workflow to a
file) and "url", a file outside the working directory, and not waiting for the sub-workflow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from ..errors import NodeError, NodeOperationError
from ..expressions import is_expression
from ..items import Item, PairedItem
from ..node import ExecutionContext, NodeCheck
from .base import DescribedNode

REFUSED_SOURCES = {
    "database": "loads the sub-workflow from n8n's database, which is not here: export that "
    "workflow to a file and use source 'localFile' with its path (typeVersion 1 or 1.1), or "
    "paste its JSON with source 'parameter'",
    "url": "downloads the sub-workflow from a URL, which is not supported: save it to a file "
    "and use source 'localFile'",
}

OLD = {"_cnd": {"lte": 1.1}}
NEW = {"_cnd": {"gte": 1.2}}


class ExecuteWorkflow(DescribedNode):
    """n8n's Execute Workflow node, versions 1 to 1.3, with local sources only."""

    type_names = ("n8n-nodes-base.executeWorkflow",)
    description_data: ClassVar[dict[str, Any]] = {
        "name": "executeWorkflow",
        "displayName": "Execute Sub-workflow",
        "description": "Runs another workflow on the items",
        "version": [1, 1.1, 1.2, 1.3],
        "group": ["transform"],
        "properties": [
            {
                "displayName": "Operation",
                "name": "operation",
                "type": "hidden",
                "noDataExpression": True,
                "default": "call_workflow",
            },
            {
                "displayName": "An older version of this node",
                "name": "outdatedVersionWarning",
                "type": "notice",
                "default": "",
                "displayOptions": {"show": {"@version": [OLD]}},
            },
            {
                "displayName": "Source",
                "name": "source",
                "type": "options",
                "default": "database",
                "options": [
                    {"name": "Database", "value": "database"},
                    {"name": "Local File", "value": "localFile"},
                    {"name": "Parameter", "value": "parameter"},
                    {"name": "URL", "value": "url"},
                ],
                "displayOptions": {"show": {"@version": [OLD]}},
            },
            {
                "displayName": "Source",
                "name": "source",
                "type": "options",
                "default": "database",
                "options": [
                    {"name": "Database", "value": "database"},
                    {"name": "Define Below", "value": "parameter"},
                ],
                "displayOptions": {"show": {"@version": [NEW]}},
            },
            {
                "displayName": "Workflow ID",
                "name": "workflowId",
                "type": "json",  # text in version 1, n8n's workflow selector later
                "default": "",
                "displayOptions": {"show": {"source": ["database"]}},
            },
            {
                "displayName": "Workflow Path",
                "name": "workflowPath",
                "type": "string",
                "default": "",
                "required": True,
                "description": "The workflow file, inside the working directory",
                "displayOptions": {"show": {"source": ["localFile"]}},
            },
            {
                "displayName": "Workflow JSON",
                "name": "workflowJson",
                "type": "json",
                "default": "\n\n\n",
                "required": True,
                "displayOptions": {"show": {"source": ["parameter"]}},
            },
            {
                "displayName": "Workflow URL",
                "name": "workflowUrl",
                "type": "string",
                "default": "",
                "displayOptions": {"show": {"source": ["url"]}},
            },
            {
                "displayName": "The items of this node are the sub-workflow's input",
                "name": "executeWorkflowNotice",
                "type": "notice",
                "default": "",
                "displayOptions": {"show": {"@version": [OLD]}},
            },
            {
                "displayName": "Workflow Inputs",
                "name": "workflowInputs",
                "type": "json",  # n8n's resource mapper, for workflows from its database
                "noDataExpression": True,
                "default": {"mappingMode": "defineBelow", "value": None},
                "displayOptions": {"show": {"source": ["database"], "@version": [NEW]}},
            },
            {
                "displayName": "Mode",
                "name": "mode",
                "type": "options",
                "noDataExpression": True,
                "default": "once",
                "options": [
                    {"name": "Run once with all items", "value": "once"},
                    {"name": "Run once for each item", "value": "each"},
                ],
            },
            {
                "displayName": "Options",
                "name": "options",
                "type": "collection",
                "default": {},
                "options": [
                    {
                        "displayName": "Wait For Sub-Workflow Completion",
                        "name": "waitForSubWorkflow",
                        "type": "boolean",
                        "default": True,
                    }
                ],
            },
        ],
    }

    def check(self, node: NodeCheck) -> list[str]:
        params = node.parameters
        source = params.get("source", "database")
        if isinstance(source, str) and source in REFUSED_SOURCES:
            return [f"Execute Workflow with source '{source}' {REFUSED_SOURCES[source]}"]
        options = params.get("options")
        if isinstance(options, dict) and options.get("waitForSubWorkflow") is False:
            return [
                "Execute Workflow without 'Wait For Sub-Workflow Completion' is not supported: "
                "the sub-workflow always runs to its end before this node goes on"
            ]
        try:
            local = source == "localFile" and node.type_version <= 1.1  # later: not offered
            if local and _static(params.get("workflowPath")):
                path = workflow_file(str(params["workflowPath"]))
                return node.check_workflow(_read(path), str(path))
            if source == "parameter" and _static(params.get("workflowJson")):
                return node.check_workflow(_parse(params["workflowJson"]), f"'{node.name}' JSON")
        except NodeOperationError as exc:
            return [exc.message]
        return []

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """'Run once for each item' maps items one by one; 'Run once with all items' hands
        the sub-workflow every item at once."""
        return bool(parameters.get("mode", "once") != "each")

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if ctx.sub_workflows is None:
            raise NodeOperationError("this engine cannot run sub-workflows")
        mode = ctx.parameters.static_value("mode", "once")
        if mode == "each":
            return await self._each(ctx, items)
        try:
            data, source = _workflow(ctx, 0)
            outputs = await ctx.sub_workflows.run(data, source, items)
        except NodeError as exc:
            if not ctx.continue_on_fail:
                raise
            return [[Item(json={"error": exc.message}, paired_item=PairedItem(0))]]
        return [_paired(output, items) for output in outputs]

    async def _each(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        assert ctx.sub_workflows is not None
        results: list[list[Item]] = []
        for index, item in enumerate(items):
            try:
                data, source = _workflow(ctx, index)
                outputs = await ctx.sub_workflows.run(data, source, [item])
            except NodeError as exc:
                if not ctx.continue_on_fail:
                    raise NodeOperationError(
                        f"the sub-workflow failed for item {index}: {exc.message}",
                        item_index=index,
                    ) from None
                # n8n before 1.3 puts the error of item i on output i; from 1.3 on output 0
                target = 0 if ctx.type_version >= 1.3 else index
                while len(results) <= target:
                    results.append([])
                error_item = Item(json={"error": exc.message}, paired_item=PairedItem(index))
                results[target].append(error_item)
                continue
            for number, output in enumerate(outputs):
                while len(results) <= number:
                    results.append([])
                results[number].extend(
                    Item(json=o.json, binary=o.binary, paired_item=PairedItem(index))
                    for o in output
                )
        return results or [[]]


def workflow_file(path_text: str) -> Path:
    """The workflow file `path_text` names, refused when it lies outside the working directory."""
    base = Path.cwd().resolve()
    path = (base / path_text).resolve()
    if not path.is_relative_to(base):
        raise NodeOperationError(
            f"the workflow file {path_text} is outside the working directory {base}; "
            "sub-workflow files must be inside it"
        )
    return path


def _read(path: Path) -> Any:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise NodeOperationError(f"the workflow file {path} does not exist") from None
    except OSError as exc:
        raise NodeOperationError(f"the workflow file {path} cannot be read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise NodeOperationError(
            f"the workflow file {path} is not valid JSON: {exc.msg} at line {exc.lineno}"
        ) from None


def _parse(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise NodeOperationError(
            f"'Workflow JSON' is not valid JSON: {exc.msg} at line {exc.lineno}"
        ) from None


def _static(value: Any) -> bool:
    return value is not None and not is_expression(value) and value != ""


def _workflow(ctx: ExecutionContext, index: int) -> tuple[Any, str]:
    params = ctx.get_parameters(index)
    source = params.get("source")
    if source == "localFile":
        path = workflow_file(str(params.get("workflowPath") or ""))
        return _read(path), str(path)
    if source == "parameter":
        return _parse(params.get("workflowJson")), f"'{ctx.node_name}' JSON"
    why = REFUSED_SOURCES.get(str(source), "is unknown")
    raise NodeOperationError(f"Execute Workflow with source '{source}' {why}")


def _paired(output: list[Item], items: list[Item]) -> list[Item]:
    """The sub-workflow's items, each paired with the input item it came from (followed back
    through the sub-workflow), else by position when the counts agree, else with the first."""
    place = {id(item): index for index, item in enumerate(items)}
    same_length = len(output) == len(items)
    out: list[Item] = []
    for position, item in enumerate(output):
        origin = _origin(item, place)
        if origin is None:
            origin = position if same_length else 0
        out.append(Item(json=item.json, binary=item.binary, paired_item=PairedItem(origin)))
    return out


def _origin(item: Item, place: dict[int, int]) -> int | None:
    """The position of the input item `item` was made from, following its pairs back (the
    first pair of several first)."""
    todo = [item]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        origin = place.get(id(current))
        if origin is not None:
            return origin
        if id(current) not in seen:
            seen.add(id(current))
            todo.extend(reversed(current.parents()))
    return None
