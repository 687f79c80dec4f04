"""How an operation becomes an HTTP request, declared beside its parameters in the manifest."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from keitaro_node.runtime.description import DescriptionError, NodeDescription

from .resources import schema_file

PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")


class Routing(BaseModel):
    """Method, path template, query and body of one operation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str = Field(pattern=r"^/")
    # query parameter name -> node parameter that supplies it (omitted when empty)
    query: dict[str, str] = Field(default_factory=dict)
    # node parameter whose JSON value is the request body
    body: str | None = None
    # body key -> node parameter; merged over `body`; a dotted key ("range.from") nests
    bodyFields: dict[str, str] = Field(default_factory=dict)
    # schemas/<name>.json that the body must match before it is sent
    bodySchema: str | None = None
    # None: GET, PUT and DELETE are safe to repeat, POST is not
    idempotent: bool | None = None
    # how `returnAll` pages: limit/offset in the JSON body with `total` in the answer
    # (reports, logs of clicks and conversions), limit/offset in the query (logs), or
    # limit/offset in the query of an endpoint answering a bare array (newer campaign lists)
    pagination: Literal["bodyOffset", "queryOffset", "queryOffsetList"] | None = None
    # where the records are in the answer: "rows" for reports; empty for a bare array
    recordsPath: str = ""
    # a destructive operation: says what it destroys; needs the `confirm` parameter set
    confirm: str | None = None
    # the answer is a file, returned as binary data
    binary: bool = False
    # an operation with code of its own: "report" translates between report dialects
    handler: Literal["report"] | None = None
    # the answer's top-level JSON type; unset: creates, gets and updates answer an object,
    # getAll and getArchived a list, others are not checked (see answer_shape.py)
    answer: Literal["object", "array", "any"] | None = None

    @property
    def path_parameters(self) -> list[str]:
        return PLACEHOLDER.findall(self.path)

    @property
    def safe_to_repeat(self) -> bool:
        if self.idempotent is not None:
            return self.idempotent
        return self.method != "POST"


def routing_table(description: NodeDescription) -> dict[tuple[str, str], Routing]:
    """Parse every operation's routing and check it names parameters that exist."""
    table: dict[tuple[str, str], Routing] = {}
    for op in description.all_operations():
        where = f"node_manifest.yaml: {op.resource}.{op.name}.routing"
        try:
            routing = Routing.model_validate(op.routing)
        except Exception as exc:
            raise DescriptionError(f"{where}: {exc}") from exc
        names = {p.name for p in op.parameters}
        used = [*routing.path_parameters, *routing.query.values(), *routing.bodyFields.values()]
        if routing.body:
            used.append(routing.body)
        if routing.confirm:
            used.append("confirm")
        if routing.pagination:
            used += ["returnAll", "limit"]
        if routing.handler == "report":
            used.append("dialect")
        missing = [n for n in used if n not in names]
        if missing:
            raise DescriptionError(f"{where}: uses parameters that the operation lacks: {missing}")
        if routing.bodySchema and not schema_file(f"{routing.bodySchema}.json").is_file():
            raise DescriptionError(
                f"{where}: no body schema keitaro_node/keitaro/schemas/{routing.bodySchema}.json"
            )
        table[(op.resource, op.name)] = routing
    return table
