"""Input items from JSON, JSON Lines, CSV and stdin, read as streams, with clear errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from keitaro_node.bulk.inputs import InputError, open_items, read_all


def test_a_json_array_of_objects_and_of_n8n_items(tmp_path: Path) -> None:
    file = tmp_path / "in.json"
    file.write_text(json.dumps([{"a": 1}, {"json": {"b": "x"}}, {"c": None}]))
    source = open_items(str(file))
    assert source.total is None
    assert list(source) == [{"a": 1}, {"b": "x"}, {"c": None}]


def test_one_json_object_is_one_item(tmp_path: Path) -> None:
    file = tmp_path / "one.json"
    file.write_text('{"campaign_id": 7}')
    assert list(open_items(str(file))) == [{"campaign_id": 7}]


def test_a_large_json_array_is_read_in_pieces_not_whole(tmp_path: Path) -> None:
    rows = [{"n": n, "pad": "x" * (n % 300)} for n in range(20_000)]
    file = tmp_path / "big.json"
    file.write_text(json.dumps(rows, indent=1))
    source = open_items(str(file))
    first = next(iter(source))
    assert first == rows[0]
    rest = list(source)
    assert len(rest) == 19_999 and rest[-1] == rows[-1]


def test_an_item_bigger_than_the_read_window(tmp_path: Path) -> None:
    rows = [{"big": "y" * 300_000}, {"small": 1}]
    file = tmp_path / "wide.json"
    file.write_text(json.dumps(rows))
    assert list(open_items(str(file))) == rows


def test_json_lines_with_blank_lines_and_a_known_total(tmp_path: Path) -> None:
    file = tmp_path / "in.jsonl"
    file.write_text('{"a": 1}\n\n{"a": 2}\n')
    source = open_items(str(file))
    assert source.total == 2
    assert list(source) == [{"a": 1}, {"a": 2}]


def test_csv_cells_are_text_and_short_rows_are_filled(tmp_path: Path) -> None:
    file = tmp_path / "in.csv"
    file.write_bytes('\ufeffcampaign_id,name,note\n1,Flow "A",\n2,Поток,x\n3,C\n'.encode())
    source = open_items(str(file))
    assert source.total == 3
    assert list(source) == [
        {"campaign_id": "1", "name": 'Flow "A"', "note": ""},
        {"campaign_id": "2", "name": "Поток", "note": "x"},
        {"campaign_id": "3", "name": "C", "note": ""},
    ]


def test_stdin_in_each_format() -> None:
    assert list(open_items("-", stdin=io.StringIO('[{"a": 1}]'))) == [{"a": 1}]
    assert list(open_items("-", "jsonl", stdin=io.StringIO('{"a": 1}\n{"a": 2}'))) == [
        {"a": 1},
        {"a": 2},
    ]
    assert list(open_items("-", "csv", stdin=io.StringIO("a\n1\n"))) == [{"a": "1"}]


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ('[{"a": 1}\n {"b": 2}]', "json", "expected ',' or ']' after an item at line 2, column 2"),
        ('[{"a": 1}, 3]', "json", "item 1 is a number, expected an object"),
        ('[{"a": 1},', "json", "the array is not closed"),
        ('[{"a": tru}]', "json", "line 1, column 8"),
        ('"text"', "json", "an array of objects or one object"),
        ("", "json", "is empty"),
        ('{"a": 1}\n{"a": }\n', "jsonl", "line 2: not valid JSON"),
        ("[1]\n", "jsonl", "line 1 (item 0) is an array, expected an object"),
        ("a,a\n1,2\n", "csv", "names column 'a' twice"),
        ("a,b\n1,2,3\n", "csv", "line 2 (item 0): 3 cells but the header has 2 columns"),
    ],
)
def test_bad_input_is_named_with_its_place(text: str, fmt: str, message: str) -> None:
    with pytest.raises(InputError, match=None) as caught:
        read_all(text, fmt, "in")
    assert message in str(caught.value)


def test_items_before_an_error_are_given_out_first() -> None:
    rows = open_items("-", "jsonl", stdin=io.StringIO('{"a": 1}\nnope\n'))
    iterator = iter(rows)
    assert next(iterator) == {"a": 1}
    with pytest.raises(InputError, match="line 2"):
        next(iterator)


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--input-format"):
        open_items(str(tmp_path / "in.txt"))
    with pytest.raises(InputError, match="not found"):
        open_items(str(tmp_path / "none.json"))
    with pytest.raises(InputError, match="unknown input format 'xml'"):
        open_items("-", "xml")
