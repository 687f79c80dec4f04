"""HTTP Request: response formats, full response, never error, errors in n8n's words with the
item index, the size cap and the timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from http_request_support import PNG, Service, http_workflow, running_service
from support import run

from keitaro_node.runtime.errors import NodeApiError, WorkflowError


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


def response(**values: Any) -> dict[str, Any]:
    return {"response": {"response": values}}


async def outputs(service: Service, path: str, options: dict[str, Any] | None = None) -> list[Any]:
    workflow = http_workflow({"url": f"{service.url}{path}", "options": options or {}})
    result = await run(workflow, [{"keep": "me"}])
    return result.items("HTTP")


async def test_autodetect_reads_json_text_and_files(service: Service) -> None:
    assert [i.json for i in await outputs(service, "/json")] == [{"a": 1}]
    assert [i.json for i in await outputs(service, "/json?body=[1,{}]")] == [{"data": 1}, {}]
    assert [i.json for i in await outputs(service, "/text?text=hi")] == [{"data": "hi"}]
    [file] = await outputs(service, "/file")
    assert file.json == {"keep": "me"}  # the input item's JSON beside the file
    assert file.binary is not None and file.binary["data"].data == PNG
    assert file.binary["data"].mime_type == "image/png"
    assert file.binary["data"].file_name == "file"


async def test_a_file_keeps_the_name_the_service_gives_it(service: Service) -> None:
    [file] = await outputs(
        service, "/named-file", response(responseFormat="file", outputPropertyName="csv")
    )
    assert file.binary is not None and set(file.binary) == {"csv"}
    assert file.binary["csv"].file_name == "report.csv"
    assert file.binary["csv"].mime_type == "text/csv"
    assert file.binary["csv"].data == b"a,b\n1,2\n"


async def test_explicit_formats(service: Service) -> None:
    as_text = await outputs(
        service, '/json?body={"a": 1, "b": [1.0]}', response(responseFormat="text")
    )
    assert [i.json for i in as_text] == [{"data": '{"a":1,"b":[1]}'}]  # parsed, then written back
    as_json = await outputs(service, "/json?body=[1]", response(responseFormat="json"))
    assert [i.json for i in as_json] == [{"data": 1}]
    with pytest.raises(WorkflowError) as caught:
        await outputs(service, "/text", response(responseFormat="json"))
    assert caught.value.error.message == (
        'Response body is not valid JSON. Change "Response Format" to "Text"'
    )


async def test_full_response_has_body_headers_status_and_message(service: Service) -> None:
    [item] = await outputs(service, "/json", response(fullResponse=True))
    assert item.json["body"] == {"a": 1}
    assert item.json["statusCode"] == 200 and item.json["statusMessage"] == "OK"
    assert item.json["headers"]["content-type"] == "application/json; charset=utf-8"
    [text] = await outputs(
        service, "/text?text=t", response(fullResponse=True, outputPropertyName="x")
    )
    assert list(text.json) == ["x", "headers", "statusCode", "statusMessage"]
    [file] = await outputs(service, "/file", response(fullResponse=True))
    assert set(file.json) == {"headers", "statusCode", "statusMessage"}


async def test_never_error_turns_error_answers_into_items(service: Service) -> None:
    assert [i.json for i in await outputs(service, "/status/503", response(neverError=True))] == [
        {"message": "the service says 503"}
    ]
    [full] = await outputs(
        service, "/status/404?text=gone", response(neverError=True, fullResponse=True)
    )
    assert full.json["statusCode"] == 404 and full.json["statusMessage"] == "Not Found"
    assert full.json["data"] == "gone"
    assert service.count("/status/503") == 1


async def test_invalid_json_with_never_error_is_an_empty_object(service: Service) -> None:
    items = await outputs(service, "/json?body={broken", response(neverError=True))
    assert [i.json for i in items] == [{}]
    with pytest.raises(WorkflowError) as caught:
        await outputs(service, "/json?body={broken")
    assert caught.value.error.message == "Invalid JSON in response body"


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (400, "Bad request - please check your parameters"),
        (401, "Authorization failed - please check your credentials"),
        (403, "Forbidden - perhaps check your credentials?"),
        (404, "The resource you are requesting could not be found"),
        (418, "Your request is invalid or could not be processed by the service"),
        (429, "The service is receiving too many requests from you"),
        (500, "The service was not able to process your request"),
        (502, "Bad gateway - the service failed to handle your request"),
        (507, "The service failed to process your request"),
    ],
)
async def test_errors_in_n8ns_words_with_the_item_index(
    service: Service, code: int, message: str
) -> None:
    workflow = http_workflow({"url": f"={service.url}/status/{{{{ $json.code }}}}"})
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{"code": 200}, {"code": code}])
    error = caught.value.error
    assert isinstance(error, NodeApiError)
    assert error.message == message and error.http_code == code and error.item_index == 1
    assert error.description == f"the service says {code}"
    assert str(error).startswith(f"item 1: HTTP {code}: {message}")
    assert [i.json for i in caught.value.completed] == [{"message": "the service says 200"}]


async def test_continue_on_fail_keeps_every_item(service: Service) -> None:
    workflow = http_workflow(
        {"url": f"={service.url}/status/{{{{ $json.code }}}}"}, onError="continueRegularOutput"
    )
    result = await run(workflow, [{"code": 200}, {"code": 404}, {"code": 201}])
    out = result.items("HTTP")
    assert [i.paired_item.item for i in out if i.paired_item] == [0, 1, 2]
    assert out[1].json["message"] == "The resource you are requesting could not be found"
    assert out[1].json["httpCode"] == 404 and out[1].error is not None


async def test_a_refused_connection_in_n8ns_words(service: Service) -> None:
    from transport.transport_support import refused_port  # a port where nothing listens

    with pytest.raises(WorkflowError) as caught:
        await run(http_workflow({"url": f"http://127.0.0.1:{refused_port()}/x"}), [{}])
    error = caught.value.error
    assert error.message == "The service refused the connection - perhaps it is offline"
    assert error.description is not None and error.description.startswith("cannot connect to")


# ------------------------------------------------------------------ limits


async def test_the_size_cap_refuses_a_large_answer(service: Service) -> None:
    with pytest.raises(WorkflowError) as caught:
        await outputs(service, "/big?size=3000000", {"maxResponseSize": 1})
    assert caught.value.error.message.startswith(
        "the server's answer is larger than the 1.0 MB limit ("
    )
    assert service.count("/big") == 1
    small = await outputs(service, "/big?size=100000", {"maxResponseSize": 1})
    assert len(small[0].json["data"]) >= 100000


async def test_the_default_cap_is_the_transports(service: Service) -> None:
    with pytest.raises(WorkflowError) as caught:
        await outputs(service, f"/big?size={40 * 1024 * 1024}")
    assert "larger than the 32.0 MB limit" in caught.value.error.message


async def test_the_timeout_bounds_a_slow_answer(service: Service) -> None:
    with pytest.raises(WorkflowError) as caught:
        await outputs(service, "/slow?ms=3000", {"timeout": 200})
    error = caught.value.error
    assert error.message == "The connection was aborted, perhaps the server is offline"
    assert error.description is not None and "no answer within 0.2 s" in error.description
    assert service.count("/slow") == 1
