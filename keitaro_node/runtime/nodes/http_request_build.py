"""From one item's parameters to the request the HTTP Request node sends (nothing is sent).

The request is kept in parts - query values, headers, a body with its kind - until it is
encoded, so that pagination can change a query parameter, a header or a body field for each
page. Encoding follows n8n: query and form bodies as the `qs` library writes them, JSON
bodies compact, multipart bodies with the item's files, raw bodies with their content type,
binary bodies with the file's MIME type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from ..errors import NodeOperationError
from ..http.auth import RequestAuth
from ..http.encoding import (
    ArrayFormat,
    FilePart,
    encode_pairs,
    js_json,
    js_text,
    multipart,
    query_pairs,
    set_path,
    with_query,
)
from ..items import BinaryData, Item

BODY_METHODS = frozenset({"PATCH", "POST", "PUT", "GET"})
_FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(slots=True)
class Prepared:
    """A request in parts: what pagination may change, before it is encoded."""

    method: str
    url: str
    query: dict[str, Any] = field(default_factory=dict)
    array_format: ArrayFormat = "indices"
    headers: dict[str, str] = field(default_factory=dict)
    body_kind: str | None = None  # json, form, multipart, bytes, text
    body: Any = None
    content_type: str | None = None  # for bytes and text bodies

    def copy(self) -> Prepared:
        body = self.body
        if isinstance(body, dict):
            body = json.loads(json.dumps(body))
        elif isinstance(body, list):
            body = list(body)
        return replace(self, query=dict(self.query), headers=dict(self.headers), body=body)

    def encode(self) -> tuple[str, bytes | None, dict[str, str]]:
        """The URL with its query, the body's bytes and the headers to send."""
        url = with_query(self.url, query_pairs(self.query, self.array_format))
        headers = dict(self.headers)
        kind, body = self.body_kind, self.body
        payload: bytes | None = None
        if kind == "json":
            if isinstance(body, dict) and _header(headers, "content-type") == _FORM_TYPE:
                payload = encode_pairs(query_pairs(body)).encode()
            else:
                payload = js_json(body).encode("utf-8")
                if _header(headers, "content-type") is None:
                    headers["content-type"] = "application/json"
        elif kind == "form":
            _drop(headers, "content-type")
            payload = encode_pairs(query_pairs(body or {})).encode()
            headers["Content-Type"] = _FORM_TYPE
        elif kind == "multipart":
            _drop(headers, "content-type")
            payload, headers["content-type"] = multipart(_fields(body))
        elif kind == "bytes":
            payload = body
        elif kind == "text":
            payload = str(body).encode("utf-8")
        return url, payload, headers


def _fields(body: Any) -> list[tuple[str, str | FilePart]]:
    if isinstance(body, dict):  # versions before 4.2: one field per name
        out: list[tuple[str, str | FilePart]] = []
        for name, value in body.items():
            for one in value if isinstance(value, list) else [value]:
                out.append((name, one if isinstance(one, FilePart) else js_text(one)))
        return out
    return [(n, v if isinstance(v, FilePart) else js_text(v)) for n, v in body or []]


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _drop(headers: dict[str, str], name: str) -> None:
    for key in [k for k in headers if k.lower() == name]:
        del headers[key]


def build_request(
    params: dict[str, Any],
    item: Item,
    index: int,
    version: float,
    auth: RequestAuth | None,
    accept: str,
) -> Prepared:
    """The request of one item, as n8n builds it for these parameters."""
    url = params.get("url")
    if not isinstance(url, str):
        kind = "null" if url is None else type(url).__name__
        raise NodeOperationError(f"URL parameter must be a string, got {kind}")
    if not url.startswith(("http://", "https://")):
        raise NodeOperationError(f'Invalid URL: {url}. URL must start with "http" or "https".')
    method = str(params.get("method") or "GET")
    options: dict[str, Any] = params.get("options") or {}
    request = Prepared(method, url)
    if params.get("sendQuery"):
        if options.get("queryParameterArrays"):
            request.array_format = options["queryParameterArrays"]
        request.query = _query(params)
    if params.get("sendHeaders"):
        headers = _headers(params)
        if options.get("lowercaseHeaders", True) is not False:
            headers = {k.lower(): v for k, v in headers.items()}
        request.headers.update(headers)
    _body(request, params, item, index, version)
    if auth is not None:
        _authenticate(request, auth)
    if _header(request.headers, "accept") is None:
        request.headers["accept"] = accept
    return request


def _query(params: dict[str, Any]) -> dict[str, Any]:
    if params.get("specifyQuery", "keypair") == "json":
        return _json_object(params.get("jsonQuery"), "query")
    query: dict[str, Any] = {}
    for entry in _entries(params.get("queryParameters")):
        query[str(entry.get("name", ""))] = entry.get("value", "")
    return query


