"""The handlers that the plain CRUD resources share, built from what each one declares.

A resource module states its table, model, fields, answer shape and quirks in a
``Resource``; list, get, create, update, archive, restore and clone behave the same for
all of them, so they are written once here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .coerce import Errors, Field, read_fields, require
from .entities import copy_row, fetch, set_state
from .files import copy_files, import_archive, put_file
from .state import store_of
from .store import Row, Store, now
from .wire import Handler, body_object, ok, path_id

Out = Callable[[Store, Row], dict[str, Any]]
Refine = Callable[[dict[str, Any], Errors], None]
Check = Callable[[Store, int, dict[str, Any], Errors], None]
Defaults = Mapping[str, Any] | Callable[[Mapping[str, Any]], Mapping[str, Any]]
Starter = Callable[[Row], list[tuple[str, bytes]]]


def name_kept(store: Store, ident: int, values: dict[str, Any], errors: Errors) -> None:
    """An update may leave the name out, but may not blank it."""
    if "name" in values and not str(values["name"]).strip():
        errors.add("name", "Name is required")


@dataclass(frozen=True)
class Resource:
    """One CRUD resource: what differs between them, and the handlers they share.

    ``refine`` checks and encodes read values in place; ``defaults`` fill a new row (or
    derive them from the values); ``check`` vets an update. ``archives`` says that
    DELETE moves rows to the archive (state ``deleted``), which lists and clones skip.
    ``owner`` names the file owner of entities with a file API: their ``archive`` field
    imports a ZIP, clones copy the files and ``starter`` seeds a new entity's files.
    """

    table: str
    model: str
    out: Out
    fields: Mapping[str, Field]
    refine: Refine | None = None
    defaults: Defaults = field(default_factory=dict)
    check: Check = name_kept
    archives: bool = True
    archive_status: int = 200
    owner: str | None = None
    starter: Starter | None = None

    def row(self, store: Store, ident: int, *, listed: bool = False) -> Row:
        return fetch(store, self.table, self.model, ident, listed=listed)

    def shown(self, store: Store, ident: int) -> dict[str, Any]:
        """The answer body for one row, re-read so it shows what was written."""
        return self.out(store, self.row(store, ident))

    def answer(self, store: Store, ident: int, status: int = 200) -> web.Response:
        return ok(self.shown(store, ident), status)

    def read(self, body: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
        values = read_fields(body, self.fields, errors)
        if self.refine is not None:
            self.refine(values, errors)
        return values

    def listing(self, *, archived: bool = False) -> Handler:
        """All rows by id: the listed ones, or with ``archived`` those in the archive."""
        where = ""
        if self.archives:
            where = "WHERE state = 'deleted' " if archived else "WHERE state != 'deleted' "
        sql = f"SELECT * FROM {self.table} {where}ORDER BY id"

        async def handler(request: web.Request) -> web.Response:
            store = store_of(request)
            return ok([self.out(store, r) for r in store.all(sql)])

        return handler

    async def get(self, request: web.Request) -> web.Response:
        return self.answer(store_of(request), path_id(request))

    async def create(self, request: web.Request) -> web.Response:
        store = store_of(request)
        ident = self.insert(store, await body_object(request))
        return self.answer(store, ident)

    def insert(self, store: Store, body: Mapping[str, Any]) -> int:
        """Create a row from a request body (checked as a POST is); its id."""
        errors = Errors()
        require(body, errors, "name")
        values = self.read(body, errors)
        errors.raise_if_any()
        archive = values.pop("archive", "") if self.owner else ""
        base = self.defaults(values) if callable(self.defaults) else self.defaults
        ts = now()
        row = {**base, **values, "created_at": ts, "updated_at": ts}
        with store.tx():
            ident = store.insert(self.table, row)
            if archive:
                self._import(store, ident, archive)
            elif self.owner and self.starter:
                for path, data in self.starter(row):
                    put_file(store, self.owner, ident, path, data)
        return ident

    async def update(self, request: web.Request) -> web.Response:
        store = store_of(request)
        ident = path_id(request)
        self.row(store, ident)
        errors = Errors()
        values = self.read(await body_object(request), errors)
        self.check(store, ident, values, errors)
        errors.raise_if_any()
        archive = values.pop("archive", "") if self.owner else ""
        with store.tx():
            store.update(self.table, ident, {**values, "updated_at": now()})
            if archive:
                self._import(store, ident, archive)
        return self.answer(store, ident)

    async def archive(self, request: web.Request) -> web.Response:
        """Moves the row to the archive; archiving it again is a 404."""
        store = store_of(request)
        ident = path_id(request)
        self.row(store, ident, listed=True)
        set_state(store, self.table, ident, "deleted")
        return self.answer(store, ident, self.archive_status)

    async def restore(self, request: web.Request) -> web.Response:
        store = store_of(request)
        ident = path_id(request)
        if self.row(store, ident)["state"] == "deleted":
            set_state(store, self.table, ident, "active")
        return self.answer(store, ident)

    async def clone(self, request: web.Request) -> web.Response:
        """Answers the copy ("Copy of <name>") as the object, with its files."""
        store = store_of(request)
        source = self.row(store, path_id(request), listed=self.archives)
        with store.tx():
            ident = copy_row(store, self.table, source, name=f"Copy of {source['name']}")
            if self.owner:
                copy_files(store, self.owner, source["id"], ident)
        return self.answer(store, ident)

    def _import(self, store: Store, ident: int, archive: str) -> None:
        if self.owner:
            import_archive(store, self.owner, ident, archive)
