"""What a failed answer becomes: the NodeApiError text per status and body shape, over HTTP.

Each test also reads how many requests reached the sandbox: answers that a retry cannot fix
are asked for once.
"""

from __future__ import annotations

import json

import pytest
from support import stream_body
from transport_support import (
    API,
    CAMPAIGNS,
    STREAMS,
    Recorder,
    client_for,
    create_stream,
    failure,
    get,
)

from keitaro_node.keitaro.client import ApiRequest, ClientSettings, KeitaroClient
from keitaro_node.keitaro.http_errors import WRONG_URL, error_for_status
from keitaro_node.sandbox import Sandbox


def where(tracker: Sandbox, method: str, path: str) -> str:
    return f"{method} {tracker.api_url}{path}"


async def test_400_unknown_route_and_wrong_verb(tracker: Sandbox) -> None:
    async with client_for(tracker) as client:
        route = await failure(client, get("/no_such_thing"))
        verb = await failure(client, ApiRequest("PATCH", "/campaigns"))
    assert tracker.request_count() == 2
    for error, method, path in ((route, "GET", "/no_such_thing"), (verb, "PATCH", "/campaigns")):
        assert error.http_code == 400 and error.attempts == 1 and not error.retryable
        assert error.message.startswith(
            "Bad request - the tracker does not know this route or verb"
        )
        assert error.description == (
            f"{where(tracker, method, path)}: URL '{method} {path}' does not match any route"
        )


async def test_401_says_the_key_was_refused_without_retrying(tracker: Sandbox) -> None:
    async with client_for(tracker, api_key="sk-not-the-right-one-123") as client:
        error = await failure(client, get("/campaigns"))
    assert tracker.request_count() == 1
    assert error.http_code == 401 and error.attempts == 1 and not error.retryable
    assert error.message == (
        "Authorization failed - the tracker did not accept the API key; "
        "check the apiKey of your Keitaro credentials"
    )
    assert error.description == f"{where(tracker, 'GET', '/campaigns')}: Invalid API key"
    assert "sk-not-the-right-one-123" not in str(error)


async def test_402_names_the_edition(tracker: Sandbox) -> None:
    tracker.faults.add(
        "status", path=CAMPAIGNS, status=402, body={"error": "Your license does not allow it"}
    )
    async with client_for(tracker) as client:
        error = await failure(client, get("/campaigns"))
    assert tracker.request_count() == 1 and error.http_code == 402
    assert "edition has no Admin API" in error.message
    assert error.description is not None
    assert error.description.endswith(": Your license does not allow it")


async def test_403_of_the_tracker_and_of_cloudflare_are_told_apart(tracker: Sandbox) -> None:
    tracker.faults.add("status", path=CAMPAIGNS, status=403, body={"error": "Access denied"})
    tracker.faults.add("cloudflare", path=CAMPAIGNS)
    async with client_for(tracker) as client:
        rights = await failure(client, get("/campaigns"))
        blocked = await failure(client, get("/campaigns"))
    assert tracker.request_count("GET", CAMPAIGNS) == 2
    assert rights.http_code == blocked.http_code == 403
    assert rights.message.startswith("Forbidden - the API key's user has no rights for this")
    assert rights.description is not None and rights.description.endswith(": Access denied")
    assert blocked.message.startswith(
        "Cloudflare in front of the tracker blocked the request (403), the tracker never saw it"
    )
    assert blocked.description == f"{where(tracker, 'GET', '/campaigns')}: Cloudflare error 1010"


def test_a_json_403_passed_through_cloudflare_is_the_trackers() -> None:
    # behind Cloudflare every answer carries its headers, the tracker's own errors included
    headers = {"Server": "cloudflare", "CF-RAY": "8a1b-FRA", "Content-Type": "application/json"}
    error = error_for_status(
        403,
        b'{"error":"Access denied"}',
        headers,
        method="GET",
        url="https://t.example/admin_api/v1/campaigns",
        attempts=1,
        mask=lambda s: s,
        safe_to_repeat=True,
    )
    assert error.message.startswith("Forbidden - the API key's user has no rights")


