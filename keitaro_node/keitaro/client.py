"""The HTTP transport to a Keitaro tracker: one aiohttp session per run, explicit limits.

Limits (``ClientSettings``; node options and credentials fill them in, see connection.py):

* ``timeout`` bounds one request with its answer, ``connect_timeout`` opening a connection;
* ``concurrency`` bounds requests in flight and is the connection limit per host, and
  ``requests_per_second`` spaces request starts - a tracker serves live traffic on the same
  server, so the defaults are modest;
* ``max_response_bytes`` caps one answer (counted after decompression); a larger one fails
  its item with a clear error instead of filling memory;
* the User-Agent is our own (CDNs in front of trackers block the default library agents);
  TLS certificates are verified unless ``verify_tls`` is off, against ``ca_bundle`` if given;
* redirects are not followed: following one turns a POST into a GET and would carry the
  Api-Key header to another host. A redirect fails with its target named instead.

Retries repeat a request only where repeating cannot duplicate a write:

* failures before the request left (connection refused, DNS, connect timeout, no free
  connection) and answers that refuse work before doing any (429, 503) are retried for every
  method;
* a timeout or reset after the request left is retried only for requests that are safe to
  repeat (``ApiRequest.safe_to_repeat``: GET, PUT, DELETE and read-only POSTs such as report
  build and the logs);
* 502 and 504 are treated as ambiguous: the proxy that answered may already have passed the
  request on to the tracker. They are retried for requests that are safe to repeat and never
  for a create (a POST that is not read-only);
* a create that failed ambiguously is never sent again automatically: the item fails with a
  NodeApiError saying that the write may or may not have happened (``retryable=False``, so
  the engine's retryOnFail does not repeat it either);
* the delay is exponential backoff with jitter, or the answer's Retry-After when it has one.
  ``max_attempts`` bounds the attempts and ``max_retry_time`` the total time spent waiting
  between them; a Retry-After beyond what is left of it fails at once, so one request takes
  at most ``max_attempts * timeout + max_retry_time``;
* aiohttp's own silent resend of idempotent requests on a reused connection is switched off:
  every attempt is one request, one log line, and one count in ``ApiResponse.attempts`` or
  ``NodeApiError.attempts`` (the node puts it into the item's metadata).

The API key travels only in the Api-Key header. Every text this module produces (messages,
descriptions, log lines) passes through ``mask()``, aiohttp's own exceptions are turned into
our errors without being chained to them, and errors are raised outside ``except`` blocks,
so a traceback carries neither the key nor aiohttp's messages with their URLs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import aiohttp

from keitaro_node import __version__
from keitaro_node.runtime.errors import NodeApiError, NodeOperationError

from .http_errors import error_for_status, not_json_error
from .retry_policy import AMBIGUOUS, REFUSED, Outcome, backoff_delay, should_retry, why_not

log = logging.getLogger("keitaro_node.keitaro.client")

API_PREFIX = "/admin_api/v1"
USER_AGENT = f"keitaro-node/{__version__} (+https://pypi.org/project/keitaro-node/)"
MASK = "***"

_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Limits for one run against one tracker. Defaults suit a tracker serving live traffic."""

    concurrency: int = 4
    requests_per_second: float = 25.0  # 0 turns the limit off
    timeout: float = 60.0
    connect_timeout: float = 10.0
    max_attempts: int = 4
    max_retry_time: float = 60.0
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    verify_tls: bool = True
    ca_bundle: str | None = None
    max_response_bytes: int = 256 * 1024 * 1024
    user_agent: str = USER_AGENT
    # Idle pooled connections are dropped after this many seconds, before servers drop them
    # (Apache's default is 5 s): a create sent on a connection the server has just closed
    # would otherwise fail ambiguously.
    keepalive_timeout: float = 4.0


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


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart (aiohttp's limits count connections)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


MIN_MASKED_KEY = 6


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
    ) -> None:
        """`auth_headers` come from the credential type's `authenticate` section; without
        them the key goes in the `Api-Key` header, as Keitaro expects."""
        self.base_url = base_url.rstrip("/")
        self.settings = settings or ClientSettings()
        # The key as it could appear in a text: as is and URL-encoded; longest first. Keys of a
        # few characters are not searched for: masking them would garble ordinary words (real
        # Admin API keys are 32 characters; the header is masked regardless).
        usable = len(api_key) >= MIN_MASKED_KEY
        forms = {api_key, quote(api_key, safe=""), quote_plus(api_key)} if usable else set()
        self._secrets = sorted(forms, key=len, reverse=True)
        self._session: aiohttp.ClientSession | None = None
        self._limiter = RateLimiter(self.settings.requests_per_second)
        self._semaphore = asyncio.Semaphore(max(1, self.settings.concurrency))
        self._auth = dict(auth_headers) if auth_headers is not None else {"Api-Key": api_key}
        self.headers = {
            **self._auth,
            "Accept": "application/json",
            "User-Agent": self.settings.user_agent,
        }

    def __repr__(self) -> str:
        return f"KeitaroClient({self.base_url!r}, api_key={MASK})"

    def mask(self, text: str) -> str:
        """`text` with every form of the API key replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def masked_headers(self, with_body: bool) -> dict[str, str]:
        headers = {**self.headers, **dict.fromkeys(self._auth, MASK)}
        if with_body:
            headers["Content-Type"] = "application/json"
        return headers

    def url_for(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def __aenter__(self) -> KeitaroClient:
        settings = self.settings
        ssl_option = self._ssl_context()
        per_host = max(1, settings.concurrency)
        connector = aiohttp.TCPConnector(
            limit=max(per_host * 2, 8),
            limit_per_host=per_host,
            ssl=ssl_option,
            ttl_dns_cache=300,
            keepalive_timeout=settings.keepalive_timeout,
        )
        connect = min(settings.connect_timeout, settings.timeout)
        timeout = aiohttp.ClientTimeout(
            total=settings.timeout, connect=connect, sock_connect=connect
        )
        session = aiohttp.ClientSession(
            connector=connector, timeout=timeout, headers=self.headers, raise_for_status=False
        )
        # aiohttp resends GET/PUT/DELETE once, silently, when a reused connection breaks; the
        # retry policy here does that itself, so that each attempt is counted and logged.
        if hasattr(session, "_retry_connection"):
            session._retry_connection = False
        self._session = session
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _ssl_context(self) -> ssl.SSLContext | bool:
        if not self.settings.verify_tls:
            return False
        if self.settings.ca_bundle:
            problem: str | None = None
            try:
                return ssl.create_default_context(cafile=self.settings.ca_bundle)
            except (OSError, ssl.SSLError, ValueError) as exc:
                problem = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise NodeOperationError(
                f"cannot use the CA bundle {self.settings.ca_bundle!r} of the Keitaro "
                f"credentials: {problem}. It must be a readable PEM file of certificates"
            )
        return True

    async def send(self, request: ApiRequest, item_index: int | None = None) -> ApiResponse:
        """Send with retries where safe; raise NodeApiError when no good answer came."""
        if self._session is None:
            raise RuntimeError("KeitaroClient must be used inside 'async with'")
        settings = self.settings
        url = self.url_for(request.path)
        payload = (
            json.dumps(request.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            if request.has_body
            else None
        )
        headers = _JSON_BODY if payload is not None else None
        label = _Label(self, request, item_index)  # formatted only when a line is logged
        limit = max(1, settings.max_attempts)
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            if self._limiter.interval:  # no coroutine at all when the limit is off
                await self._limiter.wait()
            async with self._semaphore:
                started = time.perf_counter()
                outcome = await self._attempt(request.method, url, request.query, payload, headers)
            elapsed_ms = (time.perf_counter() - started) * 1000
            if outcome.error is None and 200 <= outcome.status < 300:
                if log.isEnabledFor(logging.INFO):
                    log.info(
                        "%s: attempt %d of %d -> HTTP %d (%.0f ms)",
                        label,
                        attempt,
                        limit,
                        outcome.status,
                        elapsed_ms,
                    )
                return self._success(request, outcome, url, attempt)
            retry, reason = should_retry(outcome, request.safe_to_repeat)
            reason = self.mask(reason)
            delay = (
                backoff_delay(outcome, attempt, settings.backoff_initial, settings.backoff_max)
                if retry
                else 0.0
            )
            if retry and attempt < limit and waited + delay <= settings.max_retry_time:
                log.warning(
                    "%s: attempt %d of %d failed (%s, %.0f ms); retrying in %.2f s",
                    label,
                    attempt,
                    limit,
                    reason,
                    elapsed_ms,
                    delay,
                )
                waited += delay
                await asyncio.sleep(delay)
                continue
            log.warning(
                "%s: attempt %d of %d failed (%s, %.0f ms); giving up: %s",
                label,
                attempt,
                limit,
                reason,
                elapsed_ms,
                why_not(outcome, request.safe_to_repeat, retry, attempt < limit),
            )
            raise self._failure(request, outcome, url, attempt, retry, delay, waited)

    async def _attempt(
        self,
        method: str,
        url: str,
        query: Mapping[str, str] | None,
        payload: bytes | None,
        headers: Mapping[str, str] | None,
    ) -> Outcome:
        """One request. Never raises for network trouble: the outcome says what happened."""
        assert self._session is not None
        settings = self.settings
        try:
            async with self._session.request(
                method, url, params=query, data=payload, headers=headers, allow_redirects=False
            ) as resp:
                status, answer_headers = resp.status, resp.headers
                try:
                    body = await self._read(resp)
                except _TooLarge as exc:
                    resp.close()  # drop the connection rather than read the rest
                    return Outcome(
                        status,
                        headers=answer_headers,
                        error=_too_large(exc.size, settings.max_response_bytes),
                        sent=True,
                        fatal=True,
                    )
                except TimeoutError:
                    return Outcome(
                        status,
                        headers=answer_headers,
                        error=f"the answer did not arrive in full within {settings.timeout:g} s",
                        sent=True,
                    )
                except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as exc:
                    return Outcome(
                        status,
                        headers=answer_headers,
                        error="the connection broke in the middle of the tracker's answer "
                        f"({_cut_reason(exc)})",
                        sent=True,
                    )
                return Outcome(status, body=body, headers=answer_headers)
        except aiohttp.ClientConnectorCertificateError as exc:
            problem = getattr(exc.certificate_error, "verify_message", None) or _describe(
                exc.certificate_error
            )
            return Outcome(
                error=f"the tracker's TLS certificate was not accepted ({problem}); set caBundle "
                "in the credentials to the CA file that signed it, or allowUnauthorizedCerts "
                "for a self-signed tracker",
                fatal=True,
            )
        except aiohttp.ClientConnectorSSLError as exc:
            return Outcome(
                error=f"the TLS handshake with the tracker failed ({_os_reason(exc)}); if the "
                "tracker serves plain HTTP on this port, start the domain with http://",
                fatal=True,
            )
        except aiohttp.ClientConnectorDNSError as exc:
            return Outcome(error=f"cannot resolve the tracker's host name {exc.host!r}")
        except aiohttp.ClientConnectorError as exc:
            return Outcome(error=f"cannot connect to {exc.host}:{exc.port} ({_os_reason(exc)})")
        except aiohttp.ConnectionTimeoutError:
            return Outcome(
                error=f"connecting to the tracker took longer than "
                f"{min(settings.connect_timeout, settings.timeout):g} s"
            )
        except aiohttp.ServerDisconnectedError:
            return Outcome(error="the tracker closed the connection without answering", sent=True)
        except aiohttp.ServerTimeoutError:
            return Outcome(error="the tracker stopped answering (read timeout)", sent=True)
        except aiohttp.ClientOSError as exc:
            return Outcome(
                error=f"the connection failed after the request was sent ({_os_reason(exc)})",
                sent=True,
            )
        except aiohttp.InvalidURL:
            return Outcome(error="the tracker URL is not valid; check the domain", fatal=True)
        except TimeoutError:
            return Outcome(error=f"no answer within {settings.timeout:g} s", sent=True)
        except aiohttp.ClientError as exc:
            return Outcome(error=_describe(exc), sent=True)

    async def _read(self, resp: aiohttp.ClientResponse) -> bytes:
        limit = self.settings.max_response_bytes
        declared = resp.content_length
        if declared is not None and declared > limit:
            raise _TooLarge(declared)
        if declared is not None and "Content-Encoding" not in resp.headers:
            return await resp.read()  # the usual small answer: its size is known and allowed
        buffer = bytearray()
        async for chunk in resp.content.iter_chunked(_CHUNK):
            buffer += chunk
            if len(buffer) > limit:
                raise _TooLarge(len(buffer))
        return bytes(buffer)

    def _success(
        self, request: ApiRequest, outcome: Outcome, url: str, attempt: int
    ) -> ApiResponse:
        content_type = outcome.headers.get("Content-Type", "")
        if request.binary and "json" not in content_type.lower():
            return ApiResponse(
                outcome.status,
                outcome.body,
                outcome.headers,
                attempt,
                url,
                content_type,
                outcome.body,
            )
        body = outcome.body
        if not body or body.isspace():
            return ApiResponse(outcome.status, None, outcome.headers, attempt, url, content_type)
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
                attempts=attempt,
                mask=self.mask,
                safe_to_repeat=request.safe_to_repeat,
            )
        return ApiResponse(outcome.status, data, outcome.headers, attempt, url, content_type)

    def _failure(
        self,
        request: ApiRequest,
        outcome: Outcome,
        url: str,
        attempt: int,
        retry: bool,
        delay: float,
        waited: float,
    ) -> NodeApiError:
        public = self.mask(url)
        where = f"{request.method} {public}"
        settings = self.settings
        if outcome.error is None:
            error = error_for_status(
                outcome.status,
                outcome.body,
                outcome.headers,
                method=request.method,
                url=public,
                attempts=attempt,
                mask=self.mask,
                safe_to_repeat=request.safe_to_repeat,
            )
            if retry and waited + delay > settings.max_retry_time:
                error.description = (error.description or where) + self.mask(
                    f"; gave up after {attempt} attempt(s): the next wait ({delay:g} s) would pass "
                    f"maxRetryTime ({settings.max_retry_time:g} s)"
                )
            elif retry:
                error.description = (error.description or where) + (
                    f"; gave up after {attempt} attempts"
                )
            elif outcome.status in AMBIGUOUS and not request.safe_to_repeat:
                error.message += (
                    " - the proxy may have passed the request on, so the change may or may not "
                    "have happened; it was not sent again. Check the tracker before running this "
                    "item again"
                )
            return error
        code = outcome.status or None
        if outcome.fatal:
            text = outcome.error
            if outcome.sent and not request.safe_to_repeat:
                text += ". The request itself was processed; it was not sent again"
            return NodeApiError(
                self.mask(text),
                http_code=code,
                description=where,
                retryable=False,
                attempts=attempt,
            )
        if outcome.sent and not request.safe_to_repeat and outcome.status not in REFUSED:
            if 200 <= outcome.status < 300:
                text = (
                    f"the tracker answered HTTP {outcome.status}, but {outcome.error}. The change "
                    "was made but its result was lost; it was not sent again. Check the tracker "
                    "before running this item again"
                )
            else:
                text = (
                    f"{outcome.error}. The request was sent, so the change may or may not have "
                    "happened; it was not sent again. Check the tracker before running this item "
                    "again"
                )
            return NodeApiError(
                self.mask(text),
                http_code=code,
                description=where,
                retryable=False,
                attempts=attempt,
            )
        tail = f"after {attempt} attempts" if attempt > 1 else "on the first attempt"
        if retry and attempt < max(1, settings.max_attempts):
            tail += f"; maxRetryTime ({settings.max_retry_time:g} s) is used up"
        return NodeApiError(
            self.mask(f"{outcome.error} ({tail})"),
            http_code=code,
            description=where,
            retryable=True,
            attempts=attempt,
        )


_NOT_JSON = object()


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n} bytes"


def _too_large(size: int, limit: int) -> str:
    return (
        f"the tracker's answer is larger than the {_size(limit)} limit ({_size(size)} or more); "
        "ask for less (a limit, filters, fewer columns) or page through it"
    )


_RECEIVED = re.compile(r"received (\d+) of (\d+) bytes")


def _cut_reason(exc: BaseException) -> str:
    """How much of a cut-off answer arrived, in words."""
    found = _RECEIVED.search(str(exc))
    if found:
        return f"got {found.group(1)} of {found.group(2)} bytes"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the answer is incomplete"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__


def _os_reason(exc: OSError) -> str:
    return exc.strerror or _describe(exc)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
