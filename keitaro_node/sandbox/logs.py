"""/logs: the tracker's system, traffic, postback and SSL logs, seeded with synthetic lines."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from aiohttp import web

from .config import API_BASE
from .errors import BadRequest
from .state import store_of
from .store import Store
from .wire import empty, ok, query_int, required_query

TYPES = ("system", "traffic", "postbacks", "ssl", "sent_postbacks")
LINES_PER_TYPE = 300


def _message(kind: str, rng: random.Random) -> str:
    sub_id = f"{rng.getrandbits(48):012x}"
    campaign = rng.randint(9001, 9006)
    if kind == "system":
        return rng.choice(
            [
                "Cron job 'update_geo_db' finished in {:.2f}s",
                "Cron job 'clean_archive' finished in {:.2f}s",
                "Cron job 'send_postbacks' finished in {:.2f}s",
                "Report cache warmed in {:.2f}s",
            ]
        ).format(rng.uniform(0.05, 9.0))
    if kind == "traffic":
        country = rng.choice(["US", "DE", "GB", "FR", "BR", "IN", "ES"])
        return f"Click {sub_id}: campaign #{campaign}, country {country}, flow chosen"
    if kind == "postbacks":
        status = rng.choice(["lead", "sale", "rejected"])
        return f"Postback accepted: subid={sub_id} status={status} payout={rng.uniform(1, 60):.2f}"
    if kind == "ssl":
        domain = rng.choice(["track.example.com", "go.example.net", "click.example.org"])
        return f"Certificate for {domain} checked: valid for {rng.randint(5, 89)} more days"
    code = rng.choice([200, 200, 200, 200, 404, 500])
    return f"GET https://ts.example.com/postback?clickid={sub_id}&status=sale -> HTTP {code}"


def seed_logs(store: Store, seed: int, today: date, lines: int = LINES_PER_TYPE) -> None:
    """``lines`` deterministic lines per log type over the 30 days up to ``today``."""
    if lines <= 0 or store.scalar("SELECT COUNT(*) FROM logs"):
        return
    end = datetime(today.year, today.month, today.day, 23, 59, 59)
    rng = random.Random(seed)
    rows = []
    for kind in TYPES:
        moments = sorted(rng.uniform(0, 30 * 86400) for _ in range(lines))
        for offset in moments:
            stamp = (end - timedelta(seconds=30 * 86400 - offset)).strftime("%Y-%m-%d %H:%M:%S")
            rows.append((kind, stamp, f"{rng.getrandbits(32):08x}", _message(kind, rng)))
    with store.tx():
        store.executemany(
            "INSERT INTO logs (type, datetime, jid, message) VALUES (?, ?, ?, ?)", rows
        )


def _kind(request: web.Request) -> str:
    kind = request.match_info["type"]
    if kind not in TYPES:
        raise BadRequest(f"Unknown log type '{kind}'; expected one of {', '.join(TYPES)}")
    return kind


async def read(request: web.Request) -> web.Response:
    """Newest lines first; ``limit`` is required, ``offset`` and ``query`` optional."""
    kind = _kind(request)
    required_query(request, "limit")
    limit = query_int(request, "limit") or 0
    offset = query_int(request, "offset", 0) or 0
    if limit < 0 or offset < 0:
        raise BadRequest("Params 'limit' and 'offset' must not be negative")
    sql = "SELECT datetime, jid, message FROM logs WHERE type = ?"
    params: list[object] = [kind]
    query = request.query.get("query")
    if query:
        sql += " AND message LIKE ? ESCAPE '\\'"
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    params += [limit, offset]
    return ok(store_of(request).all(sql, params))


async def clear(request: web.Request) -> web.Response:
    store_of(request).execute("DELETE FROM logs WHERE type = ?", (_kind(request),))
    return empty()


async def types(request: web.Request) -> web.Response:
    return ok(list(TYPES))


def routes() -> list[web.RouteDef]:
    base = f"{API_BASE}/logs"
    return [
        web.post(f"{base}/types", types),
        web.get(base + "/{type}", read),
        web.delete(base + "/{type}", clear),
    ]
