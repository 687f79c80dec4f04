"""SQLite storage: the schema of every entity table and a few query shortcuts.

One connection per sandbox, used only from the event loop's thread (or under the
loop's control), so no locking is needed. Handlers are synchronous between awaits,
which makes each ``tx()`` block atomic with respect to other requests.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

Row = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alias TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL,
    position INTEGER NOT NULL, cookies_ttl INTEGER NOT NULL, cost_type TEXT NOT NULL,
    cost_value REAL NOT NULL, cost_currency TEXT NOT NULL, cost_auto INTEGER NOT NULL,
    group_id INTEGER, bind_visitors TEXT, traffic_source_id INTEGER, domain_id INTEGER,
    token TEXT NOT NULL, parameters TEXT NOT NULL, notes TEXT NOT NULL,
    uniqueness_method TEXT NOT NULL, uniqueness_use_cookies INTEGER NOT NULL,
    traffic_loss REAL NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS campaigns_alias ON campaigns(alias);
CREATE TABLE IF NOT EXISTS campaign_postbacks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, campaign_id INTEGER NOT NULL,
    method TEXT NOT NULL, statuses TEXT NOT NULL, url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS campaign_postbacks_campaign ON campaign_postbacks(campaign_id);
CREATE TABLE IF NOT EXISTS streams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id INTEGER NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
    position INTEGER NOT NULL, rank REAL, weight REAL NOT NULL, action_type TEXT NOT NULL,
    action_payload TEXT NOT NULL, action_options TEXT NOT NULL, comments TEXT NOT NULL,
    state TEXT NOT NULL, schema TEXT NOT NULL, collect_clicks INTEGER NOT NULL,
    filter_or INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS streams_order ON streams(campaign_id, type, rank);
CREATE TABLE IF NOT EXISTS stream_filters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, stream_id INTEGER NOT NULL,
    name TEXT NOT NULL, mode TEXT NOT NULL, payload TEXT NOT NULL, ordinal INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_filters_stream ON stream_filters(stream_id);
CREATE TABLE IF NOT EXISTS stream_triggers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, stream_id INTEGER NOT NULL, ordinal INTEGER NOT NULL,
    target TEXT NOT NULL, condition TEXT NOT NULL, selected_page TEXT NOT NULL,
    pattern TEXT NOT NULL, action TEXT NOT NULL, interval INTEGER NOT NULL,
    next_run_at INTEGER NOT NULL, alternative_urls TEXT NOT NULL, grab_from_page TEXT NOT NULL,
    av_settings TEXT NOT NULL, reverse INTEGER NOT NULL, enabled INTEGER NOT NULL,
    scan_page INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_triggers_stream ON stream_triggers(stream_id);
CREATE TABLE IF NOT EXISTS stream_landings (
    id INTEGER PRIMARY KEY AUTOINCREMENT, stream_id INTEGER NOT NULL,
    landing_id INTEGER NOT NULL, state TEXT NOT NULL, share INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_landings_stream ON stream_landings(stream_id);
CREATE TABLE IF NOT EXISTS stream_offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, stream_id INTEGER NOT NULL,
    offer_id INTEGER NOT NULL, state TEXT NOT NULL, share INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_offers_stream ON stream_offers(stream_id);
CREATE TABLE IF NOT EXISTS stream_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, stream_id INTEGER NOT NULL,
    datetime TEXT NOT NULL, event TEXT NOT NULL, message TEXT NOT NULL, is_read INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stream_events_stream ON stream_events(stream_id);
CREATE TABLE IF NOT EXISTS landings (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, landing_type TEXT NOT NULL,
    action_type TEXT NOT NULL, action_payload TEXT NOT NULL, action_options TEXT NOT NULL,
    group_id INTEGER, notes TEXT NOT NULL, state TEXT NOT NULL, archive TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, offer_type TEXT NOT NULL,
    action_type TEXT NOT NULL, action_payload TEXT NOT NULL, action_options TEXT NOT NULL,
    group_id INTEGER, affiliate_network_id INTEGER, payout_value REAL NOT NULL,
    payout_currency TEXT NOT NULL, payout_type TEXT NOT NULL, payout_auto INTEGER NOT NULL,
    payout_upsell INTEGER NOT NULL, country TEXT NOT NULL, notes TEXT NOT NULL,
    state TEXT NOT NULL, archive TEXT NOT NULL, conversion_cap_enabled INTEGER NOT NULL,
    daily_cap REAL NOT NULL, conversion_timezone TEXT NOT NULL,
    alternative_offer_id INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    owner TEXT NOT NULL, owner_id INTEGER NOT NULL, path TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (owner, owner_id, path)
);
CREATE TABLE IF NOT EXISTS affiliate_networks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, postback_url TEXT NOT NULL,
    offer_param TEXT NOT NULL, state TEXT NOT NULL, template_name TEXT NOT NULL,
    notes TEXT NOT NULL, pull_api_options TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS traffic_sources (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, postback_url TEXT NOT NULL,
    postback_statuses TEXT NOT NULL, template_name TEXT NOT NULL,
    accept_parameters INTEGER NOT NULL, parameters TEXT NOT NULL, notes TEXT NOT NULL,
    state TEXT NOT NULL, traffic_loss REAL NOT NULL, update_in_campaigns TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS domains (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, is_ssl INTEGER NOT NULL,
    network_status TEXT NOT NULL, default_campaign_id INTEGER, state TEXT NOT NULL,
    wildcard INTEGER NOT NULL, catch_not_found INTEGER NOT NULL, notes TEXT NOT NULL,
    ssl_redirect INTEGER NOT NULL, allow_indexing INTEGER NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, type TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT, login TEXT NOT NULL, type TEXT NOT NULL,
    password_hash TEXT NOT NULL, access_data TEXT NOT NULL, preferences TEXT NOT NULL,
    key_count INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS botlist (ip TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, datetime TEXT NOT NULL,
    jid TEXT NOT NULL, message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_type ON logs(type, id);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facebook_integrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, ad_account_id TEXT NOT NULL,
    token TEXT NOT NULL, proxy_enabled INTEGER NOT NULL, proxy TEXT NOT NULL,
    last_error TEXT NOT NULL, last_raw_error TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS facebook_campaigns (
    integration_id INTEGER NOT NULL, campaign_id INTEGER NOT NULL,
    PRIMARY KEY (integration_id, campaign_id)
);
CREATE TABLE IF NOT EXISTS labels (
    campaign_id INTEGER NOT NULL, ref_name TEXT NOT NULL, value TEXT NOT NULL,
    label TEXT NOT NULL, PRIMARY KEY (campaign_id, ref_name, value)
);
"""


