"""A deterministic synthetic click/conversion dataset behind reports and logs.

Clicks are spread over the 30 days that end on the sandbox's "today" (``SandboxConfig.today``:
the current UTC day unless pinned, so that "yesterday" or "the last 7 days" find data; pin it
for reproducible reports), across a small fixed catalogue of campaigns, flows, offers,
landings, traffic sources, geos, devices and referrers. Entity ids live in their own
range (campaigns 9001..., flows 9101..., offers 9301..., landings 9401..., sources
9501...) and do not clash with entities created through the API.

Each click row stores small integers only (catalogue indexes, flags, an IPv4 as int);
strings such as the click's ``sub_id`` or the ``sub_id_N`` values are derived in SQL, which
keeps a million clicks near 100 MB inside SQLite and generation well under a minute.
Each click carries its conversion status and payout too, so aggregate reports read one
table; the ``conversions`` table holds the postbacks for the conversion log.
"""

from __future__ import annotations

import random
import re
import threading
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import accumulate
from typing import Any

from .store import Store

DAYS = 30
CHUNK = 20_000

# (id, name, group, traffic source id, cost per click, conversion rate, weight)
CAMPAIGNS: list[tuple[int, str, str, int, float, float, int]] = [
    (9001, "Nutra EU - Search", "Nutra", 9501, 0.12, 0.030, 30),
    (9002, "Nutra LATAM - Push", "Nutra", 9502, 0.03, 0.015, 20),
    (9003, "Dating US - Native", "Dating", 9503, 0.25, 0.040, 15),
    (9004, "Sweeps DE - Popunder", "Sweeps", 9504, 0.008, 0.010, 15),
    (9005, "Finance UK - Search", "Finance", 9501, 0.45, 0.050, 10),
    (9006, "Gaming APAC - Social", "Gaming", 9503, 0.10, 0.025, 10),
]
GROUP_IDS = {"Nutra": 1, "Dating": 2, "Sweeps": 3, "Finance": 4, "Gaming": 5}
SOURCES = [(9501, "Google Ads"), (9502, "PropellerAds"), (9503, "Taboola"), (9504, "PopCash")]
# (id, name, payout, affiliate network)
OFFERS = [
    (9301, "Keto Slim - EU", 28.0, "MaxBounty"),
    (9302, "Keto Slim - LATAM", 14.5, "MaxBounty"),
    (9303, "Date Finder - US", 6.0, "Dr.Cash"),
    (9304, "Win an iPhone - DE", 2.4, "CPAlead"),
    (9305, "Credit Score - UK", 45.0, "FinCPA"),
    (9306, "Hero Wars - APAC", 3.2, "AppSamurai"),
    (9307, "Joint Relief - EU", 31.0, "MaxBounty"),
    (9308, "Loan Match - UK", 38.0, "FinCPA"),
]
LANDINGS = [
    (9401, "Quiz prelander"),
    (9402, "Doctor review"),
    (9403, "Spin the wheel"),
    (9404, "Comparison table"),
    (9405, "Video story"),
]
# Flow templates per campaign: (name, schema, share of traffic, uses landings, uses offers)
FLOWS = [
    ("Landing + offers", "landings", 55, True, True),
    ("Direct offers", "landings", 35, False, True),
    ("Fallback redirect", "redirect", 10, False, False),
]
# (country code, country, region, city, isp, operator, connection type, language, weight)
GEOS = [
    ("US", "United States", "California", "Los Angeles", "Comcast", "", "cable", "en", 14),
    (
        "US",
        "United States",
        "New York",
        "New York",
        "Verizon",
        "Verizon Wireless",
        "cellular",
        "en",
        10,
    ),
    ("US", "United States", "Texas", "Houston", "AT&T", "AT&T Mobility", "cellular", "en", 8),
    ("DE", "Germany", "Bavaria", "Munich", "Deutsche Telekom", "Telekom.de", "cable", "de", 6),
    ("DE", "Germany", "Berlin", "Berlin", "Vodafone", "Vodafone.de", "cellular", "de", 5),
    ("GB", "United Kingdom", "England", "London", "BT", "EE", "cable", "en", 7),
    ("GB", "United Kingdom", "Scotland", "Glasgow", "Virgin Media", "O2", "cellular", "en", 3),
    ("FR", "France", "Ile-de-France", "Paris", "Orange", "Orange F", "cellular", "fr", 5),
    ("ES", "Spain", "Madrid", "Madrid", "Movistar", "Movistar", "cellular", "es", 4),
    ("IT", "Italy", "Lazio", "Rome", "TIM", "TIM", "cellular", "it", 4),
    ("BR", "Brazil", "Sao Paulo", "Sao Paulo", "Vivo", "Vivo", "cellular", "pt", 6),
    ("BR", "Brazil", "Rio de Janeiro", "Rio de Janeiro", "Claro", "Claro BR", "cellular", "pt", 3),
    ("MX", "Mexico", "Mexico City", "Mexico City", "Telcel", "Telcel", "cellular", "es", 4),
    ("IN", "India", "Maharashtra", "Mumbai", "Jio", "Jio", "cellular", "hi", 5),
    ("ID", "Indonesia", "Jakarta", "Jakarta", "Telkomsel", "Telkomsel", "cellular", "id", 3),
    ("PL", "Poland", "Mazovia", "Warsaw", "Orange Polska", "Orange PL", "cable", "pl", 3),
    ("CA", "Canada", "Ontario", "Toronto", "Rogers", "Rogers Wireless", "cable", "en", 4),
    ("AU", "Australia", "New South Wales", "Sydney", "Telstra", "Telstra", "cellular", "en", 3),
    ("JP", "Japan", "Tokyo", "Tokyo", "NTT", "NTT Docomo", "cable", "ja", 3),
]
# (device type, os, os version, browser, browser version, model, weight)
DEVICES = [
    ("mobile", "Android", "14", "Chrome", "120.0", "Samsung Galaxy S23", 14),
    ("mobile", "Android", "13", "Chrome", "119.0", "Xiaomi Redmi Note 12", 10),
    ("mobile", "Android", "12", "Samsung Internet", "23.0", "Samsung Galaxy A52", 5),
    ("mobile", "iOS", "17.2", "Safari", "17.2", "iPhone", 14),
    ("mobile", "iOS", "16.6", "Safari", "16.6", "iPhone", 6),
    ("desktop", "Windows", "10", "Chrome", "120.0", "", 12),
    ("desktop", "Windows", "11", "Edge", "120.0", "", 6),
    ("desktop", "Windows", "10", "Firefox", "121.0", "", 4),
    ("desktop", "Mac OS X", "14.2", "Safari", "17.2", "", 5),
    ("desktop", "Linux", "", "Firefox", "121.0", "", 2),
    ("tablet", "iOS", "17.2", "Safari", "17.2", "iPad", 3),
    ("tablet", "Android", "13", "Chrome", "120.0", "Samsung Galaxy Tab S8", 2),
]
# (source, referrer, search engine, keyword, weight); id 0 is "no referrer"
REFERRERS = [
    ("", "", "", "", 30),
    ("google.com", "https://www.google.com/", "google", "lose weight fast", 14),
    ("google.com", "https://www.google.com/", "google", "best credit score app", 6),
    ("bing.com", "https://www.bing.com/", "bing", "dating near me", 5),
    ("yahoo.com", "https://search.yahoo.com/", "yahoo", "free iphone", 3),
    ("facebook.com", "https://m.facebook.com/", "", "", 10),
    ("news.example.com", "https://news.example.com/health/article-42", "", "", 9),
    ("games.example.net", "https://games.example.net/play", "", "", 8),
    ("reddit.com", "https://www.reddit.com/r/deals/", "", "", 6),
    ("weather.example.org", "https://weather.example.org/today", "", "", 9),
]
SUB3_NAMES = ["anna", "boris", "chen", "dmitri", "emma"]

