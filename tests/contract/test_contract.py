"""Every operation of node_manifest.yaml against Keitaro's own OpenAPI document (2022 edition).

For each operation, with its input from examples.yaml:

(a) its method and path are in the document, or listed in NEWER_TRACKER_ENDPOINTS with a reason;
(b) the request the node builds for the input (without sending it) fits the document: path
    parameters, query parameters and the JSON body against the operation's request schema;
(c) the answer of a sandbox tracker to that input, run through the real node in a workflow, fits
    the operation's response schema.

And the other way round: every operation of the document is reachable through the manifest.

The document is wrong in places (BEHAVIOUR.md §8). The checks run against a corrected copy made
in memory; REQUEST_FIXES and ANSWER_FIXES list each correction with the section of
BEHAVIOUR.md that describes it, and each correction first asserts that the defect it repairs is
really there, so a newer document cannot make one silently meaningless.

The document is not shipped with the project: without it (a user's clone) the module is one
skip that says how many tests it holds; KEITARO_OPENAPI names the document.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator
from keitaro_spec import spec_path
from support import keitaro_workflow, run

from keitaro_node.keitaro.answer_shape import expected_shape
from keitaro_node.keitaro.client import ApiRequest
from keitaro_node.keitaro.node import KeitaroNode
from keitaro_node.keitaro.request_builder import RequestBuilder
from keitaro_node.keitaro.routing import Routing
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.description import Operation
from keitaro_node.runtime.parameters import ParameterResolver
from keitaro_node.sandbox import Sandbox, SandboxConfig

SPEC_PATH = spec_path()
EXAMPLES_PATH = Path(__file__).with_name("examples.yaml")

# Without the document the whole module is one visible skip (see tests/keitaro_spec.py).
pytestmark = pytest.mark.needs_keitaro_spec

Endpoint = tuple[str, str]  # (METHOD, path with every {placeholder} written as {})


def endpoint(method: str, path: str) -> Endpoint:
    return method.upper(), re.sub(r"\{[^}]*\}", "{}", path)


# --- endpoints and query parameters that the 2022 document does not have ----------------------


@dataclass(frozen=True)
class Newer:
    """An endpoint of newer (or older) trackers: why it is there, and what it answers."""

    reason: str
    # JSON Schema of the 2xx answer; "#/components/..." refers to the document's schemas
    answer: dict[str, Any] | None


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


NEWER_TRACKER_ENDPOINTS: dict[Endpoint, Newer] = {
    ("POST", "/campaigns/clean_archive"): Newer(
        "newer edition of the document (BEHAVIOUR.md §0.1, §2.1)", _ref("Success")
    ),
    ("GET", "/offers/deleted"): Newer(
        "newer trackers, known from clients only (BEHAVIOUR.md §0.1)",
        {"type": "array", "items": _ref("Offer")},
    ),
    ("POST", "/offers/{}/restore"): Newer(
        "newer trackers, known from clients only (BEHAVIOUR.md §0.1)", _ref("Offer")
    ),
    ("POST", "/affiliate_networks/{}/restore"): Newer(
        "newer trackers, known from clients only (BEHAVIOUR.md §0.1)", _ref("AffiliateNetwork")
    ),
    ("GET", "/domains/ip"): Newer(
        "newer trackers, used by a published client (BEHAVIOUR.md §0.1, §2.7)",
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
    ),
    ("POST", "/clicks/summary"): Newer(
        "route of 9.x trackers, absent from both editions of the document (BEHAVIOUR.md §2.10)",
        {
            "type": "object",
            "required": ["summary"],
            "properties": {"summary": {"type": "object"}, "meta": {"type": "object"}},
        },
    ),
}

# Query parameters the node may send that the 2022 document does not declare.
EXTRA_QUERY: dict[Endpoint, dict[str, str]] = {
    ("GET", "/campaigns"): {
        "limit": "paging of newer trackers (BEHAVIOUR.md §0.1, §6.3)",
        "offset": "paging of newer trackers (BEHAVIOUR.md §0.1, §6.3)",
        "active": "only active campaigns, 9.x (BEHAVIOUR.md §2.1)",
        "extended": "group, source, flow count and postbacks, 9.x (BEHAVIOUR.md §2.1)",
    },
    ("GET", "/campaigns/{}"): {"withStreams": "embeds the flows, 9.x (BEHAVIOUR.md §2.1)"},
    ("GET", "/streams/{}/events"): {
        "limit": "events per page, 9.x (BEHAVIOUR.md §2.2, §6.3)",
        "page": "page number, 9.x (BEHAVIOUR.md §2.2, §6.3)",
    },
}

# Spec operations deliberately not offered by the node (each with its reason; see
# docs/coverage.md). Empty: the node covers the whole document.
LEFT_OUT: dict[Endpoint, str] = {}


# --- corrections of the document ----------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    section: str  # where BEHAVIOUR.md describes the defect
    what: str
    apply: Callable[[dict[str, Any]], None]


def _schemas(spec: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = spec["components"]["schemas"]
    return schemas


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    op: dict[str, Any] = spec["paths"][path][method.lower()]
    return op


def _set_answer(spec: dict[str, Any], method: str, path: str, schema: dict[str, Any]) -> None:
    """Replace the 2xx answers of an operation by one 200 answer with this schema."""
    op = _operation(spec, method, path)
    others = {code: r for code, r in op["responses"].items() if not code.startswith("2")}
    answer = {"description": "corrected", "content": {"application/json": {"schema": schema}}}
    op["responses"] = {"200": answer, **others}


def _answer_schema_of(op: dict[str, Any]) -> dict[str, Any] | None:
    for code in sorted(op["responses"]):
        if code.startswith("2"):
            content = op["responses"][code].get("content") or {}
            media = content.get("application/json") or next(iter(content.values()), None)
            return None if media is None else media.get("schema")
    return None


def _fix_action_payload(spec: dict[str, Any]) -> None:
    props = _schemas(spec)["StreamObject"]["properties"]
    assert "action_payload" not in props
    props["action_payload"] = {"type": ["string", "object", "integer"]}


def _fix_filter_payload_write(spec: dict[str, Any]) -> None:
    payload = _schemas(spec)["FilterStreamRequest"]["properties"]["payload"]
    assert payload["type"] == "array"
    payload.clear()  # any JSON


def _fix_group_id_write(spec: dict[str, Any]) -> None:
    schemas = _schemas(spec)
    found = {
        name: schemas[name]["properties"]["group_id"]["type"]
        for name in ("CampaignRequest", "LandingRequest", "OfferRequest")
    }
    assert found == {
        "CampaignRequest": "string",
        "LandingRequest": "string",
        "OfferRequest": "integer",
    }
    for name in found:
        schemas[name]["properties"]["group_id"] = {"type": ["integer", "string"]}


def _fix_report_dialect(spec: dict[str, Any]) -> None:
    props = _schemas(spec)["ReportsRequest"]["properties"]
    assert "grouping" in props and "dimensions" not in props
    strings = {"type": "array", "items": {"type": "string"}}
    props.update(
        dimensions=strings,
        measures=strings,
        limit={"type": "integer", "minimum": 0},
        offset={"type": "integer", "minimum": 0},
        summary={"type": "boolean"},
    )


def _fix_cost_period(spec: dict[str, Any]) -> None:
    payload = _schemas(spec)["ClicksUpdateCostsPayload"]
    assert "timezone" in payload["required"] and "timezone" not in payload["properties"]
    payload["required"] = ["start_date", "end_date", "cost"]


def _fix_list_expression(spec: dict[str, Any]) -> None:
    expression = _schemas(spec)["FilterRequest"]["properties"]["expression"]
    assert {"type": "array"} not in expression["anyOf"]
    expression["anyOf"].append({"type": "array"})


REQUEST_FIXES = [
    Fix("§8.6", "stream bodies may carry action_payload, which no request schema lists", _fix_action_payload),
    Fix("§8.3", "a stream filter's payload is any JSON, not only a list of strings", _fix_filter_payload_write),
    Fix("§8.7", "group_id is written as a string or an integer (the schemas disagree among themselves)", _fix_group_id_write),
    Fix("§8.13", "report queries name columns dimensions/measures on newer trackers; limit, offset and summary belong to the query (§5.1)", _fix_report_dialect),
    Fix("§2.10", "a period of /clicks/update_costs needs start_date, end_date and cost; timezone and currency are fields of the whole request", _fix_cost_period),
    Fix("§5.1", "IN_LIST, NOT_IN_LIST and BETWEEN filters take a list as their expression", _fix_list_expression),
]  # fmt: skip


def _fix_campaign_archive(spec: dict[str, Any]) -> None:
    campaigns = {"type": "array", "items": _ref("Campaign"), "minItems": 1}
    for method, path in (("DELETE", "/campaigns/{id}"), ("POST", "/campaigns/{id}/restore")):
        assert _answer_schema_of(_operation(spec, method, path)) == _ref("Domain")
        _set_answer(spec, method, path, campaigns)


def _fix_campaign_actions(spec: dict[str, Any]) -> None:
    either = {"anyOf": [_ref("Campaign"), {"type": "array", "items": _ref("Campaign")}]}
    for action in ("enable", "disable", "clone"):
        path = f"/campaigns/{{id}}/{action}"
        assert _answer_schema_of(_operation(spec, "POST", path)) == _ref("Campaign")
        _set_answer(spec, "POST", path, either)


def _fix_report_rows(spec: dict[str, Any]) -> None:
    props = _schemas(spec)["Report"]["properties"]
    assert props["rows"]["items"] == {"type": "string"} and props["meta"]["type"] == "array"
    props["rows"] = {"type": "array", "items": {"type": "object"}}
    props["meta"] = {"type": "object"}
    props["summary"] = {"type": "object"}


def _fix_stream_events(spec: dict[str, Any]) -> None:
    assert _answer_schema_of(_operation(spec, "GET", "/streams/{id}/events")) == _ref("Stream")
    events = {
        "type": "object",
        "required": ["total", "items"],
        "properties": {
            "total": {"type": "integer"},
            "items": {"type": "array", "items": {"type": "object"}},
        },
    }
    _set_answer(spec, "GET", "/streams/{id}/events", events)


def _fix_stream_catalogues(spec: dict[str, Any]) -> None:
    entry = {
        "type": "object",
        "required": ["value", "name"],
        "properties": {
            "value": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
        },
    }
    for path in ("/stream_types", "/stream_schemas"):
        items = _answer_schema_of(_operation(spec, "GET", path))
        assert items == {"type": "array", "items": _ref("StreamAction")}
        _set_answer(spec, "GET", path, {"type": "array", "items": entry, "minItems": 1})


def _fix_bind_visitors(spec: dict[str, Any]) -> None:
    bind = _schemas(spec)["Campaign"]["properties"]["bind_visitors"]
    assert bind["type"] == "string" and None not in bind["enum"]
    bind["type"] = ["string", "null"]
    bind["enum"] = [*bind["enum"], None]


def _fix_filter_payload_read(spec: dict[str, Any]) -> None:
    payload = _schemas(spec)["Filter"]["properties"]["payload"]
    assert payload["type"] == "string"
    payload.clear()  # any JSON


ANSWER_FIXES = [
    Fix("§8.1", "archiving and restoring a campaign answer 200 with an array of campaigns, not 201 with a Domain", _fix_campaign_archive),
    Fix("§2.1", "enable, disable and clone of a campaign answer the campaign, or (9.x) an array with it", _fix_campaign_actions),
    Fix("§8.4", "report and log rows are objects; meta is an object (§5.1); summary is an object", _fix_report_rows),
    Fix("§8.9", "stream events answer {total, items}, not a Stream", _fix_stream_events),
    Fix("§8.10", "/stream_types and /stream_schemas answer {value, name[, description]} entries", _fix_stream_catalogues),
    Fix("§8.3", "a stream filter's payload reads back as JSON, not as a string", _fix_filter_payload_read),
    Fix("§4.1", "a campaign's bind_visitors is null when visitors are not bound (always for position campaigns)", _fix_bind_visitors),
]  # fmt: skip


@cache
def raw_spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(SPEC_PATH.read_text("utf-8"))
    return spec


@cache
def fixed_spec() -> dict[str, Any]:
    spec = copy.deepcopy(raw_spec())
    for fix in (*REQUEST_FIXES, *ANSWER_FIXES):
        fix.apply(spec)
    return spec


@cache
def spec_operations() -> dict[Endpoint, tuple[str, str]]:
    """(METHOD, normalised path) -> (path as written in the document, method in lower case)."""
    out = {}
    for path, entry in raw_spec()["paths"].items():
        for method in entry:
            if method in ("get", "post", "put", "delete", "patch"):
                out[endpoint(method, path)] = (path, method)
    return out


def schema_errors(schema: dict[str, Any], value: Any) -> list[str]:
    """Problems of `value` under `schema`, which may refer to the document's components."""
    root = dict(fixed_spec())
    root["x-check"] = schema
    root["$ref"] = "#/x-check"
    errors = sorted(Draft4Validator(root).iter_errors(value), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:300]}" for e in errors]


