"""Date & Time through the engine: the clock, the process's zone, errors that name the item.

Recorded cases live in tests/golden/date_time/ (tests/test_golden.py runs them). Those under
process_zone/ were recorded from n8n running with TZ=America/New_York, because n8n reads texts
without an offset in the process's local time; they run here with the same TZ.
"""

from __future__ import annotations

import functools
import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from golden.golden import differences, our_run
from support import chain, node, run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.errors import WorkflowError, WorkflowLoadError
from keitaro_node.runtime.expressions import ZONE_KEY
from keitaro_node.runtime.expressions.luxon.v8_date import parse_js_date
from keitaro_node.runtime.expressions.luxon.zones import UTC_ZONE, find_zone
from keitaro_node.runtime.items import BinaryData, Item
from keitaro_node.runtime.node import ExecutionContext
from keitaro_node.runtime.nodes.date_time import DateTimeNode
from keitaro_node.runtime.nodes.date_time_zones import luxon_zone, workflow_zone_name
from keitaro_node.runtime.workflow import parse_workflow

PROCESS_ZONE_CASES = Path(__file__).parent / "golden" / "date_time" / "process_zone"
RECORDED_WITH_TZ = "America/New_York"


def date_time(
    params: dict[str, Any],
    version: float = 2,
    timezone: str | None = "Europe/Berlin",
    **settings: Any,
) -> dict[str, Any]:
    dt = node("DT", "n8n-nodes-base.dateTime", params, **settings)
    dt["typeVersion"] = version
    workflow = chain(node("Start", "n8n-nodes-base.manualTrigger"), dt)
    workflow["settings"] = {"timezone": timezone} if timezone else {}
    return workflow


async def failure_of(workflow: dict[str, Any], items: list[dict[str, Any]]) -> WorkflowError:
    with pytest.raises(WorkflowError) as failure:
        await run(workflow, items)
    return failure.value


