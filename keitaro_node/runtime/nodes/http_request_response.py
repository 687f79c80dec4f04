"""From an answer to the HTTP Request node's output items, as n8n makes them.

Response formats: `autodetect` (JSON when the Content-Type says application/json, a file for
images, audio, video, PDFs, archives and octet streams, text otherwise), `json`, `text`
(a JSON answer is re-written compactly, as n8n parses it first) and `file` (binary data,
the input item's JSON beside it). With the full response the item holds `body` (or the text
field), `headers` (lower-case names), `statusCode` and `statusMessage`. A JSON array becomes
one item per element. Secrets of the credential are masked in every item.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import NodeOperationError
from ..http.encoding import js_json
from ..http.retry import Outcome
from ..http.secrets import SecretMask
from ..items import BinaryData, Item, PairedItem
from .http_request_errors import answer_text

BINARY_TYPES = (
    "image/",
    "audio/",
    "video/",
    "application/octet-stream",
    "application/gzip",
    "application/zip",
    "application/vnd.rar",
    "application/epub+zip",
    "application/x-bzip",
    "application/x-bzip2",
    "application/x-cdf",
    "application/vnd.amazon.ebook",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-fontobject",
    "application/vnd.oasis.opendocument.presentation",
    "application/pdf",
    "application/x-tar",
    "application/vnd.visio",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/x-7z-compressed",
)
_EXTENSIONS = {
    "application/json": "json",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "application/gzip": "gz",
    "application/xml": "xml",
    "text/plain": "txt",
    "text/html": "html",
    "text/csv": "csv",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
}


class Undefined:
    """JavaScript's undefined: a field set to it is left out of the item."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = Undefined()


@dataclass(frozen=True, slots=True)
class ResponseOptions:
    """The node's Response option, as read for one item."""

    format: str = "autodetect"
    full: bool = False
    field: str = "data"
    never_error: bool = False
    raw_body: bool = False  # a raw body was sent: n8n does not parse the answer as JSON then

    @classmethod
    def read(cls, options: dict[str, Any], raw_body: bool) -> ResponseOptions:
        response = (options.get("response") or {}).get("response") or {}
        return cls(
            format=str(response.get("responseFormat") or "autodetect"),
            full=bool(response.get("fullResponse")),
            field=str(response.get("outputPropertyName") or "data"),
            never_error=bool(response.get("neverError")),
            raw_body=raw_body,
        )

    @property
    def accept(self) -> str:
        """The Accept header n8n sends for this format."""
        if self.format == "json":
            return "application/json,text/*;q=0.99"
        if self.format == "text":
            return (
                "application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, "
                "*/*;q=0.1"
            )
        return (
            "application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, "
            "image/*;q=0.8, */*;q=0.7"
        )


def response_headers(outcome: Outcome) -> dict[str, Any]:
    """Header names in lower case; Set-Cookie as a list, other repeated headers joined."""
    out: dict[str, Any] = {}
    for name, value in outcome.headers.items():
        key = name.lower()
        if key == "set-cookie":
            out.setdefault(key, []).append(value)
        elif key in out:
            out[key] = f"{out[key]}, {value}"
        else:
            out[key] = value
    return out


def _content_type(outcome: Outcome) -> str:
    return outcome.headers.get("Content-Type", "")


def parsed_body(outcome: Outcome, options: ResponseOptions) -> tuple[str, Any]:
    """The format this answer is read in, and its body read that way."""
    content_type = _content_type(outcome)
    fmt = options.format
    if fmt == "autodetect":
        if "application/json" in content_type:
            text = answer_text(outcome)
            try:
                return "json", json.loads(text)
            except ValueError:
                if options.never_error:
                    return "json", {}
                raise NodeOperationError("Invalid JSON in response body") from None
        if any(kind in content_type for kind in BINARY_TYPES):
            return "file", outcome.body
        text = answer_text(outcome)
        return "text", text if text else UNDEFINED
    if fmt == "file":
        return "file", outcome.body
    text = answer_text(outcome)
    if not text:
        return fmt, UNDEFINED
    if options.raw_body:
        return fmt, text
    try:  # n8n asks for JSON and keeps the text when it does not parse
        return fmt, json.loads(text)
    except ValueError:
        return fmt, text


