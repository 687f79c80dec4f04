"""The trackers (and other services) a server may reach: named credentials, and their secrets.

A credentials file may hold several named credentials, e.g.

    production: {domain: tracker.example.com, apiKey: ...}
    staging:    {domain: staging.example.com, apiKey: ...}

and every tool then takes `credential: production | staging`. Without a file, credentials
come from the environment (KEITARO_DOMAIN, KEITARO_API_KEY). Every secret known here is masked
in every answer, whatever produced the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from keitaro_node.runtime.credentials import MASK, CredentialStore
from keitaro_node.runtime.description import CredentialType
from keitaro_node.runtime.errors import NodeOperationError

_SHORTEST_SECRET = 6  # shorter values would garble ordinary words


class CredentialSet:
    """A CredentialStore with the names a tool may choose from."""

    def __init__(self, store: CredentialStore, types: Iterable[CredentialType]) -> None:
        self.store = store
        self.types = {t.name: t for t in types}
        self.names = sorted(
            key
            for key, value in store.data.items()
            if isinstance(value, Mapping) and key not in self.types
        )
        self._secrets = sorted(self._collect_secrets(), key=len, reverse=True)

    def _collect_secrets(self) -> set[str]:
        fields = {p.name for t in self.types.values() for p in t.properties if p.secret}
        env = {
            v for t in self.types.values() for p in t.properties if p.secret for v in p.environment
        }
        found: set[str] = set()
        sections = [v for v in self.store.data.values() if isinstance(v, Mapping)]
        for section in [self.store.data, *sections]:
            found.update(str(section[f]) for f in fields if section.get(f))
        found.update(str(self.store.environ[v]) for v in env if self.store.environ.get(v))
        return {s for s in found if len(s) >= _SHORTEST_SECRET}

    def choose(self, requested: Any) -> str | None:
        """The credential name for a call: the one asked for, or the only one there is."""
        if requested is None or requested == "":
            if len(self.names) > 1:
                raise NodeOperationError(
                    f"say which credential to use: one of {', '.join(self.names)}"
                )
            return self.names[0] if self.names else None
        if requested not in self.names:
            known = ", ".join(self.names) or "none (credentials come from the environment)"
            raise NodeOperationError(f"unknown credential {requested!r}; known: {known}")
        return str(requested)

    def mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def add(self, name: str, values: Mapping[str, Any]) -> None:
        """Add a named credential (the built-in sandbox of `keitaro-node mcp --sandbox`)."""
        self.store.data[name] = dict(values)
        self.names = sorted({*self.names, name})
        self._secrets = sorted(self._collect_secrets(), key=len, reverse=True)
