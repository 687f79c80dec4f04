"""A credential applied to a request, as its credential type declares.

A credential type's `authenticate` section (credentials/*.yaml) says where the values go:
`headers` and `qs` map names to templates (`'={{ $credentials.token }}'`, names may be
templates too), `auth` gives a user name and a password for HTTP basic auth (sent as an
Authorization header). Two generic types that n8n's HTTP Request node treats by name are
handled here by name as well: digest auth (`httpDigestAuth`: the user and password answer the
server's challenge) and custom auth (`httpCustomAuth`: a JSON text with headers, qs and body).

Everything secret a credential adds to a request - secret fields, the basic-auth token, the
values of a custom JSON - goes into the request's SecretMask, so texts and outputs can be
masked.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..credentials import CredentialValues
from ..errors import NodeOperationError
from ..expressions import ExpressionError, compile_template, is_expression
from .secrets import SecretMask

DIGEST = "httpDigestAuth"
CUSTOM = "httpCustomAuth"
_NAMES = frozenset({"$credentials"})


@dataclass(slots=True)
class RequestAuth:
    """What a credential adds to a request."""

    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    digest: tuple[str, str] | None = None
    mask: SecretMask = field(default_factory=SecretMask)

    @property
    def header_names(self) -> frozenset[str]:
        """Lower-case names of the headers that carry the credential (not for other hosts)."""
        return frozenset(name.lower() for name in self.headers)


def request_auth(credentials: CredentialValues) -> RequestAuth:
    """Render the credential type's `authenticate` section with these values."""
    kind = credentials.type.name
    values = {p.name: credentials.reveal(p.name) for p in credentials.type.properties}
    auth = RequestAuth(mask=SecretMask(credentials.secret_values()))
    if kind == CUSTOM:
        _custom(auth, values.get("json", ""), kind)
        return auth
    declared = credentials.type.authenticate.get("properties", {})
    for name, template in (declared.get("headers") or {}).items():
        auth.headers[_render(name, values, kind)] = _render(template, values, kind)
    for name, template in (declared.get("qs") or {}).items():
        auth.query[_render(name, values, kind)] = _render(template, values, kind)
    basic = declared.get("auth")
    if basic:
        pair = (
            _render(str(basic.get("username", "")), values, kind),
            _render(str(basic.get("password", "")), values, kind),
        )
        if kind == DIGEST:
            auth.digest = pair
        else:
            token = base64.b64encode(f"{pair[0]}:{pair[1]}".encode()).decode("ascii")
            auth.headers["Authorization"] = f"Basic {token}"
            auth.mask.add_basic_auth(*pair)
    auth.headers.pop("", None)  # a header credential without a name sends nothing
    auth.query.pop("", None)
    return auth


def _render(template: str, values: Mapping[str, str], kind: str) -> str:
    if not is_expression(template):
        return template
    try:
        rendered = compile_template(template, _NAMES).render({"$credentials": values})
    except ExpressionError as exc:
        raise NodeOperationError(f"the credential type {kind} cannot be applied: {exc}") from None
    return "" if rendered is None else str(rendered)


def _custom(auth: RequestAuth, text: str, kind: str) -> None:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise NodeOperationError(
            f"the {kind} credentials need a JSON object such as "
            '{"headers": {"X-Key": "..."}, "qs": {...}, "body": {...}} - got invalid JSON'
        )
    for part, target in (("headers", auth.headers), ("qs", auth.query), ("body", auth.body)):
        entries = data.get(part) or {}
        if not isinstance(entries, dict):
            raise NodeOperationError(f"'{part}' in the {kind} credentials must be an object")
        for name, value in entries.items():
            target[str(name)] = value if part == "body" else _text(value)
            auth.mask.add(*_strings(value))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if value is None or isinstance(value, bool):
        return []
    return [str(value)]
