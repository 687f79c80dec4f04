"""File API of local landings and offers: a tree, single files, and ZIP import/export.

Files live in the ``files`` table keyed by (owner, owner id, relative path); directories
exist only as prefixes of file paths.
"""

from __future__ import annotations

import base64
import binascii
import io
import posixpath
import zipfile
from typing import Any

from aiohttp import web

from .coerce import Errors
from .entities import fetch
from .errors import Invalid, Missing
from .state import store_of
from .store import Store
from .wire import Handler, ok, path_id, required_query, success

MAX_ARCHIVE_BYTES = 32 * 1024 * 1024
# A file at the path, or the files of the directory there.
_AT_OR_BELOW = "WHERE owner = ? AND owner_id = ? AND (path = ? OR path LIKE ?)"


def clean_path(raw: str) -> str:
    """Relative POSIX path inside the entity's folder; traversal and oddities are refused."""
    path = raw.replace("\\", "/").strip()
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts) or "\x00" in path or len(path) > 512:
        raise Invalid.one("path", "Path is invalid")
    return "/".join(parts)


def folder_name(owner: str, ident: int) -> str:
    return f"{owner}_{ident}"


def list_files(store: Store, owner: str, ident: int) -> list[tuple[str, bytes]]:
    rows = store.all(
        "SELECT path, data FROM files WHERE owner = ? AND owner_id = ? ORDER BY path",
        (owner, ident),
    )
    return [(r["path"], bytes(r["data"])) for r in rows]


def put_file(store: Store, owner: str, ident: int, path: str, data: bytes) -> None:
    store.execute(
        "INSERT INTO files (owner, owner_id, path, data) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(owner, owner_id, path) DO UPDATE SET data = excluded.data",
        (owner, ident, path, data),
    )


def copy_files(store: Store, owner: str, source: int, target: int) -> None:
    store.execute(
        "INSERT INTO files (owner, owner_id, path, data) "
        "SELECT owner, ?, path, data FROM files WHERE owner = ? AND owner_id = ?",
        (target, owner, source),
    )


def import_archive(store: Store, owner: str, ident: int, encoded: str) -> None:
    """Replace the entity's files by the content of a base64-encoded ZIP."""
    try:
        raw = base64.b64decode(encoded, validate=False)
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = [m for m in archive.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_ARCHIVE_BYTES:
            raise Invalid.one("archive", "Archive is too large")
        contents = [(clean_path(m.filename), archive.read(m)) for m in members]
    except (binascii.Error, zipfile.BadZipFile, ValueError):
        raise Invalid.one("archive", "Archive must be a base64-encoded ZIP file") from None
    except Invalid:
        raise Invalid.one("archive", "Archive contains an invalid path") from None
    store.execute("DELETE FROM files WHERE owner = ? AND owner_id = ?", (owner, ident))
    for path, data in contents:
        put_file(store, owner, ident, path, data)


def _ext(name: str) -> str:
    return posixpath.splitext(name)[1].lstrip(".")


def _directory(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "type": "directory", "ext": "", "path": path, "children": []}


def _sort(node: dict[str, Any]) -> None:
    node["children"].sort(key=lambda n: (n["type"] != "directory", n["name"]))
    for child in node["children"]:
        if child["type"] == "directory":
            _sort(child)


def tree(root_name: str, paths: list[str]) -> dict[str, Any]:
    """EditorFiles structure: directories first, then files, both by name."""
    root = _directory(root_name, "")
    index = {"": root}
    for path in paths:
        parts = path.split("/")
        parent = root
        for depth in range(1, len(parts)):
            key = "/".join(parts[:depth])
            node = index.get(key)
            if node is None:
                node = _directory(parts[depth - 1], key)
                index[key] = node
                parent["children"].append(node)
            parent = node
        parent["children"].append(
            {"name": parts[-1], "type": "file", "ext": _ext(parts[-1]), "path": path}
        )
    _sort(root)
    return root


def zip_bytes(folder: str, entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in entries:
            archive.writestr(path, data)
    return buffer.getvalue()


def handlers(owner: str, table: str, model: str) -> dict[str, Handler]:
    """The six file endpoints for one kind of owner (``landing`` or ``offer``)."""

    def owner_id(request: web.Request) -> int:
        ident = path_id(request)
        fetch(store_of(request), table, model, ident)
        return ident

    def existing(store: Store, ident: int, path: str) -> bytes:
        data = store.scalar(
            "SELECT data FROM files WHERE owner = ? AND owner_id = ? AND path = ?",
            (owner, ident, path),
        )
        if data is None:
            raise Missing(f"File '{path}' not found")
        return bytes(data)

    async def get_structure(request: web.Request) -> web.Response:
        store = store_of(request)
        ident = owner_id(request)
        paths = [p for p, _ in list_files(store, owner, ident)]
        return ok(tree(folder_name(owner, ident), paths))

    def located(request: web.Request) -> tuple[Store, int, str]:
        """The store, the owner's id and the checked ``path`` parameter, in that order."""
        return store_of(request), owner_id(request), clean_path(required_query(request, "path"))

    async def get_file(request: web.Request) -> web.Response:
        store, ident, path = located(request)
        return ok({"data": existing(store, ident, path).decode("utf-8", "replace")})

    async def add_file(request: web.Request) -> web.Response:
        store, ident, path = located(request)
        taken = store.scalar(
            f"SELECT 1 FROM files {_AT_OR_BELOW}",
            (owner, ident, path, path + "/%"),
        )
        if taken is not None:
            errors = Errors()
            errors.add("path", "File already exists")
            errors.raise_if_any()
        put_file(store, owner, ident, path, b"")
        return ok({"path": path})

    async def update_file(request: web.Request) -> web.Response:
        store, ident, path = located(request)
        if "data" not in request.query:
            required_query(request, "data")
        put_file(store, owner, ident, path, request.query["data"].encode())
        return ok({"path": path})

    async def remove_file(request: web.Request) -> web.Response:
        store, ident, path = located(request)
        removed = store.execute(
            f"DELETE FROM files {_AT_OR_BELOW}",
            (owner, ident, path, path + "/%"),
        )
        if not removed:
            raise Missing(f"File '{path}' not found")
        return success()

    async def download(request: web.Request) -> web.Response:
        store = store_of(request)
        ident = owner_id(request)
        folder = folder_name(owner, ident)
        body = zip_bytes(folder, list_files(store, owner, ident))
        return web.Response(
            body=body,
            # the API documents the ZIP as application/octet-stream; trackers send that
            content_type="application/octet-stream",
            headers={"Content-Disposition": f'attachment; filename="{folder}.zip"'},
        )

    return {
        "get_structure": get_structure,
        "get_file": get_file,
        "add_file": add_file,
        "update_file": update_file,
        "remove_file": remove_file,
        "download": download,
    }


def file_routes(base: str, owner: str, table: str, model: str) -> list[web.RouteDef]:
    h = handlers(owner, table, model)
    item = base + r"/{id:\d{1,18}}"
    return [
        web.get(f"{item}/get_structure", h["get_structure"]),
        web.get(f"{item}/get_file", h["get_file"]),
        web.post(f"{item}/add_file", h["add_file"]),
        web.put(f"{item}/update_file", h["update_file"]),
        web.delete(f"{item}/remove_file", h["remove_file"]),
        web.get(f"{item}/download", h["download"]),
    ]