# --- the manifest and the examples --------------------------------------------------------------


@cache
def node() -> KeitaroNode:
    return KeitaroNode()


@cache
def examples() -> dict[str, list[dict[str, Any]]]:
    raw = yaml.safe_load(EXAMPLES_PATH.read_text("utf-8"))
    return {key: value if isinstance(value, list) else [value] for key, value in raw.items()}


def manifest_keys() -> list[str]:
    return [f"{op.resource}.{op.name}" for op in node().description.all_operations()]


@dataclass(frozen=True)
class Case:
    key: str
    index: int

    @property
    def operation(self) -> Operation:
        resource, name = self.key.split(".")
        op = node().description.operation(resource, name)
        assert op is not None, f"{self.key} is not in the manifest"
        return op

    @property
    def routing(self) -> Routing:
        op = self.operation
        return node().routes[(op.resource, op.name)]

    @property
    def endpoint(self) -> Endpoint:
        return endpoint(self.routing.method, self.routing.path)

    @property
    def example(self) -> dict[str, Any]:
        return examples()[self.key][self.index]

    def __str__(self) -> str:
        return self.key if len(examples().get(self.key, [])) < 2 else f"{self.key}#{self.index}"


def cases() -> list[Case]:
    known = examples()
    return [Case(key, i) for key in manifest_keys() for i in range(len(known.get(key, [{}])))]


