"""Hostile values for every operation of Keitaro's document: a tracker answers 4xx, never 500.

For each operation a body (and query) that fits the document's request schema is built, then
one place in it - chosen by the seed - gets a value a client should not send: integers beyond
64 bits, numbers JSON cannot answer with, wrong types, empty things. Every answer must be
below 500, and a JSON answer must be JSON. The document is read from ../shared or
KEITARO_OPENAPI (tests/keitaro_spec.py).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from keitaro_spec import spec_path

from keitaro_node.sandbox import Sandbox

from .conftest import API, Client

pytestmark = pytest.mark.needs_keitaro_spec

HOSTILE: list[Any] = [
    2**64,
    -(2**64),
    2**63,
    "9223372036854775808",
    1e300,
    -1,
    0,
    "x",
    "",
    None,
    [],
    {},
    True,
    1.5,
    [2**64],
    {"a": 2**64},
]
# query parameters of newer trackers, absent from the 2022 document
EXTRA_QUERY = {
    ("get", "/campaigns"): ["limit", "offset"],
    ("get", "/streams/{id}/events"): ["limit", "page"],
    ("get", "/logs/{type}"): ["limit", "offset"],
}
# operations that would empty the dataset other seeds still read from
SKIPPED = {("post", "/clicks/clean"), ("post", "/campaigns/clean_archive")}


@cache
def document() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(spec_path().read_text("utf-8"))
    return spec


def resolve(schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = document()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def fitting(schema: Any, depth: int = 0) -> Any:
    """A value that fits `schema`: first choices everywhere."""
    schema = resolve(schema) or {}
    if "anyOf" in schema or "oneOf" in schema:
        return fitting((schema.get("anyOf") or schema["oneOf"])[0], depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        return {k: fitting(v, depth + 1) for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [fitting(schema.get("items", {}), depth + 1)]
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": 1, "number": 1.5, "boolean": True}.get(str(kind), "a")


def places(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from places(inner, (*at, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from places(inner, (*at, index))


def replaced(value: Any, at: tuple[Any, ...], new: Any) -> Any:
    if not at:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for step in at[:-1]:
        target = target[step]
    target[at[-1]] = new
    return copy


def requests(seed: int) -> Iterator[tuple[str, str, dict[str, str], Any, str]]:
    """(method, path, query, body, what was made hostile) for every operation."""
    rng = random.Random(seed)
    for template, item in document()["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "delete") or (method, template) in SKIPPED:
                continue
            path = re.sub(r"\{[^}]+\}", "1", template.replace("{type}", "system"))
            query: dict[str, Any] = {}
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:
                    name = parameter["$ref"].rsplit("/", 1)[-1]
                    parameter = document()["components"]["parameters"][name]
                if parameter.get("in") == "query":
                    query[parameter["name"]] = str(fitting(parameter.get("schema", {})))
            for name in EXTRA_QUERY.get((method, template), []):
                query[name] = "1"
            body = None
            if operation.get("requestBody"):
                content = operation["requestBody"].get("content", {})
                body = fitting(next(iter(content.values()), {}).get("schema", {}))
            targets: list[tuple[str, Any]] = [("query", name) for name in query]
            if "{" in template and "{type}" not in template:
                targets.append(("path", None))
            targets += [("body", at) for at in (places(body) if body is not None else [])]
            if not targets:
                continue
            where, at = rng.choice(targets)
            bad = rng.choice(HOSTILE)
            if where == "path":
                bad = rng.choice(["99999999999999999999", "9223372036854775808", "0", "-1"])
                path = re.sub(r"\{[^}]+\}", bad, template)
            elif where == "query":
                query[at] = bad if isinstance(bad, str) else json.dumps(bad)
            else:
                body = replaced(body, at, bad)
            yield method.upper(), path, query, body, f"{where} {at!r} = {str(bad)[:30]}"


@pytest.mark.parametrize("seed", range(6))
async def test_hostile_values_get_a_4xx_never_a_500(
    sandbox: Sandbox, client: Client, seed: int
) -> None:
    sandbox.seed_demo()
    failures = []
    sent = 0
    for method, path, query, body, what in requests(seed):
        kwargs: dict[str, Any] = {"params": query}
        if body is not None:
            kwargs["json"] = body
        async with client.session.request(method, API + path, **kwargs) as answer:
            text = await answer.text()
            sent += 1
            broken = answer.status >= 500
            if answer.content_type == "application/json" and text:
                try:
                    json.loads(text)
                except ValueError:
                    broken = True
            if broken:
                failures.append(f"{method} {path} with {what}: {answer.status} {text[:120]}")
    assert sent > 80
    assert failures == []
