"""HTTP Request: method, URL, query, headers and every body type, read by the service."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from http_request_support import PNG, Service, http_workflow, running_service
from support import run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.items import BinaryData, Item
from keitaro_node.runtime.workflow import parse_workflow


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


def pairs(*entries: tuple[str, Any]) -> dict[str, Any]:
    return {"parameters": [{"name": n, "value": v} for n, v in entries]}


async def echo(service: Service, parameters: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Run the node once against /echo and return what the service saw, as it echoed it."""
    params = {"url": f"{service.url}/echo", **parameters}
    result = await run(http_workflow(params, **kwargs), [{"name": "ann", "n": 3}])
    out = result.items("HTTP")
    assert len(out) == 1
    return out[0].json


async def test_query_fields_and_json_and_the_urls_own_query(service: Service) -> None:
    fields = await echo(
        service,
        {
            "url": f"{service.url}/echo?fixed=1",
            "sendQuery": True,
            "queryParameters": pairs(("who", "={{ $json.name }}"), ("n", "={{ $json.n }}")),
        },
    )
    assert fields["query"] == [["fixed", "1"], ["who", "ann"], ["n", "3"]]
    as_json = await echo(
        service,
        {"sendQuery": True, "specifyQuery": "json", "jsonQuery": '{"a": [1, 2], "b": {"c": true}}'},
    )
    assert as_json["query"] == [["a[0]", "1"], ["a[1]", "2"], ["b[c]", "true"]]


@pytest.mark.parametrize(
    ("array_format", "keys"),
    [("indices", ["l[0]", "l[1]"]), ("brackets", ["l[]", "l[]"]), ("repeat", ["l", "l"])],
)
async def test_array_format_in_the_query(
    service: Service, array_format: str, keys: list[str]
) -> None:
    seen = await echo(
        service,
        {
            "sendQuery": True,
            "specifyQuery": "json",
            "jsonQuery": '{"l": ["x", "y z"]}',
            "options": {"queryParameterArrays": array_format},
        },
    )
    assert seen["query"] == [[keys[0], "x"], [keys[1], "y z"]]


async def test_headers_are_lower_cased_unless_told_otherwise(service: Service) -> None:
    headers = {"sendHeaders": True, "headerParameters": pairs(("X-Mixed", "1"))}
    await echo(service, headers)
    assert "x-mixed" in service.last("/echo").headers
    await echo(service, {**headers, "options": {"lowercaseHeaders": False}})
    assert "X-Mixed" in service.last("/echo").headers
    from_json = await echo(
        service, {"sendHeaders": True, "specifyHeaders": "json", "jsonHeaders": '{"X-J": 5}'}
    )
    assert from_json["headers"]["x-j"] == "5"


async def test_the_accept_header_follows_the_response_format(service: Service) -> None:
    auto = await echo(service, {})
    assert auto["headers"]["accept"].startswith("application/json,text/html")
    as_json = await echo(
        service, {"options": {"response": {"response": {"responseFormat": "json"}}}}
    )
    assert as_json["headers"]["accept"] == "application/json,text/*;q=0.99"
    assert as_json["headers"]["user-agent"].startswith("keitaro-node/")


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_every_method(service: Service, method: str) -> None:
    seen = await echo(service, {"method": method})
    assert seen["method"] == method


async def test_head_sends_no_body_and_reads_none(service: Service) -> None:
    result = await run(
        http_workflow(
            {
                "method": "HEAD",
                "url": f"{service.url}/echo",
                "options": {"response": {"response": {"responseFormat": "text"}}},
            }
        ),
        [{}],
    )
    assert [i.json for i in result.items("HTTP")] == [{}]
    assert service.count("/echo", "HEAD") == 1


# ------------------------------------------------------------------ bodies


async def test_json_fields_keep_types_and_dotted_names_nest(service: Service) -> None:
    body = {
        "method": "POST",
        "sendBody": True,
        "bodyParameters": pairs(("n", "={{ $json.n }}"), ("a.b", "x"), ("list[1]", "y")),
    }
    seen = await echo(service, body)
    assert seen["body"] == {"json": {"n": 3, "a": {"b": "x"}, "list": [None, "y"]}}
    assert seen["headers"]["content-type"] == "application/json"
    v3 = await echo(service, body, version=3)
    assert v3["body"] == {"json": {"n": 3, "a.b": "x", "list[1]": "y"}}


async def test_json_from_text_and_from_an_expression(service: Service) -> None:
    text = await echo(
        service,
        {
            "method": "POST",
            "sendBody": True,
            "specifyBody": "json",
            "jsonBody": '={"who": "{{ $json.name }}", "f": 1.5}',
        },
    )
    assert text["body"] == {"json": {"who": "ann", "f": 1.5}}
    obj = await echo(
        service,
        {
            "method": "PUT",
            "sendBody": True,
            "specifyBody": "json",
            "jsonBody": "={{ { twice: $json.n * 2 } }}",
        },
    )
    assert obj["body"] == {"json": {"twice": 6}}


