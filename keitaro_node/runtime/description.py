"""Node and credential descriptions: validated against a JSON Schema at load, then typed.

A broken description fails when it loads, with the JSON path of the problem, rather than
when a workflow first touches the broken part.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .schema_check import SchemaCheck

ParameterType = Literal[
    "string",
    "number",
    "boolean",
    "options",
    "multiOptions",
    "json",
    "collection",
    "fixedCollection",
    "dateTime",
    "notice",
    "hidden",
]


class DescriptionError(ValueError):
    """A node or credential description does not match its schema."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DisplayOptions(_Model):
    show: dict[str, list[Any]] = Field(default_factory=dict)
    hide: dict[str, list[Any]] = Field(default_factory=dict)

    def allows(self, values: Mapping[str, Any]) -> bool:
        """True when the parameter is shown for these (raw) values of the other parameters.

        `@version` is the node's typeVersion; a listed value may be a comparison in n8n's
        form `{"_cnd": {"gte": 3.3}}`.
        """
        for name, allowed in self.show.items():
            if not _matches_any(values.get(name), allowed):
                return False
        return not any(_matches_any(values.get(n), hidden) for n, hidden in self.hide.items())


def _matches_any(value: Any, listed: list[Any]) -> bool:
    return any(_matches(value, entry) for entry in listed)


def _matches(value: Any, entry: Any) -> bool:
    if not (isinstance(entry, dict) and "_cnd" in entry):
        return bool(value == entry)
    for operator, operand in entry["_cnd"].items():
        check = _CONDITIONS.get(operator)
        if check is None or not check(value, operand):
            return False
    return True


def _ordered(check: Any) -> Any:
    def compare(value: Any, operand: Any) -> bool:
        try:
            return bool(check(value, operand))
        except TypeError:
            return False

    return compare


_CONDITIONS: dict[str, Any] = {
    "eq": lambda v, o: v == o,
    "not": lambda v, o: v != o,
    "gte": _ordered(lambda v, o: v >= o),
    "lte": _ordered(lambda v, o: v <= o),
    "gt": _ordered(lambda v, o: v > o),
    "lt": _ordered(lambda v, o: v < o),
    "between": _ordered(lambda v, o: o["from"] <= v <= o["to"]),
    "startsWith": lambda v, o: isinstance(v, str) and v.startswith(o),
    "endsWith": lambda v, o: isinstance(v, str) and v.endswith(o),
    "includes": lambda v, o: isinstance(v, str) and o in v,
    "exists": lambda v, _o: v is not None,
}


class TypeOptions(_Model):
    model_config = ConfigDict(frozen=True, extra="allow")

    password: bool = False
    minValue: float | None = None
    maxValue: float | None = None
    numberPrecision: int | None = None
    multipleValues: bool = False
    rows: int | None = None
    editor: str | None = None
    # n8n loads the options from the node while editing (they depend on other values): the
    # declared ones are not all there are
    loadOptionsMethod: str | None = None
    # the options are the usual values, not all the node takes (a format the node reads as
    # tokens): other values are the node's to judge, as with loadOptionsMethod
    openOptions: bool = False


class Option(_Model):
    name: str
    value: str | int | float | bool
    description: str | None = None
    action: str | None = None


