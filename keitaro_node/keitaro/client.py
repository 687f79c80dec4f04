"""The HTTP transport to a Keitaro tracker: one aiohttp session per run, explicit limits.

Retries follow one rule: repeat a request only when repeating cannot duplicate a write.
Failures before the request left (refused connection, DNS, connect timeout) and answers that
refuse work (429, 503) are retried for every method; a timeout, reset or 502/504 after the
request left is retried only for requests that are safe to repeat (reads, PUT, DELETE and
read-only POSTs). A create that failed ambiguously fails its item with an error that says so.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from keitaro_node import __version__
from keitaro_node.runtime.errors import NodeApiError

from .http_errors import error_for_status, not_json_error

log = logging.getLogger("keitaro_node.keitaro.client")

API_PREFIX = "/admin_api/v1"
USER_AGENT = f"keitaro-node/{__version__} (+https://pypi.org/project/keitaro-node/)"


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


class _Outcome:
    """What one attempt produced: an answer, or a transport failure and when it happened."""

    __slots__ = ("body", "error", "headers", "sent", "status")

    def __init__(
        self,
        status: int = 0,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        error: str | None = None,
        sent: bool = False,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.error = error
        self.sent = sent


class TransportFailure(Exception):
    """A failure that no retry can fix (bad certificate, invalid URL, oversized answer)."""


class KeitaroClient:
    """Sends ApiRequests to one tracker. Use as `async with KeitaroClient(...) as client:`."""

    def __init__(self, base_url: str, api_key: str, settings: ClientSettings | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings or ClientSettings()
        self._api_key = api_key
        self._session: aiohttp.ClientSession | None = None
        self._limiter = RateLimiter(self.settings.requests_per_second)
        self._semaphore = asyncio.Semaphore(max(1, self.settings.concurrency))
        self.headers = {
            "Api-Key": api_key,
            "Accept": "application/json",
            "User-Agent": self.settings.user_agent,
        }

    def __repr__(self) -> str:
        return f"KeitaroClient({self.base_url!r}, api_key=***)"

    def mask(self, text: str) -> str:
        return text.replace(self._api_key, "***") if self._api_key else text

    def masked_headers(self, with_body: bool) -> dict[str, str]:
        headers = {**self.headers, "Api-Key": "***"}
        if with_body:
            headers["Content-Type"] = "application/json"
        return headers

    def url_for(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def __aenter__(self) -> KeitaroClient:
        settings = self.settings
        connector = aiohttp.TCPConnector(
            limit=max(settings.concurrency * 2, 8),
            limit_per_host=max(1, settings.concurrency),
            ssl=self._ssl_context(),
            ttl_dns_cache=300,
        )
        timeout = aiohttp.ClientTimeout(
            total=settings.timeout,
            connect=settings.connect_timeout,
            sock_connect=settings.connect_timeout,
        )
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=timeout, headers=self.headers, raise_for_status=False
        )
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _ssl_context(self) -> ssl.SSLContext | bool:
        if not self.settings.verify_tls:
            return False
        if self.settings.ca_bundle:
            try:
                return ssl.create_default_context(cafile=self.settings.ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise NodeApiError(
                    f"cannot read the CA bundle {self.settings.ca_bundle}: {exc}"
                ) from None
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
        headers = {"Content-Type": "application/json"} if payload is not None else None
        waited = 0.0
        attempt = 0
        label = f"{request.method} {request.path}" + (
            f" [item {item_index}]" if item_index is not None else ""
        )
        while True:
            attempt += 1
            await self._limiter.wait()
            started = time.perf_counter()
            try:
                async with self._semaphore:
                    outcome = await self._attempt(
                        request.method, url, request.query, payload, headers
                    )
            except TransportFailure as exc:
                log.warning("%s attempt %d failed: %s", label, attempt, self.mask(str(exc)))
                raise NodeApiError(
                    self.mask(str(exc)),
                    description=self.mask(f"{request.method} {self._public(url)}"),
                    retryable=False,
                    attempts=attempt,
                ) from None
            elapsed_ms = (time.perf_counter() - started) * 1000
            if outcome.error is None and 200 <= outcome.status < 300:
                if log.isEnabledFor(logging.INFO):
                    log.info(
                        "%s attempt %d -> %d (%.0f ms)", label, attempt, outcome.status, elapsed_ms
                    )
                return self._success(request, outcome, url, attempt)
            retry, reason = self._should_retry(request, outcome)
            delay = self._delay(outcome, attempt) if retry else 0.0
            if (
                retry
                and attempt < settings.max_attempts
                and waited + delay <= settings.max_retry_time
            ):
                log.warning(
                    "%s attempt %d failed (%s); retrying in %.1f s", label, attempt, reason, delay
                )
                waited += delay
                await asyncio.sleep(delay)
                continue
            log.warning("%s attempt %d failed (%s); giving up", label, attempt, reason)
            raise self._failure(request, outcome, url, attempt, retry, delay, waited)

    async def _attempt(
        self,
        method: str,
        url: str,
        query: Mapping[str, str] | None,
        payload: bytes | None,
        headers: Mapping[str, str] | None,
    ) -> _Outcome:
        assert self._session is not None
        try:
            async with self._session.request(
                method, url, params=query, data=payload, headers=headers
            ) as resp:
                try:
                    body = await self._read(resp)
                except TransportFailure:
                    raise
                except (
                    TimeoutError,
                    aiohttp.ClientPayloadError,
                    aiohttp.ClientConnectionError,
                ) as exc:
                    return _Outcome(
                        status=resp.status,
                        error=f"the answer was cut off ({_describe(exc)})",
                        sent=True,
                    )
                return _Outcome(status=resp.status, body=body, headers=resp.headers)
        except aiohttp.ClientConnectorCertificateError as exc:
            raise TransportFailure(
                f"the tracker's TLS certificate was not accepted ({exc.certificate_error}); "
                "set caBundle to its CA file, or allowUnauthorizedCerts for a self-signed tracker"
            ) from None
        except aiohttp.ClientConnectorSSLError as exc:
            raise TransportFailure(
                f"TLS handshake with the tracker failed: {_describe(exc)}"
            ) from None
        except aiohttp.ClientConnectorDNSError as exc:
            return _Outcome(error=f"cannot resolve the tracker's host name ({_describe(exc)})")
        except aiohttp.ClientConnectorError as exc:
            return _Outcome(error=f"cannot connect to {exc.host}:{exc.port} ({_os_reason(exc)})")
        except aiohttp.ConnectionTimeoutError:
            return _Outcome(
                error=f"connecting took longer than {self.settings.connect_timeout:g} s"
            )
        except aiohttp.SocketTimeoutError:
            return _Outcome(
                error="the tracker stopped answering mid-request (read timeout)", sent=True
            )
        except aiohttp.ServerDisconnectedError:
            return _Outcome(error="the tracker closed the connection without answering", sent=True)
        except aiohttp.ClientOSError as exc:
            return _Outcome(
                error=f"the connection failed after the request was sent ({_os_reason(exc)})",
                sent=True,
            )
        except aiohttp.InvalidURL as exc:
            raise TransportFailure(f"the tracker URL is not valid: {exc}") from None
        except TimeoutError:
            return _Outcome(error=f"no answer within {self.settings.timeout:g} s", sent=True)
        except aiohttp.ClientError as exc:
            return _Outcome(error=_describe(exc), sent=True)

    async def _read(self, resp: aiohttp.ClientResponse) -> bytes:
        limit = self.settings.max_response_bytes
        length = resp.content_length
        if length is not None and length > limit:
            raise TransportFailure(_too_large(length, limit))
        if length is not None:
            return await resp.read()
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(256 * 1024):
            size += len(chunk)
            if size > limit:
                raise TransportFailure(_too_large(size, limit))
            chunks.append(chunk)
        return b"".join(chunks)

    def _should_retry(self, request: ApiRequest, outcome: _Outcome) -> tuple[bool, str]:
        if outcome.error is not None:
            if not outcome.sent:
                return True, outcome.error
            return request.safe_to_repeat, outcome.error
        status = outcome.status
        if status in (429, 503):
            return True, f"HTTP {status}"
        if status in (502, 504):
            return request.safe_to_repeat, f"HTTP {status}"
        return False, f"HTTP {status}"

    def _delay(self, outcome: _Outcome, attempt: int) -> float:
        retry_after = _retry_after(outcome.headers.get("Retry-After")) if outcome.headers else None
        if retry_after is not None:
            return retry_after
        ceiling = min(
            self.settings.backoff_max, self.settings.backoff_initial * 2.0 ** (attempt - 1)
        )
        return float(ceiling / 2 + random.uniform(0, ceiling / 2))

    def _success(
        self, request: ApiRequest, outcome: _Outcome, url: str, attempt: int
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
        if not body.strip():
            return ApiResponse(outcome.status, None, outcome.headers, attempt, url, content_type)
        try:
            data = json.loads(body)
        except ValueError:
            raise not_json_error(
                body,
                outcome.headers,
                status=outcome.status,
                method=request.method,
                url=self._public(url),
                attempts=attempt,
                mask=self.mask,
                safe_to_repeat=request.safe_to_repeat,
            ) from None
        return ApiResponse(outcome.status, data, outcome.headers, attempt, url, content_type)

    def _failure(
        self,
        request: ApiRequest,
        outcome: _Outcome,
        url: str,
        attempt: int,
        retry: bool,
        delay: float,
        waited: float,
    ) -> NodeApiError:
        public = self._public(url)
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
            if retry and delay + waited > self.settings.max_retry_time:
                error.description = (error.description or "") + (
                    f"; the tracker asked to wait {delay:g} s, beyond maxRetryTime {self.settings.max_retry_time:g} s"
                )
            elif retry:
                error.description = (
                    error.description or ""
                ) + f"; gave up after {attempt} attempts"
            elif outcome.status in (502, 504):
                error.message += (
                    " - the request reached the proxy, so the change may or may not have happened; "
                    "it was not sent again. Check the tracker before running this item again"
                )
            return error
        if outcome.sent and not request.safe_to_repeat:
            return NodeApiError(
                self.mask(
                    f"{outcome.error}. The request was sent, so the change may or may not have happened; "
                    "it was not sent again. Check the tracker before running this item again"
                ),
                description=self.mask(f"{request.method} {public}"),
                retryable=False,
                attempts=attempt,
            )
        tail = f"after {attempt} attempts" if attempt > 1 else "on the first attempt"
        return NodeApiError(
            self.mask(f"{outcome.error} ({tail})"),
            description=self.mask(f"{request.method} {public}"),
            retryable=not outcome.sent or request.safe_to_repeat,
            attempts=attempt,
        )

    def _public(self, url: str) -> str:
        return self.mask(url)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _too_large(size: int, limit: int) -> str:
    return (
        f"the answer is larger than {limit // (1024 * 1024)} MB ({size} bytes so far); "
        "ask for less (limit, filters) or page through it"
    )


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
