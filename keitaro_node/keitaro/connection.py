"""From credentials and node options to a base URL and client settings."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from keitaro_node.runtime.credentials import CredentialValues
from keitaro_node.runtime.errors import NodeOperationError

from .client import API_PREFIX, ClientSettings

# option or credential field -> (ClientSettings field, type, lowest value)
_LIMITS: dict[str, tuple[str, type[int] | type[float], float]] = {
    "concurrency": ("concurrency", int, 1),
    "requestsPerSecond": ("requests_per_second", float, 0),
    "timeout": ("timeout", float, 0.001),
    "connectTimeout": ("connect_timeout", float, 0.001),
    "maxAttempts": ("max_attempts", int, 1),
    "maxRetryTime": ("max_retry_time", float, 0),
}
_MB = 1024 * 1024


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
    """Settings from the node's options over the credentials' values over the defaults.

    Credentials may carry the limits that belong to a tracker (timeouts, concurrency,
    requestsPerSecond) when their type declares them; a node option set on the node wins.
    """
    values: dict[str, Any] = {}
    for read in (credentials.get, options.get):
        for name, (field, kind, low) in _LIMITS.items():
            value = read(name)
            if value is None or value == "":
                continue
            values[field] = _number(name, value, kind, low)
    size = options.get("maxResponseSize")
    if size is not None and size != "":
        values["max_response_bytes"] = int(_number("maxResponseSize", size, float, 0.001) * _MB)
    values["verify_tls"] = not _flag(credentials.get("allowUnauthorizedCerts"))
    ca_bundle = credentials.get("caBundle")
    if ca_bundle:
        values["ca_bundle"] = str(ca_bundle).strip()
    return ClientSettings(**values)


def _number(name: str, value: Any, kind: type[int] | type[float], low: float) -> int | float:
    number = float("nan")
    if not isinstance(value, bool):
        with contextlib.suppress(TypeError, ValueError):
            number = float(value)
    if not number >= low or number == float("inf"):
        raise NodeOperationError(
            f"the option {name} must be a number of at least {low:g}, got {value!r}"
        )
    return int(number) if kind is int else number


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