def now() -> str:
    """Current time in the tracker's format (``YYYY-MM-DD HH:MM:SS``, UTC, no zone)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load_json(text: str | None, default: Any = None) -> Any:
    if text is None or text == "":
        return default
    return json.loads(text)


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {col[0]: value for col, value in zip(cursor.description, row, strict=True)}


class Store:
    """A single SQLite connection with transactions and CRUD shortcuts."""

    def __init__(self, path: str | None = None) -> None:
        self.conn = sqlite3.connect(
            path or ":memory:", isolation_level=None, check_same_thread=False
        )
        self.conn.row_factory = _dict_row
        if path:
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.executescript(SCHEMA)
        self._depth = 0
        self._insert_sql: dict[tuple[str, tuple[str, ...]], str] = {}

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def tx(self) -> Iterator[None]:
        """Atomic block; nested blocks join the outermost transaction."""
        outer = self._depth == 0
        if outer:
            self.conn.execute("BEGIN")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if outer:
                self.conn.execute("ROLLBACK")
            raise
        self._depth -= 1
        if outer:
            self.conn.execute("COMMIT")

    def one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Row | None:
        row: Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        rows: list[Row] = self.conn.execute(sql, params).fetchall()
        return rows

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        cur = self.conn.execute(sql, params)
        cur.row_factory = None
        row = cur.fetchone()
        return None if row is None else row[0]

    def column(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        """First column of every row."""
        cur = self.conn.execute(sql, params)
        cur.row_factory = None
        return [row[0] for row in cur.fetchall()]

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> int:
        """Run a statement; returns the number of changed rows."""
        return self.conn.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def insert(self, table: str, values: Mapping[str, Any]) -> int:
        keys = tuple(values)
        sql = self._insert_sql.get((table, keys))
        if sql is None:
            cols = ", ".join(keys)
            marks = ", ".join("?" for _ in keys)
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
            self._insert_sql[(table, keys)] = sql
        cur = self.conn.execute(sql, tuple(values.values()))
        return int(cur.lastrowid or 0)

    def update(self, table: str, ident: int, values: Mapping[str, Any]) -> None:
        if not values:
            return
        sets = ", ".join(f"{k} = ?" for k in values)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", (*values.values(), ident))

    def get(self, table: str, ident: int) -> Row | None:
        return self.one(f"SELECT * FROM {table} WHERE id = ?", (ident,))

    def setting(self, key: str, default: str = "") -> str:
        value = self.scalar("SELECT value FROM settings WHERE key = ?", (key,))
        return default if value is None else str(value)

    def set_setting(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
