"""Pagination of the HTTP Request node: n8n's modes, with the expression language we have.

Two modes: "Update a Parameter in Each Request" sets query parameters, headers or body fields
from expressions before each request; "Response Contains Next URL" takes the next URL from
an expression. Expressions see the item's variables and `$response` (the previous page's
`body`, `headers`, `statusCode`), `$pageCount` (pages fetched so far) and `$request`.
Pagination is complete when the answer is empty, when it has one of the given status codes,
or when a Complete Expression is true; Max Pages bounds it, and four identical pages in a row
stop it with an error, as in n8n.

Before the first request `$response` is empty, as in n8n: an expression that reads it then
fails in our language where n8n gets undefined, so on the first page such a failure leaves
the parameter (or the URL) as the request has it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import NodeOperationError
from ..expressions import ExpressionError, compile_template, is_expression, truthy
from ..http.retry import Outcome
from ..scope import SCOPE_NAMES
from .http_request_build import Prepared, _drop
from .http_request_response import ResponseOptions, page_view

PAGE_NAMES = SCOPE_NAMES | frozenset({"$response", "$pageCount", "$request", "$version"})

IDENTICAL = "The returned response was identical 5x, so requests got stopped"


@dataclass(frozen=True, slots=True)
class PageParameter:
    kind: str  # qs, headers, body
    name: str
    value: Any


@dataclass(frozen=True, slots=True)
class Pagination:
    """The node's Pagination option, read raw (its expressions run per page)."""

    mode: str
    next_url: Any
    parameters: tuple[PageParameter, ...]
    complete_when: str
    status_codes: tuple[int, ...]
    complete_expression: Any
    max_requests: Any
    interval: Any

    @classmethod
    def read(cls, raw: Any) -> Pagination | None:
        """None when the option is absent or off; NodeOperationError when it cannot work."""
        if not isinstance(raw, Mapping):
            return None
        data = raw.get("pagination")
        if not isinstance(data, Mapping):
            return None
        mode = str(data.get("paginationMode", "updateAParameterInEachRequest"))
        if mode == "off":
            return None
        if mode not in ("updateAParameterInEachRequest", "responseContainsNextURL"):
            raise NodeOperationError(f"unknown pagination mode {mode!r}")
        complete_when = str(data.get("paginationCompleteWhen", "responseIsEmpty"))
        expression = data.get("completeExpression", "")
        if complete_when == "other" and not (
            isinstance(expression, str) and expression.startswith("=")
        ):
            raise NodeOperationError("Invalid or empty Complete Expression")
        parameters: tuple[PageParameter, ...] = ()
        if mode == "updateAParameterInEachRequest":
            parameters = _parameters(data.get("parameters"))
        codes = tuple(
            int(part.strip())
            for part in str(data.get("statusCodesWhenComplete", "")).split(",")
            if part.strip().lstrip("-").isdigit()
        )
        return cls(
            mode=mode,
            next_url=data.get("nextURL", ""),
            parameters=parameters,
            complete_when=complete_when,
            status_codes=codes,
            complete_expression=expression,
            max_requests=data.get("maxRequests", 100) if data.get("limitPagesFetched") else None,
            interval=data.get("requestInterval", 0),
        )


def _parameters(value: Any) -> tuple[PageParameter, ...]:
    rows = value.get("parameters") if isinstance(value, Mapping) else None
    rows = [r for r in rows or [{"type": "qs", "name": "", "value": ""}] if isinstance(r, Mapping)]
    if len(rows) == 1 and rows[0].get("name", "") == "" and rows[0].get("value", "") == "":
        raise NodeOperationError(
            "At least one entry with 'Name' and 'Value' filled must be included in 'Parameters' "
            "to use 'Update a Parameter in Each Request' mode "
        )
    out = []
    for number, row in enumerate(rows, start=1):
        name = str(row.get("name", ""))
        if name == "":
            raise NodeOperationError(
                f"Parameter name must be set for parameter [{number}] in pagination settings"
            )
        kind = str(row.get("type", "qs"))
        if kind not in ("body", "headers", "qs"):
            raise NodeOperationError(
                f"Parameter type must be one of: body, headers, qs for parameter [{number}] in "
                "pagination settings"
            )
        value = row.get("value", "")
        if value == "":
            raise NodeOperationError(
                f"Some value must be provided for parameter [{number}] in pagination settings, "
                "omitting it will result in an infinite loop"
            )
        out.append(PageParameter(kind, name, value))
    return tuple(out)


class _PageScope(dict[str, Any]):
    """The item's variables with the page's ones on top."""

    def __init__(self, item_scope: Mapping[str, Any], page: dict[str, Any]) -> None:
        super().__init__(page)
        self.item_scope = item_scope

    def __missing__(self, key: str) -> Any:
        return self.item_scope[key]


