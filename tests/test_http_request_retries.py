"""HTTP Request: Retry On Fail as in n8n, and the transport's rule on top of it - a request
that is not safe to repeat (POST, PATCH) is never sent again after an ambiguous failure.
Counts are the service's own: "sent once" means the service saw one request."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from http_request_support import Service, http_workflow, running_service
from support import run

from keitaro_node.runtime.errors import WorkflowError

RETRY = {"retryOnFail": True, "maxTries": 3, "waitBetweenTries": 10}


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


def body(method: str) -> dict[str, object]:
    return {
        "method": method,
        "sendBody": True,
        "bodyParameters": {"parameters": [{"name": "order", "value": "42"}]},
    }


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_a_write_reset_after_its_body_was_sent_is_not_sent_again(
    service: Service, method: str
) -> None:
    workflow = http_workflow({"url": f"{service.url}/reset", **body(method)}, **RETRY)
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{}])
    # the service read the whole body, then the connection broke: one request, no retry
    assert service.count("/reset", method) == 1
    assert service.last("/reset").body == b'{"order":"42"}'
    error = caught.value.error
    assert error.retryable is False
    assert "may or may not have happened; it was not sent again" in error.message


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_a_request_safe_to_repeat_is_retried_by_retry_on_fail(
    service: Service, method: str
) -> None:
    workflow = http_workflow({"url": f"{service.url}/reset", "method": method}, **RETRY)
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{}])
    assert service.count("/reset", method) == 3  # maxTries
    assert caught.value.error.message.startswith("The connection to the server was closed")


async def test_without_retry_on_fail_a_get_is_sent_once(service: Service) -> None:
    with pytest.raises(WorkflowError):
        await run(http_workflow({"url": f"{service.url}/reset"}), [{}])
    assert service.count("/reset") == 1


async def test_a_refused_connection_is_retried_even_for_a_post(service: Service) -> None:
    from transport.transport_support import refused_port

    url = f"http://127.0.0.1:{refused_port()}/orders"
    workflow = http_workflow({"url": url, **body("POST")}, **RETRY)
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{}])
    # nothing was sent, so each try may go: the error says it came from the last one
    assert caught.value.error.retryable is True
    assert (
        caught.value.error.message == "The service refused the connection - perhaps it is offline"
    )


@pytest.mark.parametrize(("status", "expected"), [(503, 3), (400, 3), (500, 1), (502, 1)])
async def test_retry_on_fail_after_an_error_answer_to_a_post(
    service: Service, status: int, expected: int
) -> None:
    # a 4xx or 503 refused the work: repeating is safe; a 500/502 may have done half of it
    workflow = http_workflow({"url": f"{service.url}/status/{status}", **body("POST")}, **RETRY)
    with pytest.raises(WorkflowError):
        await run(workflow, [{}])
    assert service.count(f"/status/{status}", "POST") == expected


async def test_retry_on_fail_repeats_only_the_item_that_failed(service: Service) -> None:
    workflow = http_workflow(
        {"url": f"={service.url}/status/{{{{ $json.code }}}}", **body("POST")}, **RETRY
    )
    with pytest.raises(WorkflowError):
        await run(workflow, [{"code": 201}, {"code": 429}])
    assert service.count("/status/201") == 1 and service.count("/status/429") == 3
