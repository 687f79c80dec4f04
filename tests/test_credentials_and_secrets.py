"""Credentials from a file or the environment; the API key never shows anywhere."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from support import dump, keitaro_workflow, run, stream_body

from keitaro_node.app import plugin_host
from keitaro_node.keitaro.connection import normalize_base_url
from keitaro_node.runtime.credentials import CredentialStore, CredentialValues
from keitaro_node.runtime.errors import NodeApiError, NodeOperationError, WorkflowError
from keitaro_node.sandbox import Sandbox

STREAMS = "/admin_api/v1/streams"


def create(options: dict[str, object] | None = None, **settings: object) -> dict[str, object]:
    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": "={{ $json.stream }}",
        "options": options or {},
    }
    return keitaro_workflow(params, **settings)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("tracker.example.com", "https://tracker.example.com/admin_api/v1"),
        ("tracker.example.com/", "https://tracker.example.com/admin_api/v1"),
        ("https://tracker.example.com/admin_api/v1", "https://tracker.example.com/admin_api/v1"),
        ("https://tracker.example.com/admin_api/v1/", "https://tracker.example.com/admin_api/v1"),
        ("http://10.0.0.5:8080", "http://10.0.0.5:8080/admin_api/v1"),
        ("https://host.example/keitaro/", "https://host.example/keitaro/admin_api/v1"),
        ("  tracker.example.com  ", "https://tracker.example.com/admin_api/v1"),
    ],
)
def test_domain_forms_are_tolerated(domain: str, expected: str) -> None:
    assert normalize_base_url(domain) == expected


@pytest.mark.parametrize(
    "domain", ["", "ftp://tracker.example.com", "https://", "https://t.example.com/?x=1"]
)
def test_bad_domains_are_clear_errors(domain: str) -> None:
    with pytest.raises(NodeOperationError):
        normalize_base_url(domain)


async def test_credentials_come_from_the_environment(tracker: Sandbox, campaign_id: int) -> None:
    store = CredentialStore(
        environ={"KEITARO_URL": tracker.url + "/admin_api/v1/", "KEITARO_API_KEY": tracker.api_key}
    )
    result = await run(create(), [{"stream": stream_body(campaign_id)}], store)
    assert result.items("Keitaro")[0].json["success"] is True


async def test_credentials_file_in_yaml(tracker: Sandbox, campaign_id: int, tmp_path: Path) -> None:
    path = tmp_path / "creds.yaml"
    path.write_text(f"keitaroApi:\n  domain: {tracker.url}\n  apiKey: {tracker.api_key}\n")
    result = await run(
        create(),
        [{"stream": stream_body(campaign_id)}],
        CredentialStore.from_file(path, environ={}),
    )
    assert result.items("Keitaro")[0].json["success"] is True


async def test_missing_credentials_name_both_remedies() -> None:
    with pytest.raises(WorkflowError) as caught:
        await run(create(), [{"stream": stream_body(1)}], CredentialStore(environ={}))
    text = str(caught.value)
    assert "--credentials" in text
    assert "KEITARO_DOMAIN or KEITARO_URL" in text and "KEITARO_API_KEY" in text


async def test_wrong_key_fails_fast_without_retries_or_the_key(
    tracker: Sandbox, campaign_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "sk-wrong-5e8d2b7c9a"
    store = CredentialStore({"keitaroApi": {"domain": tracker.url, "apiKey": wrong}}, environ={})
    with caplog.at_level(logging.DEBUG), pytest.raises(WorkflowError) as caught:
        await run(create(), [{"stream": stream_body(campaign_id)}], store)
    error = caught.value.error
    assert isinstance(error, NodeApiError) and error.http_code == 401
    assert "API key" in error.message and error.attempts == 1
    assert tracker.request_count() == 1
    everything = " ".join(
        [str(caught.value), repr(caught.value.error), dump(error.to_json()), caplog.text]
    )
    assert wrong not in everything


async def test_the_key_is_in_no_output_log_line_or_error(
    tracker: Sandbox,
    credentials: CredentialStore,
    campaign_id: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = tracker.api_key
    tracker.faults.add("status", path=STREAMS, method="POST", times=1, status=503, retry_after=0)
    tracker.faults.add("reset", path=STREAMS, method="POST", times=1)
    tracker.faults.add("html", path=STREAMS, method="POST", times=1)
    items = [{"stream": stream_body(campaign_id, name=f"s{n}")} for n in range(5)]
    with caplog.at_level(logging.DEBUG):
        result = await run(
            create({"concurrency": 1, "requestsPerSecond": 0}, onError="continueRegularOutput"),
            items,
            credentials,
        )
    out = result.items("Keitaro")
    assert len(out) == 5 and any(not i.json["success"] for i in out)
    texts = [
        dump(result),
        caplog.text,
        *(str(i.error) for i in out if i.error),
        *(repr(i) for i in out),
    ]
    assert all(key not in t for t in texts)
    values = credentials.get(plugin_host(load_entry_points=False).credential_types["keitaroApi"])
    assert isinstance(values, CredentialValues)
    assert key not in repr(values) and key not in str(values)


async def test_an_unreachable_tracker_is_a_clear_error(campaign_id: int) -> None:
    store = CredentialStore(
        {"keitaroApi": {"domain": "http://127.0.0.1:9", "apiKey": "k"}}, environ={}
    )
    with pytest.raises(WorkflowError) as caught:
        await run(create({"maxAttempts": 2}), [{"stream": stream_body(campaign_id)}], store)
    error = caught.value.error
    assert isinstance(error, NodeApiError)
    assert "cannot connect to 127.0.0.1:9" in str(error) and "after 2 attempts" in str(error)
    assert error.http_code is None


async def test_an_html_page_means_a_wrong_domain(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    tracker.faults.add("html", path=STREAMS, method="POST", times=1)
    with pytest.raises(WorkflowError) as caught:
        await run(create(), [{"stream": stream_body(campaign_id)}], credentials)
    assert "this does not look like a Keitaro Admin API - check the domain" in str(
        caught.value.error
    )


async def test_the_credential_type_decides_how_requests_are_authenticated(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    # the sandbox, like trackers, also takes "Authorization: Bearer <key>"; a credential type
    # that declares that header is used as declared, and the header is masked in the output
    host = plugin_host(load_entry_points=False)
    declared = host.credential_types["keitaroApi"]
    bearer = declared.model_copy(
        update={
            "authenticate": {
                "type": "generic",
                "properties": {"headers": {"Authorization": "=Bearer {{ $credentials.apiKey }}"}},
            }
        }
    )
    host.credential_types["keitaroApi"] = bearer
    result = await run(create(), [{"stream": stream_body(campaign_id)}], credentials, host=host)
    envelope = result.items("Keitaro")[0].json
    assert envelope["success"] is True
    assert envelope["request"]["headers"]["Authorization"] == "***"
    assert "Api-Key" not in envelope["request"]["headers"]
    assert tracker.api_key not in dump(result)