def _evaluate(value: Any, scope: Mapping[str, Any], where: str) -> Any:
    if not is_expression(value):
        return value
    try:
        return compile_template(value, PAGE_NAMES).render(scope)
    except ExpressionError as exc:
        raise NodeOperationError(f"the expression in {where} failed: {exc}") from None


Send = Callable[[Prepared], Awaitable[Outcome]]
StatusError = Callable[[Outcome], Exception]


async def fetch_pages(
    send: Send,
    first: Prepared,
    pagination: Pagination,
    item_scope: Mapping[str, Any],
    response_options: ResponseOptions,
    version: float,
    status_error: StatusError,
    public_request: dict[str, Any],
) -> list[Outcome]:
    """Every page of one item, until pagination is complete."""
    pages: list[Outcome] = []
    response: dict[str, Any] = {}
    count = 0
    previous_length, previous_hash, identical = 0, "", 0
    while True:
        scope = _PageScope(
            item_scope,
            {
                "$response": response,
                "$pageCount": count,
                "$request": public_request,
                "$version": version,
            },
        )
        request = first.copy()
        _apply(request, pagination, scope, count == 0)
        outcome = await send(request)
        length = _content_length(outcome)
        if previous_length == length:
            digest = outcome.headers.get("ETag") or hashlib.md5(outcome.body).hexdigest()
            if digest == previous_hash:
                identical += 1
                if identical > 2:
                    raise NodeOperationError(
                        IDENTICAL,
                        description='Check if "Pagination Completed When" has been configured '
                        "correctly.",
                    )
            else:
                identical = 0
            previous_hash = digest
        else:
            identical = 0
        previous_length = length
        pages.append(outcome)
        response = page_view(outcome, response_options)
        count += 1
        scope = _PageScope(
            item_scope,
            {
                "$response": response,
                "$pageCount": count,
                "$request": public_request,
                "$version": version,
            },
        )
        limit = _evaluate(pagination.max_requests, scope, "'Max Pages'")
        if limit and count >= _whole(limit, "Max Pages"):
            break
        if not _continues(pagination, response, scope):
            break
        interval = _evaluate(pagination.interval, scope, "'Interval Between Requests (ms)'")
        if interval:
            await asyncio.sleep(_whole(interval, "Interval Between Requests (ms)") / 1000)
        if not 200 <= outcome.status < 300:
            raise status_error(outcome)
    return pages


def _whole(value: Any, label: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise NodeOperationError(f"'{label}' must be a number, got {value!r}") from None


def _content_length(outcome: Outcome) -> int:
    try:
        return int(outcome.headers.get("Content-Length", "0"))
    except ValueError:
        return 0


def _continues(pagination: Pagination, response: dict[str, Any], scope: Mapping[str, Any]) -> bool:
    if pagination.complete_when == "receiveSpecificStatusCodes":
        return response["statusCode"] not in pagination.status_codes
    if pagination.complete_when == "responseIsEmpty":
        body = response["body"]
        return len(body) > 0 if isinstance(body, list) else truthy(body)
    done = _evaluate(pagination.complete_expression, scope, "'Complete Expression'")
    return not truthy(done)


def _apply(
    request: Prepared, pagination: Pagination, scope: Mapping[str, Any], first: bool
) -> None:
    if pagination.mode == "responseContainsNextURL":
        url = _first_page_value(pagination.next_url, scope, first, "'Next URL'")
        if url is None or url == "":
            return
        text = str(url)
        if not text.startswith(("http://", "https://")):
            raise NodeOperationError(
                f"'{text}' is not a valid URL.",
                description='Make sure the "Next URL" parameter evaluates to a valid URL.',
            )
        request.url = text
        return
    for parameter in pagination.parameters:
        value = _first_page_value(
            parameter.value, scope, first, f"the pagination parameter '{parameter.name}'"
        )
        if value is None:
            continue
        if parameter.kind == "qs":
            request.query[parameter.name] = value
        elif parameter.kind == "headers":
            _drop(request.headers, parameter.name.lower())
            request.headers[parameter.name] = str(value)
        else:
            if request.body_kind in (None, "json") and not isinstance(request.body, dict):
                request.body_kind, request.body = "json", {}
            if isinstance(request.body, dict):
                request.body[parameter.name] = value
            elif request.body_kind == "multipart" and isinstance(request.body, list):
                request.body = [(n, v) for n, v in request.body if n != parameter.name]
                request.body.append((parameter.name, value))


def _first_page_value(value: Any, scope: Mapping[str, Any], first: bool, where: str) -> Any:
    if not first:
        return _evaluate(value, scope, where)
    try:
        return _evaluate(value, scope, where)
    except NodeOperationError:
        return None  # n8n reads undefined from the empty $response here
