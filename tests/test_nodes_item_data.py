"""The JavaScript/lodash value rules and field paths the reshaping nodes share."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from keitaro_node.runtime.nodes.field_lists import prepare_fields_array, split_names
from keitaro_node.runtime.nodes.field_paths import (
    field_value,
    flatten_keys,
    get_path,
    pick_paths,
    set_path,
    split_path,
    unset_path,
)
from keitaro_node.runtime.nodes.js_values import (
    UNDEFINED,
    fuzzy_equal,
    is_equal,
    js_keys,
    json_stringify,
    less_than,
    lodash_lt,
    number_to_string,
    to_number,
    to_string,
)
from keitaro_node.runtime.nodes.object_merge import deep_merge, merge_method


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (1e-6, "0.000001"),
        (0.1 + 0.2, "0.30000000000000004"),
        (123456789012345680000.0, "123456789012345680000"),
        (-0.0, "0"),
        (5e-324, "5e-324"),
        (1.5e300, "1.5e+300"),
        (100.0, "100"),
        (2**53 + 1, "9007199254740992"),
        (-2.5, "-2.5"),
        (math.inf, "Infinity"),
    ],
)
def test_numbers_print_as_javascript_prints_them(value: float, text: str) -> None:
    assert number_to_string(value) == text


def test_string_conversion_follows_javascript() -> None:
    assert [to_string(v) for v in (None, UNDEFINED, True, [1, None, [2, 3]], {"a": 1})] == [
        "null",
        "undefined",
        "true",
        "1,,2,3",
        "[object Object]",
    ]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (" 12 ", 12),
        ("0x1f", 31),
        ("0b101", 5),
        ("1e3", 1000),
        ("", 0),
        ([5], 5),
        (None, 0),
        (True, 1),
        ("Infinity", math.inf),
    ],
)
def test_numbers_from_values(value: Any, number: float) -> None:
    assert to_number(value) == number


@pytest.mark.parametrize("value", ["12px", "inf", "1_000", [1, 2], {"a": 1}, UNDEFINED, "-0x1"])
def test_values_that_are_not_numbers(value: Any) -> None:
    assert math.isnan(to_number(value))


def test_relational_comparison_and_lodash_lt_differ_where_javascript_does() -> None:
    assert less_than("10", "9")  # text against text
    assert not less_than(10, "9")
    assert less_than(None, 1) and not less_than(UNDEFINED, 1)
    assert less_than(["10"], "9")  # an array becomes text first ...
    assert not lodash_lt(["10"], "9")  # ... lodash makes both numbers
    assert less_than("\U0001f600", "\uffff")  # UTF-16 code units, not code points


def test_lodash_equality_tells_types_apart() -> None:
    assert not is_equal(True, 1)
    assert is_equal(1, 1.0)
    assert is_equal(math.nan, math.nan)
    assert is_equal({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]})
    assert not is_equal({"a": 1}, {"a": 1, "b": None})
    assert not is_equal(None, UNDEFINED)


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (3, "3", True),
        (3, "3.0", False),
        (None, "", True),
        ([], UNDEFINED, True),
        (True, "TRUE", True),
        (True, "1", True),
        (False, 0, True),
        ({"a": 1}, '{"a":1}', True),
        ([1, 2], "[1, 2]", True),
        ("x", "y", False),
        (None, 0, False),
    ],
)
def test_fuzzy_compare(left: Any, right: Any, equal: bool) -> None:
    assert fuzzy_equal(left, right) is equal
    assert fuzzy_equal(right, left) is equal


def test_object_keys_and_json_text_in_javascript_order() -> None:
    assert js_keys({"b": 1, "2": 2, "1": 3, "01": 4}) == ["1", "2", "b", "01"]
    data = {"b": 1, "1": [1.5, None, {"x": "é", "n": -0.0}], "u": UNDEFINED}
    assert json_stringify(data) == '{"1":[1.5,null,{"x":"é","n":0}],"b":1}'


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("a[0].b", ("a", "0", "b")),
        ('a["x.y"].z', ("a", "x.y", "z")),
        (".a", ("", "a")),
        ("a..b", ("a", "", "b")),
    ],
)
def test_path_names_split_as_lodash_splits_them(name: str, keys: tuple[str, ...]) -> None:
    assert split_path(name) == keys


def test_reading_fields() -> None:
    item = {"a.b": 1, "a": {"b": 2, "n": None}, "list": [{"v": 3}], "s": "abc"}
    assert get_path(item, "a.b") == 1  # an existing key with a dot wins
    assert get_path(item, "a.n") is None
    assert get_path(item, "a.n.x") is UNDEFINED
    assert get_path(item, "list[0].v") == 3
    assert get_path(item, "list.length") == 1
    assert get_path(item, "s.1") == "b"
    assert field_value(item, "a.b", dot_notation=False) == 1
    assert field_value(item, "list.0", dot_notation=False) is UNDEFINED


def test_writing_and_removing_fields() -> None:
    out: dict[str, Any] = {}
    set_path(out, "a[1].b", 5)
    set_path(out, "c.d", 6)
    assert out == {"a": [None, {"b": 5}], "c": {"d": 6}}
    unset_path(out, "a.1")
    unset_path(out, "c.d")
    assert out == {"a": [None, None], "c": {}}


def test_picking_and_flattening_fields() -> None:
    item = {"a": {"b": 1, "c": [1, {}]}, "d": 3, "e": {}}
    assert pick_paths(item, ["a.b", "d", "x"]) == {"a": {"b": 1}, "d": 3}
    assert flatten_keys(item) == {"a.b": 1, "a.c.0": 1, "d": 3}


def test_field_lists() -> None:
    assert prepare_fields_array(" a, ,b ", "Fields") == ["a", "b"]
    assert split_names("a, ,b") == ["a", "", "b"]


def test_deep_merge_goes_into_objects_and_arrays_by_index_and_changes_no_source() -> None:
    first = {"a": {"x": 1, "list": [1, 2, 3]}, "keep": "me"}
    second = {"a": {"y": 2, "list": [9]}, "keep": None}
    before = copy.deepcopy((first, second))
    merged = deep_merge({}, first, second)
    assert merged == {"a": {"x": 1, "y": 2, "list": [9, 2, 3]}, "keep": None}
    assert (first, second) == before
    merged["a"]["list"].append(4)
    assert first["a"]["list"] == [1, 2, 3]


def test_merge_methods_of_clash_handling() -> None:
    first, second = {"a": "", "b": {"x": 1}, "c": 1}, {"a": "new", "b": {"y": 2}, "c": None}
    assert merge_method({"mergeMode": "shallowMerge"})(first, second) == {
        "a": "new",
        "b": {"y": 2},
        "c": None,
    }
    assert merge_method({"mergeMode": "deepMerge", "overrideEmpty": True})(first, second) == {
        "a": "new",
        "b": {"x": 1, "y": 2},
        "c": 1,
    }
    assert merge_method({})(first, second)["b"] == {"x": 1, "y": 2}
