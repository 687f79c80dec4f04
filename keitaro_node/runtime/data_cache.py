"""Data files that ship with the package (node manifests, credential types), read fast.

Parsing YAML costs more than anything else a run does before its first request (the Keitaro
manifest alone is tens of milliseconds), while JSON of the same data loads in a fraction of
that. So a YAML data file is read once, and its data kept as JSON in the user's cache folder
under the hash of the file's text: the next process loads the JSON, and an edited or
upgraded file has another hash, so a stale copy is never used. Only package data comes here,
never credentials files. KEITARO_NODE_CACHE_DIR names another folder; `off` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

CACHE_ENV = "KEITARO_NODE_CACHE_DIR"


def cache_folder() -> Path | None:
    """Where copies go: $KEITARO_NODE_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache."""
    given = os.environ.get(CACHE_ENV)
    if given is not None:
        return None if given.strip().lower() in ("", "off", "0", "none") else Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "keitaro-node"


def load_data_file(path: str | Path | Any) -> Any:
    """The data of a YAML or JSON file of the package (a Path or a resources Traversable)."""
    text = path.read_text("utf-8") if hasattr(path, "read_text") else Path(path).read_text("utf-8")
    name = str(getattr(path, "name", path))
    if name.endswith(".json"):
        return json.loads(text)
    folder = cache_folder()
    copy = None
    if folder is not None:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
        copy = folder / f"data-{digest}.json"
        with contextlib.suppress(OSError, ValueError):
            return json.loads(copy.read_text("utf-8"))
    import yaml

    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if copy is not None:
        _keep(copy, data)
    return data


def _keep(copy: Path, data: Any) -> None:
    """Write the JSON copy atomically; data that JSON would change (dates, number keys) and
    folders that cannot be written are left alone."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if json.loads(text) != data:
            return
        copy.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=copy.parent, prefix=".data-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, copy)
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(temporary)