async def test_404_in_json_and_in_plain_text(tracker: Sandbox) -> None:
    tracker.faults.add("plain_404", path=API + "/streams/77")
    async with client_for(tracker) as client:
        as_json = await failure(client, get("/streams/999999"))
        as_text = await failure(client, get("/streams/77"))
    assert tracker.request_count() == 2
    for error in (as_json, as_text):
        assert error.http_code == 404 and error.attempts == 1
        assert error.message == "Not found - the tracker has no such object (or it is archived)"
    assert as_json.description == (
        f"{where(tracker, 'GET', '/streams/999999')}: Traffic\\Model\\Stream #999999 not found"
    )
    assert as_text.description == (
        f"{where(tracker, 'GET', '/streams/77')}: Traffic\\Model\\Stream #77 not found"
    )


async def test_422_validation_is_rendered_per_field(tracker: Sandbox, campaign_id: int) -> None:
    async with client_for(tracker) as client:
        error = await failure(client, create_stream({"campaign_id": campaign_id, "type": "zzz"}))
    assert tracker.request_count("POST", STREAMS) == 1
    assert error.http_code == 422 and error.attempts == 1 and not error.retryable
    assert error.message.startswith("The tracker rejected the data (validation failed): ")
    fields = error.message.split(": ", 1)[1].split(" | ")
    assert "type: Type must be one of: forced, regular, default" in fields
    assert "name: Name is required" in fields
    assert isinstance(error.details, dict) and error.details["type"] == [
        "Type must be one of: forced, regular, default"
    ]
    assert error.to_json()["details"] == error.details


async def test_406_with_nested_fields(tracker: Sandbox) -> None:
    body = {"name": ["Field is required"], "filters": {"0": {"payload": ["Not a list", "Empty"]}}}
    tracker.faults.add("status", path=STREAMS, method="POST", status=406, body=body)
    async with client_for(tracker) as client:
        error = await failure(client, create_stream({"name": ""}))
    assert tracker.request_count() == 1
    assert error.http_code == 406
    assert error.message == (
        "The tracker rejected the data (validation failed): name: Field is required | "
        "filters.0.payload: Not a list; Empty"
    )
    assert error.details == body


async def test_429_that_never_ends_names_the_limit_options(tracker: Sandbox) -> None:
    tracker.faults.add("status", path=CAMPAIGNS, status=429, retry_after=0, times=-1)
    async with client_for(tracker, max_attempts=3) as client:
        error = await failure(client, get("/campaigns"))
    assert tracker.request_count() == 3 and error.attempts == 3 and error.http_code == 429
    assert error.message == (
        "Too many requests - the tracker or its proxy is rate limiting; "
        "lower concurrency or requestsPerSecond"
    )
    assert error.retryable


async def test_500_with_a_stack_trace_and_in_plain_text(tracker: Sandbox) -> None:
    trace = {
        "error": "SQLSTATE[HY000]: General error: 2006 MySQL server has gone away",
        "stacktrace": "#0 /var/www/keitaro/application/Core/Db/Db.php(112)\n#1 {main}",
    }
    tracker.faults.add("status", path=CAMPAIGNS, status=500, body=trace)
    tracker.faults.add(
        "status",
        path=CAMPAIGNS,
        status=500,
        text="PHP Fatal error: Allowed memory size exhausted\nStack trace:\n#0 {main}",
    )
    async with client_for(tracker) as client:
        from_json = await failure(client, get("/campaigns"))
        from_text = await failure(client, get("/campaigns"))
    # a 500 is not retried by the client; the node's retryOnFail may, for reads
    assert tracker.request_count() == 2
    for error in (from_json, from_text):
        assert error.http_code == 500 and error.attempts == 1 and error.retryable
        assert error.message == "The tracker failed with an internal error"
    assert from_json.description == (f"{where(tracker, 'GET', '/campaigns')}: {trace['error']}")
    assert from_text.description == (
        f"{where(tracker, 'GET', '/campaigns')}: PHP Fatal error: Allowed memory size exhausted"
    )


async def test_a_500_on_a_create_is_not_retryable(tracker: Sandbox, campaign_id: int) -> None:
    tracker.faults.add("status", path=STREAMS, method="POST", status=500)
    async with client_for(tracker) as client:
        error = await failure(client, create_stream(stream_body(campaign_id)))
    assert tracker.request_count() == 1 and error.http_code == 500 and not error.retryable


