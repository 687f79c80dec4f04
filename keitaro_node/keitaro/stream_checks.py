"""Mistakes in a stream that trackers accept silently and then misbehave on.

Keitaro does not validate these (BEHAVIOUR.md §3.3): shares that do not add up to 100, a
`country` filter with "UK" (the geo database says GB) or with a single string instead of a
list (treated as empty, so it never matches), a filter called `geo` (no such filter), landings
or offers on a redirect/action stream (the tracker empties them), filters on a default stream
(always emptied).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ISO 3166-1 alpha-2 codes.
ISO_COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW XK
    """.split()
)

# Common non-ISO spellings and what the geo database calls them.
SUGGESTIONS = {"UK": "GB", "EN": "GB", "EL": "GR", "SP": "ES", "KO": "KR", "JA": "JP"}

# Codes that match visitors without a known country rather than a country.
UNKNOWN_MARKERS = frozenset({"XX", "@EMPTY", "UNKNOWN"})


@dataclass(frozen=True, slots=True)
class StreamProblem:
    field: str
    message: str


def check_stream(body: dict[str, Any], creating: bool) -> list[StreamProblem]:
    """Problems of a stream body (create, or the fields an update sends)."""
    problems: list[StreamProblem] = []
    filters = body.get("filters")
    if filters and type(filters) is list:
        for index, entry in enumerate(filters):
            if type(entry) is dict and entry.get("name") in ("geo", "country"):
                problems.extend(_filter_problems(index, entry))
    for kind in ("offers", "landings"):
        entries = body.get(kind)
        if entries and type(entries) is list:
            problems.extend(_share_problems(kind, entries))
    schema = body.get("schema")
    if schema == "redirect" or schema == "action":
        for kind in ("landings", "offers"):
            if body.get(kind):
                problems.append(
                    StreamProblem(
                        kind,
                        f"a '{schema}' stream loses its {kind} (the tracker empties them); "
                        f"use schema 'landings' to rotate {kind}",
                    )
                )
    if filters and body.get("type") == "default":
        problems.append(
            StreamProblem(
                "filters", "a default stream always loses its filters (the tracker empties them)"
            )
        )
    return problems


def _filter_problems(index: int, entry: dict[str, Any]) -> list[StreamProblem]:
    where = f"filters[{index}]"
    name = entry.get("name")
    if name == "geo":
        return [
            StreamProblem(
                where,
                f"{where}: there is no 'geo' filter; use 'country' with ISO codes such as [\"GB\"]",
            )
        ]
    if name != "country" or "payload" not in entry:
        return []
    payload = entry["payload"]
    if not isinstance(payload, list):
        return [
            StreamProblem(
                where,
                f'{where}: the country filter needs an array of ISO-3166 alpha-2 codes such as ["GB", "DE"], '
                f"got {payload!r} (the tracker treats it as empty, so it never matches)",
            )
        ]
    wrong = []
    for code in payload:
        text = str(code).strip().upper() if isinstance(code, str) else None
        if text is None or (text not in ISO_COUNTRIES and text not in UNKNOWN_MARKERS):
            hint = SUGGESTIONS.get(text or "")
            wrong.append(
                f"{code!r}" + (f" (did you mean {hint!r}?)" if hint and hint != text else "")
            )
    if wrong:
        return [
            StreamProblem(where, f"{where}: not ISO-3166 alpha-2 country codes: {', '.join(wrong)}")
        ]
    return []


def _share_problems(kind: str, entries: list[Any]) -> list[StreamProblem]:
    key = "offer_id" if kind == "offers" else "landing_id"
    total = 0
    active = []
    for entry in entries:
        if type(entry) is not dict or entry.get("state", "active") != "active":
            continue
        share = entry.get("share")
        if type(share) is not int:
            return []  # the schema check reports shares that are not whole numbers
        total += share
        active.append(entry)
    if not active or total == 100:
        return []
    parts = ", ".join(f"{e.get(key)}: {e.get('share')}" for e in active)
    return [
        StreamProblem(kind, f"the shares of active {kind} add up to {total}, not 100 ({parts})")
    ]