@pytest.mark.parametrize(
    "path", sorted(PROCESS_ZONE_CASES.glob("*.workflow.json")), ids=lambda p: p.stem
)
async def test_local_times_follow_the_process_zone_as_in_n8n(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", RECORDED_WITH_TZ)
    recorded = path.with_name(path.name.replace(".workflow.json", ".n8n-new-york.json"))
    problems = differences(await our_run(path), json.loads(recorded.read_text("utf-8")))
    assert not problems, "\n".join(problems)


async def test_the_same_local_text_moves_with_the_process_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workflow = date_time({"operation": "formatDate", "date": "2024-01-05 10:30", "format": "x"})
    seen = {}
    for zone in ("Asia/Tokyo", "America/New_York"):
        monkeypatch.setenv("TZ", zone)
        result = await run(workflow, [{}])
        seen[zone] = int(result.items("DT")[0].json["formattedDate"])
    assert seen["America/New_York"] - seen["Asia/Tokyo"] == 14 * 3_600_000


async def test_current_date_is_read_from_the_clock_in_the_workflow_zone() -> None:
    before = time.time()
    result = await run(date_time({"operation": "getCurrentDate"}), [{"keep": 1}])
    after = time.time()
    [item] = result.items("DT")
    assert set(item.json) == {"currentDate"}
    text = item.json["currentDate"]
    assert len(text) == len("2024-01-05T10:30:00.000+01:00")
    moment = datetime.fromisoformat(text)
    assert before - 0.001 <= moment.timestamp() <= after + 0.001
    assert (
        moment.utcoffset() == datetime.fromtimestamp(before, ZoneInfo("Europe/Berlin")).utcoffset()
    )


async def test_current_date_without_time_is_midnight_in_the_chosen_zone() -> None:
    params = {
        "operation": "getCurrentDate",
        "includeTime": False,
        "outputFieldName": "today",
        "options": {"timezone": "Asia/Tokyo", "includeInputFields": True},
    }
    before = datetime.now(ZoneInfo("Asia/Tokyo"))
    result = await run(date_time(params), [{"keep": 1}])
    after = datetime.now(ZoneInfo("Asia/Tokyo"))
    [item] = result.items("DT")
    assert item.json["keep"] == 1
    today = datetime.fromisoformat(item.json["today"])
    assert today.utcoffset() == timedelta(hours=9)
    assert (today.hour, today.minute, today.second, today.microsecond) == (0, 0, 0, 0)
    assert today.date() in (before.date(), after.date())


async def test_current_date_in_a_zone_that_does_not_exist_names_node_and_item() -> None:
    params = {"operation": "getCurrentDate", "options": {"timezone": "={{ $json.zone }}"}}
    failure = await failure_of(
        date_time(params), [{"zone": "Europe/Paris"}, {"zone": "Mars/Olympus"}]
    )
    assert failure.node_name == "DT"
    assert str(failure.error).startswith(
        "item 1: The timezone Mars/Olympus is not valid. Please check the timezone."
    )
    assert failure.completed and len(failure.completed) == 1


async def test_workflow_without_a_zone_uses_generic_timezone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GENERIC_TIMEZONE", "Asia/Kolkata")
    params = {"operation": "addToDate", "magnitude": "2024-01-05T00:00:00Z", "duration": 1}
    result = await run(date_time(params, timezone=None), [{}])
    assert result.items("DT")[0].json == {"newDate": "2024-01-06T05:30:00.000+05:30"}


async def test_utc_by_its_short_name_writes_z() -> None:
    params = {"operation": "addToDate", "magnitude": "2024-01-05T00:00:00Z", "duration": 1}
    short = await run(date_time(params, timezone="UTC"), [{}])
    assert short.items("DT")[0].json["newDate"] == "2024-01-06T00:00:00.000Z"


def test_the_zone_name_an_engine_passes_wins_over_the_scope_zone() -> None:
    # Luxon keeps Etc/UTC a named zone (+00:00); the scope's zone for it is plain UTC (Z)
    scope = {ZONE_KEY: find_zone("Etc/UTC")}
    plain = SimpleNamespace(scope_factory=lambda _index: scope)
    named = SimpleNamespace(scope_factory=lambda _index: scope, workflow_timezone="Etc/UTC")
    assert workflow_zone_name(cast(ExecutionContext, plain)) == "UTC"
    assert workflow_zone_name(cast(ExecutionContext, named)) == "Etc/UTC"
    zone = luxon_zone("Etc/UTC", UTC_ZONE)
    assert zone is not None and not zone.fixed


async def test_unparsable_dates_name_node_item_and_value() -> None:
    v2 = date_time({"operation": "formatDate", "date": "={{ $json.d }}"})
    failure = await failure_of(v2, [{"d": "2024-01-05T10:00:00Z"}, {"d": "tomorrow-ish"}])
    message = str(failure)
    assert failure.node_name == "DT"
    assert "node 'DT' failed: item 1: Invalid date format" in message
    assert "'tomorrow-ish'" in message
    v1 = date_time({"action": "calculate", "value": "={{ $json.d }}", "duration": 1}, version=1)
    failure = await failure_of(v1, [{"d": "tomorrow-ish"}])
    assert str(failure.error).startswith(
        'item 0: Unrecognized date input. Please specify a format in the "From Format" field.'
    )
    v1_format = date_time({"action": "format", "value": "={{ $json.d }}"}, version=1)
    failure = await failure_of(v1_format, [{"d": "tomorrow-ish"}])
    assert "could not be recognized" in str(failure) and "'tomorrow-ish'" in str(failure)


async def test_a_text_not_in_the_from_format_is_refused() -> None:
    v1 = date_time(
        {
            "action": "calculate",
            "value": "2024-01-05",
            "duration": 1,
            "options": {"fromFormat": "DD/MM/YYYY"},
        },
        version=1,
    )
    failure = await failure_of(v1, [{}])
    assert "Date input cannot be parsed" in str(failure) and "DD/MM/YYYY" in str(failure)
    v2 = date_time(
        {"operation": "formatDate", "date": "2024-01-05", "options": {"fromFormat": "dd/MM/yyyy"}}
    )
    failure = await failure_of(v2, [{}])
    assert str(failure.error).startswith("item 0: Invalid date format")


async def test_format_tokens_moment_cannot_be_read_with_here_are_refused() -> None:
    workflow = date_time(
        {
            "action": "format",
            "value": "2024 AD",
            "custom": True,
            "toFormat": "YYYY",
            "options": {"fromFormat": "YYYY N"},
        },
        version=1,
    )
    failure = await failure_of(workflow, [{}])
    assert "the format token N" in str(failure) and "not reproduced here" in str(failure)


async def test_unknown_units_fail_the_item_in_both_versions() -> None:
    v2 = date_time(
        {"operation": "addToDate", "magnitude": "2024-01-05", "timeUnit": "={{ $json.u }}"}
    )
    failure = await failure_of(v2, [{"u": "days"}, {"u": "fortnights"}])
    assert str(failure.error).startswith("item 1: Invalid unit fortnights")
    v1 = date_time(
        {"action": "calculate", "value": "2024-01-05", "duration": 2, "timeUnit": "={{ $json.u }}"},
        version=1,
    )
    failure = await failure_of(v1, [{"u": "fortnights"}])
    assert "item 0: The time unit 'fortnights' is not known" in str(failure)


async def test_errors_become_items_under_continue_settings() -> None:
    workflow = date_time(
        {"operation": "extractDate", "date": "={{ $json.d }}", "part": "day"},
        onError="continueRegularOutput",
    )
    result = await run(workflow, [{"d": "nope"}, {"d": "2024-01-05T10:00:00Z"}])
    out = result.items("DT")
    assert [item.json for item in out] == [{"error": "Invalid date format"}, {"datePart": 5}]
    assert [item.paired_item.item if item.paired_item else None for item in out] == [0, 1]


async def test_version_1_skips_items_without_a_value_and_keeps_files() -> None:
    files = {"f": BinaryData(b"x", "text/plain", "f.txt")}
    workflow = parse_workflow(
        date_time(
            {"action": "format", "value": "={{ $json.d }}", "options": {"toTimezone": "UTC"}},
            version=1,
        )
    )
    start = [Item(json={"d": "2024-01-05T10:00:00Z"}, binary=files), Item(json={}), Item(json={})]
    start[2].json["d"] = 1704448800
    result = await run_workflow(workflow, start)
    out = result.items("DT")
    assert [item.json["data"] for item in out] == ["01/05/2024", "01/05/2024"]
    assert [item.paired_item.item if item.paired_item else None for item in out] == [0, 2]
    assert out[0].binary == files


async def test_version_2_keeps_files_only_with_input_fields() -> None:
    files = {"f": BinaryData(b"x", "text/plain", "f.txt")}
    start = [Item(json={"d": "2024-01-05T10:00:00Z"}, binary=files)]
    for include, kept in ((True, files), (False, None)):
        params = {
            "operation": "roundDate",
            "date": "={{ $json.d }}",
            "options": {"includeInputFields": include},
        }
        result = await run_workflow(parse_workflow(date_time(params)), start)
        assert result.items("DT")[0].binary == kept


async def test_versions_the_runtime_does_not_have_are_refused() -> None:
    with pytest.raises(WorkflowLoadError) as caught:
        await run_workflow(parse_workflow(date_time({"operation": "getCurrentDate"}, version=3)))
    assert "node 'DT': typeVersion 3 of n8n-nodes-base.dateTime is not supported" in str(
        caught.value
    )
    assert "(this node implements 1, 2)" in str(caught.value)


def test_the_node_works_item_by_item() -> None:
    assert DateTimeNode.needs_all_items is False
    assert DateTimeNode().description.version == (1, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # facts measured with Node.js 20 (V8) with TZ=America/New_York
        ("2024-01-05", "2024-01-05T00:00:00+00:00"),  # ISO date-only: UTC
        ("2024-01-05T10:00", "2024-01-05T15:00:00+00:00"),  # ISO date-time: local
        ("2024-01-05 10:00", "2024-01-05T15:00:00+00:00"),  # not ISO: the legacy reader
        ("1/5", "2001-01-05T05:00:00+00:00"),  # a missing year is 2001
        ("05.01.2024", "2024-05-01T04:00:00+00:00"),  # month.day.year
        ("Friday, January 5, 2024 10:00 PM GMT+0200", "2024-01-05T20:00:00+00:00"),
        ("2024-02-30", "2024-03-01T00:00:00+00:00"),  # a day past the month's end rolls on
    ],
)
def test_javascript_date_reading_matches_v8(text: str, expected: str) -> None:
    zone = find_zone("America/New_York")
    assert zone is not None
    ms = parse_js_date(text, zone)
    assert datetime.fromtimestamp(ms / 1000, ZoneInfo("UTC")).isoformat() == expected


