"""The JavaScript meanings the condition and field nodes rely on, against facts measured in
Node.js 20 with n8n 1.123's libraries (V8's Date.parse and number text, Luxon, lodash,
jsonrepair)."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

from keitaro_node.runtime.nodes import lodash_path
from keitaro_node.runtime.nodes.conditions import regex as js_regex
from keitaro_node.runtime.nodes.conditions.dates import js_date_parse, parse_date_time
from keitaro_node.runtime.nodes.conditions.js import (
    UNDEFINED,
    compare,
    js_number,
    js_string,
    json_stringify,
    number_text,
)
from keitaro_node.runtime.nodes.json_repair import parse_lenient_json


@pytest.fixture
def utc_system_zone(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (123456789012345680000.0, "123456789012345680000"),
        (0.1 + 0.2, "0.30000000000000004"),
        (-0.0, "0"),
        (1.5e300, "1.5e+300"),
        (1e20, "100000000000000000000"),
        (123e-20, "1.23e-18"),
    ],
)
def test_numbers_read_as_javascript_writes_them(value: float, text: str) -> None:
    assert number_text(value) == text


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (" 0x1F ", 31),
        ("1_0", math.nan),
        ("inf", math.nan),
        ("+Infinity", math.inf),
        ("", 0),
        (".5", 0.5),
        ("5.", 5),
        ("-0x5", math.nan),
        ([5], 5),
        ([], 0),
        (["7"], 7),
        ([1, 2], math.nan),
        (True, 1),
        (None, 0),
        (UNDEFINED, math.nan),
    ],
)
def test_number_conversion_is_javascripts(value: Any, number: float) -> None:
    got = js_number(value)
    assert (math.isnan(got) and math.isnan(number)) or got == number


def test_text_and_json_are_javascripts() -> None:
    assert js_string([1, [2, 3], None, UNDEFINED, {}]) == "1,2,3,,,[object Object]"
    assert json_stringify({"a": 1.0, "b": [1e21, math.nan, UNDEFINED, 1e-7], "c": UNDEFINED}) == (
        '{"a":1,"b":[1e+21,null,null,1e-7]}'
    )


@pytest.mark.parametrize(
    ("operator", "a", "b", "holds"),
    [
        (">=", None, 0, True),
        (">=", UNDEFINED, 0, False),
        ("<", "10", "9", True),
        ("<", "10", 9, False),
        (">", [2], 1, True),
        (">", "a", 1, False),
    ],
)
def test_comparisons_are_javascripts(operator: str, a: Any, b: Any, holds: bool) -> None:
    assert compare(operator, a, b) is holds


@pytest.mark.parametrize(
    ("text", "millis"),
    [
        ("2024-01-02", 1704153600000),
        ("2024-01-02T03:04:05.1234Z", 1704164645123),
        ("2024-01-02t03:04:05z", 1704164645000),
        ("+002024-01-02", 1704153600000),
        ("2024-01-02T03:04:05+0100", 1704161045000),
        ("Tue, 02 Jan 2024 03:04:05 +0100", 1704161045000),
        ("Jan 2, 2024 GMT+2", 1704146400000),
        ("1/2/2024", 1704153600000),
        ("01/02/2024 10:00 PM", 1704232800000),
        ("2 January 2024", 1704153600000),
        ("5", 988675200000),
        ("32", 1956528000000),
        ("13", None),
        ("abc", None),
    ],
)
def test_date_parse_reads_what_v8_reads(
    utc_system_zone: Any, text: str, millis: int | None
) -> None:
    assert js_date_parse(text) == millis


@pytest.mark.parametrize(
    ("value", "zone", "millis"),
    [
        ("2024-01-02 00:00:00", "America/New_York", 1704171600000),
        ("2024-01-02T00:00:00Z", "America/New_York", 1704153600000),
        ("20240102", "UTC", 1704153600000),
        ("2024-W01-3", "UTC", 1704240000000),
        ("2024-032", "UTC", 1706745600000),
        ("2024-01-02T24:00", "UTC", 1704240000000),
        ("Tue, 02 Jan 2024 03:04:05 GMT", "UTC", 1704164645000),
        ("2024-01-02 03:04:05 +0200", "UTC", 1704157445000),
        ("1700000000000", "UTC", None),
        (True, "UTC", None),
        ("", "UTC", None),
    ],
)
def test_date_time_values_read_as_n8n_reads_them(value: Any, zone: str, millis: int | None) -> None:
    from zoneinfo import ZoneInfo

    assert parse_date_time(value, ZoneInfo(zone)) == millis


@pytest.mark.parametrize(
    ("path", "after"),
    [
        ("a[0].b", {"a": [{"b": 5}]}),
        ("a..b", {"a": {"": {"b": 5}}}),
        ("a['x.y']", {"a": {"x.y": 5}}),
        ("a[1]", {"a": [None, 5]}),
        ("s.t", {"s": {"t": 5}}),
        ("k.dot", {"k.dot": 5}),
    ],
)
def test_field_paths_are_lodash_paths(path: str, after: dict[str, Any]) -> None:
    target: dict[str, Any] = {"s": "text"} if path == "s.t" else {}
    if path == "k.dot":
        target = {"k.dot": 1}
    lodash_path.set_path(target, path, 5, {id(target)})
    assert target == after


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{ "a": hello world }', {"a": "hello world"}),
        ("{a: 1, 'b': 'two', \"c\": [1,2,],}", {"a": 1, "b": "two", "c": [1, 2]}),
        ('{"a": True, "b": None, "c": undefined}', {"a": True, "b": None, "c": None}),
        ('{"a": "x" "b": 2}', {"a": "x", "b": 2}),
        ('{"a": [object Object]}', {"a": ["object Object"]}),
        ('{"a": 2024-01-01, "b": NaN, "c": 01}', {"a": "2024-01-01", "b": "NaN", "c": "01"}),
        ('{"a": 1', {"a": 1}),
    ],
)
def test_json_slips_are_repaired_as_n8n_repairs_them(text: str, value: Any) -> None:
    assert parse_lenient_json(text) == value


@pytest.mark.parametrize(
    ("literal", "text", "matched"),
    [
        ("/^UK$/i", "uk", True),
        ("^a$", "a\n", False),
        ("/^a$/m", "a\nb", True),
        (r"\d+", "١٢", False),
        ("[^]", "\n", True),
        (r"(?<y>\d)-\k<y>", "1-1", True),
    ],
)
def test_regular_expressions_mean_what_they_mean_in_javascript(
    literal: str, text: str, matched: bool
) -> None:
    source, flags = js_regex.parse_literal(literal)
    assert js_regex.test(source, text, flags) is matched
