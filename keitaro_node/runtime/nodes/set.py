"""Edit Fields (Set): adds or changes fields of items, at every version n8n has shipped.

Versions 1 and 2 list values by type (set_v1.py); versions 3-3.4 set typed fields or a JSON
object and choose which input fields to keep (set_v3.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..items import Item
from ..node import ExecutionContext
from .base import DescribedNode
from .set_v1 import set_v1, v1_properties
from .set_v3 import set_v3

V1 = {"show": {"@version": [1, 2]}}
OLD = [3, 3.1, 3.2]  # versions with `fields.values` and the `include` option
NEW = [{"_cnd": {"gte": 3.3}}]  # versions with `assignments` and `includeOtherFields`


def _show(versions: list[Any], **more: list[Any]) -> dict[str, Any]:
    return {"show": {"@version": versions, **more}}


def _typed_value(name: str, kind: str, default: Any, **more: Any) -> dict[str, Any]:
    return {
        "displayName": "Value",
        "name": name,
        "type": kind,
        "default": default,
        "displayOptions": {"show": {"type": [name]}},
        **more,
    }


_FIELDS = {
    "displayName": "Fields to Set",
    "name": "fields",
    "type": "fixedCollection",
    "typeOptions": {"multipleValues": True},
    "default": {},
    "description": "The fields to add or change",
    "displayOptions": _show(OLD, mode=["manual"]),
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
                    "description": "The field to set; a.b[0].c reaches into objects and arrays",
                },
                {
                    "displayName": "Type",
                    "name": "type",
                    "type": "options",
                    "options": [
                        {"name": "String", "value": "stringValue"},
                        {"name": "Number", "value": "numberValue"},
                        {"name": "Boolean", "value": "booleanValue"},
                        {"name": "Array", "value": "arrayValue"},
                        {"name": "Object", "value": "objectValue"},
                    ],
                    "default": "stringValue",
                },
                _typed_value("stringValue", "string", ""),
                _typed_value("numberValue", "string", ""),
                _typed_value(
                    "booleanValue",
                    "options",
                    "true",
                    options=[
                        {"name": "True", "value": "true"},
                        {"name": "False", "value": "false"},
                    ],
                ),
                _typed_value("arrayValue", "string", ""),
                _typed_value("objectValue", "json", "={}"),
            ],
        }
    ],
}

_INCLUDE_CHOICES = {
    "all": {"name": "All Input Fields", "value": "all"},
    "none": {"name": "No Input Fields", "value": "none"},
    "selected": {"name": "Selected Input Fields", "value": "selected"},
    "except": {"name": "All Input Fields Except", "value": "except"},
}


def _field_list(name: str, label: str, when: str, display: dict[str, Any]) -> dict[str, Any]:
    return {
        "displayName": label,
        "name": name,
        "type": "string",
        "default": "",
        "placeholder": "e.g. field1,field2",
        "description": f"Comma-separated names of the input fields to {when}",
        "displayOptions": display,
    }


_PROPERTIES: list[dict[str, Any]] = [
    *v1_properties(V1),
    {
        "displayName": "Mode",
        "name": "mode",
        "type": "options",
        "noDataExpression": True,
        "options": [
            {"name": "Manual Mapping", "value": "manual", "description": "Set fields one by one"},
            {"name": "JSON", "value": "raw", "description": "Give the new fields as JSON"},
        ],
        "default": "manual",
        "displayOptions": _show([{"_cnd": {"gte": 3}}]),
    },
    {
        "displayName": "Duplicate Item",
        "name": "duplicateItem",
        "type": "boolean",
        "default": False,
        "description": "A testing aid of n8n's editor; ignored when a workflow runs, as in n8n",
        "displayOptions": _show([{"_cnd": {"gte": 3}}]),
        "x": {"isNodeSetting": True},
    },
    {
        "displayName": "Duplicate Item Count",
        "name": "duplicateCount",
        "type": "number",
        "default": 0,
        "typeOptions": {"minValue": 0},
        "displayOptions": _show([{"_cnd": {"gte": 3}}], duplicateItem=[True]),
        "x": {"isNodeSetting": True},
    },
    {
        "displayName": "JSON",
        "name": "jsonOutput",
        "type": "json",
        "default": '{\n  "my_field_1": "value",\n  "my_field_2": 1\n}\n',
        "description": "The new fields as a JSON object; {{ }} blocks are filled in as text first",
        "displayOptions": _show([{"_cnd": {"gte": 3}}], mode=["raw"]),
    },
    _FIELDS,
    {
        "displayName": "Fields to Set",
        "name": "assignments",
        "type": "json",
        "default": {},
        "description": "{assignments: [{id, name, value, type}]} where type is string, number, "
        "boolean, array, object or binary - as n8n's editor saves it",
        "displayOptions": _show(NEW, mode=["manual"]),
        "x": {"n8nType": "assignmentCollection"},
    },
    {
        "displayName": "Include in Output",
        "name": "include",
        "type": "options",
        "options": list(_INCLUDE_CHOICES.values()),
        "default": "all",
        "description": "Which input fields the output keeps",
        "displayOptions": _show(OLD),
    },
    {
        "displayName": "Include Other Input Fields",
        "name": "includeOtherFields",
        "type": "boolean",
        "default": False,
        "description": "Whether the output keeps input fields besides the fields set here",
        "displayOptions": _show(NEW),
    },
    {
        "displayName": "Input Fields to Include",
        "name": "include",
        "type": "options",
        "options": [_INCLUDE_CHOICES[k] for k in ("all", "selected", "except")],
        "default": "all",
        "description": "Which input fields the output keeps",
        "displayOptions": _show(NEW, includeOtherFields=[True]),
    },
    _field_list("includeFields", "Fields to Include", "keep", _show(OLD, include=["selected"])),
    _field_list("excludeFields", "Fields to Exclude", "drop", _show(OLD, include=["except"])),
    _field_list(
        "includeFields",
        "Fields to Include",
        "keep",
        _show(NEW, include=["selected"], includeOtherFields=[True]),
    ),
    _field_list(
        "excludeFields",
        "Fields to Exclude",
        "drop",
        _show(NEW, include=["except"], includeOtherFields=[True]),
    ),
    {
        "displayName": "Options",
        "name": "options",
        "type": "collection",
        "default": {},
        "displayOptions": _show([{"_cnd": {"gte": 3}}]),
        "options": [
            {
                "displayName": "Include Binary File",
                "name": "includeBinary",
                "type": "boolean",
                "default": True,
                "description": "Whether the input item's binary files are kept (only when set)",
                "displayOptions": {"show": {"@version": [{"_cnd": {"lt": 3.4}}]}},
            },
            {
                "displayName": "Strip Binary Data",
                "name": "stripBinary",
                "type": "boolean",
                "default": True,
                "description": "Whether the input item's binary files are dropped "
                "(only with Include Other Input Fields)",
                "displayOptions": {
                    "show": {"@version": [{"_cnd": {"gte": 3.4}}], "/includeOtherFields": [True]}
                },
            },
            {
                "displayName": "Ignore Type Conversion Errors",
                "name": "ignoreConversionErrors",
                "type": "boolean",
                "default": False,
                "description": "Whether a value that does not convert is kept as it is",
                "displayOptions": {"show": {"/mode": ["manual"]}},
            },
            {
                "displayName": "Support Dot Notation",
                "name": "dotNotation",
                "type": "boolean",
                "default": True,
                "description": "Whether a.b sets b inside a (rather than a field named 'a.b')",
            },
        ],
    },
]


class EditFields(DescribedNode):
    """n8n's Edit Fields (Set) at versions 1, 2, 3, 3.1, 3.2, 3.3 and 3.4."""

    type_names = ("n8n-nodes-base.set", "set")
    typed_parameters: ClassVar[bool] = False  # read as n8n hands them: ctx.raw_parameters
    description_data: ClassVar[dict[str, Any]] = {
        "name": "set",
        "displayName": "Edit Fields (Set)",
        "description": "Adds or changes fields of items, with values from expressions",
        "version": [1, 2, 3, 3.1, 3.2, 3.3, 3.4],
        "group": ["input"],
        "defaults": {"name": "Edit Fields"},
        "properties": _PROPERTIES,
    }

    def gathers_all_items(self, parameters: Mapping[str, Any]) -> bool:
        """Each item gets its fields on its own."""
        return False

    async def execute(self, ctx: ExecutionContext, items: list[Item]) -> list[list[Item]]:
        if ctx.type_version < 3:
            return [set_v1(ctx, items)]
        return [set_v3(ctx, items)]