_CLICK_COLUMNS = (
    "id, ts, campaign_id, stream_id, landing_id, offer_id, ts_id, geo, device, ref, ip, "
    "sub1, sub2, sub3, sub4, sub5, is_unique_campaign, is_unique_stream, is_unique_global, "
    "is_bot, is_proxy, lp_clicked, is_lead, is_sale, is_rejected, revenue, cost"
)

SCHEMA = """
DROP TABLE IF EXISTS clicks;
DROP TABLE IF EXISTS conversions;
DROP TABLE IF EXISTS ds_campaigns;
DROP TABLE IF EXISTS ds_streams;
DROP TABLE IF EXISTS ds_offers;
DROP TABLE IF EXISTS ds_landings;
DROP TABLE IF EXISTS ds_sources;
DROP TABLE IF EXISTS ds_geo;
DROP TABLE IF EXISTS ds_devices;
DROP TABLE IF EXISTS ds_referrers;
CREATE TABLE clicks (
    id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, campaign_id INTEGER NOT NULL,
    stream_id INTEGER NOT NULL, landing_id INTEGER NOT NULL, offer_id INTEGER NOT NULL,
    ts_id INTEGER NOT NULL, geo INTEGER NOT NULL, device INTEGER NOT NULL,
    ref INTEGER NOT NULL, ip INTEGER NOT NULL, sub1 INTEGER NOT NULL, sub2 INTEGER NOT NULL,
    sub3 INTEGER NOT NULL, sub4 INTEGER NOT NULL, sub5 INTEGER NOT NULL,
    is_unique_campaign INTEGER NOT NULL, is_unique_stream INTEGER NOT NULL,
    is_unique_global INTEGER NOT NULL, is_bot INTEGER NOT NULL, is_proxy INTEGER NOT NULL,
    lp_clicked INTEGER NOT NULL, is_lead INTEGER NOT NULL, is_sale INTEGER NOT NULL,
    is_rejected INTEGER NOT NULL, revenue REAL NOT NULL, cost REAL NOT NULL
);
CREATE TABLE conversions (
    id INTEGER PRIMARY KEY, click_id INTEGER NOT NULL, ts INTEGER NOT NULL,
    sale_ts INTEGER, status TEXT NOT NULL, previous_status TEXT NOT NULL,
    original_status TEXT NOT NULL, revenue REAL NOT NULL
);
CREATE TABLE ds_campaigns (
    id INTEGER PRIMARY KEY, name TEXT, group_id INTEGER, group_name TEXT, ts_id INTEGER
);
CREATE TABLE ds_streams (id INTEGER PRIMARY KEY, campaign_id INTEGER, name TEXT, schema TEXT);
CREATE TABLE ds_offers (id INTEGER PRIMARY KEY, name TEXT, payout REAL, network TEXT);
CREATE TABLE ds_landings (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE ds_sources (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE ds_geo (
    id INTEGER PRIMARY KEY, country_code TEXT, country TEXT, region TEXT, city TEXT,
    isp TEXT, operator TEXT, connection_type TEXT, language TEXT
);
CREATE TABLE ds_devices (
    id INTEGER PRIMARY KEY, device_type TEXT, os TEXT, os_version TEXT, browser TEXT,
    browser_version TEXT, device_model TEXT, user_agent TEXT
);
CREATE TABLE ds_referrers (
    id INTEGER PRIMARY KEY, source TEXT, referrer TEXT, search_engine TEXT, keyword TEXT
);
CREATE TABLE IF NOT EXISTS ds_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

INDEXES = """
CREATE INDEX clicks_ts ON clicks(ts);
CREATE INDEX clicks_campaign_ts ON clicks(campaign_id, ts);
CREATE INDEX conversions_ts ON conversions(ts);
CREATE INDEX conversions_click ON conversions(click_id);
"""


def _user_agent(device: tuple[str, str, str, str, str, str, int]) -> str:
    kind, os_name, os_version, browser, version, model, _ = device
    if os_name == "iOS":
        platform = f"{'iPad' if kind == 'tablet' else 'iPhone'}; CPU OS {os_version} like Mac OS X"
    elif os_name == "Android":
        platform = f"Linux; Android {os_version}; {model}"
    elif os_name == "Windows":
        platform = "Windows NT 10.0; Win64; x64"
    elif os_name == "Mac OS X":
        platform = "Macintosh; Intel Mac OS X 10_15_7"
    else:
        platform = "X11; Linux x86_64"
    return f"Mozilla/5.0 ({platform}) {browser}/{version}"


def flows() -> list[tuple[int, int, str, str, int, list[int], list[int]]]:
    """(flow id, campaign id, name, schema, weight, landing ids, offer ids) per flow."""
    out = []
    for k, campaign in enumerate(CAMPAIGNS):
        offers = [OFFERS[(2 * k + j) % len(OFFERS)][0] for j in range(3)]
        landings = [LANDINGS[(k + j) % len(LANDINGS)][0] for j in range(2)]
        for j, (name, schema, weight, uses_landings, uses_offers) in enumerate(FLOWS):
            out.append(
                (
                    9101 + 3 * k + j,
                    campaign[0],
                    name,
                    schema,
                    weight,
                    landings if uses_landings else [],
                    offers[: 2 + j % 2] if uses_offers else [],
                )
            )
    return out


def _table(weights: Sequence[int], size: int = 1024) -> list[int]:
    """Lookup table: a uniform index below ``size`` picks an item with the given weights."""
    bounds = list(accumulate(weights))
    total = bounds[-1]
    return [bisect_right(bounds, (i * total) // size) for i in range(size)]


def _catalogue_rows(store: Store) -> None:
    store.executemany(
        "INSERT INTO ds_campaigns VALUES (?, ?, ?, ?, ?)",
        [(c[0], c[1], GROUP_IDS[c[2]], c[2], c[3]) for c in CAMPAIGNS],
    )
    store.executemany(
        "INSERT INTO ds_streams VALUES (?, ?, ?, ?)", [(f[0], f[1], f[2], f[3]) for f in flows()]
    )
    store.executemany("INSERT INTO ds_offers VALUES (?, ?, ?, ?)", OFFERS)
    store.executemany("INSERT INTO ds_landings VALUES (?, ?)", LANDINGS)
    store.executemany("INSERT INTO ds_sources VALUES (?, ?)", SOURCES)
    store.executemany(
        "INSERT INTO ds_geo VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, *g[:8]) for i, g in enumerate(GEOS)],
    )
    store.executemany(
        "INSERT INTO ds_devices VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(i, *d[:6], _user_agent(d)) for i, d in enumerate(DEVICES)],
    )
    store.executemany(
        "INSERT INTO ds_referrers VALUES (?, ?, ?, ?, ?)",
        [(i, *r[:4]) for i, r in enumerate(REFERRERS)],
    )


def day_bounds(today: date) -> tuple[int, int]:
    """UTC epochs of the first second of the dataset's span and of the day after ``today``."""
    end = int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp()) + 86400
    return end - DAYS * 86400, end


