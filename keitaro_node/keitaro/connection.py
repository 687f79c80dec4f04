"""From credentials and node options to a base URL and client settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from keitaro_node.runtime.credentials import CredentialValues
from keitaro_node.runtime.errors import NodeOperationError

from .client import API_PREFIX, ClientSettings

_OPTION_FIELDS = {
    "concurrency": "concurrency",
    "requestsPerSecond": "requests_per_second",
    "timeout": "timeout",
    "connectTimeout": "connect_timeout",
    "maxAttempts": "max_attempts",
    "maxRetryTime": "max_retry_time",
}


def normalize_base_url(domain: str) -> str:
    """`tracker.example.com`, `https://t.example.com/`, `.../admin_api/v1` -> the API base URL."""
    text = (domain or "").strip()
    if not text:
        raise NodeOperationError("the Keitaro credentials have an empty domain")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise NodeOperationError(f"the tracker domain must use http or https, not '{parts.scheme}'")
    if not parts.hostname:
        raise NodeOperationError(f"the tracker domain '{domain}' has no host name")
    if parts.query or parts.fragment:
        raise NodeOperationError("the tracker domain must not contain '?' or '#'")
    path = parts.path.rstrip("/")
    for suffix in (API_PREFIX, "/admin_api"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}{API_PREFIX}"


def client_settings(credentials: CredentialValues, options: Mapping[str, Any]) -> ClientSettings:
    values: dict[str, Any] = {
        field: options[name]
        for name, field in _OPTION_FIELDS.items()
        if options.get(name) is not None
    }
    if "concurrency" in values:
        values["concurrency"] = int(values["concurrency"])
    if "max_attempts" in values:
        values["max_attempts"] = int(values["max_attempts"])
    values["verify_tls"] = not bool(credentials.get("allowUnauthorizedCerts"))
    ca_bundle = credentials.get("caBundle")
    if ca_bundle:
        values["ca_bundle"] = str(ca_bundle)
    return ClientSettings(**values)