class Parameter(_Model):
    """One parameter, with n8n's field names and meaning."""

    displayName: str
    name: str
    type: ParameterType
    default: Any = None
    required: bool = False
    description: str | None = None
    placeholder: str | None = None
    hint: str | None = None
    noDataExpression: bool = False
    displayOptions: DisplayOptions | None = None
    typeOptions: TypeOptions = Field(default_factory=TypeOptions)
    options: tuple[Any, ...] = ()
    x: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _typed_options(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "options" not in data:
            return data
        kind = data.get("type")
        raw = data["options"]
        parsed: list[Any]
        if kind in ("options", "multiOptions"):
            parsed = [o if isinstance(o, Option) else Option.model_validate(o) for o in raw]
        elif kind == "collection":
            parsed = [p if isinstance(p, Parameter) else Parameter.model_validate(p) for p in raw]
        elif kind == "fixedCollection":
            parsed = [
                g if isinstance(g, FixedCollectionGroup) else FixedCollectionGroup.model_validate(g)
                for g in raw
            ]
        else:
            parsed = list(raw)
        return {**data, "options": tuple(parsed)}

    @property
    def choices(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if isinstance(o, Option))

    @property
    def sub_parameters(self) -> tuple[Parameter, ...]:
        return tuple(o for o in self.options if isinstance(o, Parameter))

    @property
    def groups(self) -> tuple[FixedCollectionGroup, ...]:
        return tuple(o for o in self.options if isinstance(o, FixedCollectionGroup))

    @property
    def label(self) -> str:
        """How errors name the parameter: its label and, when different, its name."""
        if self.displayName == self.name:
            return f"'{self.name}'"
        return f"'{self.displayName}' ({self.name})"


class FixedCollectionGroup(_Model):
    name: str
    displayName: str
    values: tuple[Parameter, ...]


class Operation(_Model):
    """One operation of one resource: its parameters and its routing (opaque to the host)."""

    resource: str
    name: str
    displayName: str
    description: str | None = None
    action: str | None = None
    routing: dict[str, Any] = Field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()


class Resource(_Model):
    name: str
    displayName: str
    description: str | None = None
    operations: tuple[Operation, ...]


class CredentialRequirement(_Model):
    name: str
    required: bool = True
    displayOptions: DisplayOptions | None = None


class NodeDescription(_Model):
    """A node type as data. `properties` is the flat n8n-shaped parameter list."""

    name: str
    displayName: str
    description: str
    version: float | tuple[float, ...]
    types: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    subtitle: str | None = None
    icon: str | None = None
    documentationUrl: str | None = None
    defaults: dict[str, str] = Field(default_factory=dict)
    inputs: tuple[str, ...] = ("main",)
    outputs: tuple[str, ...] = ("main",)
    # Which inputs must have data before a multi-input node runs on what it has (n8n's
    # requiredInputs): a count, a list of input indexes, or an expression over $parameter and
    # $version giving one. None: any input with data will do.
    requiredInputs: int | tuple[int, ...] | str | None = None
    credentials: tuple[CredentialRequirement, ...] = ()
    properties: tuple[Parameter, ...] = ()
    resources: tuple[Resource, ...] = ()
    x: dict[str, Any] = Field(default_factory=dict)
    _operations: dict[tuple[str, str], Operation] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._operations = {(op.resource, op.name): op for op in self.all_operations()}

    @property
    def versions(self) -> tuple[float, ...]:
        """The typeVersions this node type implements."""
        if isinstance(self.version, tuple):
            return tuple(float(v) for v in self.version)
        return (float(self.version),)

    def operation(self, resource: str, operation: str) -> Operation | None:
        return self._operations.get((resource, operation))

    def all_operations(self) -> list[Operation]:
        return [op for res in self.resources for op in res.operations]


class CredentialProperty(_Model):
    name: str
    displayName: str
    type: Literal["string", "number", "boolean"]
    required: bool = False
    default: Any = None
    description: str | None = None
    placeholder: str | None = None
    typeOptions: dict[str, Any] = Field(default_factory=dict)
    environment: tuple[str, ...] = ()

    @property
    def secret(self) -> bool:
        return bool(self.typeOptions.get("password"))


class CredentialType(_Model):
    """A credential type as data (n8n's ICredentialType, declarative part)."""

    name: str
    displayName: str
    documentationUrl: str | None = None
    properties: tuple[CredentialProperty, ...]
    authenticate: dict[str, Any]
    test: dict[str, Any] | None = None

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.properties if p.secret)


# --- loading ---------------------------------------------------------------------------------


@cache
def _schema_data(name: str) -> Any:
    text = resources.files("keitaro_node.runtime").joinpath("schemas", name).read_text("utf-8")
    return json.loads(text)


@cache
def _schema(name: str) -> SchemaCheck:
    return SchemaCheck(_schema_data(name))


def _json_path(path: Any) -> str:
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate_against(schema_name: str, data: Any, source: str) -> None:
    """Raise DescriptionError listing every schema violation with its JSON path."""
    errors = _schema(schema_name).errors(data)
    if errors:
        lines = [f"{_json_path(e.absolute_path)}: {_best_message(e)}" for e in errors[:20]]
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise DescriptionError(
            f"{source} is not a valid description:\n  " + "\n  ".join(lines) + more
        )


def _best_message(error: Any) -> str:
    # oneOf/anyOf failures hide the useful message in their sub-errors.
    if error.context:
        deepest = max(error.context, key=lambda e: len(list(e.absolute_path)))
        return _best_message(deepest)
    return str(error.message)


def load_yaml_or_json(path: str | Path | Any) -> Any:
    """Read a YAML or JSON file (a Path or an importlib.resources Traversable)."""
    text = path.read_text("utf-8") if hasattr(path, "read_text") else Path(path).read_text("utf-8")
    name = str(getattr(path, "name", path))
    if name.endswith(".json"):
        return json.loads(text)
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