@pytest.mark.parametrize("text", ["garbage", "", "12:00", "2024-13-01", "Jan 32 2024"])
def test_texts_v8_cannot_read_are_nan(text: str) -> None:
    zone = find_zone("UTC")
    assert zone is not None
    assert parse_js_date(text, zone) != parse_js_date(text, zone)  # NaN


async def test_a_missing_date_is_the_current_time_as_in_n8n() -> None:
    # n8n reads undefined with moment(), which is "now"; only Format a Date leaves it out
    params = {"operation": "addToDate", "magnitude": "={{ $json.missing }}", "duration": 1}
    before = time.time()
    result = await run(date_time(params), [{}])
    after = time.time()
    moved = datetime.fromisoformat(result.items("DT")[0].json["newDate"])
    day = 86_400
    assert before + day - 0.001 <= moved.timestamp() <= after + day + 0.001
    formatted = await run(date_time({"operation": "formatDate", "date": "={{ $json.x }}"}), [{}])
    assert formatted.items("DT")[0].json == {}


async def test_objects_and_lists_are_read_as_moment_reads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # answers of n8n 1.123's nodes run with TZ=America/New_York and a workflow in Berlin
    monkeypatch.setenv("TZ", "America/New_York")
    fields = "={{ { year: 2023, month: 4, day: 9, hour: 7 } }}"
    extract = date_time({"operation": "extractDate", "date": fields, "part": "month"})
    assert (await run(extract, [{}])).items("DT")[0].json == {"datePart": 5}
    zoned = date_time(
        {
            "action": "format",
            "value": fields,
            "custom": True,
            "toFormat": "YYYY-MM-DD HH:mm Z",
            "options": {"toTimezone": "Asia/Tokyo"},
        },
        version=1,
    )
    assert (await run(zoned, [{}])).items("DT")[0].json["data"] == "2023-05-09 14:00 +09:00"
    local = date_time(
        {"action": "format", "value": fields, "custom": True, "toFormat": "YYYY-MM-DD HH:mm Z"},
        version=1,
    )
    assert (await run(local, [{}])).items("DT")[0].json["data"] == "2023-05-09 07:00 -04:00"