def _generate(
    seed: int, total: int, today: date
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Chunks of (click rows, conversion rows); timestamps grow with the click id."""
    rng = random.Random(seed)
    bits = rng.getrandbits
    campaign_table = _table([c[6] for c in CAMPAIGNS])
    all_flows = flows()
    flows_by_campaign = [[f for f in all_flows if f[1] == c[0]] for c in CAMPAIGNS]
    flow_tables = [_table([f[4] for f in fl]) for fl in flows_by_campaign]
    payouts = {o[0]: o[2] for o in OFFERS}
    geo_table = _table([g[8] for g in GEOS])
    device_table = _table([d[6] for d in DEVICES])
    ref_table = _table([r[4] for r in REFERRERS])
    pub_table = _table([max(1, 400 // (i + 3)) for i in range(300)])
    sub3_table = _table([5, 4, 3, 2, 1])
    start_ts, end_ts = day_bounds(today)
    span = end_ts - start_ts
    clicks: list[tuple[Any, ...]] = []
    conversions: list[tuple[Any, ...]] = []
    conversion_id = 0
    for i in range(total):
        click_id = i + 1
        ts = start_ts + ((i * span + bits(20) * span // 1048576) // total)
        r1, r2, r3 = bits(64), bits(64), bits(64)
        k = campaign_table[r1 & 1023]
        campaign = CAMPAIGNS[k]
        flow = flows_by_campaign[k][flow_tables[k][(r1 >> 10) & 1023]]
        offers, landings = flow[6], flow[5]
        offer = offers[((r1 >> 20) & 1023) % len(offers)] if offers else 0
        landing = landings[((r1 >> 30) & 1023) % len(landings)] if landings else 0
        geo = geo_table[(r1 >> 40) & 1023]
        device = device_table[(r1 >> 50) & 1023]
        cost = round(campaign[4] * (0.8 + 0.4 * ((r1 >> 60) & 15) / 15), 5)
        ref = ref_table[r2 & 1023]
        sub1 = pub_table[(r2 >> 10) & 1023] + 1
        sub2 = ((r2 >> 20) & 1023) % 40 + 1
        sub3 = sub3_table[(r2 >> 30) & 1023] + 1
        sub4_raw = (r2 >> 40) & 1023
        sub4 = 0 if sub4_raw < 300 else sub4_raw % 20 + 1
        sub5_raw = (r2 >> 50) & 1023
        sub5 = 0 if sub5_raw < 717 else sub5_raw % 100 + 1
        lp_clicked = 1 if landing and ((r2 >> 60) & 15) < 10 else 0
        ip = (r3 & 0xFFFFFF) | ((1 + ((r3 >> 24) & 0xFF) % 223) << 24)
        u = (r3 >> 32) & 0xFFFF
        is_bot = 1 if ((r3 >> 48) & 1023) < 20 else 0
        is_proxy = 1 if ((r3 >> 58) & 63) < 2 else 0
        lead = sale = rejected = 0
        revenue = 0.0
        if offer and not is_bot and rng.random() < campaign[5]:
            roll = rng.random()
            status = "sale" if roll < 0.45 else "lead" if roll < 0.85 else "rejected"
            revenue = payouts[offer]
            lead, sale, rejected = status == "lead", status == "sale", status == "rejected"
            upgraded = status == "sale" and rng.random() < 0.5
            when = min(ts + int(rng.expovariate(1 / 5400)) + 30, end_ts - 1)
            conversion_id += 1
            conversions.append(
                (
                    conversion_id,
                    click_id,
                    when,
                    when if status == "sale" else None,
                    status,
                    "lead" if upgraded else "",
                    "lead" if upgraded else status,
                    revenue,
                )
            )
        clicks.append(
            (
                click_id, ts, campaign[0], flow[0], landing, offer, campaign[3], geo, device,
                ref, ip, sub1, sub2, sub3, sub4, sub5,
                1 if u < 49152 else 0, 1 if u < 55705 else 0, 1 if u < 36045 else 0,
                is_bot, is_proxy, lp_clicked, int(lead), int(sale), int(rejected), revenue, cost,
            )
        )  # fmt: skip
        if len(clicks) >= CHUNK:
            yield clicks, conversions
            clicks, conversions = [], []
    if clicks or conversions:
        yield clicks, conversions


_REGEX = re.compile(r"^/(.*)/([a-z]*)$", re.S)


@lru_cache(maxsize=256)
def compile_regexp(pattern: str) -> re.Pattern[str]:
    """A Python regex from ``pattern`` or ``/pattern/flags`` (flags: i, m, s, u)."""
    match = _REGEX.match(pattern)
    if not match:
        return re.compile(pattern)
    flags = 0
    for letter in match.group(2):
        flags |= {"i": re.I, "m": re.M, "s": re.S}.get(letter, 0)
    return re.compile(match.group(1), flags)


def _regexp(pattern: str, value: Any) -> bool:
    if value is None:
        return False
    return compile_regexp(pattern).search(str(value)) is not None


class Dataset:
    """Owns the synthetic tables; created lazily on the first report or log query."""

    def __init__(self, store: Store, seed: int, clicks: int, today: date) -> None:
        self.store = store
        self.seed = seed
        self.today = today
        self.clicks = max(0, clicks)
        self.version = 0
        self._ready = False
        self._lock = threading.Lock()
        self._totals: dict[tuple[str, tuple[Any, ...], int], int] = {}
        store.conn.create_function("regexp", 2, _regexp, deterministic=True)

    def ensure(self) -> None:
        """Generate the tables unless this store already holds the same dataset."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            wanted = f"{self.seed}:{self.clicks}:{self.today.isoformat()}"
            found = None
            if self.store.scalar(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ds_meta'"
            ):
                found = self.store.scalar("SELECT value FROM ds_meta WHERE key = 'dataset'")
            if found != wanted:
                self._build(wanted)
            self._ready = True

    def _build(self, marker: str) -> None:
        store = self.store
        store.conn.executescript(SCHEMA)
        with store.tx():
            _catalogue_rows(store)
            for click_rows, conversion_rows in _generate(self.seed, self.clicks, self.today):
                store.executemany(
                    f"INSERT INTO clicks ({_CLICK_COLUMNS}) VALUES ({', '.join('?' * 27)})",
                    click_rows,
                )
                store.executemany(
                    "INSERT INTO conversions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", conversion_rows
                )
            for statement in INDEXES.strip().split(";"):
                if statement.strip():
                    store.execute(statement)
            store.execute(
                "INSERT OR REPLACE INTO ds_meta (key, value) VALUES ('dataset', ?)", (marker,)
            )

    def changed(self) -> None:
        """Forget cached totals after clicks were deleted or re-costed."""
        self.version += 1
        self._totals.clear()

    def count(self, sql: str, params: Sequence[Any]) -> int:
        """``SELECT COUNT(*)`` with a small cache, so paging does not recount each page."""
        key = (sql, tuple(params), self.version)
        cached = self._totals.get(key)
        if cached is None:
            if len(self._totals) > 64:
                self._totals.clear()
            cached = int(self.store.scalar(sql, params) or 0)
            self._totals[key] = cached
        return cached

    def known_campaign(self, campaign_id: int) -> bool:
        return any(c[0] == campaign_id for c in CAMPAIGNS)
