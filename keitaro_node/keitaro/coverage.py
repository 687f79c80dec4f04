"""How much of Keitaro's own API description the node covers (`keitaro-node coverage`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .routing import Routing

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