CASES = cases()
CASE_IDS = [str(c) for c in CASES]

PLACEHOLDER = re.compile(r"^\$([a-zA-Z]+)(?::([a-zA-Z]+))?$")


def substitute(value: Any, make: Callable[[str, str | None], int]) -> Any:
    """Replace "$kind" / "$kind:state" strings by ids from `make`."""
    if isinstance(value, str):
        match = PLACEHOLDER.match(value)
        return make(match.group(1), match.group(2)) if match else value
    if isinstance(value, dict):
        return {k: substitute(v, make) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, make) for v in value]
    return value


def fake_id(kind: str, state: str | None) -> int:
    return 100 + sum(map(ord, f"{kind}:{state}")) % 900


def resolved(case: Case, raw: dict[str, Any]) -> dict[str, Any]:
    op = case.operation
    values = {"resource": op.resource, "operation": op.name, **raw}
    resolver = ParameterResolver(node().description, values, frozenset(), "Keitaro")
    return resolver.resolve(0, lambda _i: {})


def as_sent(request: ApiRequest, routing: Routing, params: dict[str, Any]) -> ApiRequest:
    """The first page's request, with the paging fields the node adds when it sends."""
    if routing.pagination is None:
        return request
    limit = int(params.get("limit") or 50)
    if routing.pagination == "bodyOffset":
        body = {**(request.body or {}), "limit": limit, "offset": 0}
        return ApiRequest(request.method, request.path, request.query, body, has_body=True)
    query = {**(request.query or {}), "limit": str(limit), "offset": "0"}
    return ApiRequest(request.method, request.path, query, request.body, has_body=request.has_body)