async def test_a_2xx_html_page_means_a_wrong_domain(tracker: Sandbox) -> None:
    tracker.faults.add("html", path=CAMPAIGNS)
    async with client_for(tracker) as client:
        error = await failure(client, get("/campaigns"))
    assert tracker.request_count() == 1
    assert (
        error.message
        == WRONG_URL
        == ("this does not look like a Keitaro Admin API - check the domain")
    )
    assert error.http_code == 200 and error.attempts == 1 and not error.retryable


async def test_a_base_url_on_the_admin_panel_gets_the_same_advice(tracker: Sandbox) -> None:
    # a domain with a wrong path lands on the tracker's admin panel, which answers 200 HTML
    settings = ClientSettings(requests_per_second=0)
    async with KeitaroClient(tracker.url + "/admin", tracker.api_key, settings) as client:
        error = await failure(client, get("/campaigns"))
    assert error.message == WRONG_URL and error.http_code == 200


async def test_malformed_json_gets_its_own_message(tracker: Sandbox, campaign_id: int) -> None:
    tracker.faults.add("truncated", path=CAMPAIGNS, full_length=False)
    tracker.faults.add("truncated", path=STREAMS, method="POST", full_length=False)
    async with client_for(tracker) as client:
        read = await failure(client, get("/campaigns"))
        write = await failure(client, create_stream(stream_body(campaign_id)))
    assert tracker.request_count() == 2
    assert read.message == "the tracker's answer is not complete JSON (cut off or malformed)."
    assert read.retryable and read.http_code == 200
    assert read.description is not None and "the answer began with '[{" in read.description
    assert write.message == (
        "the tracker's answer is not complete JSON (cut off or malformed). "
        "The request was processed, so it is not sent again."
    )
    assert not write.retryable


async def test_a_cut_off_read_is_retried_and_says_so_when_it_keeps_failing(
    tracker: Sandbox,
) -> None:
    tracker.faults.add("truncated", path=CAMPAIGNS, times=-1)
    async with client_for(tracker, max_attempts=2) as client:
        error = await failure(client, get("/campaigns"))
    assert tracker.request_count() == 2 and error.attempts == 2
    assert error.message.startswith("the connection broke in the middle of the tracker's answer")
    assert error.message.endswith("bytes) (after 2 attempts)")


async def test_a_redirect_is_reported_not_followed(recorder: Recorder) -> None:
    settings = ClientSettings(requests_per_second=0)
    async with KeitaroClient(recorder.url + API, "sk-redirect-key-1", settings) as client:
        error = await failure(client, ApiRequest("POST", "/moved", body={}, has_body=True))
    # the key was not carried to the other host: nothing followed the redirect
    assert recorder.count() == 1
    assert error.http_code == 301 and error.attempts == 1
    assert error.message.startswith(
        "The tracker answered with a redirect (HTTP 301) to "
        "https://tracker.example.com/admin_api/v1/echo - use the address it redirects to"
    )


def test_error_json_carries_code_attempts_and_details() -> None:
    error = error_for_status(
        422,
        json.dumps({"name": ["Field is required"]}).encode(),
        {"Content-Type": "application/json"},
        method="POST",
        url="https://t.example/admin_api/v1/streams",
        attempts=1,
        mask=lambda s: s,
        safe_to_repeat=False,
    )
    data = error.to_json()
    assert data["httpCode"] == 422 and data["attempts"] == 1
    assert data["details"] == {"name": ["Field is required"]}
    assert data["name"] == "NodeApiError"


@pytest.mark.parametrize(
    ("status", "words"),
    [(502, "Bad gateway"), (503, "The tracker is unavailable"), (504, "Gateway timeout")],
)
async def test_gateway_errors_that_persist_name_themselves(
    tracker: Sandbox, status: int, words: str
) -> None:
    tracker.faults.add("status", path=CAMPAIGNS, status=status, retry_after=0, times=-1)
    async with client_for(tracker, max_attempts=2) as client:
        error = await failure(client, get("/campaigns"))
    assert tracker.request_count() == 2 and error.http_code == status
    assert error.message.startswith(words) and error.retryable
