"""/users: accounts and their access rights. Passwords are stored hashed, never returned."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from aiohttp import web

from .coerce import INT, STR, Errors, Field, enum, read_fields, require
from .config import API_BASE
from .crud import Resource
from .entities import ID
from .state import store_of
from .store import Row, Store, dump_json, load_json, now
from .wire import body_object, empty, path_id

TABLE, MODEL = "users", "User"
ACCESS_TYPES = (
    "full_access",
    "read_only",
    "to_groups_and_selected",
    "created_by_user_groups_and_selected",
)
ACCESS_AREAS = (
    "offers",
    "campaigns",
    "landings",
    "traffic_sources",
    "streams",
    "affiliate_networks",
    "domains",
)

FIELDS: dict[str, Field] = {
    "login": STR,
    "new_password": STR,
    "new_password_confirmation": STR,
    "type": enum("USER", "ADMIN"),
    "keyCount": INT,
}


def _hash(password: str) -> str:
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 1000).hex()
    return f"{salt}${digest}"


def _default_access(kind: str) -> dict[str, Any]:
    level = "full_access" if kind == "ADMIN" else "read_only"
    access: dict[str, Any] = {f"{area}_access_type": level for area in ACCESS_AREAS}
    access.update(resources=[], allowed_resources=[], reports=[])
    return access


def user_out(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "login": row["login"],
        "type": row["type"],
        "access_data": load_json(row["access_data"], {}),
        "preferences": load_json(row["preferences"], {}),
    }


# Users are deleted, never archived; only listing and reading are the common ones.
USERS = Resource(TABLE, MODEL, lambda _store, row: user_out(row), FIELDS, archives=False)


def ensure_admin(store: Store) -> None:
    """A fresh tracker always has its administrator."""
    if store.scalar(f"SELECT COUNT(*) FROM {TABLE}") == 0:
        ts = now()
        store.insert(
            TABLE,
            {
                "login": "admin",
                "type": "ADMIN",
                "password_hash": _hash(secrets.token_urlsafe(12)),
                "access_data": dump_json(_default_access("ADMIN")),
                "preferences": dump_json({"language": "en", "timezone": "UTC"}),
                "key_count": 1,
                "created_at": ts,
                "updated_at": ts,
            },
        )


def _preferences(body: dict[str, Any], current: dict[str, Any], errors: Errors) -> dict[str, Any]:
    prefs = body.get("preferences")
    if prefs is None:
        return current
    if not isinstance(prefs, dict):
        errors.add("preferences", "Preferences must be an object")
        return current
    if "language" in prefs and prefs["language"] not in ("ru", "en"):
        errors.add("preferences", "Language must be ru or en")
    if "timezone" in prefs and not isinstance(prefs["timezone"], str):
        errors.add("preferences", "Timezone must be a string")
    return {**current, **{k: prefs[k] for k in ("language", "timezone") if k in prefs}}


def _passwords(values: dict[str, Any], errors: Errors) -> str | None:
    if "new_password" not in values:
        return None
    password = values["new_password"] or ""
    if len(password) < 6:
        errors.add("new_password", "Password must be at least 6 characters")
    if values.get("new_password_confirmation") != password:
        errors.add("new_password_confirmation", "Passwords do not match")
    return password


def _check_login(store: Store, login: str, errors: Errors, exclude: int = 0) -> None:
    if not login.strip():
        errors.add("login", "Login is required")
    elif (
        store.scalar(f"SELECT 1 FROM {TABLE} WHERE login = ? AND id != ?", (login, exclude))
        is not None
    ):
        errors.add("login", "Login already exists")


async def create(request: web.Request) -> web.Response:
    store = store_of(request)
    body = await body_object(request)
    errors = Errors()
    require(body, errors, "login", "new_password", "new_password_confirmation", "type")
    values = read_fields(body, FIELDS, errors)
    if "login" in values and "login" not in errors.fields:
        _check_login(store, values["login"], errors)
    password = _passwords(values, errors) if "new_password" not in errors.fields else None
    prefs = _preferences(body, {"language": "en", "timezone": "UTC"}, errors)
    errors.raise_if_any()
    ts = now()
    ident = store.insert(
        TABLE,
        {
            "login": values["login"],
            "type": values["type"],
            "password_hash": _hash(password or ""),
            "access_data": dump_json(_default_access(values["type"])),
            "preferences": dump_json(prefs),
            "key_count": values.get("keyCount", 0),
            "created_at": ts,
            "updated_at": ts,
        },
    )
    return USERS.answer(store, ident)


async def update(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    current = USERS.row(store, ident)
    body = await body_object(request)
    errors = Errors()
    values = read_fields(body, FIELDS, errors)
    if "login" in values and "login" not in errors.fields:
        _check_login(store, values["login"] or "", errors, ident)
    password = _passwords(values, errors)
    prefs = _preferences(body, load_json(current["preferences"], {}), errors)
    errors.raise_if_any()
    changes: dict[str, Any] = {"preferences": dump_json(prefs), "updated_at": now()}
    for key in ("login", "type"):
        if key in values:
            changes[key] = values[key]
    if "keyCount" in values:
        changes["key_count"] = values["keyCount"]
    if password is not None:
        changes["password_hash"] = _hash(password)
    store.update(TABLE, ident, changes)
    return USERS.answer(store, ident)


async def delete(request: web.Request) -> web.Response:
    """Deletes the user; the spec declares 201 with no body."""
    store = store_of(request)
    ident = path_id(request)
    USERS.row(store, ident)
    store.execute(f"DELETE FROM {TABLE} WHERE id = ?", (ident,))
    return empty(201)


async def set_access(request: web.Request) -> web.Response:
    store = store_of(request)
    ident = path_id(request)
    current = USERS.row(store, ident)
    body = await body_object(request)
    errors = Errors()
    data = body.get("access_data")
    access = load_json(current["access_data"], {})
    if not isinstance(data, dict):
        errors.add("access_data", "Access data is required")
    else:
        for key, value in data.items():
            if key.endswith("_access_type"):
                if key[: -len("_access_type")] not in ACCESS_AREAS or value not in ACCESS_TYPES:
                    errors.add("access_data", f"Invalid access setting {key}={value!r}")
            elif key in ("resources", "reports", "allowed_resources"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    errors.add("access_data", f"{key} must be an array of strings")
            else:
                errors.add("access_data", f"Unknown access setting '{key}'")
        access.update(data)
    errors.raise_if_any()
    store.update(TABLE, ident, {"access_data": dump_json(access), "updated_at": now()})
    return USERS.answer(store, ident)


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/users"
    return [
        web.get(base, USERS.listing()),
        web.post(base, create),
        web.get(f"{base}/{ID}", USERS.get),
        web.put(f"{base}/{ID}", update),
        web.delete(f"{base}/{ID}", delete),
        web.put(f"{base}/{ID}/access", set_access),
    ]