# --- (a) endpoints and coverage -----------------------------------------------------------------


def test_every_operation_has_an_example_and_every_example_an_operation() -> None:
    keys = manifest_keys()
    assert len(keys) == len(set(keys))
    assert sorted(set(keys) - set(examples())) == []
    assert sorted(set(examples()) - set(keys)) == []


@pytest.mark.parametrize("key", manifest_keys())
def test_the_endpoint_is_in_the_spec_or_listed_as_newer(key: str) -> None:
    case = Case(key, 0)
    where = case.endpoint
    in_spec = where in spec_operations()
    listed = NEWER_TRACKER_ENDPOINTS.get(where)
    assert in_spec or listed is not None, f"{key}: {where} is neither in the document nor listed"
    assert not (in_spec and listed), f"{key}: {where} is in the document; drop it from the list"
    if in_spec:
        spec_path, _ = spec_operations()[where]
        names = re.findall(r"\{([^}]*)\}", case.routing.path)
        assert len(names) == len(re.findall(r"\{([^}]*)\}", spec_path))


def test_every_spec_operation_is_reachable_through_the_manifest() -> None:
    reached = {Case(key, 0).endpoint for key in manifest_keys()}
    spec_ops = set(spec_operations())
    missing = sorted(spec_ops - reached - set(LEFT_OUT))
    assert missing == [], f"spec operations without a node operation: {missing}"
    covered = len(spec_ops & reached)
    assert covered + len(LEFT_OUT) == len(spec_ops) == 107
    assert covered == 107  # the count docs/coverage.md states


