"""Input items from files or stdin, read as a stream: JSON (an array or one object), JSON Lines, CSV.

Nothing is loaded whole, so a job of a million rows starts at once and holds one row at a time.
CSV cells are text, as n8n's spreadsheet nodes give them; checks downstream decide what a cell
means (a whole-number string where an integer is wanted, for instance).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMATS = ("json", "jsonl", "csv")
_EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_CHUNK = 1 << 16


class InputError(ValueError):
    """The input cannot be read as items; the message names the file, the place and the fix."""


@dataclass
class ItemSource:
    """Input items as plain JSON objects, in order; `total` when it is known up front."""

    name: str
    rows: Iterator[dict[str, Any]]
    total: int | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.rows


def input_format(path: str, given: str | None = None) -> str:
    """The format to read: the one given, else by the file's extension (stdin needs one or is JSON)."""
    if given is not None:
        if given not in FORMATS:
            raise InputError(f"unknown input format '{given}' - use one of: {', '.join(FORMATS)}")
        return given
    if path == "-":
        return "json"
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InputError(
            f"{path}: cannot tell the format from the extension '{suffix or '(none)'}' - "
            f"name it .json, .jsonl or .csv, or pass --input-format json|jsonl|csv"
        )
    return _EXTENSIONS[suffix]


def open_items(
    path: str, given_format: str | None = None, stdin: IO[str] | None = None
) -> ItemSource:
    """Open `path` (or `-` for stdin) as a stream of items."""
    fmt = input_format(path, given_format)
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin
        return ItemSource("stdin", _read(stream, fmt, "stdin"), None)
    file = Path(path)
    if not file.is_file():
        raise InputError(f"input file not found: {path}")
    total = _count(file, fmt)

    def rows() -> Iterator[dict[str, Any]]:
        with file.open("r", encoding="utf-8-sig", newline="") as handle:
            yield from _read(handle, fmt, path)

    return ItemSource(path, rows(), total)


def _read(stream: IO[str], fmt: str, name: str) -> Iterator[dict[str, Any]]:
    if fmt == "jsonl":
        return _json_lines(stream, name)
    if fmt == "csv":
        return _csv_rows(stream, name)
    return _json_stream(stream, name)


def _count(file: Path, fmt: str) -> int | None:
    """Rows in a JSON Lines or CSV file (a quick pass for progress); None for JSON."""
    if fmt == "jsonl":
        count = 0
        with file.open("rb") as handle:
            for line in handle:
                if line.strip():
                    count += 1
        return count
    if fmt == "csv":
        with file.open("r", encoding="utf-8-sig", newline="") as handle:
            return max(0, sum(1 for row in csv.reader(handle) if row) - 1)
    return None


def as_item_json(value: Any, where: str) -> dict[str, Any]:
    """A plain object, or the `json` of an n8n item (`{"json": {...}}`)."""
    if not isinstance(value, dict):
        raise InputError(f"{where} is {_kind(value)}, expected an object")
    if set(value) <= {"json", "binary", "pairedItem"} and isinstance(value.get("json"), dict):
        inner: dict[str, Any] = value["json"]
        return inner
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def _json_lines(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    position = 0
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{name}, line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        yield as_item_json(value, f"{name}, line {number} (item {position})")
        position += 1


def _csv_rows(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    reader = csv.reader(stream)
    header: list[str] | None = None
    position = 0
    for row in reader:
        if not row:
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            seen: set[str] = set()
            for column, cell in enumerate(header, start=1):
                if not cell:
                    raise InputError(f"{name}: column {column} of the header has no name")
                if cell in seen:
                    raise InputError(f"{name}: the header names column '{cell}' twice")
                seen.add(cell)
            continue
        if len(row) > len(header):
            raise InputError(
                f"{name}, line {reader.line_num} (item {position}): {len(row)} cells "
                f"but the header has {len(header)} columns"
            )
        yield {key: row[i] if i < len(row) else "" for i, key in enumerate(header)}
        position += 1
    if header is None:
        return


def _json_stream(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    """A JSON array decoded element by element, or a single object."""
    reader = _Buffer(stream, name)
    first = reader.next_char()
    if first == "":
        raise InputError(f"{name} is empty - give a JSON array of objects, or one object")
    if first == "{":
        text = reader.rest()
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
            ) from None
        yield as_item_json(value, f"{name} (item 0)")
        return
    if first != "[":
        raise InputError(f"{name}: a JSON input is an array of objects or one object")
    reader.advance(1)
    position = 0
    while True:
        char = reader.next_char()
        if char == "]":
            reader.advance(1)
            break
        if char == "":
            raise reader.error("the array is not closed with ']'")
        if position:
            if char != ",":
                raise reader.error("expected ',' or ']' after an item")
            reader.advance(1)
        value = reader.decode_value()
        yield as_item_json(value, f"{name}: item {position}")
        position += 1
    if reader.next_char() != "":
        raise reader.error("unexpected text after the closing ']'")


class _Buffer:
    """A window over a text stream for decoding one JSON value after another."""

    def __init__(self, stream: IO[str], name: str) -> None:
        self.stream = stream
        self.name = name
        self.text = ""
        self.pos = 0
        self.consumed_lines = 0  # newlines in text dropped from the window
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self, size: int = _CHUNK) -> bool:
        if self.eof:
            return False
        if self.pos > _CHUNK:
            self.consumed_lines += self.text.count("\n", 0, self.pos)
            self.text = self.text[self.pos :]
            self.pos = 0
        data = self.stream.read(size)
        if not data:
            self.eof = True
            return False
        self.text += data
        return True

    def next_char(self) -> str:
        """The next non-space character (not consumed), or '' at the end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._fill():
                return ""

    def advance(self, count: int) -> None:
        self.pos += count

    def rest(self) -> str:
        while self._fill():
            pass
        return self.text[self.pos :]

    def decode_value(self) -> Any:
        if self.next_char() == "":
            raise self.error("the array is not closed with ']'")
        size = _CHUNK
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                # most often the value goes on past the window: read more and try again,
                # more at a time for a large value so that decoding stays linear
                if self._fill(size):
                    size *= 2
                    continue
                raise self.error(exc.msg, exc.pos) from None
            self.pos = end
            return value

    def error(self, message: str, at: int | None = None) -> InputError:
        at = self.pos if at is None else at
        line = self.consumed_lines + self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        return InputError(
            f"{self.name} is not valid JSON: {message} at line {line}, column {column}"
        )


def read_all(text: str, fmt: str = "json", name: str = "input") -> list[dict[str, Any]]:
    """Every item of an in-memory text (for small inputs and tests)."""
    return list(_read(io.StringIO(text), fmt, name))
