"""`keitaro-node test-credentials`: the credential type's test request, against the tracker."""

from __future__ import annotations

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.description import CredentialType

from .client import ApiRequest, KeitaroClient
from .connection import client_settings, normalize_base_url


async def test_credentials(credential_type: CredentialType, store: CredentialStore) -> str:
    """Send the test request; return a sentence on success, raise NodeApiError otherwise."""
    credentials = store.get(credential_type)
    base_url = normalize_base_url(str(credentials.get("domain") or ""))
    test = (credential_type.test or {}).get(
        "request", {"url": "/groups", "qs": {"type": "campaigns"}}
    )
    request = ApiRequest(
        method=test.get("method", "GET"),
        path=test["url"],
        query={k: str(v) for k, v in (test.get("qs") or {}).items()} or None,
    )
    # the policy a run uses (4 attempts by default, the credentials' limits): the check
    # answers for what a run with these credentials will meet
    settings = client_settings(credentials, {})
    auth = credentials.auth_headers()
    async with KeitaroClient(base_url, credentials.reveal("apiKey"), settings, auth) as client:
        await client.send(request)
    return f"credentials work: {base_url} accepted the API key"