def _expand_ref(entry: dict[str, Any], definitions: dict[str, Any], where: str) -> dict[str, Any]:
    if "ref" not in entry:
        return entry
    name = entry["ref"]
    if name not in definitions:
        known = ", ".join(sorted(definitions)) or "none"
        raise DescriptionError(f"{where}: unknown parameter ref '{name}' (defined: {known})")
    merged = copy.deepcopy(definitions[name])
    merged.update({k: v for k, v in entry.items() if k != "ref"})
    return dict(merged)


def _merge_display(parameter: dict[str, Any], show: dict[str, list[Any]]) -> dict[str, Any]:
    display = copy.deepcopy(parameter.get("displayOptions") or {})
    display["show"] = {**show, **display.get("show", {})}
    return {**parameter, "displayOptions": display}


def parse_node_description(data: Any, source: str = "node description") -> NodeDescription:
    """Validate raw description data, expand refs, generate resource/operation parameters."""
    validate_against("node_description.schema.json", data, source)
    definitions = data.get("parameterDefinitions", {})
    properties = [
        _expand_ref(p, definitions, f"{source}: $.properties[{i}]")
        for i, p in enumerate(data.get("properties", []))
    ]
    resources_out: list[dict[str, Any]] = []
    generated: list[dict[str, Any]] = []
    raw_resources = data.get("resources", [])
    if raw_resources:
        _check_unique([r["name"] for r in raw_resources], f"{source}: $.resources")
        generated.append(
            {
                "displayName": "Resource",
                "name": "resource",
                "type": "options",
                "noDataExpression": True,
                "default": raw_resources[0]["name"],
                "options": [
                    {"name": r["displayName"], "value": r["name"], **_desc(r)}
                    for r in raw_resources
                ],
            }
        )
    for r_index, res in enumerate(raw_resources):
        where = f"{source}: $.resources[{r_index}]"
        _check_unique([o["name"] for o in res["operations"]], f"{where}.operations")
        generated.append(
            {
                "displayName": "Operation",
                "name": "operation",
                "type": "options",
                "noDataExpression": True,
                "default": res["operations"][0]["name"],
                "displayOptions": {"show": {"resource": [res["name"]]}},
                "options": [
                    {
                        "name": o["displayName"],
                        "value": o["name"],
                        **_desc(o),
                        **({"action": o["action"]} if "action" in o else {}),
                    }
                    for o in res["operations"]
                ],
            }
        )
        operations = []
        for o_index, op in enumerate(res["operations"]):
            op_where = f"{where}.operations[{o_index}]"
            params = [
                _expand_ref(p, definitions, f"{op_where}.parameters[{i}]")
                for i, p in enumerate(op.get("parameters", []))
            ]
            _check_unique([p["name"] for p in params], f"{op_where}.parameters")
            validate_against(
                "node_description.schema.json",
                {**_stub(), "properties": params},
                f"{op_where} (after refs)",
            )
            gate = {"resource": [res["name"]], "operation": [op["name"]]}
            operations.append({**op, "resource": res["name"], "parameters": params})
            generated.extend(_merge_display(p, gate) for p in params)
        resources_out.append({**res, "operations": operations})
    body = {k: v for k, v in data.items() if k != "parameterDefinitions"}
    body["properties"] = generated + properties
    body["resources"] = resources_out
    try:
        return NodeDescription.model_validate(body)
    except Exception as exc:  # pydantic errors carry their own location
        raise DescriptionError(f"{source}: {exc}") from exc


def _stub() -> dict[str, Any]:
    return {"name": "stub", "displayName": "stub", "description": "stub", "version": 1}


def _desc(entry: dict[str, Any]) -> dict[str, Any]:
    return {"description": entry["description"]} if "description" in entry else {}


def _check_unique(names: list[str], where: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DescriptionError(f"{where}: '{name}' is declared twice")
        seen.add(name)


def load_node_description(path: str | Path | Any) -> NodeDescription:
    from .data_cache import load_data_file  # package data: through a JSON copy

    return parse_node_description(load_data_file(path), source=str(path))


def parse_credential_type(data: Any, source: str = "credential type") -> CredentialType:
    validate_against("credential_type.schema.json", data, source)
    return CredentialType.model_validate(data)


def load_credential_type(path: str | Path | Any) -> CredentialType:
    from .data_cache import load_data_file  # package data: through a JSON copy

    return parse_credential_type(load_data_file(path), source=str(path))
