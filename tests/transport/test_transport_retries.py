"""The retry policy over real HTTP: what is repeated, what never is, and the limits.

Every test reads the sandbox's own request counter, so "attempted once" means the tracker saw
one request, not that the client believes it sent one.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import pytest
from support import stream_body
from transport_support import (
    CAMPAIGNS,
    REPORT,
    STREAMS,
    Blackhole,
    client_for,
    create_stream,
    failure,
    get,
    refused_port,
    report,
    update_stream,
)

from keitaro_node.keitaro.client import ApiRequest, ClientSettings, KeitaroClient
from keitaro_node.sandbox import Sandbox

MAYBE = "may or may not have happened"
REPORT_BODY: dict[str, Any] = {
    "range": {"interval": "7_days_ago"},
    "dimensions": ["campaign_id"],
    "measures": ["clicks"],
    "limit": 10,
}


async def streams_in(tracker: Sandbox, campaign_id: int) -> list[dict[str, Any]]:
    async with client_for(tracker) as client:
        response = await client.send(get(f"/campaigns/{campaign_id}/streams"))
    streams: list[dict[str, Any]] = response.data
    return streams


# ------------------------------------------------------------------ creates are never re-sent


@pytest.mark.parametrize("after_handler", [True, False], ids=["after-create", "before-create"])
async def test_a_create_whose_connection_is_reset_after_sending_is_attempted_once(
    tracker: Sandbox, campaign_id: int, after_handler: bool
) -> None:
    tracker.faults.add("reset", path=STREAMS, method="POST", after_handler=after_handler)
    async with client_for(tracker) as client:
        error = await failure(client, create_stream(stream_body(campaign_id, name="maybe")))
    assert tracker.request_count("POST", STREAMS) == 1
    assert error.attempts == 1 and error.retryable is False and error.http_code is None
    assert error.message == (
        "the tracker closed the connection without answering. The request was sent, so the "
        f"change {MAYBE}; it was not sent again. Check the tracker before running this item again"
    )
    # the tracker did create it when the reset came after its handler: that is the ambiguity
    names = [s["name"] for s in await streams_in(tracker, campaign_id)]
    assert names.count("maybe") == (1 if after_handler else 0)


@pytest.mark.parametrize("status", [502, 504])
async def test_a_create_answered_502_or_504_is_not_sent_again(
    tracker: Sandbox, campaign_id: int, status: int
) -> None:
    # a proxy's 502/504 may come after it passed the create on: treated as ambiguous
    tracker.faults.add("status", path=STREAMS, method="POST", status=status)
    async with client_for(tracker) as client:
        error = await failure(client, create_stream(stream_body(campaign_id)))
    assert tracker.request_count("POST", STREAMS) == 1
    assert error.http_code == status and error.attempts == 1 and not error.retryable
    assert MAYBE in error.message and "it was not sent again" in error.message


async def test_a_create_whose_answer_is_cut_off_is_not_sent_again(
    tracker: Sandbox, campaign_id: int
) -> None:
    tracker.faults.add("truncated", path=STREAMS, method="POST")
    async with client_for(tracker) as client:
        error = await failure(client, create_stream(stream_body(campaign_id, name="cut")))
    assert tracker.request_count("POST", STREAMS) == 1
    assert error.http_code == 200 and error.attempts == 1 and not error.retryable
    assert re.match(
        r"the tracker answered HTTP 200, but the connection broke in the middle of the "
        r"tracker's answer \(got \d+ of \d+ bytes\)\. The change was made but its result was "
        r"lost; it was not sent again",
        error.message,
    )
    assert [s["name"] for s in await streams_in(tracker, campaign_id)].count("cut") == 1


async def test_a_create_that_times_out_after_sending_is_not_sent_again(
    tracker: Sandbox, campaign_id: int
) -> None:
    tracker.faults.add("latency", path=STREAMS, method="POST", ms=600)
    async with client_for(tracker, timeout=0.2) as client:
        error = await failure(client, create_stream(stream_body(campaign_id, name="slow")))
    assert tracker.request_count("POST", STREAMS) == 1
    assert error.message.startswith("no answer within 0.2 s. The request was sent")
    assert MAYBE in error.message and not error.retryable


@pytest.mark.parametrize("status", [429, 503])
async def test_a_create_refused_with_429_or_503_is_sent_again(
    tracker: Sandbox, campaign_id: int, status: int
) -> None:
    # 429 and 503 refuse before doing any work, so even a create may be repeated
    tracker.faults.add("status", path=STREAMS, method="POST", status=status, retry_after=0)
    async with client_for(tracker) as client:
        response = await client.send(create_stream(stream_body(campaign_id, name="again")))
    assert response.status == 200 and response.attempts == 2
    assert tracker.request_count("POST", STREAMS) == 2
    assert [s["name"] for s in await streams_in(tracker, campaign_id)].count("again") == 1


async def test_a_429_with_retry_after_1_waits_at_least_a_second_then_succeeds(
    tracker: Sandbox, campaign_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    tracker.faults.add("status", path=STREAMS, method="POST", status=429, retry_after=1)
    started = time.perf_counter()
    with caplog.at_level(logging.INFO, logger="keitaro_node.keitaro.client"):
        async with client_for(tracker) as client:
            response = await client.send(create_stream(stream_body(campaign_id)))
    assert time.perf_counter() - started >= 1.0
    assert response.attempts == 2 and tracker.request_count("POST", STREAMS) == 2
    assert "POST /streams: attempt 1 of 4 failed (HTTP 429" in caplog.text
    assert "retrying in 1.00 s" in caplog.text
    assert "POST /streams: attempt 2 of 4 -> HTTP 200" in caplog.text


# ------------------------------------------------------------------ reads and idempotent writes


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_a_get_answered_with_a_passing_error_is_retried(
    tracker: Sandbox, status: int
) -> None:
    tracker.faults.add("status", path=CAMPAIGNS, method="GET", status=status, times=2)
    async with client_for(tracker) as client:
        response = await client.send(get("/campaigns"))
    assert response.status == 200 and isinstance(response.data, list)
    assert response.attempts == 3 and tracker.request_count("GET", CAMPAIGNS) == 3


@pytest.mark.parametrize("mode", ["reset", "truncated"])
async def test_reads_and_idempotent_writes_are_retried_after_a_broken_connection(
    tracker: Sandbox, campaign_id: int, mode: str
) -> None:
    async with client_for(tracker) as client:
        created = await client.send(create_stream(stream_body(campaign_id)))
        stream_id = int(created.data["id"])
        one = f"/streams/{stream_id}"
        calls: list[tuple[ApiRequest, str]] = [
            (get("/campaigns"), CAMPAIGNS),
            (get(one), "/admin_api/v1" + one),
            (update_stream(stream_id, {"name": "renamed"}), "/admin_api/v1" + one),
            (report(REPORT_BODY), REPORT),  # a read-only POST
        ]
        for request, path in calls:
            tracker.reset_counts()
            tracker.faults.add(mode, path=path, method=request.method, after_handler=True)
            response = await client.send(request)
            assert response.status == 200, request
            assert response.attempts == 2, request
            assert tracker.request_count(request.method, path) == 2, request
        assert (await client.send(get(one))).data["name"] == "renamed"


async def test_a_get_that_times_out_is_retried(tracker: Sandbox) -> None:
    tracker.faults.add("latency", path=CAMPAIGNS, method="GET", ms=500)
    async with client_for(tracker, timeout=0.2) as client:
        response = await client.send(get("/campaigns"))
    assert response.attempts == 2 and tracker.request_count("GET", CAMPAIGNS) == 2


async def test_a_reset_on_a_reused_connection_is_one_visible_attempt(tracker: Sandbox) -> None:
    # aiohttp would silently resend a GET once when a kept-alive connection breaks; that is
    # switched off, so the attempt count equals what the tracker saw
    async with client_for(tracker) as client:
        await client.send(get("/campaigns"))
        tracker.reset_counts()
        tracker.faults.add("reset", path=CAMPAIGNS, method="GET", times=2)
        response = await client.send(get("/campaigns"))
    assert response.attempts == 3 and tracker.request_count("GET", CAMPAIGNS) == 3


# ------------------------------------------------------------------ failures before sending


async def test_connection_refused_is_retried_for_every_method() -> None:
    port = refused_port()
    settings = ClientSettings(max_attempts=3, backoff_initial=0.01, requests_per_second=0)
    async with KeitaroClient(
        f"http://127.0.0.1:{port}/admin_api/v1", "key-for-a-closed-port", settings
    ) as client:
        for request in (get("/campaigns"), create_stream({"name": "x"})):
            error = await failure(client, request)
            assert error.attempts == 3 and error.retryable and error.http_code is None
            assert error.message.startswith(f"cannot connect to 127.0.0.1:{port} (")
            assert error.message.endswith("(after 3 attempts)")


async def test_a_connect_timeout_is_retried_even_for_a_create(blackhole: Blackhole) -> None:
    settings = ClientSettings(
        connect_timeout=0.2, max_attempts=2, backoff_initial=0.01, requests_per_second=0
    )
    url = f"http://127.0.0.1:{blackhole.port}/admin_api/v1"
    started = time.perf_counter()
    async with KeitaroClient(url, "key-for-a-closed-port", settings) as client:
        error = await failure(client, create_stream({"name": "never sent"}))
    assert time.perf_counter() - started >= 0.4
    assert error.message == "connecting to the tracker took longer than 0.2 s (after 2 attempts)"
    assert error.attempts == 2 and error.retryable


async def test_a_host_name_that_does_not_resolve_is_retried_then_named() -> None:
    settings = ClientSettings(max_attempts=2, backoff_initial=0.01, requests_per_second=0)
    async with KeitaroClient(
        "http://no-such-tracker.invalid/admin_api/v1", "sk-dns-test-key", settings
    ) as client:
        error = await failure(client, create_stream({"name": "x"}))
    assert error.message == (
        "cannot resolve the tracker's host name 'no-such-tracker.invalid' (after 2 attempts)"
    )
    assert error.attempts == 2


# ------------------------------------------------------------------ limits and visibility


async def test_max_attempts_bounds_the_attempts_and_each_one_is_logged(
    tracker: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    tracker.faults.add("status", path=CAMPAIGNS, method="GET", status=503, times=-1)
    with caplog.at_level(logging.INFO, logger="keitaro_node.keitaro.client"):
        async with client_for(tracker, max_attempts=3) as client:
            error = await failure(client, get("/campaigns"))
    assert tracker.request_count("GET", CAMPAIGNS) == 3
    assert error.http_code == 503 and error.attempts == 3
    assert error.description is not None and error.description.endswith("gave up after 3 attempts")
    lines = [r.getMessage() for r in caplog.records if "GET /campaigns: attempt" in r.getMessage()]
    assert len(lines) == 3
    assert [line.split(": ", 1)[1][:18] for line in lines] == [
        "attempt 1 of 3 fai",
        "attempt 2 of 3 fai",
        "attempt 3 of 3 fai",
    ]
    assert lines[-1].endswith("giving up: no attempts left")


async def test_a_retry_after_beyond_max_retry_time_fails_at_once(
    tracker: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker.faults.add("status", path=CAMPAIGNS, method="GET", status=429, retry_after=30)
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float, *args: Any, **kwargs: Any) -> Any:
        waits.append(delay)
        return await real_sleep(delay, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    async with client_for(tracker, max_retry_time=2) as client:
        error = await failure(client, get("/campaigns"))
    assert [w for w in waits if w >= 1] == []  # no wait for the Retry-After was begun
    assert tracker.request_count("GET", CAMPAIGNS) == 1
    assert error.http_code == 429 and error.attempts == 1 and error.retryable
    assert error.message.startswith("Too many requests")
    assert "the next wait (30 s) would pass maxRetryTime (2 s)" in (error.description or "")


async def test_backoff_grows_exponentially_with_jitter(
    tracker: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    tracker.faults.add("status", path=CAMPAIGNS, method="GET", status=502, times=3)
    with caplog.at_level(logging.WARNING, logger="keitaro_node.keitaro.client"):
        async with client_for(tracker, backoff_initial=0.08, backoff_max=10) as client:
            response = await client.send(get("/campaigns"))
    assert response.attempts == 4 and tracker.request_count("GET", CAMPAIGNS) == 4
    delays = [float(d) for d in re.findall(r"retrying in ([\d.]+) s", caplog.text)]
    # attempt n waits between half and all of 0.08 * 2**(n-1)
    for n, delay in enumerate(delays, start=1):
        ceiling = 0.08 * 2 ** (n - 1)
        assert ceiling / 2 - 0.006 <= delay <= ceiling + 0.006, (n, delay)
    assert len(delays) == 3
