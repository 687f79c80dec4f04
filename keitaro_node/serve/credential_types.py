"""The credential types a Webhook node checks requests against.

They are n8n's generic `httpHeaderAuth` (name, value) and `httpBasicAuth` (user, password).
When a plugin registers them (the runtime's generic credential types) those are used; until
then the server reads credentials through these minimal definitions of the same fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from keitaro_node.runtime.description import CredentialType, parse_credential_type

_FALLBACK = {
    "httpHeaderAuth": {
        "name": "httpHeaderAuth",
        "displayName": "Header Auth",
        "properties": [
            {"name": "name", "displayName": "Name", "type": "string", "required": True},
            {
                "name": "value",
                "displayName": "Value",
                "type": "string",
                "required": True,
                "typeOptions": {"password": True},
            },
        ],
        "authenticate": {"type": "generic", "properties": {}},
    },
    "httpBasicAuth": {
        "name": "httpBasicAuth",
        "displayName": "Basic Auth",
        "properties": [
            {"name": "user", "displayName": "User", "type": "string", "required": True},
            {
                "name": "password",
                "displayName": "Password",
                "type": "string",
                "default": "",
                "typeOptions": {"password": True},
            },
        ],
        "authenticate": {"type": "generic", "properties": {}},
    },
}


def webhook_credential_type(name: str, registered: Mapping[str, CredentialType]) -> CredentialType:
    if name in registered:
        return registered[name]
    return parse_credential_type(_FALLBACK[name], source=f"{name} (webhook server)")
