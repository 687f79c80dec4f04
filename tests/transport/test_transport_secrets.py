"""The API key never shows: not in errors (message, description, details, repr, traceback),
log lines (aiohttp's own included) or output items - even when the tracker echoes it back or
it sits in a query string that aiohttp puts into its own exception texts."""

from __future__ import annotations

import json
import logging
import traceback

import pytest
from support import dump, keitaro_workflow, run, stream_body
from transport_support import (
    CAMPAIGNS,
    STREAMS,
    Blackhole,
    client_for,
    create_stream,
    failure,
    get,
    refused_port,
)

from keitaro_node.keitaro.client import ClientSettings, KeitaroClient
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import NodeApiError
from keitaro_node.sandbox import Sandbox


def every_text(error: NodeApiError) -> str:
    """All a person or a log could see of an error."""
    return "\n".join(
        [
            str(error),
            repr(error),
            json.dumps(error.to_json(), ensure_ascii=False),
            "".join(traceback.format_exception(error)),
        ]
    )


def assert_unchained(error: NodeApiError) -> None:
    # raised outside except blocks: no aiohttp exception (with its URL) rides along
    assert error.__cause__ is None and error.__context__ is None


async def test_answers_that_echo_the_key_are_masked(
    tracker: Sandbox, campaign_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    key = tracker.api_key
    tracker.faults.add("status", path=CAMPAIGNS, status=401, body={"error": f"Bad key {key}"})
    tracker.faults.add(
        "status",
        path=CAMPAIGNS,
        status=500,
        body={"error": f"Auth failed for '{key}'", "stacktrace": f"#0 auth({key})\n#1 {{main}}"},
    )
    tracker.faults.add("plain_404", path=CAMPAIGNS, text=f"no campaigns for {key}")
    tracker.faults.add("status", path=STREAMS, status=422, body={"api_key": [f"{key} is wrong"]})
    tracker.faults.add("status", path=CAMPAIGNS, status=200, text=f"Warning: key={key} <b>")
    with caplog.at_level(logging.DEBUG):
        async with client_for(tracker) as client:
            errors = [await failure(client, get("/campaigns")) for _ in range(3)]
            errors.append(await failure(client, create_stream(stream_body(campaign_id))))
            errors.append(await failure(client, get("/campaigns")))
    assert [e.http_code for e in errors] == [401, 500, 404, 422, 200]
    assert errors[3].details == {"api_key": ["*** is wrong"]}
    for error in errors:
        assert key not in every_text(error)
        assert "***" in every_text(error)
        assert_unchained(error)
    assert key not in caplog.text


async def test_transport_failures_do_not_leak_a_key_in_the_query(
    blackhole: Blackhole, caplog: pytest.LogCaptureFixture
) -> None:
    # some scripts pass the key as ?api_key=; aiohttp's own errors quote the full URL
    key = "sk-query-leak-9f8e7d6c"
    fast = {"max_attempts": 2, "backoff_initial": 0.01, "requests_per_second": 0}
    targets = [
        (f"http://127.0.0.1:{blackhole.port}/admin_api/v1", {"connect_timeout": 0.1}),
        (f"http://127.0.0.1:{refused_port()}/admin_api/v1", {}),
        ("http://no-such-tracker.invalid/admin_api/v1", {}),
    ]
    with caplog.at_level(logging.DEBUG):
        for base, extra in targets:
            settings = ClientSettings(**fast, **extra)  # type: ignore[arg-type]
            async with KeitaroClient(base, key, settings) as client:
                error = await failure(client, get("/campaigns", api_key=key))
            assert error.attempts == 2
            assert key not in every_text(error)
            assert_unchained(error)
    assert key not in caplog.text


def test_the_key_is_masked_in_every_form_it_can_take() -> None:
    key = "sk/with spaces+plus=eq&amp"
    client = KeitaroClient("https://t.example/admin_api/v1", key)
    encoded = "https://t.example/x?k=sk%2Fwith%20spaces%2Bplus%3Deq%26amp"
    form = "k=sk%2Fwith+spaces%2Bplus%3Deq%26amp"
    assert client.mask(f"a {key} b") == "a *** b"
    assert client.mask(encoded) == "https://t.example/x?k=***"
    assert client.mask(form) == "k=***"
    assert key not in repr(client)
    assert client.masked_headers(True)["Api-Key"] == "***"


async def test_wrong_key_output_item_shows_no_key_and_one_request(
    tracker: Sandbox, campaign_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "sk-wrong-but-secret-31337"
    store = CredentialStore({"keitaroApi": {"domain": tracker.url, "apiKey": wrong}}, environ={})
    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": "={{ $json.stream }}",
        "options": {"requestsPerSecond": 0},
    }
    with caplog.at_level(logging.DEBUG):
        result = await run(
            keitaro_workflow(params, onError="continueRegularOutput"),
            [{"stream": stream_body(campaign_id)}],
            store,
        )
    (item,) = result.items("Keitaro")
    assert item.json["success"] is False
    assert item.json["error"]["httpCode"] == 401 and item.json["error"]["attempts"] == 1
    assert "API key" in item.json["error"]["message"]
    assert item.json["request"]["headers"]["Api-Key"] == "***"
    assert item.metadata == {"attempts": 1}
    assert tracker.request_count() == 1  # fails fast: a wrong key is not retried
    assert item.error is not None
    texts = [dump(result), caplog.text, repr(item), "".join(traceback.format_exception(item.error))]
    assert all(wrong not in text for text in texts)
