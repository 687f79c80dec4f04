"""TLS: certificates are verified by default; allowUnauthorizedCerts and caBundle are the ways
to reach a tracker with a self-signed or private-CA certificate. The sandbox app is served
over TLS with a certificate made for the test by the openssl command."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from typing import Any

import pytest
from support import keitaro_workflow, run, stream_body
from transport_support import TlsFiles, failure, get, serving

from keitaro_node.keitaro.client import KeitaroClient
from keitaro_node.keitaro.connection import client_settings, normalize_base_url
from keitaro_node.runtime.credentials import CredentialStore, CredentialValues
from keitaro_node.runtime.errors import NodeOperationError, WorkflowError
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.sandbox import Sandbox, SandboxConfig

KEY = "sk-tls-test-5d6e7f"


@pytest.fixture
async def tls_tracker(tls_files: TlsFiles) -> AsyncIterator[tuple[Sandbox, str]]:
    """A sandbox app (not started on plain HTTP) served over TLS; yields it and its https URL."""
    sandbox = Sandbox(SandboxConfig(api_key=KEY))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls_files.cert, tls_files.key)
    async with serving(sandbox.app, ssl_context=context) as url:
        yield sandbox, url


def credentials(host: PluginHost, url: str, **values: Any) -> CredentialValues:
    fields = {"domain": url, "apiKey": KEY, **values}
    return CredentialValues(host.credential_types["keitaroApi"], fields)


def client(host: PluginHost, url: str, **values: Any) -> KeitaroClient:
    settings = client_settings(credentials(host, url, **values), {"requestsPerSecond": 0})
    return KeitaroClient(normalize_base_url(url), KEY, settings)


async def test_certificates_are_verified_by_default(
    tls_tracker: tuple[Sandbox, str], host: PluginHost
) -> None:
    sandbox, url = tls_tracker
    async with client(host, url) as plain:
        error = await failure(plain, get("/campaigns"))
    # the handshake failed, so no request reached the tracker, and none was repeated
    assert sandbox.request_count() == 0
    assert error.attempts == 1 and not error.retryable and error.http_code is None
    assert error.message.startswith("the tracker's TLS certificate was not accepted (")
    assert error.message.endswith(
        "set caBundle in the credentials to the CA file that signed it, "
        "or allowUnauthorizedCerts for a self-signed tracker"
    )


async def test_allow_unauthorized_certs_reaches_a_self_signed_tracker(
    tls_tracker: tuple[Sandbox, str], host: PluginHost
) -> None:
    sandbox, url = tls_tracker
    async with client(host, url, allowUnauthorizedCerts=True) as insecure:
        response = await insecure.send(get("/campaigns"))
    assert response.status == 200 and isinstance(response.data, list)
    assert sandbox.request_count() == 1


async def test_a_ca_bundle_verifies_the_tracker(
    tls_tracker: tuple[Sandbox, str], tls_files: TlsFiles, host: PluginHost
) -> None:
    sandbox, url = tls_tracker
    async with client(host, url, caBundle=str(tls_files.ca)) as trusting:
        response = await trusting.send(get("/campaigns"))
    assert response.status == 200
    async with client(host, url, caBundle=str(tls_files.other_ca)) as wrong:
        error = await failure(wrong, get("/campaigns"))
    assert error.message.startswith("the tracker's TLS certificate was not accepted")
    assert sandbox.request_count() == 1


async def test_a_ca_bundle_that_cannot_be_read_is_a_clear_error(
    host: PluginHost, tmp_path: Any
) -> None:
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(NodeOperationError) as caught:
        async with client(host, "https://127.0.0.1:1", caBundle=str(missing)):
            pass
    assert f"cannot use the CA bundle '{missing}'" in str(caught.value)
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    with pytest.raises(NodeOperationError) as caught:
        async with client(host, "https://127.0.0.1:1", caBundle=str(not_pem)):
            pass
    assert "must be a readable PEM file of certificates" in str(caught.value)


async def test_https_to_a_plain_http_port_says_what_to_change(
    tracker: Sandbox, host: PluginHost
) -> None:
    url = tracker.url.replace("http://", "https://")
    async with client(host, url) as confused:
        error = await failure(confused, get("/campaigns"))
    assert error.attempts == 1 and tracker.request_count() == 0
    assert error.message.startswith("the TLS handshake with the tracker failed (")
    assert error.message.endswith("start the domain with http://")


async def test_the_node_uses_tls_options_from_its_credentials(
    tls_tracker: tuple[Sandbox, str], tls_files: TlsFiles, host: PluginHost
) -> None:
    sandbox, url = tls_tracker
    campaign = sandbox.seed_campaign("TLS campaign")
    params = {
        "resource": "stream",
        "operation": "create",
        "streamData": "={{ $json.stream }}",
        "options": {"requestsPerSecond": 0},
    }
    items = [{"stream": stream_body(int(campaign["id"]))}]
    default = CredentialStore({"keitaroApi": {"domain": url, "apiKey": KEY}}, environ={})
    with pytest.raises(WorkflowError) as caught:
        await run(keitaro_workflow(params), items, default, host)
    assert "TLS certificate was not accepted" in str(caught.value.error)
    assert sandbox.request_count() == 0
    # the environment is how CI and the CLI set the bundle
    from_env = CredentialStore(
        environ={
            "KEITARO_URL": url,
            "KEITARO_API_KEY": KEY,
            "KEITARO_CA_BUNDLE": str(tls_files.ca),
        }
    )
    result = await run(keitaro_workflow(params), items, from_env, host)
    assert result.items("Keitaro")[0].json["success"] is True
    assert sandbox.request_count("POST", "/admin_api/v1/streams") == 1
