"""What a Webhook node checks before a request may start its workflow, with n8n's answers:
the IP allow-list, bots, and header or basic authentication against the node's credentials.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import re

from aiohttp import web

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.description import CredentialType
from keitaro_node.runtime.errors import NodeError
from keitaro_node.runtime.nodes.webhook import WebhookSpec

from .credential_types import webhook_credential_type

# Link previewers, crawlers and monitoring robots: their User-Agents name themselves so.
_BOTS = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|preview|facebookexternalhit|whatsapp|telegram|"
    r"slack|discord|skype|linkedin|pinterest|embedly|vkshare|outbrain|quora link|"
    r"headless|phantomjs|lighthouse|pingdom|uptime|monitor|google-|bingpreview|yandex|"
    r"baidu|duckduck|applebot|petalbot|semrush|ahrefs|mj12|dotbot|archive\.org|ia_archiver|"
    r"python-requests|python-urllib|curl/|wget|go-http-client|okhttp|java/|libwww|httpclient",
    re.IGNORECASE,
)
REALM = 'Basic realm="Webhook"'


def is_bot(user_agent: str | None) -> bool:
    return bool(user_agent) and _BOTS.search(user_agent or "") is not None


def ip_allowed(allowed: tuple[str, ...], remote: str | None) -> bool:
    if not allowed:
        return True
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    for entry in allowed:
        try:
            listed = ipaddress.ip_address(entry)
        except ValueError:
            continue  # n8n ignores entries that are not single addresses
        if listed in (address, mapped):
            return True
    return False


def _refusal(status: int, message: str | None = None) -> web.Response:
    words = message or {401: "Authorization is required!", 403: "Authorization data is wrong!"}.get(
        status, "Authorization problem!"
    )
    return web.Response(status=status, text=words, headers={"WWW-Authenticate": REALM})


def check(
    request: web.Request,
    spec: WebhookSpec,
    store: CredentialStore,
    registered: dict[str, CredentialType],
) -> web.Response | None:
    """None when the request may start the workflow, else n8n's answer to it."""
    if not ip_allowed(spec.ip_whitelist, request.remote):
        return web.Response(status=403, text="IP is not whitelisted to access the webhook!")
    if spec.ignore_bots and is_bot(request.headers.get("User-Agent")):
        return _refusal(403)
    if spec.authentication == "none":
        return None
    type_name = "httpBasicAuth" if spec.authentication == "basicAuth" else "httpHeaderAuth"
    credential_type = webhook_credential_type(type_name, registered)
    try:
        values = store.get(credential_type, spec.credential_refs.get(type_name))
    except NodeError:
        return _refusal(500, "No authentication data defined on node!")
    if spec.authentication == "headerAuth":
        name, expected = values.reveal("name"), values.reveal("value")
        if not name or not expected:
            return _refusal(500, "No authentication data defined on node!")
        given = request.headers.get(name)
        if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
            return _refusal(403)
        return None
    user, password = values.reveal("user"), values.reveal("password")
    if not user or not password:
        return _refusal(500, "No authentication data defined on node!")
    provided = _basic(request.headers.get("Authorization"))
    if provided is None:
        token = request.headers.get("X-Auth-Token")
        if not token:
            return _refusal(401)
        expected_token = hmac.new(
            f"{user}:{password}".encode(),
            f"{spec.node_id}-{spec.webhook_id}".encode(),
            hashlib.sha256,
        ).hexdigest()
        if not hmac.compare_digest(token.encode(), expected_token.encode()):
            return _refusal(403)
        return None
    same_user = hmac.compare_digest(provided[0].encode(), user.encode())
    same_password = hmac.compare_digest(provided[1].encode(), password.encode())
    return None if same_user and same_password else _refusal(403)


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    return (user, password) if colon else None