# --- the description against n8n's ---------------------------------------------------------

PARAMETER_FACTS = Path(__file__).parent / "golden" / "date_time" / "parameters.n8n.json"
# Where ours knowingly differs from n8n's description, and why.
ALLOWED_DIFFERENCES = {
    ("fromTimezone", "types"): "n8n lists moment-timezone's zones at run time; here: a zone name",
    ("toTimezone", "types"): "n8n lists moment-timezone's zones at run time; here: a zone name",
}


def _facts(properties: list[dict[str, Any]]) -> dict[str, Any]:
    """Per parameter name: types, defaults, choices, where it shows (without @version), subs."""
    out: dict[str, Any] = {}
    for p in properties:
        fact = out.setdefault(
            p["name"], {"types": [], "defaults": [], "values": [], "show": [], "subs": {}}
        )
        for key, value in (("types", p["type"]), ("defaults", p.get("default"))):
            if value not in fact[key]:
                fact[key].append(value)
        show = {
            k: v
            for k, v in ((p.get("displayOptions") or {}).get("show") or {}).items()
            if k != "@version"
        }
        if show not in fact["show"]:
            fact["show"].append(show)
        for option in p.get("options") or []:
            if p["type"] in ("options", "multiOptions") and option["value"] not in fact["values"]:
                fact["values"].append(option["value"])
            elif p["type"] == "collection":
                fact["subs"].update(_facts([option]))
    return out


def _our_properties(version: int) -> list[dict[str, Any]]:
    shown = []
    for parameter in DateTimeNode().description.properties:
        data = parameter.model_dump(mode="json", exclude_defaults=True)
        versions = ((data.get("displayOptions") or {}).get("show") or {}).get("@version")
        if versions is None or version in versions:
            data.setdefault("default", None if parameter.default is None else parameter.default)
            for option in data.get("options") or []:
                option.setdefault("default", None)
            shown.append(data)
    return shown


def _differences(theirs: dict[str, Any], ours: dict[str, Any], where: str = "") -> list[str]:
    problems = []
    for name, fact in theirs.items():
        mine = ours.get(name)
        if mine is None:
            problems.append(f"{where}{name}: n8n has it, ours does not")
            continue
        for key in ("types", "defaults", "values", "show"):
            dump = functools.partial(json.dumps, sort_keys=True)
            same = sorted(map(dump, fact[key])) == sorted(map(dump, mine[key]))
            if not same and (name, key) not in ALLOWED_DIFFERENCES:
                problems.append(f"{where}{name} {key}: n8n {fact[key]}, ours {mine[key]}")
        problems += _differences(fact["subs"], mine["subs"], f"{where}{name}.")
    return problems + [f"{where}{name}: ours only" for name in ours if name not in theirs]


@pytest.mark.parametrize("version", [1, 2])
def test_the_description_declares_what_n8n_has(version: int) -> None:
    recorded = json.loads(PARAMETER_FACTS.read_text("utf-8"))[str(version)]
    problems = _differences(recorded, _facts(_our_properties(version)))
    assert not problems, "\n".join(problems)


_DUMP = """
const dir = process.argv[1] + '/node_modules/n8n-nodes-base/dist/nodes/DateTime/';
const out = {};
out[1] = new (require(dir + 'V1/DateTimeV1.node.js').DateTimeV1)({}).description.properties;
out[2] = new (require(dir + 'V2/DateTimeV2.node.js').DateTimeV2)({}).description.properties;
console.log(JSON.stringify(out));
"""


def record_parameter_facts(n8n_dir: Path) -> None:
    """Write the facts (names, types, defaults, choices, conditions; no prose) of n8n's node."""
    import subprocess

    done = subprocess.run(
        ["node", "-e", _DUMP, str(n8n_dir)], capture_output=True, text=True, check=True
    )
    dumped = json.loads(done.stdout)
    facts = {version: _facts(properties) for version, properties in dumped.items()}
    PARAMETER_FACTS.write_text(json.dumps(facts, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"recorded {PARAMETER_FACTS}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="record n8n's Date & Time parameter facts")
    parser.add_argument("--n8n", type=Path, required=True, help="folder with n8n installed")
    record_parameter_facts(parser.parse_args().n8n)
