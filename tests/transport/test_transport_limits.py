"""Limits of one run, seen from the server side: rate, concurrency, connections, headers,
timeouts and the size of one answer; and how options and credentials set them."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from support import keitaro_workflow, run, stream_body
from transport_support import API, STREAMS, Recorder, client_for, create_stream, failure, get

from keitaro_node.keitaro.client import USER_AGENT, ApiRequest, ClientSettings, KeitaroClient
from keitaro_node.keitaro.connection import client_settings
from keitaro_node.runtime.credentials import CredentialStore, CredentialValues
from keitaro_node.runtime.errors import NodeOperationError
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.sandbox import Sandbox

KEY = "sk-limits-test-0a1b2c3d"


def recorder_client(recorder: Recorder, **settings: Any) -> KeitaroClient:
    return KeitaroClient(recorder.url + API, KEY, ClientSettings(**settings))


# ------------------------------------------------------------------ rate and concurrency


async def test_requests_per_second_spaces_the_requests_the_server_sees(
    recorder: Recorder,
) -> None:
    async with recorder_client(recorder, requests_per_second=20, concurrency=10) as client:
        await asyncio.gather(*(client.send(get("/echo")) for _ in range(10)))
    arrivals = sorted(s.at for s in recorder.seen)
    assert len(arrivals) == 10
    # 10 starts at most 20 a second: the first and the last are at least 9/20 s apart
    assert arrivals[-1] - arrivals[0] >= 0.4


async def test_retries_count_against_the_rate_limit(tracker: Sandbox) -> None:
    tracker.faults.add("status", path=API + "/campaigns", status=503, retry_after=0, times=3)
    started = time.perf_counter()
    async with client_for(tracker, requests_per_second=10) as client:
        response = await client.send(get("/campaigns"))
    assert response.attempts == 4
    assert time.perf_counter() - started >= 0.3  # four starts at 10 a second


async def test_concurrency_bounds_requests_in_flight_and_connections(recorder: Recorder) -> None:
    async with recorder_client(recorder, concurrency=2, requests_per_second=0) as client:
        await asyncio.gather(*(client.send(get("/slow", ms="80")) for _ in range(8)))
    assert recorder.count() == 8
    assert recorder.max_in_flight == 2
    assert len({s.peer_port for s in recorder.seen}) <= 2


async def test_one_session_keeps_its_connection_alive(recorder: Recorder) -> None:
    async with recorder_client(recorder, requests_per_second=0) as client:
        for _ in range(5):
            await client.send(get("/echo"))
    assert recorder.count() == 5
    assert len({s.peer_port for s in recorder.seen}) == 1


async def test_requests_carry_our_user_agent_and_the_key_header(recorder: Recorder) -> None:
    async with recorder_client(recorder, requests_per_second=0) as client:
        await client.send(get("/echo"))
        await client.send(ApiRequest("POST", "/echo", body={"a": 1}, has_body=True))
    read, write = recorder.seen
    for seen in (read, write):
        agent = seen.headers["User-Agent"]
        assert agent == USER_AGENT and agent.startswith("keitaro-node/")
        assert "aiohttp" not in agent and "python" not in agent.lower()
        assert seen.headers["Api-Key"] == KEY
        assert seen.headers["Accept"] == "application/json"
    assert write.headers["Content-Type"] == "application/json"


async def test_a_run_of_the_node_uses_one_session_within_its_limits(
    recorder: Recorder, host: PluginHost
) -> None:
    store = CredentialStore({"keitaroApi": {"domain": recorder.url, "apiKey": KEY}}, environ={})
    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": "={{ $json.stream }}",
        "options": {"concurrency": 2, "requestsPerSecond": 0},
    }
    items = [{"stream": stream_body(1, name=f"s{n}")} for n in range(12)]
    result = await run(keitaro_workflow(params), items, store, host)
    assert all(i.json["success"] for i in result.items("Keitaro"))
    assert recorder.count(STREAMS) == 12
    assert recorder.max_in_flight <= 2
    assert len({s.peer_port for s in recorder.seen}) <= 2
    assert {s.headers["User-Agent"] for s in recorder.seen} == {USER_AGENT}


# ------------------------------------------------------------------ timeouts


async def test_the_timeout_bounds_a_slow_answer(recorder: Recorder) -> None:
    # the answer comes after 2 s: had the client waited for it, the call would succeed
    async with recorder_client(
        recorder, timeout=0.3, max_attempts=2, backoff_initial=0.01, requests_per_second=0
    ) as client:
        error = await failure(client, get("/slow", ms="2000"))
    assert recorder.count() == 2
    assert error.message == "no answer within 0.3 s (after 2 attempts)"
    assert error.http_code is None and error.retryable


# ------------------------------------------------------------------ size of one answer


async def test_an_answer_larger_than_the_cap_is_refused_by_its_length(tracker: Sandbox) -> None:
    async with client_for(tracker, max_response_bytes=100) as client:
        error = await failure(client, get("/campaigns"))
    assert tracker.request_count() == 1 and error.attempts == 1 and not error.retryable
    assert error.http_code == 200
    assert error.message.startswith("the tracker's answer is larger than the 100 bytes limit (")
    assert error.message.endswith(
        " or more); ask for less (a limit, filters, fewer columns) or page through it"
    )


async def test_a_streamed_answer_is_cut_off_at_the_cap(recorder: Recorder) -> None:
    async with recorder_client(
        recorder, max_response_bytes=50 * 1024, requests_per_second=0
    ) as client:
        error = await failure(client, get("/chunked", size="400000"))
        small = await client.send(get("/chunked", size="20000"))
    assert recorder.count() == 2 and error.attempts == 1
    assert error.message.startswith("the tracker's answer is larger than the 50.0 KB limit (")
    assert isinstance(small.data, list)


async def test_the_cap_counts_decompressed_bytes(recorder: Recorder) -> None:
    async with recorder_client(
        recorder, max_response_bytes=100 * 1024, requests_per_second=0
    ) as client:
        error = await failure(client, get("/gzip", size="1000000"))
    assert recorder.count() == 1
    assert error.message.startswith("the tracker's answer is larger than the 100.0 KB limit")


async def test_an_oversized_answer_to_a_create_says_the_create_happened(
    tracker: Sandbox, campaign_id: int
) -> None:
    async with client_for(tracker, max_response_bytes=50) as client:
        error = await failure(client, create_stream(stream_body(campaign_id)))
    assert tracker.request_count("POST", STREAMS) == 1
    assert error.message.endswith("The request itself was processed; it was not sent again")


# ------------------------------------------------------------------ settings


def keitaro_credentials(host: PluginHost, **values: Any) -> CredentialValues:
    fields = {"domain": "tracker.example.com", "apiKey": KEY, **values}
    return CredentialValues(host.credential_types["keitaroApi"], fields)


def test_defaults_suit_a_tracker_that_serves_traffic(host: PluginHost) -> None:
    settings = client_settings(keitaro_credentials(host), {})
    assert settings == ClientSettings()
    assert settings.concurrency == 4 and settings.requests_per_second == 25
    assert settings.timeout == 60 and settings.connect_timeout == 10
    assert settings.max_attempts == 4 and settings.max_retry_time == 60
    assert settings.verify_tls is True and settings.ca_bundle is None


def test_node_options_win_over_credentials(host: PluginHost) -> None:
    credentials = keitaro_credentials(
        host, timeout="15", connectTimeout=3, requestsPerSecond="5", concurrency=2
    )
    settings = client_settings(
        credentials, {"timeout": 30, "maxAttempts": 2, "maxResponseSize": 8, "maxRetryTime": 0}
    )
    assert settings.timeout == 30  # the node's
    assert settings.connect_timeout == 3 and settings.requests_per_second == 5  # the tracker's
    assert settings.concurrency == 2 and isinstance(settings.concurrency, int)
    assert settings.max_attempts == 2 and settings.max_retry_time == 0
    assert settings.max_response_bytes == 8 * 1024 * 1024


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"timeout": 0}, "timeout must be a number of at least 0.001, got 0"),
        ({"concurrency": "many"}, "concurrency must be a number of at least 1, got 'many'"),
        ({"requestsPerSecond": -1}, "requestsPerSecond must be a number of at least 0, got -1"),
        ({"maxAttempts": True}, "maxAttempts must be a number of at least 1, got True"),
    ],
)
def test_bad_limits_are_clear_errors(host: PluginHost, options: dict[str, Any], words: str) -> None:
    with pytest.raises(NodeOperationError) as caught:
        client_settings(keitaro_credentials(host), options)
    assert words in str(caught.value)


def test_tls_settings_come_from_the_credentials(host: PluginHost) -> None:
    insecure = client_settings(keitaro_credentials(host, allowUnauthorizedCerts=True), {})
    assert insecure.verify_tls is False
    bundle = client_settings(keitaro_credentials(host, caBundle=" /etc/ca.pem "), {})
    assert bundle.verify_tls is True and bundle.ca_bundle == "/etc/ca.pem"