def page_view(outcome: Outcome, options: ResponseOptions) -> dict[str, Any]:
    """`$response` in pagination expressions: body, headers, statusCode."""
    content_type = _content_type(outcome)
    if options.format in ("autodetect", "file"):
        if options.format == "file":
            body: Any = {}
        else:
            text = answer_text(outcome)
            if "application/json" in content_type:
                try:
                    body = json.loads(text)
                except ValueError:
                    body = {}
            else:
                body = text
    else:
        _fmt, body = parsed_body(outcome, options)
        if body is UNDEFINED:
            body = None
    return {"body": body, "headers": response_headers(outcome), "statusCode": outcome.status}


def _text(value: Any) -> Any:
    """n8n's toText: objects as compact JSON, everything else as it is."""
    if isinstance(value, (dict, list)):
        return js_json(value)
    return value


def items_of(
    outcome: Outcome,
    options: ResponseOptions,
    source: Item,
    index: int,
    mask: SecretMask,
    url: str,
) -> list[Item]:
    """The output items of one answer (one page) for input item `index`."""
    fmt, body = parsed_body(outcome, options)
    pair = PairedItem(index)
    head: dict[str, Any] = {}
    if options.full:
        head = {
            "headers": response_headers(outcome),
            "statusCode": outcome.status,
            "statusMessage": outcome.reason,
        }
    if fmt == "file":
        data = body if isinstance(body, bytes) else b""
        binary = dict(source.binary or {})
        binary[options.field] = _binary(outcome, data, options.field, url)
        json_data = head if options.full else source.json
        return [_masked(Item(json=json_data, binary=binary, paired_item=pair), mask, outcome)]
    if fmt == "text":
        text: dict[str, Any] = {}
        if body is not UNDEFINED:
            text[options.field] = _text(body)
        return [_masked(Item(json={**text, **head}, paired_item=pair), mask, outcome)]
    if options.format == "json" and isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            raise NodeOperationError(
                'Response body is not valid JSON. Change "Response Format" to "Text"'
            ) from None
    if options.full:
        whole = {"body": body, **head} if body is not UNDEFINED else head
        return [_masked(Item(json=whole, paired_item=pair), mask, outcome)]
    values = body if isinstance(body, list) else [body]
    return [_masked(Item(json=_object(v), paired_item=pair), mask, outcome) for v in values]


def _object(value: Any) -> dict[str, Any]:
    """An item's JSON: objects as they are, null and undefined as {}, other values wrapped
    as {data: value} (n8n would make the value itself the item, which later nodes cannot
    read)."""
    if isinstance(value, dict):
        return value
    if value is None or value is UNDEFINED:
        return {}
    return {"data": value}


def _masked(item: Item, mask: SecretMask, outcome: Outcome) -> Item:
    if mask and (mask.in_bytes(outcome.body) or mask.found_in(dict(outcome.headers))):
        item.json = mask.data(item.json)
    return item


def _binary(outcome: Outcome, data: bytes, field: str, url: str) -> BinaryData:
    content_type = _content_type(outcome)
    mime = content_type.split(" ")[0].split(";")[0] or "text/plain"
    name = _disposition_name(outcome.headers.get("Content-Disposition", ""))
    if name is None:
        path = unquote(urlsplit(outcome.url or url).path)
        base = PurePosixPath(path).name
        name = base or None
    if name is None:
        extension = _EXTENSIONS.get(mime)
        name = f"{field}.{extension}" if extension else None
    return BinaryData(data, mime, name)


def _disposition_name(header: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() in ("filename", "filename*") and value:
            value = value.strip('"')
            if value.lower().startswith("utf-8''"):
                value = unquote(value[7:])
            return PurePosixPath(value).name or None
    return None