def _headers(params: dict[str, Any]) -> dict[str, str]:
    if params.get("specifyHeaders", "keypair") == "json":
        data = _json_object(params.get("jsonHeaders"), "headers")
        return {str(k): js_text(v) for k, v in data.items()}
    return {
        str(e["name"]): js_text(e.get("value", ""))
        for e in _entries(params.get("headerParameters"))
        if e.get("name")
    }


def _entries(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        entries = value.get("parameters") or []
        return [e for e in entries if isinstance(e, dict)]
    return []


def _json_object(value: Any, what: str) -> dict[str, Any]:
    """A JSON parameter (already parsed by the parameter types) that must be an object."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict):
        raise NodeOperationError(
            "JSON parameter needs to be valid JSON",
            description=f'the {what} must be a JSON object such as {{"name": "value"}}',
        )
    return value


def _body(
    request: Prepared, params: dict[str, Any], item: Item, index: int, version: float
) -> None:
    if not params.get("sendBody"):
        return
    content = params.get("contentType", "json")
    specify = params.get("specifyBody", "")
    entries = _entries(params.get("bodyParameters"))
    body: Any = None
    if specify == "keypair" or content == "multipart-form-data":
        body = _fields_of(entries, content, version, item, index)
    elif specify == "json":
        body = params.get("jsonBody")
        if isinstance(body, str) or body is None:
            try:
                body = json.loads(body or "")
            except ValueError:
                raise NodeOperationError("JSON parameter needs to be valid JSON") from None
    elif specify == "string":
        body = dict(parse_qsl(str(params.get("body") or ""), keep_blank_values=True))
    if body is not None:
        request.body_kind, request.body = "json", body
    if content == "multipart-form-data" and body is not None:
        request.body_kind = "multipart"  # fields are never sent as JSON
    if request.method not in BODY_METHODS:
        return
    if content == "multipart-form-data":
        request.body_kind = "multipart"
    elif content == "form-urlencoded":
        request.body_kind = "form"
    elif content == "binaryData":
        name = str(params.get("inputDataFieldName") or "")
        binary = _binary_of(item, name, index)
        request.body_kind, request.body = "bytes", binary.data
        request.headers["content-type"] = binary.mime_type or "application/octet-stream"
    elif content == "raw":
        request.body_kind, request.body = "text", str(params.get("body") or "")
        raw_type = str(params.get("rawContentType") or "")
        if raw_type:
            request.headers["content-type"] = raw_type


def _fields_of(
    entries: list[dict[str, Any]], content: str, version: float, item: Item, index: int
) -> Any:
    """Body fields by content type and version: a JSON object (dotted names are paths from
    version 4), multipart fields in order (from 4.2; one per name before), form fields."""
    if content == "json" and version >= 4:
        out: dict[str, Any] = {}
        for entry in entries:
            set_path(out, str(entry.get("name", "")), entry.get("value", ""))
        return out
    if content == "multipart-form-data":
        fields: list[tuple[str, Any]] = []
        for entry in entries:
            name = str(entry.get("name", ""))
            if entry.get("parameterType") == "formBinaryData":
                field_name = str(entry.get("inputDataFieldName") or "")
                if not field_name:
                    continue
                binary = _binary_of(item, field_name, index)
                part = FilePart(binary.data, binary.file_name, binary.mime_type)
                fields.append((name, part))
            else:
                fields.append((name, entry.get("value", "")))
        return fields if version >= 4.2 else dict(fields)
    flat: dict[str, Any] = {}
    for entry in entries:
        flat[str(entry.get("name", ""))] = entry.get("value", "")
    return flat


def _binary_of(item: Item, name: str, index: int) -> BinaryData:
    if not item.binary:
        raise NodeOperationError(
            f"This operation expects the node's input data to contain a binary file '{name}', "
            f"but none was found [item {index}]",
            description="Make sure that the previous node outputs a binary file",
        )
    binary = item.binary.get(name)
    if binary is None:
        raise NodeOperationError(
            f"The item has no binary field '{name}' [item {index}]",
            description="Check that the parameter where you specified the input binary field "
            "name is correct, and that it matches a field in the binary input",
        )
    return binary


def _authenticate(request: Prepared, auth: RequestAuth) -> None:
    request.headers.update(auth.headers)
    request.query.update(auth.query)
    if auth.body:
        if request.body_kind in (None, "json") and (
            request.body is None or isinstance(request.body, dict)
        ):
            request.body_kind = "json"
            request.body = {**(request.body or {}), **auth.body}
        elif request.body_kind == "form" and isinstance(request.body, dict):
            request.body = {**request.body, **auth.body}