def _top_types(schema: dict[str, Any] | None) -> set[str]:
    """The JSON types an answer schema allows at the top ("object", "array", ...)."""
    if not schema:
        return set()
    components = _schemas(fixed_spec())
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema or "oneOf" in schema:
        return set().union(*(_top_types(s) for s in schema.get("anyOf") or schema["oneOf"]))
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    return {kind} if isinstance(kind, str) else set(kind or ())


def shape_checked_keys() -> list[str]:
    """Operations whose answer shape the node checks (others vary, page, or are files)."""
    return [k for k in manifest_keys() if expected_shape(k.split(".")[1], Case(k, 0).routing)]


@pytest.mark.parametrize("key", shape_checked_keys())
def test_the_answer_shape_the_node_expects_is_the_documents(key: str) -> None:
    case = Case(key, 0)
    shape = expected_shape(case.operation.name, case.routing)
    if case.endpoint in NEWER_TRACKER_ENDPOINTS:
        documented = _top_types(NEWER_TRACKER_ENDPOINTS[case.endpoint].answer)
    else:
        path, method = spec_operations()[case.endpoint]
        documented = _top_types(_answer_schema_of(_operation(fixed_spec(), method, path)))
    assert documented == {shape}, f"{key}: the node expects {shape}, the document says {documented}"


def test_the_lists_of_exceptions_are_all_in_use() -> None:
    reached = {Case(key, 0).endpoint for key in manifest_keys()}
    assert set(NEWER_TRACKER_ENDPOINTS) <= reached
    assert not set(NEWER_TRACKER_ENDPOINTS) & set(spec_operations())
    assert set(EXTRA_QUERY) <= set(spec_operations())
    assert not set(LEFT_OUT) & reached


@pytest.mark.parametrize(
    "fix", [*REQUEST_FIXES, *ANSWER_FIXES], ids=lambda f: f.apply.__name__.removeprefix("_fix_")
)
def test_each_correction_repairs_a_defect_of_the_document(fix: Fix) -> None:
    # apply() asserts that the defect is there before repairing it
    spec = copy.deepcopy(raw_spec())
    fix.apply(spec)
    assert spec != raw_spec()


# --- (b) requests against the document ----------------------------------------------------------


