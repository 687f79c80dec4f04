"""The Keitaro client: the runtime's HTTP transport with what is Keitaro's added on top.

The transport (keitaro_node/runtime/http/transport.py) gives one aiohttp session per run,
explicit timeouts, bounded concurrency and rate, retries that never double a write, a size cap
and masked texts; its docstring has the whole policy. This layer adds the tracker's side:

* requests are paths below the API base URL (`/streams`), bodies are JSON, answers are JSON
  (or files for downloads);
* the API key goes in the `Api-Key` header (or as the credential type declares) and is masked
  in every text, and in answers that echo it;
* redirects are not followed: following one turns a POST into a GET and would carry the key
  to another host. A redirect fails with its target named instead;
* failed answers are worded for trackers (http_errors.py): a refused key, an edition without
  the Admin API, Cloudflare in front, validation maps, and HTML where JSON was expected
  ("this does not look like a Keitaro Admin API - check the domain").

`ApiRequest.safe_to_repeat` tells the transport whether a request may be sent again after an
ambiguous failure (GET, PUT, DELETE and read-only POSTs such as report build: yes; a create:
never). Each response and error carries the number of attempts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from keitaro_node.runtime.errors import NodeApiError
from keitaro_node.runtime.http.limiter import RateLimiter
from keitaro_node.runtime.http.retry import Outcome
from keitaro_node.runtime.http.secrets import MASK, MIN_MASKED, SecretMask
from keitaro_node.runtime.http.settings import USER_AGENT, HttpSettings
from keitaro_node.runtime.http.stats import RequestStats
from keitaro_node.runtime.http.transport import Transport, Wording

from .http_errors import error_for_status, not_json_error

log = logging.getLogger("keitaro_node.keitaro.client")

API_PREFIX = "/admin_api/v1"
MIN_MASKED_KEY = MIN_MASKED

# Limits for one run against one tracker: the transport's settings, whose defaults suit a
# tracker serving live traffic.
ClientSettings = HttpSettings

__all__ = [
    "API_PREFIX",
    "MASK",
    "USER_AGENT",
    "ApiRequest",
    "ApiResponse",
    "ClientSettings",
    "KeitaroClient",
    "RateLimiter",
]

KEITARO_WORDING = Wording(
    peer="the tracker",
    tls_hint="set caBundle in the credentials to the CA file that signed it, or "
    "allowUnauthorizedCerts for a self-signed tracker",
    plain_http_hint="if the tracker serves plain HTTP on this port, start the domain with http://",
    invalid_url="the tracker URL is not valid; check the domain",
    too_large_hint="ask for less (a limit, filters, fewer columns) or page through it",
    ca_bundle_owner="the Keitaro credentials",
)


@dataclass(slots=True)
class ApiRequest:
    """One call: method, path below /admin_api/v1, query, JSON body, whether it may repeat."""

    method: str
    path: str
    query: Mapping[str, str] | None = None
    body: Any = None
    safe_to_repeat: bool = True
    binary: bool = False
    has_body: bool = False


@dataclass(slots=True)
class ApiResponse:
    status: int
    data: Any
    headers: Mapping[str, str]
    attempts: int
    url: str
    content_type: str = ""
    raw: bytes = field(default=b"", repr=False)


_JSON_BODY = {"Content-Type": "application/json"}


class _Label:
    """`POST /streams [item 3]` for log lines, built only when a line is written."""

    __slots__ = ("client", "index", "request")

    def __init__(self, client: KeitaroClient, request: ApiRequest, index: int | None) -> None:
        self.client = client
        self.request = request
        self.index = index

    def __str__(self) -> str:
        item = f" [item {self.index}]" if self.index is not None else ""
        return self.client.mask(f"{self.request.method} {self.request.path}{item}")


class KeitaroClient:
    """Sends ApiRequests to one tracker. Use as `async with KeitaroClient(...) as client:`."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        settings: ClientSettings | None = None,
        auth_headers: Mapping[str, str] | None = None,
        stats: RequestStats | None = None,
    ) -> None:
        """`auth_headers` come from the credential type's `authenticate` section; without
        them the key goes in the `Api-Key` header, as Keitaro expects. `stats` counts the
        requests sent (a bulk job's summary)."""
        self.base_url = base_url.rstrip("/")
        self.settings = settings or ClientSettings()
        # The key as it could appear in a text: as is, URL-encoded and form-encoded. Keys of a
        # few characters are not searched for (real Admin API keys are 32 characters; the
        # header is masked regardless).
        self._mask = SecretMask([api_key])
        self._auth = dict(auth_headers) if auth_headers is not None else {"Api-Key": api_key}
        self.headers = {
            **self._auth,
            "Accept": "application/json",
            "User-Agent": self.settings.user_agent,
        }
        self._transport = Transport(
            self.settings,
            headers=self.headers,
            mask=self._mask,
            wording=KEITARO_WORDING,
            status_error=self._status_error,
            logger=log,
            stats=stats,
        )

    def __repr__(self) -> str:
        return f"KeitaroClient({self.base_url!r}, api_key={MASK})"

    def mask(self, text: str) -> str:
        """`text` with every form of the API key replaced by ***."""
        return self._mask(text)

    def masked_headers(self, with_body: bool) -> dict[str, str]:
        headers = {**self.headers, **dict.fromkeys(self._auth, MASK)}
        if with_body:
            headers["Content-Type"] = "application/json"
        return headers

    def url_for(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def __aenter__(self) -> KeitaroClient:
        await self._transport.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._transport.__aexit__(*exc)

    async def send(self, request: ApiRequest, item_index: int | None = None) -> ApiResponse:
        """Send with retries where safe; raise NodeApiError when no good answer came."""
        url = f"{self.base_url}{request.path}"
        payload = (
            json.dumps(request.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if request.has_body
            else None
        )
        outcome = await self._transport.send(
            request.method,
            url,
            request.query,
            payload,
            _JSON_BODY if payload is not None else None,
            request.safe_to_repeat,
            _Label(self, request, item_index),  # formatted only when a line is logged
        )
        return self._success(request, outcome, url)

    def _status_error(
        self, outcome: Outcome, method: str, url: str, attempts: int, safe_to_repeat: bool
    ) -> NodeApiError:
        return error_for_status(
            outcome.status,
            outcome.body,
            outcome.headers,
            method=method,
            url=url,
            attempts=attempts,
            mask=self._mask,
            safe_to_repeat=safe_to_repeat,
        )

    def _success(self, request: ApiRequest, outcome: Outcome, url: str) -> ApiResponse:
        content_type = outcome.headers.get("Content-Type", "")
        body = outcome.body
        attempts = outcome.attempts
        if request.binary and "json" not in content_type.lower():
            return ApiResponse(
                outcome.status, body, outcome.headers, attempts, url, content_type, body
            )
        if not body or body.isspace():
            return ApiResponse(outcome.status, None, outcome.headers, attempts, url, content_type)
        try:
            data = json.loads(body)
        except ValueError:
            data = _NOT_JSON
        if data is _NOT_JSON:
            log.warning("%s: the 2xx answer is not JSON", self.mask(f"{request.method} {url}"))
            raise not_json_error(
                body,
                outcome.headers,
                status=outcome.status,
                method=request.method,
                url=self.mask(url),
                attempts=attempts,
                mask=self._mask,
                safe_to_repeat=request.safe_to_repeat,
            )
        if self._mask and self._mask.in_bytes(body):
            data = self._mask.data(data)  # a tracker that echoes the key: not into the output
        return ApiResponse(outcome.status, data, outcome.headers, attempts, url, content_type)


_NOT_JSON = object()
