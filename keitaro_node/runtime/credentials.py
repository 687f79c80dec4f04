"""Credential values: read from a file or the environment, typed, and kept secret.

Secret fields live in pydantic SecretStr and are revealed only to build a request header;
reprs, error messages and echoed request headers show a mask instead.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from .description import CredentialType, load_yaml_or_json
from .errors import NodeOperationError
from .expressions import compile_template, is_expression

MASK = "***"

log = logging.getLogger("keitaro_node.runtime.credentials")


class CredentialsMissing(NodeOperationError):
    """Credentials were needed but not found; the message says how to supply them."""


class CredentialValues:
    """Filled-in credentials of one type. Secret values never appear in str() or repr()."""

    def __init__(self, credential_type: CredentialType, values: Mapping[str, Any]) -> None:
        self.type = credential_type
        secret = set(credential_type.secret_fields)
        self._values: dict[str, Any] = {
            k: SecretStr(str(v)) if k in secret and v is not None else v for k, v in values.items()
        }

    def get(self, name: str, default: Any = None) -> Any:
        """A non-secret value (secret ones come back as SecretStr)."""
        return self._values.get(name, default)

    def reveal(self, name: str) -> str:
        value = self._values.get(name)
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return "" if value is None else str(value)

    def secret_values(self) -> list[str]:
        return [
            v.get_secret_value()
            for v in self._values.values()
            if isinstance(v, SecretStr) and v.get_secret_value()
        ]

    def auth_headers(self) -> dict[str, str]:
        """Headers from the type's `authenticate` section, with `{{ $credentials.x }}` filled in."""
        headers = self.type.authenticate.get("properties", {}).get("headers", {})
        return {name: self._fill(template) for name, template in headers.items()}

    def _fill(self, template: str) -> str:
        if not is_expression(template):
            return template
        plain = {k: self.reveal(k) for k in self._values}
        rendered = compile_template(template, frozenset({"$credentials"})).render(
            {"$credentials": plain}
        )
        return str(rendered)

    def mask(self, text: str) -> str:
        """Replace every secret value inside `text` with the mask."""
        for secret in self.secret_values():
            text = text.replace(secret, MASK)
        return text

    def masked_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        secrets = self.secret_values()
        out: dict[str, str] = {}
        for name, value in headers.items():
            out[name] = MASK if any(s and s in value for s in secrets) else value
        return out

    def __repr__(self) -> str:
        shown = {k: (MASK if isinstance(v, SecretStr) else v) for k, v in self._values.items()}
        return f"CredentialValues({self.type.name}, {shown})"

    __str__ = __repr__


def warn_if_shared(file: Path) -> None:
    """Warn (as ssh does for keys, but without refusing) when others may read the file."""
    if os.name != "posix":
        return
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        who = "other users" if mode & 0o007 else "your group"
        log.warning(
            "the credentials file %s can be read or changed by %s (permissions %04o); it holds "
            "secrets - make it yours alone with: chmod 600 %s",
            file,
            who,
            mode,
            file,
        )


def _typed(kind: str, value: Any) -> Any:
    if isinstance(value, str) and kind == "boolean":
        return value.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(value, str) and kind == "number" and value.strip():
        return float(value)
    return value


class CredentialStore:
    """Where credentials come from: a credentials file (JSON/YAML) and the environment.

    A file may hold credentials keyed by credential type name (`{"keitaroApi": {...}}`), by
    the name a workflow node gives them, or - for a single type - flat (`{"domain": ...}`).
    """

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        source: str | None = None,
    ) -> None:
        self.data = dict(data or {})
        self.environ = os.environ if environ is None else environ
        self.source = source

    @classmethod
    def from_file(
        cls, path: str | Path, environ: Mapping[str, str] | None = None
    ) -> CredentialStore:
        file = Path(path)
        if not file.is_file():
            raise FileNotFoundError(f"credentials file not found: {file}")
        warn_if_shared(file)
        data = load_yaml_or_json(file)
        if not isinstance(data, dict):
            raise ValueError(f"credentials file {file} must hold an object")
        return cls(data, environ, source=str(file))

    def override(self, type_name: str, values: Mapping[str, Any]) -> None:
        self.data[type_name] = dict(values)

    def get(
        self, credential_type: CredentialType, reference: str | None = None
    ) -> CredentialValues:
        section = self._section(credential_type, reference)
        values: dict[str, Any] = {}
        missing: list[str] = []
        for prop in credential_type.properties:
            value = section.get(prop.name)
            if value in (None, ""):
                value = next(
                    (self.environ[v] for v in prop.environment if self.environ.get(v)), None
                )
            if value in (None, "") and prop.default is not None:
                value = prop.default
            if value in (None, "") and prop.required:
                missing.append(prop.name)
            values[prop.name] = _typed(prop.type, value)
        if missing:
            raise CredentialsMissing(self._remedy(credential_type, missing))
        return CredentialValues(credential_type, values)

    def _section(self, credential_type: CredentialType, reference: str | None) -> Mapping[str, Any]:
        for key in (reference, credential_type.name):
            if key and isinstance(self.data.get(key), dict):
                return dict(self.data[key])
        field_names = {p.name for p in credential_type.properties}
        if self.data and set(self.data) <= field_names:
            return self.data
        return {}

    def _remedy(self, credential_type: CredentialType, missing: list[str]) -> str:
        env_help = []
        for prop in credential_type.properties:
            if prop.name in missing and prop.environment:
                env_help.append(f"{prop.name}: " + " or ".join(prop.environment))
        where = f" (read {self.source})" if self.source else ""
        lines = [
            f"{credential_type.displayName} credentials are missing {', '.join(missing)}{where}.",
            "Supply them in one of two ways:",
            f'  1. a credentials file (--credentials FILE) with {{"{credential_type.name}": {{'
            + ", ".join(f'"{p.name}": ...' for p in credential_type.properties if p.required)
            + "}}",
        ]
        if env_help:
            lines.append("  2. environment variables - " + "; ".join(env_help))
        return "\n".join(lines)