def _check_path(spec_path: str, request: ApiRequest, parameters: list[dict[str, Any]]) -> None:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(spec_path))
    match = re.fullmatch(pattern, request.path)
    assert match, f"{request.path} does not fit {spec_path}"
    for p in parameters:
        if p.get("in") != "path":
            continue
        value = match.group(p["name"])
        assert _fits(p["schema"], value), f"path parameter {p['name']}={value!r}: {p['schema']}"


def _fits(schema: dict[str, Any], text: str) -> bool:
    if "enum" in schema and text not in schema["enum"]:
        return False
    if schema.get("type") == "integer":
        return re.fullmatch(r"-?\d+", text) is not None
    if schema.get("type") == "number":
        return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None
    return True


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_request_fits_the_spec(case: Case) -> None:
    routing = case.routing
    params = resolved(case, substitute(case.example, fake_id))
    request = as_sent(RequestBuilder(case.operation, routing).build(params), routing, params)
    where = case.endpoint
    if where in NEWER_TRACKER_ENDPOINTS:
        # not in the document: the node's own body schema (checked by build) is all there is
        assert (request.body is not None) == (routing.bodySchema is not None)
        return
    spec_path, method = spec_operations()[where]
    op = fixed_spec()["paths"][spec_path][method]
    parameters = op.get("parameters", [])
    _check_path(spec_path, request, parameters)

    declared = {p["name"]: p for p in parameters if p.get("in") == "query"}
    sent = dict(request.query or {})
    for name, p in declared.items():
        if p.get("required"):
            assert name in sent, f"required query parameter {name} is not sent"
    for name, value in sent.items():
        if name in declared:
            assert _fits(declared[name]["schema"], value), f"query {name}={value!r}"
        else:
            assert name in EXTRA_QUERY.get(where, {}), f"query {name} is not in the document"

    body = op.get("requestBody")
    if body is None:
        assert request.body is None, f"{where} takes no body, the node sends {request.body!r}"
        return
    schema = body["content"]["application/json"]["schema"]
    assert request.has_body or not body.get("required")
    problems = schema_errors(schema, request.body)
    assert problems == [], f"{case}: the body {request.body!r} does not fit: {problems}"


# --- (c) answers of a sandbox tracker against the document --------------------------------------


@pytest.fixture(scope="module")
def tracker() -> Iterator[Sandbox]:
    """A sandbox of this module's own: the inputs delete statistics, logs and archives."""
    sandbox = Sandbox(SandboxConfig(api_key="contract-" + uuid.uuid4().hex, dataset_clicks=600))
    sandbox.start_in_thread()
    for n in range(3):
        sandbox.seed_campaign(f"Contract seed {n}")
    yield sandbox
    sandbox.stop_thread()


