"""Edges found by running the node against odd trackers: HTML error pages on 5xx, answers that
echo the key, answers too large for a small VM, and the credentials check's retry policy."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from support import dump, keitaro_workflow, run
from transport_support import API, CAMPAIGNS, Recorder, client_for, failure, get

from keitaro_node.app import plugin_host
from keitaro_node.cli import main
from keitaro_node.keitaro.check import test_credentials as check_credentials
from keitaro_node.keitaro.client import ClientSettings, KeitaroClient
from keitaro_node.keitaro.http_errors import WRONG_URL
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import NodeApiError
from keitaro_node.sandbox import Sandbox

NOT_IMPLEMENTED_PAGE = (
    "<!DOCTYPE html><html><head><title>501 Not Implemented</title></head>"
    "<body><h1>Not Implemented</h1><p>GET to /admin_api/v1/campaigns not supported.</p>"
    "</body></html>"
)


# ------------------------------------------------------------------ HTML pages on 5xx


@pytest.mark.parametrize("status", [501, 505, 520])
async def test_an_html_5xx_page_gets_the_check_the_domain_hint(
    tracker: Sandbox, status: int
) -> None:
    tracker.faults.add("status", path=CAMPAIGNS, status=status, text=NOT_IMPLEMENTED_PAGE)
    async with client_for(tracker) as client:
        error = await failure(client, get("/campaigns"))
    assert tracker.request_count() == 1 and error.http_code == status
    assert (
        error.message
        == f"The tracker failed (HTTP {status}); the answer was an HTML page, so {WRONG_URL}"
    )


async def test_an_html_500_page_suggests_the_domain_when_it_repeats(tracker: Sandbox) -> None:
    page = "<html><body><h1>500 Internal Server Error</h1><hr>nginx</body></html>"
    tracker.faults.add("status", path=CAMPAIGNS, status=500, text=page)
    async with client_for(tracker) as client:
        error = await failure(client, get("/campaigns"))
    assert error.message == (
        "The tracker failed with an internal error; the answer was an HTML page, not the Admin "
        "API's JSON - if this repeats, check the domain"
    )


async def test_a_proxys_html_502_keeps_its_own_words(tracker: Sandbox) -> None:
    # nginx's 502 page means the tracker behind it is down, not that the domain is wrong
    page = "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
    tracker.faults.add("status", path=CAMPAIGNS, status=502, text=page, times=-1)
    async with client_for(tracker, max_attempts=2) as client:
        error = await failure(client, get("/campaigns"))
    assert error.message.startswith("Bad gateway - the proxy in front of the tracker")
    assert "check the domain" not in error.message


# ------------------------------------------------------------------ a 2xx answer that echoes the key


async def test_a_2xx_answer_that_echoes_the_key_is_masked(tracker: Sandbox) -> None:
    key = tracker.api_key
    echoed = {"id": 5, "name": f"made with {key}", "keys": [key], key: "as a key too"}
    tracker.faults.add("status", path=CAMPAIGNS, status=200, body=echoed)
    async with client_for(tracker) as client:
        response = await client.send(get("/campaigns"))
    assert response.status == 200
    assert response.data == {
        "id": 5,
        "name": "made with ***",
        "keys": ["***"],
        "***": "as a key too",
    }


async def test_output_items_never_carry_an_echoed_key(tracker: Sandbox) -> None:
    key = tracker.api_key
    tracker.faults.add("status", path=CAMPAIGNS, status=200, body=[{"id": 1, "token": key}])
    store = CredentialStore({"keitaroApi": {"domain": tracker.url, "apiKey": key}}, environ={})
    result = await run(
        keitaro_workflow({"resource": "campaign", "operation": "getAll"}), [{}], store
    )
    assert key not in dump(result)
    assert result.items("Keitaro")[0].json["data"] == [{"id": 1, "token": "***"}]


async def test_a_key_escaped_in_json_is_found_too(recorder: Recorder) -> None:
    # PHP's json_encode writes "/" as "\/": the raw answer does not hold the key as it is
    key = "sk/slashed/key/0123"
    settings = ClientSettings(requests_per_second=0)
    async with KeitaroClient(recorder.url + API, key, settings) as client:
        response = await client.send(get("/echo", token=key))
    assert response.data["query"] == {"token": "***"}


# ------------------------------------------------------------------ the size of one answer


def test_the_default_cap_is_32_mb() -> None:
    assert ClientSettings().max_response_bytes == 32 * 1024 * 1024


async def test_a_40_mb_answer_is_refused_by_default(recorder: Recorder) -> None:
    # 256 MB of JSON would take about a gigabyte once parsed; the default cap stops at 32 MB
    async with KeitaroClient(recorder.url + API, "sk-size-test-key", ClientSettings()) as client:
        error = await failure(client, get("/chunked", size=str(40 * 1024 * 1024)))
    assert recorder.count() == 1 and error.attempts == 1 and not error.retryable
    assert error.message.startswith("the tracker's answer is larger than the 32.0 MB limit (")


# ------------------------------------------------------------------ test-credentials


async def test_the_credentials_check_retries_as_a_run_does(
    tracker: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    # the documented policy (4 attempts) is the one the check uses, and its log lines say so
    tracker.faults.add("status", path=API + "/groups", status=503, retry_after=0, times=3)
    store = CredentialStore(
        {"keitaroApi": {"domain": tracker.url, "apiKey": tracker.api_key}}, environ={}
    )
    credential_type = plugin_host(load_entry_points=False).credential_types["keitaroApi"]
    with caplog.at_level(logging.INFO, logger="keitaro_node.keitaro.client"):
        message = await check_credentials(credential_type, store)
    assert message.startswith("credentials work: ")
    assert tracker.request_count("GET", API + "/groups") == 4
    assert "GET /groups: attempt 1 of 4 failed (HTTP 503" in caplog.text
    assert "GET /groups: attempt 4 of 4 -> HTTP 200" in caplog.text


async def test_the_credentials_check_takes_the_credentials_limits(tracker: Sandbox) -> None:
    tracker.faults.add("latency", path=API + "/groups", ms=1500, times=-1)
    store = CredentialStore(
        {"keitaroApi": {"domain": tracker.url, "apiKey": tracker.api_key, "timeout": 0.2}},
        environ={},
    )
    credential_type = plugin_host(load_entry_points=False).credential_types["keitaroApi"]
    with pytest.raises(NodeApiError) as caught:
        await check_credentials(credential_type, store)
    assert caught.value.message.startswith("no answer within 0.2 s")


def test_the_command_reports_a_working_key(
    tracker: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "creds.yaml"
    file.write_text(f"keitaroApi:\n  domain: {tracker.url}\n  apiKey: {tracker.api_key}\n")
    assert main(["test-credentials", "--credentials", str(file)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"credentials work: {tracker.url}/admin_api/v1 accepted the API key"
    )
