"""How much of Keitaro's own API description the node covers (`keitaro-node coverage`).

The description (an OpenAPI JSON document) is Keitaro's file and does not ship with this
package; `find_spec` looks where a person would have put it and otherwise says what to get.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .routing import Routing

SPEC_ENV = "KEITARO_OPENAPI"
SPEC_NAME = "keitaro-admin-api-openapi.json"
SPEC_SOURCE = (
    "Keitaro publishes it with its Admin API reference (https://admin-api.docs.keitaro.io); "
    "the 2022 edition is also kept as original/openapi.json in "
    "https://github.com/playtini/keitaro-client"
)


class SpecNotFound(FileNotFoundError):
    """No API description where one was asked for or looked for; the message says what to do."""


def spec_candidates(environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where the description is looked for when no --spec is given, in order."""
    env = os.environ if environ is None else environ
    places = [Path(env[SPEC_ENV])] if env.get(SPEC_ENV) else []
    places.append(Path.cwd() / SPEC_NAME)
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "node_manifest.yaml").is_file():  # run from a checkout (or editable install)
        places.append(checkout.parent / "shared" / "keitaro-api" / SPEC_NAME)
    return places


def find_spec(explicit: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The description to compare with: `explicit`, or the first candidate that exists."""
    if explicit is not None:
        if explicit.is_file():
            return explicit
        raise SpecNotFound(f"no OpenAPI document at {explicit}. {_what_to_do()}")
    places = spec_candidates(environ)
    for place in places:
        if place.is_file():
            return place
    looked = ", ".join(str(p) for p in places)
    raise SpecNotFound(
        f"Keitaro's Admin API description is not installed with keitaro-node (looked in "
        f"{looked}). {_what_to_do()}"
    )


def _what_to_do() -> str:
    return (
        f"Download Keitaro's Admin API v1 OpenAPI JSON - {SPEC_SOURCE} - and pass it: "
        f"keitaro-node coverage --spec PATH (or set {SPEC_ENV}=PATH)"
    )


_METHODS = ("get", "post", "put", "delete", "patch")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def route_key(method: str, path: str) -> str:
    """`GET /campaigns/{}`: placeholders named differently still match."""
    return f"{method.upper()} {_PLACEHOLDER.sub('{}', path)}"


@dataclass
class Coverage:
    spec_operations: list[str]
    covered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    beyond_spec: list[str] = field(default_factory=list)


def compare(spec_path: Path, routes: dict[tuple[str, str], Routing]) -> Coverage:
    spec = json.loads(spec_path.read_text("utf-8"))
    operations = sorted(
        route_key(method, path)
        for path, item in spec.get("paths", {}).items()
        for method in item
        if method in _METHODS
    )
    ours = {route_key(r.method, r.path): f"{res}.{op}" for (res, op), r in routes.items()}
    coverage = Coverage(spec_operations=operations)
    for key in operations:
        (coverage.covered if key in ours else coverage.missing).append(key)
    coverage.beyond_spec = sorted(
        f"{key} ({name})" for key, name in ours.items() if key not in operations
    )
    return coverage


def report(coverage: Coverage) -> str:
    total = len(coverage.spec_operations)
    lines = [
        f"{len(coverage.covered)} of {total} operations of Keitaro's API description are covered"
    ]
    if coverage.missing:
        lines.append("not covered: " + ", ".join(coverage.missing))
    if coverage.beyond_spec:
        lines.append(
            f"{len(coverage.beyond_spec)} operations of newer trackers beyond it: "
            + ", ".join(coverage.beyond_spec)
        )
    return "\n".join(lines)
