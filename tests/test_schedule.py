"""n8n's cron dialect and Schedule Trigger rules: what fires when, in which zone."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from keitaro_node.runtime.nodes.schedule_trigger import ScheduleTrigger
from keitaro_node.runtime.schedule import (
    CronError,
    CronSpec,
    ScheduleError,
    build_schedule,
    trigger_item,
    zone_for,
)

BERLIN = ZoneInfo("Europe/Berlin")


def times(expression: str, start: datetime, count: int, zone: ZoneInfo = BERLIN) -> list[str]:
    spec = CronSpec.parse(expression)
    out = []
    moment = start
    for _ in range(count):
        found = spec.next_after(moment, zone)
        assert found is not None
        out.append(found.isoformat())
        moment = found
    return out


def test_five_or_six_fields_names_and_presets() -> None:
    start = datetime(2024, 1, 1, 10, 0, tzinfo=BERLIN)  # a Monday
    assert times("0 15 * * *", start, 2) == [
        "2024-01-01T15:00:00+01:00",
        "2024-01-02T15:00:00+01:00",
    ]
    assert times("30 */20 * * * *", start, 2) == [
        "2024-01-01T10:00:30+01:00",
        "2024-01-01T10:20:30+01:00",
    ]
    assert times("0 9 * jan-feb fri", start, 1) == ["2024-01-05T09:00:00+01:00"]
    assert times("0 0 * * 7", start, 1) == ["2024-01-07T00:00:00+01:00"]  # 7 is Sunday
    assert times("@weekdays", datetime(2024, 1, 5, 12, tzinfo=BERLIN), 1) == [
        "2024-01-08T00:00:00+01:00"
    ]
    assert times("0 0 0 10/10 * *", start, 3) == [
        "2024-01-10T00:00:00+01:00",
        "2024-01-20T00:00:00+01:00",
        "2024-01-30T00:00:00+01:00",
    ]


def test_day_of_month_or_day_of_week_when_both_are_restricted() -> None:
    start = datetime(2024, 1, 1, 12, tzinfo=BERLIN)
    # the 13th or any Friday
    assert times("0 0 13 * 5", start, 3) == [
        "2024-01-05T00:00:00+01:00",
        "2024-01-12T00:00:00+01:00",
        "2024-01-13T00:00:00+01:00",
    ]
    # 1-31 lists every day, so it does not restrict: only Mondays
    assert times("0 0 1-31 * 1", start, 1) == ["2024-01-08T00:00:00+01:00"]


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("* * *", "too few fields"),
        ("0 0 0 * * * *", "too many fields"),
        ("0 0 L * *", "unknown name 'l'"),
        ("0 0 * * monday", "unknown name 'day'"),
        ("0 0 ? * *", "cannot be read"),
        ("*/0 * * * *", "step of zero"),
        ("5-1 * * * *", "runs backwards"),
        ("0 24 * * *", "outside 0-23"),
        ("0 1* * * *", "'*' where only a whole value"),
        ("", "empty"),
    ],
)
def test_what_n8ns_cron_refuses(expression: str, words: str) -> None:
    with pytest.raises(CronError, match=words):
        CronSpec.parse(expression)


def test_a_day_no_listed_month_has_is_folded_as_n8n_does() -> None:
    assert CronSpec.parse("0 0 30 2 *").days_of_month == {1}


def test_daylight_saving_jumps() -> None:
    # 02:30 does not exist on 31 March in Berlin: it fires at the jump, once
    assert times("0 30 2 * * *", datetime(2024, 3, 30, 12, tzinfo=BERLIN), 2) == [
        "2024-03-31T03:00:00+02:00",
        "2024-04-01T02:30:00+02:00",
    ]
    # 02:30 happens twice on 27 October: a daily job runs once
    assert times("0 30 2 * * *", datetime(2024, 10, 26, 12, tzinfo=BERLIN), 2) == [
        "2024-10-27T02:30:00+02:00",
        "2024-10-28T02:30:00+01:00",
    ]
    # a job of every hour keeps its pace through the repeated hour
    fired = times("0 */30 * * * *", datetime(2024, 10, 27, 1, 50, tzinfo=BERLIN), 6)
    gaps = {
        datetime.fromisoformat(b) - datetime.fromisoformat(a) for a, b in itertools.pairwise(fired)
    }
    assert gaps == {timedelta(minutes=30)}
    assert fired[2:4] == ["2024-10-27T02:00:00+01:00", "2024-10-27T02:30:00+01:00"]


def test_rules_become_n8ns_cron_expressions() -> None:
    rng = random.Random(7)
    schedule = build_schedule(
        [
            {"field": "seconds", "secondsInterval": 10},
            {"field": "minutes", "minutesInterval": 15},
            {"field": "hours", "hoursInterval": 6, "triggerAtMinute": 5},
            {
                "field": "weeks",
                "weeksInterval": 1,
                "triggerAtDay": [1, 5],
                "triggerAtHour": 8,
                "triggerAtMinute": 0,
            },
            {
                "field": "months",
                "monthsInterval": 3,
                "triggerAtDayOfMonth": 15,
                "triggerAtHour": 9,
                "triggerAtMinute": 30,
            },
            {"field": "cronExpression", "expression": "0 12 * * sat"},
        ],
        BERLIN,
        rng,
    )
    sources = [rule.cron.source for rule in schedule.rules]
    assert sources[0] == "*/10 * * * * *"
    second = sources[1].split()[0]
    assert 0 <= int(second) < 60 and sources[1] == f"{second} */15 * * * *"
    assert sources[2].endswith(" 5 */6 * * *")
    assert sources[3].endswith(" 0 8 * * 1,5")
    assert sources[4].endswith(" 30 9 15 */3 *")
    assert sources[5] == "0 12 * * sat"


def test_every_n_days_counts_from_the_first_firing() -> None:
    schedule = build_schedule(
        [{"field": "days", "daysInterval": 3, "triggerAtHour": 9, "triggerAtMinute": 0}],
        BERLIN,
        random.Random(1),
    )
    moment = datetime(2024, 12, 29, 12, tzinfo=BERLIN)
    days = []
    for _ in range(4):
        fire = schedule.next_fire(moment)
        assert fire is not None
        schedule.record(fire)
        days.append(fire.at.date().isoformat())
        moment = fire.at
    # across the year's end, which n8n's day-of-year check does not survive
    assert days == ["2024-12-30", "2025-01-02", "2025-01-05", "2025-01-08"]


def test_every_n_weeks_fires_on_each_chosen_day_of_a_due_week() -> None:
    schedule = build_schedule(
        [
            {
                "field": "weeks",
                "weeksInterval": 2,
                "triggerAtDay": [1, 3],
                "triggerAtHour": 7,
                "triggerAtMinute": 0,
            }
        ],
        BERLIN,
        random.Random(1),
    )
    moment = datetime(2024, 1, 1, 0, tzinfo=BERLIN)  # Monday
    days = []
    for _ in range(4):
        fire = schedule.next_fire(moment)
        assert fire is not None
        schedule.record(fire)
        days.append(fire.at.date().isoformat())
        moment = fire.at
    assert days == ["2024-01-01", "2024-01-03", "2024-01-15", "2024-01-17"]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"field": "seconds", "secondsInterval": 0}, "Seconds must be in range 1-59"),
        ({"field": "minutes", "minutesInterval": 60}, "Minutes must be in range 1-59"),
        ({"field": "hours", "hoursInterval": 24}, "Hours must be in range 1-23"),
        ({"field": "days", "daysInterval": 0}, "Days must be in range 1-31"),
        ({"field": "months", "monthsInterval": 0}, "Months must be larger than 0"),
        ({"field": "seconds", "secondsInterval": 1.5}, "whole number"),
        ({"field": "minutes", "minutesInterval": "={{ 5 }}"}, "is an expression"),
        ({"field": "fortnights"}, "unknown Trigger Interval"),
    ],
)
def test_rules_that_cannot_be_scheduled(row: dict[str, object], words: str) -> None:
    with pytest.raises(ScheduleError, match=words):
        build_schedule([row], BERLIN)


def test_the_node_reads_defaults_versions_and_the_workflow_zone() -> None:
    node = ScheduleTrigger()
    schedule = node.schedule_for({}, 1.2, {"timezone": "Asia/Tokyo"}, random.Random(3))
    assert schedule.zone.key == "Asia/Tokyo"
    assert schedule.rules[0].field == "days"  # n8n's default rule: every day at midnight
    assert schedule.rules[0].cron.hours == (0,) and schedule.rules[0].cron.minutes == (0,)
    with pytest.raises(ScheduleError, match="no typeVersion 2"):
        node.schedule_for({}, 2, None)
    with pytest.raises(ScheduleError, match="not a time zone"):
        zone_for({"timezone": "Mars/Olympus"})


def test_the_trigger_item_has_n8ns_fields() -> None:
    moment = datetime(2024, 3, 1, 21, 5, 9, 123456, tzinfo=UTC)
    assert trigger_item(moment, BERLIN) == {
        "timestamp": "2024-03-01T22:05:09.123+01:00",
        "Readable date": "March 1st 2024, 10:05:09 pm",
        "Readable time": "10:05:09 pm",
        "Day of week": "Friday",
        "Year": "2024",
        "Month": "March",
        "Day of month": "01",
        "Hour": "22",
        "Minute": "05",
        "Second": "09",
        "Timezone": "Europe/Berlin (UTC+01:00)",
    }
    assert trigger_item(datetime(2024, 1, 12, 0, 0, tzinfo=BERLIN), BERLIN)["Readable date"] == (
        "January 12th 2024, 12:00:00 am"
    )


async def test_run_by_hand_the_trigger_outputs_the_item_for_now() -> None:
    from support import chain, node, run

    flow = chain(node("Every", "n8n-nodes-base.scheduleTrigger", {}, typeVersion=1.3))
    flow["settings"] = {"timezone": "Europe/Berlin"}
    before = datetime.now(UTC).replace(microsecond=0)
    item = (await run(flow)).final_items()[0].json
    assert item["Timezone"].startswith("Europe/Berlin (UTC+")
    assert datetime.fromisoformat(item["timestamp"]) >= before
    wrong = chain(node("Every", "n8n-nodes-base.scheduleTrigger", {}, typeVersion=2))
    with pytest.raises(
        Exception, match=r"typeVersion 2 of n8n-nodes-base\.scheduleTrigger is not supported"
    ):
        await run(wrong)