class Fixtures:
    """Objects an input refers to ("$campaign", "$stream:archived", ...), made on the tracker."""

    _serial = itertools.count(1)

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.made: dict[tuple[str, str | None], int] = {}

    def call(self, method: str, route: str, body: Any = None, **query: str) -> Any:
        url = self.sandbox.api_url + route
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Api-Key", self.sandbox.api_key)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read()
        return json.loads(text) if text.strip() else None

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self._serial)}-{uuid.uuid4().hex[:6]}"

    def make(self, kind: str, state: str | None = None) -> int:
        key = (kind, state)
        if key not in self.made:
            self.made[key] = self._make(kind, state)
        return self.made[key]

    def _make(self, kind: str, state: str | None) -> int:
        ident = self._create(kind, state)
        if state == "archived":
            archive = {
                "campaign": "/campaigns/{}",
                "stream": "/streams/{}",
                "offer": "/offers/{}/archive",
                "network": "/affiliate_networks/{}",
                "domain": "/domains/{}",
            }[kind]
            self.call("DELETE", archive.format(ident))
        elif state not in (None, "withStream"):
            raise AssertionError(f"unknown state {state} of ${kind}")
        return ident

    def _create(self, kind: str, state: str | None) -> int:
        if kind == "campaign":
            name = self.unique("campaign")
            ident = int(self.call("POST", "/campaigns", {"alias": name, "name": name})["id"])
            if state == "withStream":
                self.call("POST", "/streams", _stream(ident))
            return ident
        if kind == "stream":
            return int(self.call("POST", "/streams", _stream(self.make("campaign")))["id"])
        if kind == "landing":
            body = {"name": self.unique("landing"), "landing_type": "local"}
            return int(self.call("POST", "/landing_pages", body)["id"])
        if kind == "offer":
            body = {"name": self.unique("offer"), "offer_type": "local"}
            ident = int(self.call("POST", "/offers", body)["id"])
            self.call("POST", f"/offers/{ident}/add_file", path="index.html")
            self.call("PUT", f"/offers/{ident}/update_file", path="index.html", data="<p>x</p>")
            return ident
        if kind == "network":
            body = {"name": self.unique("network")}
            return int(self.call("POST", "/affiliate_networks", body)["id"])
        if kind == "source":
            body = {"name": self.unique("source")}
            return int(self.call("POST", "/traffic_sources", body)["id"])
        if kind == "domain":
            body = {"name": self.unique("d") + ".example.org"}
            return int(self.call("POST", "/domains", body)[0]["id"])
        if kind == "group":
            body = {"name": self.unique("group"), "type": "campaigns"}
            return int(self.call("POST", "/groups", body)["id"])
        if kind == "user":
            password = uuid.uuid4().hex
            body = {
                "login": self.unique("user"),
                "new_password": password,
                "new_password_confirmation": password,
                "type": "USER",
            }
            return int(self.call("POST", "/users", body)["id"])
        if kind == "facebook":
            body = {"name": self.unique("fb"), "ad_account_id": "act_1", "token": "t-1"}
            return int(self.call("POST", "/integrations/facebook", body)["id"])
        raise AssertionError(f"examples.yaml uses an unknown placeholder ${kind}")


def _stream(campaign_id: int) -> dict[str, Any]:
    return {
        "campaign_id": campaign_id,
        "type": "regular",
        "name": "Fixture flow",
        "schema": "redirect",
        "action_type": "http",
        "action_payload": "https://example.com/fixture",
    }


def answer_schema(case: Case) -> tuple[bool, dict[str, Any] | None]:
    """(declared, schema): whether the 2xx answer has a declared body, and its schema."""
    where = case.endpoint
    if where in NEWER_TRACKER_ENDPOINTS:
        answer = NEWER_TRACKER_ENDPOINTS[where].answer
        return answer is not None, answer
    spec_path, method = spec_operations()[where]
    schema = _answer_schema_of(fixed_spec()["paths"][spec_path][method])
    return schema is not None, schema


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
async def test_the_sandbox_answer_fits_the_spec(
    case: Case, tracker: Sandbox, credentials: CredentialStore
) -> None:
    fixtures = Fixtures(tracker)
    params = substitute(case.example, fixtures.make)
    op = case.operation
    workflow = keitaro_workflow({"resource": op.resource, "operation": op.name, **params})
    result = await run(workflow, [{}], credentials)
    out = result.items("Keitaro")
    assert len(out) == 1
    envelope = out[0].json
    assert envelope["success"] is True
    assert (envelope["resource"], envelope["operation"]) == (op.resource, op.name)
    data = envelope["data"]
    if case.routing.binary:
        prop = str(params.get("binaryPropertyName") or "data")
        assert out[0].binary is not None and prop in out[0].binary
        assert out[0].binary[prop].data[:2] == b"PK"  # a ZIP file
        assert data["binaryProperty"] == prop and data["bytes"] == len(out[0].binary[prop].data)
        return
    declared, schema = answer_schema(case)
    if not declared:
        # the document declares no content: an empty answer, or at most a success flag
        assert data is None or data == {"success": True}, data
        return
    assert schema is not None
    problems = schema_errors(schema, data)
    assert problems == [], f"{case}: the answer does not fit: {problems[:10]}"
    if case.routing.pagination and not params.get("returnAll"):
        records = data[case.routing.recordsPath] if case.routing.recordsPath else data
        assert 0 < len(records) <= int(params["limit"])