async def test_form_urlencoded_by_fields_and_as_one_string(service: Service) -> None:
    fields = await echo(
        service,
        {
            "method": "POST",
            "sendBody": True,
            "contentType": "form-urlencoded",
            "bodyParameters": pairs(("a", "1 & 2"), ("who", "={{ $json.name }}")),
        },
    )
    assert fields["body"] == {"form": [["a", "1 & 2"], ["who", "ann"]]}
    assert fields["headers"]["content-type"] == "application/x-www-form-urlencoded"
    string = await echo(
        service,
        {
            "method": "POST",
            "sendBody": True,
            "contentType": "form-urlencoded",
            "specifyBody": "string",
            "body": "x=1&y=two",
        },
    )
    assert string["body"] == {"form": [["x", "1"], ["y", "two"]]}


async def test_multipart_with_fields_and_a_file_from_the_item(service: Service) -> None:
    workflow = http_workflow(
        {
            "method": "POST",
            "url": f"{service.url}/echo",
            "sendBody": True,
            "contentType": "multipart-form-data",
            "bodyParameters": {
                "parameters": [
                    {"name": "note", "value": "={{ $json.name }}"},
                    {
                        "parameterType": "formBinaryData",
                        "name": "upload",
                        "inputDataFieldName": "picture",
                    },
                    {"name": "note", "value": "again"},
                ]
            },
        }
    )
    item = Item(json={"name": "ann"}, binary={"picture": BinaryData(PNG, "image/png", "dot.png")})
    result = await run_workflow(parse_workflow(workflow), [item])
    body = result.items("HTTP")[0].json["body"]
    assert body == {
        "multipart": [
            {"name": "note", "value": "ann"},
            {
                "name": "upload",
                "filename": "dot.png",
                "contentType": "image/png",
                "sha256": hashlib.sha256(PNG).hexdigest(),
            },
            {"name": "note", "value": "again"},
        ]
    }


async def test_multipart_before_4_2_keeps_one_field_per_name(service: Service) -> None:
    seen = await echo(
        service,
        {
            "method": "POST",
            "sendBody": True,
            "contentType": "multipart-form-data",
            "bodyParameters": pairs(("a", "1"), ("b", "2"), ("a", "3")),
        },
        version=4.1,
    )
    assert seen["body"] == {"multipart": [{"name": "a", "value": "3"}, {"name": "b", "value": "2"}]}


async def test_a_binary_body_is_the_items_file(service: Service) -> None:
    workflow = http_workflow(
        {
            "method": "PUT",
            "url": f"{service.url}/echo",
            "sendBody": True,
            "contentType": "binaryData",
            "inputDataFieldName": "data",
        }
    )
    item = Item(json={}, binary={"data": BinaryData(PNG, "image/png", "dot.png")})
    result = await run_workflow(parse_workflow(workflow), [item])
    assert result.items("HTTP")[0].json["body"] == {
        "bytes": len(PNG),
        "sha256": hashlib.sha256(PNG).hexdigest(),
        "contentType": "image/png",
    }
    assert service.last("/echo").body == PNG


async def test_a_raw_body_with_its_content_type(service: Service) -> None:
    seen = await echo(
        service,
        {
            "method": "POST",
            "sendBody": True,
            "contentType": "raw",
            "rawContentType": "text/csv",
            "body": "=a,b\n{{ $json.n }},x",
        },
    )
    assert seen["body"] == {"text": "a,b\n3,x", "contentType": "text/csv"}


async def test_a_missing_file_names_the_item_and_the_field(service: Service) -> None:
    from keitaro_node.runtime.errors import WorkflowError

    workflow = http_workflow(
        {
            "method": "POST",
            "url": f"{service.url}/echo",
            "sendBody": True,
            "contentType": "binaryData",
            "inputDataFieldName": "data",
        }
    )
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{"a": 1}])
    assert str(caught.value.error) == (
        "item 0: This operation expects the node's input data to contain a binary file 'data', "
        "but none was found [item 0] (Make sure that the previous node outputs a binary file)"
    )
    assert service.count() == 0


async def test_a_url_without_scheme_is_refused_before_sending(service: Service) -> None:
    from keitaro_node.runtime.errors import WorkflowError

    with pytest.raises(WorkflowError) as caught:
        await run(http_workflow({"url": "example.com/x"}), [{}])
    assert caught.value.error.message == (
        'Invalid URL: example.com/x. URL must start with "http" or "https".'
    )
