"""The HTTP transport of a run: one aiohttp session, explicit limits, retries that never double
a write, answers capped in size, and every text masked.

Limits (``HttpSettings``):

* ``timeout`` bounds one request with its answer, ``connect_timeout`` opening a connection;
* ``concurrency`` bounds requests in flight and is the connection limit per host, and
  ``requests_per_second`` spaces request starts;
* ``max_response_bytes`` caps one answer (counted after decompression); a larger one fails
  with a clear error instead of filling memory;
* the User-Agent is our own (CDNs block the default library agents); TLS certificates are
  verified unless ``verify_tls`` is off, against ``ca_bundle`` if given;
* redirects are not followed unless a request asks for it (``SendOptions.redirects``); when
  one is followed to another origin, the headers that carry credentials are dropped.

Retries follow ``retry.py``: an attempt that failed before the request left, or that the
server refused (429, 503), is repeated for every request; one that failed after the request
left, or got a proxy's 502/504, only for requests that are safe to repeat. The wait is the
answer's Retry-After or jittered exponential backoff, bounded by ``max_attempts`` and
``max_retry_time``. aiohttp's own silent resend of idempotent requests on a reused
connection is switched off, so every attempt is one request, one log line and one count.

Every text this module produces passes through the caller's mask, aiohttp's own exceptions
are turned into our errors without being chained to them, and errors are raised outside
``except`` blocks, so a traceback carries neither a secret nor aiohttp's URLs.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from ..errors import NodeApiError, NodeOperationError
from .limiter import RateLimiter
from .retry import AMBIGUOUS, REFUSED, Outcome, backoff_delay, should_retry, why_not
from .secrets import SecretMask
from .settings import HttpSettings, size_text
from .stats import RequestStats

_CHUNK = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that carry credentials whoever set them; never carried to another origin.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})

Query = Mapping[str, str] | Sequence[tuple[str, str]] | None
# Builds the error for an answer with a status the request did not accept:
# (outcome, method, masked url, attempts, safe_to_repeat) -> NodeApiError
StatusError = Callable[[Outcome, str, str, int, bool], NodeApiError]


@dataclass(frozen=True, slots=True)
class Wording:
    """How failures name the other side and what they advise; each node speaks of its own."""

    peer: str = "the server"
    tls_hint: str = (
        "set the option Ignore SSL Issues (allowUnauthorizedCerts) to accept a self-signed "
        "certificate"
    )
    plain_http_hint: str = "if the server speaks plain HTTP on this port, use an http:// URL"
    invalid_url: str = "the URL is not valid"
    too_large_hint: str = "ask for less or page through it"
    ca_bundle_owner: str = "the credentials"


@dataclass(frozen=True, slots=True)
class Redirects:
    """Follow up to `max_redirects` redirects; `credential_headers` (lower case) and digest
    auth go only to the origin they were meant for."""

    max_redirects: int = 21
    credential_headers: frozenset[str] = frozenset()


@dataclass(slots=True)
class SendOptions:
    """What a request may ask beyond method, URL, query, body and headers."""

    redirects: Redirects | None = None  # None: a redirect is an answer like any other
    any_status: bool = False  # every status is an answer (no status is an error)
    middlewares: tuple[Any, ...] | None = None  # e.g. aiohttp.DigestAuthMiddleware
    proxy: str | None = None
    timeout: float | None = None  # overrides settings.timeout for this request


class TransportFailure(NodeApiError):
    """A request that got no usable answer; `failure` says how (see Outcome.kind), `sent`
    whether it had left, `ambiguous` whether a write may have happened."""

    def __init__(
        self, message: str, *, failure: str, sent: bool, ambiguous: bool, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.failure = failure
        self.sent = sent
        self.ambiguous = ambiguous


class Transport:
    """Sends requests of one run. Use as `async with Transport(...) as transport:`."""

    def __init__(
        self,
        settings: HttpSettings,
        *,
        headers: Mapping[str, str] | None = None,
        mask: SecretMask | None = None,
        wording: Wording | None = None,
        status_error: StatusError | None = None,
        logger: logging.Logger | None = None,
        stats: RequestStats | None = None,
    ) -> None:
        self.settings = settings
        self.stats = stats
        self.headers = dict(headers or {})
        self.mask = mask or SecretMask()
        self.wording = wording or Wording()
        self.status_error = status_error or _plain_status_error
        self.log = logger or logging.getLogger("keitaro_node.runtime.http")
        self._session: aiohttp.ClientSession | None = None
        self._limiter = RateLimiter(settings.requests_per_second)
        self._semaphore = asyncio.Semaphore(max(1, settings.concurrency))

    async def __aenter__(self) -> Transport:
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
        session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout(settings.timeout),
            headers=self.headers,
            raise_for_status=False,
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

    def _timeout(self, total: float) -> aiohttp.ClientTimeout:
        connect = min(self.settings.connect_timeout, total)
        return aiohttp.ClientTimeout(total=total, connect=connect, sock_connect=connect)

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
                f"cannot use the CA bundle {self.settings.ca_bundle!r} of "
                f"{self.wording.ca_bundle_owner}: {problem}. It must be a readable PEM file of "
                "certificates"
            )
        return True

    async def send(
        self,
        method: str,
        url: str,
        query: Query = None,
        payload: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        safe_to_repeat: bool = True,
        label: object = None,
        options: SendOptions | None = None,
    ) -> Outcome:
        """Send with retries where safe; the answer's Outcome (with `attempts`), or raise
        NodeApiError when no acceptable answer came. `label` names the request in log lines
        (formatted only when a line is written)."""
        if self._session is None:
            raise RuntimeError("the transport must be used inside 'async with'")
        settings = self.settings
        if label is None:
            label = _Label(self.mask, method, url)
        any_status = options is not None and options.any_status
        limit = max(1, settings.max_attempts)
        log = self.log
        waited = 0.0
        attempt = 0
        while True:
            attempt += 1
            if self._limiter.interval:  # no coroutine at all when the limit is off
                await self._limiter.wait()
            async with self._semaphore:
                started = time.perf_counter()
                outcome = await self._attempt(method, url, query, payload, headers, options)
            elapsed_ms = (time.perf_counter() - started) * 1000
            answered = outcome.error is None and (200 <= outcome.status < 300 or any_status)
            stats = self.stats
            if stats is not None:
                stats.requests += 1
                if not safe_to_repeat and (outcome.sent or outcome.status):  # it left
                    stats.writes += 1
                if not answered:
                    stats.failed += 1
            if answered:
                if log.isEnabledFor(logging.INFO):
                    log.info(
                        "%s: attempt %d of %d -> HTTP %d (%.0f ms)",
                        label,
                        attempt,
                        limit,
                        outcome.status,
                        elapsed_ms,
                    )
                outcome.attempts = attempt
                return outcome
            retry, reason = should_retry(outcome, safe_to_repeat)
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
                why_not(outcome, safe_to_repeat, retry, attempt < limit),
            )
            raise self._failure(method, url, outcome, safe_to_repeat, attempt, retry, delay, waited)

    async def _attempt(
        self,
        method: str,
        url: str,
        query: Query,
        payload: bytes | None,
        headers: Mapping[str, str] | None,
        options: SendOptions | None,
    ) -> Outcome:
        """One request (following redirects when asked). Never raises for network trouble:
        the outcome says what happened."""
        assert self._session is not None
        wording = self.wording
        peer = wording.peer
        timeout = self.settings.timeout
        extra: dict[str, Any] = {}
        redirects: Redirects | None = None
        if options is not None:
            redirects = options.redirects
            if options.middlewares is not None:
                extra["middlewares"] = options.middlewares
            if options.proxy:
                extra["proxy"] = options.proxy
            if options.timeout is not None:
                timeout = options.timeout
                extra["timeout"] = self._timeout(timeout)
        hops = 0
        sent = False
        try:
            while True:
                async with self._session.request(
                    method,
                    url,
                    params=query,
                    data=payload,
                    headers=headers,
                    allow_redirects=False,
                    **extra,
                ) as resp:
                    sent = True
                    status, answer_headers = resp.status, resp.headers
                    if (
                        redirects is not None
                        and status in REDIRECT_STATUSES
                        and "Location" in answer_headers
                    ):
                        if hops >= redirects.max_redirects:
                            return Outcome(
                                status,
                                headers=answer_headers,
                                error=f"more than {redirects.max_redirects} redirects; the last "
                                f"one was to {answer_headers['Location']}",
                                sent=True,
                                fatal=True,
                                kind="redirects",
                            )
                        target = resp.url.join(URL(answer_headers["Location"]))
                        method, payload, headers, extra = _redirected(
                            status, method, payload, headers, extra, resp.url, target, redirects
                        )
                        url, query = str(target), None
                        hops += 1
                        continue
                    try:
                        body = await self._read(resp) if method != "HEAD" else b""
                    except _TooLarge as exc:
                        resp.close()  # drop the connection rather than read the rest
                        return Outcome(
                            status,
                            headers=answer_headers,
                            error=self._too_large(exc.size),
                            sent=True,
                            fatal=True,
                            kind="too_large",
                        )
                    except TimeoutError:
                        return Outcome(
                            status,
                            headers=answer_headers,
                            error=f"the answer did not arrive in full within {timeout:g} s",
                            sent=True,
                            kind="timeout",
                        )
                    except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as exc:
                        return Outcome(
                            status,
                            headers=answer_headers,
                            error=f"the connection broke in the middle of {peer}'s answer "
                            f"({_cut_reason(exc)})",
                            sent=True,
                            kind="cut",
                        )
                    return Outcome(
                        status,
                        body=body,
                        headers=answer_headers,
                        reason=resp.reason or "",
                        url=url if not hops else str(resp.url),
                    )
        except aiohttp.ClientConnectorCertificateError as exc:
            problem = getattr(exc.certificate_error, "verify_message", None) or _describe(
                exc.certificate_error
            )
            return Outcome(
                error=f"{peer}'s TLS certificate was not accepted ({problem}); {wording.tls_hint}",
                fatal=True,
                sent=sent,
                kind="tls",
            )
        except aiohttp.ClientConnectorSSLError as exc:
            return Outcome(
                error=f"the TLS handshake with {peer} failed ({_os_reason(exc)}); "
                f"{wording.plain_http_hint}",
                fatal=True,
                sent=sent,
                kind="tls",
            )
        except aiohttp.ClientConnectorDNSError as exc:
            return Outcome(
                error=f"cannot resolve {peer}'s host name {exc.host!r}", sent=sent, kind="dns"
            )
        except aiohttp.ClientConnectorError as exc:
            return Outcome(
                error=f"cannot connect to {exc.host}:{exc.port} ({_os_reason(exc)})",
                sent=sent,
                kind="refused",
            )
        except aiohttp.ConnectionTimeoutError:
            return Outcome(
                error=f"connecting to {peer} took longer than "
                f"{min(self.settings.connect_timeout, timeout):g} s",
                sent=sent,
                kind="connect_timeout",
            )
        except aiohttp.ServerDisconnectedError:
            return Outcome(
                error=f"{peer} closed the connection without answering",
                sent=True,
                kind="disconnected",
            )
        except aiohttp.ServerTimeoutError:
            return Outcome(
                error=f"{peer} stopped answering (read timeout)", sent=True, kind="timeout"
            )
        except aiohttp.ClientOSError as exc:
            return Outcome(
                error=f"the connection failed after the request was sent ({_os_reason(exc)})",
                sent=True,
                kind="reset",
            )
        except aiohttp.InvalidURL:
            return Outcome(error=wording.invalid_url, fatal=True, sent=sent, kind="invalid_url")
        except ValueError as exc:  # e.g. a header value with a line break
            problem = str(exc) or type(exc).__name__
            return Outcome(
                error=f"the request cannot be sent: {problem}", fatal=True, sent=sent, kind="other"
            )
        except TimeoutError:
            return Outcome(error=f"no answer within {timeout:g} s", sent=True, kind="timeout")
        except aiohttp.ClientError as exc:
            return Outcome(error=_describe(exc), sent=True, kind="other")

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

    def _too_large(self, size: int) -> str:
        limit = self.settings.max_response_bytes
        return (
            f"{self.wording.peer}'s answer is larger than the {size_text(limit)} limit "
            f"({size_text(size)} or more); {self.wording.too_large_hint}"
        )

    def _failure(
        self,
        method: str,
        url: str,
        outcome: Outcome,
        safe_to_repeat: bool,
        attempt: int,
        retry: bool,
        delay: float,
        waited: float,
    ) -> NodeApiError:
        public = self.mask(url)
        where = f"{method} {public}"
        settings = self.settings
        peer = self.wording.peer
        if outcome.error is None:
            error = self.status_error(outcome, method, public, attempt, safe_to_repeat)
            if retry and waited + delay > settings.max_retry_time:
                error.description = (error.description or where) + self.mask(
                    f"; gave up after {attempt} attempt(s): the next wait ({delay:g} s) would pass "
                    f"maxRetryTime ({settings.max_retry_time:g} s)"
                )
            elif retry and attempt > 1:
                error.description = (error.description or where) + (
                    f"; gave up after {attempt} attempts"
                )
            elif outcome.status in AMBIGUOUS and not safe_to_repeat:
                error.message += (
                    " - the proxy may have passed the request on, so the change may or may not "
                    f"have happened; it was not sent again. Check {peer} before running this "
                    "item again"
                )
                error.retryable = False
            return error
        code = outcome.status or None
        if outcome.fatal:
            text = outcome.error
            if outcome.sent and not safe_to_repeat:
                text += ". The request itself was processed; it was not sent again"
            return TransportFailure(
                self.mask(text),
                failure=outcome.kind,
                sent=outcome.sent,
                ambiguous=False,
                http_code=code,
                description=where,
                retryable=False,
                attempts=attempt,
            )
        if outcome.sent and not safe_to_repeat and outcome.status not in REFUSED:
            if 200 <= outcome.status < 300:
                text = (
                    f"{peer} answered HTTP {outcome.status}, but {outcome.error}. The change "
                    "was made but its result was lost; it was not sent again. Check "
                    f"{peer} before running this item again"
                )
            else:
                text = (
                    f"{outcome.error}. The request was sent, so the change may or may not have "
                    f"happened; it was not sent again. Check {peer} before running this item "
                    "again"
                )
            return TransportFailure(
                self.mask(text),
                failure=outcome.kind,
                sent=True,
                ambiguous=True,
                http_code=code,
                description=where,
                retryable=False,
                attempts=attempt,
            )
        tail = f"after {attempt} attempts" if attempt > 1 else "on the first attempt"
        if retry and attempt < max(1, settings.max_attempts):
            tail += f"; maxRetryTime ({settings.max_retry_time:g} s) is used up"
        return TransportFailure(
            self.mask(f"{outcome.error} ({tail})"),
            failure=outcome.kind,
            sent=outcome.sent,
            ambiguous=False,
            http_code=code,
            description=where,
            retryable=True,
            attempts=attempt,
        )


class _Label:
    """`GET https://host/path` for log lines, built only when a line is written."""

    __slots__ = ("mask", "method", "url")

    def __init__(self, mask: SecretMask, method: str, url: str) -> None:
        self.mask = mask
        self.method = method
        self.url = url

    def __str__(self) -> str:
        return self.mask(f"{self.method} {self.url}")


def _plain_status_error(
    outcome: Outcome, method: str, url: str, attempts: int, safe_to_repeat: bool
) -> NodeApiError:
    status = outcome.status
    return NodeApiError(
        f"the server answered HTTP {status}",
        http_code=status,
        description=f"{method} {url}",
        retryable=status in REFUSED or (status >= 500 and safe_to_repeat),
        attempts=attempts,
    )


def same_origin(a: URL, b: URL) -> bool:
    """Whether credentials meant for `a` may go to `b`: the same host and port, or the same
    host moved from http to https on the default ports (never from https down to http)."""
    if (a.host or "").lower() != (b.host or "").lower():
        return False
    if a.scheme == b.scheme:
        return a.port == b.port
    return (
        a.scheme == "http" and b.scheme == "https" and a.is_default_port() and b.is_default_port()
    )


def _redirected(
    status: int,
    method: str,
    payload: bytes | None,
    headers: Mapping[str, str] | None,
    extra: dict[str, Any],
    source: URL,
    target: URL,
    redirects: Redirects,
) -> tuple[str, bytes | None, Mapping[str, str] | None, dict[str, Any]]:
    """The next hop's method, body, headers and options: 303 (and 301/302 after a POST)
    become a GET without a body; credentials stay behind when the origin changes."""
    if (status == 303 and method not in ("GET", "HEAD")) or (
        status in (301, 302) and method == "POST"
    ):
        method, payload = "GET", None
        if headers:
            headers = {
                k: v
                for k, v in headers.items()
                if k.lower() not in ("content-type", "content-length")
            }
    if not same_origin(source, target):
        drop = CREDENTIAL_HEADERS | redirects.credential_headers
        if headers:
            headers = {k: v for k, v in headers.items() if k.lower() not in drop}
        extra = {k: v for k, v in extra.items() if k != "middlewares"}
    return method, payload, headers, extra


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


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
