"""The item a Webhook node starts a workflow with, built from the request as n8n builds it:
`{headers, params, query, body, webhookUrl, executionMode}` and binary data when the body is
a file (or `rawBody` is set).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

from aiohttp import web
from multidict import CIMultiDictProxy

from keitaro_node.runtime.items import BinaryData, Item
from keitaro_node.runtime.nodes.webhook import WebhookSpec

from .query import parse_query
from .xml_body import parse_xml

# Node.js keeps the first of these headers when a request repeats them; it joins the others.
_SINGLE_HEADERS = frozenset(
    "age authorization content-length content-type etag expires from host if-modified-since "
    "if-unmodified-since last-modified location max-forwards proxy-authorization referer "
    "retry-after server user-agent".split()
)
_NO_BODY = object()


class BodyError(Exception):
    """The body does not parse as its Content-Type says (n8n answers 422)."""

    def __init__(self, hint: str) -> None:
        super().__init__("Failed to parse request body")
        self.hint = hint


@dataclass(frozen=True)
class ContentType:
    media: str | None
    charset: str

    @classmethod
    def of(cls, header: str | None) -> ContentType:
        if not header:
            return cls(None, "utf-8")
        message = Message()
        message["content-type"] = header
        charset = message.get_param("charset")
        return cls(
            message.get_content_type().lower(),
            str(charset).lower() if isinstance(charset, str) else "utf-8",
        )


def node_headers(headers: CIMultiDictProxy[str]) -> dict[str, Any]:
    """Header names lower-cased, repeated headers combined as Node.js combines them."""
    out: dict[str, Any] = {}
    for name, value in headers.items():
        key = name.lower()
        if key not in out:
            out[key] = [value] if key == "set-cookie" else value
        elif key == "set-cookie":
            out[key].append(value)
        elif key == "cookie":
            out[key] = f"{out[key]}; {value}"
        elif key not in _SINGLE_HEADERS:
            out[key] = f"{out[key]}, {value}"
    return out


def path_params(spec: WebhookSpec, request_path: str) -> dict[str, str]:
    """`:name` segments of a dynamic path, read from the request's path."""
    if not spec.dynamic:
        return {}
    template = spec.path.split("/")[1:]  # after the webhookId
    given = request_path.split("/")[1:]
    return {t[1:]: g for t, g in zip(template, given, strict=False) if t.startswith(":")}


async def build_item(
    request: web.Request,
    spec: WebhookSpec,
    request_path: str,
    webhook_url: str,
    test_mode: bool,
) -> Item:
    """Read the body (the size limit applies) and build the item; BodyError when it is broken."""
    content_type = ContentType.of(request.headers.get("Content-Type"))
    multipart = content_type.media == "multipart/form-data" and not spec.binary_data
    raw = b"" if multipart else await request.read()
    json_part: dict[str, Any] = {
        "headers": node_headers(request.headers),
        "params": path_params(spec, request_path),
        "query": parse_query(request.query_string),
    }
    binary: dict[str, BinaryData] | None = None
    if spec.binary_data:
        json_part["body"] = {}
        binary = _file(raw, spec, content_type, request.headers)
    elif multipart:
        body, binary = await _form_data(request, spec)
        json_part["body"] = body
    else:
        body = _parsed(raw, content_type, spec.type_version)
        if body is _NO_BODY and spec.type_version > 1 and not spec.raw_body:
            json_part["body"] = {}
            binary = _file(raw, spec, content_type, request.headers)
        elif body is not _NO_BODY:
            json_part["body"] = body
        if spec.raw_body:
            binary = {
                "data": BinaryData(raw, content_type.media or "application/json", None),
            }
    json_part["webhookUrl"] = webhook_url
    json_part["executionMode"] = "test" if test_mode else "production"
    return Item(json=json_part, binary=binary)


def _parsed(raw: bytes, content_type: ContentType, version: float) -> Any:
    media = content_type.media
    if not raw or media is None:
        return _NO_BODY
    text_types = media in ("application/json", "text/plain", "application/x-www-form-urlencoded")
    xml = media.endswith("/xml") or media.endswith("+xml")
    if not (text_types or xml):
        return _NO_BODY
    try:
        text = raw.decode(content_type.charset)
    except (LookupError, UnicodeDecodeError) as exc:
        raise BodyError(str(exc)) from None
    try:
        if media == "application/json":
            return json.loads(text)
        if xml:
            return parse_xml(text)
        if media == "application/x-www-form-urlencoded":
            return parse_query(text, flat=True)
        return text
    except ValueError as exc:
        raise BodyError(str(exc)) from None


def _file(
    raw: bytes, spec: WebhookSpec, content_type: ContentType, headers: Mapping[str, str]
) -> dict[str, BinaryData] | None:
    if not raw:
        return None
    name = spec.binary_property_name or "data"
    file_name = _disposition_name(headers.get("Content-Disposition")) or str(uuid.uuid4())
    return {name: BinaryData(raw, content_type.media or "application/octet-stream", file_name)}


def _disposition_name(header: str | None) -> str | None:
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    name = message.get_filename()
    return name if isinstance(name, str) else None


async def _form_data(
    request: web.Request, spec: WebhookSpec
) -> tuple[dict[str, Any], dict[str, BinaryData] | None]:
    """Fields into the body (a repeated field gives a list); files into binary properties."""
    form = await request.post()  # the size limit applies here too
    fields: dict[str, list[str]] = {}
    files: dict[str, list[BinaryData]] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            data = value.file.read()
            files.setdefault(key, []).append(
                BinaryData(data, value.content_type or "application/octet-stream", value.filename)
            )
        else:
            fields.setdefault(key, []).append(str(value))
    body: dict[str, Any] = {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    binary: dict[str, BinaryData] = {}
    count = 0
    for key, entries in files.items():
        base = key[:-2] if key.endswith("[]") else key
        for index, entry in enumerate(entries):
            name = f"{base}{index}" if len(entries) > 1 else base
            if spec.binary_property_name:
                name = f"{spec.binary_property_name}{count}"
            binary[name] = entry
            count += 1
    return body, binary or None
