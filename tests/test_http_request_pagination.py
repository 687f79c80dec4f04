"""HTTP Request: every pagination mode, its completion rules and limits; batching; versions;
a proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from http_request_support import Service, http_workflow, running_service, serving
from support import run

from keitaro_node.runtime.errors import WorkflowError


@pytest.fixture
async def service() -> AsyncIterator[Service]:
    async with running_service() as running:
        yield running


def paginate(**values: Any) -> dict[str, Any]:
    return {"pagination": {"pagination": values}}


def page_parameter(kind: str, name: str, value: str) -> dict[str, Any]:
    return {"parameters": [{"type": kind, "name": name, "value": value}]}


async def pages(service: Service, path: str, options: dict[str, Any], **params: Any) -> list[Any]:
    workflow = http_workflow({"url": f"{service.url}{path}", "options": options, **params})
    result = await run(workflow, [{"start": 1}])
    return [i.json for i in result.items("HTTP")]


async def test_a_query_parameter_per_page_until_the_answer_is_empty(service: Service) -> None:
    out = await pages(
        service,
        "/pages",
        paginate(
            paginationMode="updateAParameterInEachRequest",
            parameters=page_parameter("qs", "page", "={{ $pageCount + $json.start }}"),
            paginationCompleteWhen="responseIsEmpty",
        ),
    )
    assert out == [{"page": p, "n": n} for p in (1, 2, 3) for n in (1, 2)]
    assert [s.query for s in service.seen] == [[("page", str(p))] for p in (1, 2, 3, 4)]


async def test_a_body_field_per_page(service: Service) -> None:
    out = await pages(
        service,
        "/pages",
        paginate(
            parameters=page_parameter("body", "offset", "={{ $pageCount * 2 }}"),
            paginationCompleteWhen="responseIsEmpty",
        ),
        method="POST",
        sendBody=True,
        specifyBody="json",
        jsonBody='{"offset": 0, "kind": "x"}',
    )
    assert out == [{"at": i} for i in range(4)]
    assert [s.body for s in service.seen][1] == b'{"offset":2,"kind":"x"}'


async def test_a_header_per_page_until_an_expression_says_done(service: Service) -> None:
    out = await pages(
        service,
        "/pages/header",
        paginate(
            parameters=page_parameter("headers", "X-Page", "={{ $pageCount + 1 }}"),
            paginationCompleteWhen="other",
            completeExpression="={{ $response.body.more === false }}",
        ),
    )
    assert out == [{"page": 1, "more": True}, {"page": 2, "more": True}, {"page": 3, "more": False}]


async def test_the_next_url_from_the_answer(service: Service) -> None:
    out = await pages(
        service,
        "/pages/next",
        paginate(
            paginationMode="responseContainsNextURL",
            nextURL="={{ $response.body.next }}",
            paginationCompleteWhen="other",
            completeExpression="={{ !$response.body.next }}",
        ),
    )
    assert [o["items"] for o in out] == [[1], [2], [3]]


async def test_complete_on_a_status_code_keeps_that_page(service: Service) -> None:
    out = await pages(
        service,
        "/pages/status",
        paginate(
            parameters=page_parameter("qs", "page", "={{ $pageCount + 1 }}"),
            paginationCompleteWhen="receiveSpecificStatusCodes",
            statusCodesWhenComplete="404, 410",
        ),
    )
    assert out == [{"page": 1}, {"page": 2}, {"done": True}]


async def test_an_error_page_that_does_not_complete_fails(service: Service) -> None:
    with pytest.raises(WorkflowError) as caught:
        await pages(
            service,
            "/pages/status",
            paginate(
                parameters=page_parameter("qs", "page", "={{ $pageCount + 1 }}"),
                paginationCompleteWhen="receiveSpecificStatusCodes",
                statusCodesWhenComplete="404",
            ),
        )
    assert (
        caught.value.error.message
        == "Your request is invalid or could not be processed by the service"
    )
    assert service.count("/pages/status") == 3


async def test_max_pages_and_the_interval(service: Service) -> None:
    out = await pages(
        service,
        "/pages?last=100",
        paginate(
            parameters=page_parameter("qs", "page", "={{ $pageCount + 1 }}"),
            limitPagesFetched=True,
            maxRequests=3,
            requestInterval=50,
        ),
    )
    assert len(out) == 6 and service.count("/pages") == 3
    gaps = [b.at - a.at for a, b in zip(service.seen, service.seen[1:], strict=False)]
    assert all(gap >= 0.045 for gap in gaps)


async def test_the_same_page_over_and_over_is_stopped(service: Service) -> None:
    with pytest.raises(WorkflowError) as caught:
        await pages(
            service,
            "/pages/same",
            paginate(parameters=page_parameter("qs", "page", "={{ $pageCount + 1 }}")),
        )
    assert caught.value.error.message == (
        "The returned response was identical 5x, so requests got stopped"
    )
    assert service.count("/pages/same") == 5  # the first, then four identical ones


@pytest.mark.parametrize(
    ("parameters", "words"),
    [
        ({"parameters": [{"name": "", "value": ""}]}, "At least one entry with 'Name' and 'Value'"),
        (
            {"parameters": [{"name": "a", "value": "1"}, {"name": "", "value": "2"}]},
            "Parameter name must be set for parameter [2]",
        ),
        (
            {"parameters": [{"name": "a", "value": ""}]},
            "Some value must be provided for parameter [1]",
        ),
    ],
)
async def test_pagination_settings_that_cannot_work_are_refused(
    service: Service, parameters: dict[str, Any], words: str
) -> None:
    with pytest.raises(WorkflowError) as caught:
        await pages(service, "/pages", paginate(parameters=parameters))
    assert words in str(caught.value.error)
    assert service.count() == 0


async def test_pages_with_the_full_response(service: Service) -> None:
    out = await pages(
        service,
        "/pages",
        {
            **paginate(parameters=page_parameter("qs", "page", "={{ $pageCount + 2 }}")),
            "response": {"response": {"fullResponse": True}},
        },
    )
    assert [o["statusCode"] for o in out] == [200, 200, 200]
    assert out[-1]["body"] == []


# ------------------------------------------------------------------ batching


async def test_batches_start_an_interval_apart_and_keep_the_order(service: Service) -> None:
    workflow = http_workflow(
        {
            "url": f"={service.url}/echo?n={{{{ $json.n }}}}",
            "options": {"batching": {"batch": {"batchSize": 2, "batchInterval": 100}}},
        }
    )
    result = await run(workflow, [{"n": n} for n in range(5)])
    assert [i.json["query"] for i in result.items("HTTP")] == [[["n", str(n)]] for n in range(5)]
    starts = sorted(s.at for s in service.seen)
    first = starts[0]
    # items 2-3 start about one interval after the first, item 4 two (the first request's
    # arrival also includes opening its connection, hence the margin)
    assert starts[2] - first >= 0.08 and starts[4] - first >= 0.18


# ------------------------------------------------------------------ versions


@pytest.mark.parametrize("version", [1, 2, 4.3])
async def test_versions_we_do_not_read_are_refused_before_sending(
    service: Service, version: float
) -> None:
    workflow = http_workflow({"url": f"{service.url}/echo"}, version=version)
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{}])
    text = str(caught.value)
    assert f"typeVersion {version:g} " in text and "is not supported" in text
    assert "3, 4, 4.1, 4.2" in text
    assert service.count() == 0


@pytest.mark.parametrize("version", [3, 4, 4.1, 4.2])
async def test_versions_we_read(service: Service, version: float) -> None:
    workflow = http_workflow({"url": f"{service.url}/json"}, version=version)
    result = await run(workflow, [{}])
    assert [i.json for i in result.items("HTTP")] == [{"a": 1}]


async def test_v3_does_not_follow_redirects_unless_told(service: Service) -> None:
    target = f"{service.url}/json"
    with pytest.raises(WorkflowError) as caught:
        await run(http_workflow({"url": f"{service.url}/redirect?to={target}"}, version=3), [{}])
    assert caught.value.error.http_code == 302
    follow = {"redirect": {"redirect": {"followRedirects": True}}}
    result = await run(
        http_workflow({"url": f"{service.url}/redirect?to={target}", "options": follow}, version=3),
        [{}],
    )
    assert [i.json for i in result.items("HTTP")] == [{"a": 1}]


async def test_max_redirects(service: Service) -> None:
    hop = f"{service.url}/redirect?to={service.url}/json"
    with pytest.raises(WorkflowError) as caught:
        await run(
            http_workflow(
                {
                    "url": f"{service.url}/redirect?to={hop.replace('?', '%3F').replace('=', '%3D')}",
                    "options": {
                        "redirect": {"redirect": {"followRedirects": True, "maxRedirects": 1}}
                    },
                }
            ),
            [{}],
        )
    assert caught.value.error.message == "Maximum number of redirects exceeded"


# ------------------------------------------------------------------ proxy


async def test_requests_go_through_the_proxy(service: Service) -> None:
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        # a plain HTTP proxy gets the whole target URL as the request target
        seen.append(str(request.url) if request.url.is_absolute() else request.path_qs)
        return web.json_response({"via": "proxy", "target": request.raw_path})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", proxy)
    async with serving(app) as proxy_url:
        workflow = http_workflow(
            {"url": "http://service.invalid/things?a=1", "options": {"proxy": proxy_url}}
        )
        result = await run(workflow, [{}])
    assert result.items("HTTP")[0].json == {
        "via": "proxy",
        "target": "http://service.invalid/things?a=1",
    }
    assert len(seen) == 1
