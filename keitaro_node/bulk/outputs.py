"""Output items written as they complete: a JSON array, JSON Lines, or nothing but the summary.

On a terminal the JSON array is indented for people; anywhere else it is compact, one item per
line, so that large outputs cost little to write and stay easy to grep. Writes are flushed at
least every fifth of a second, so the first lines of a long job show up at once.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any, Protocol

OUTPUT_FORMATS = ("json", "jsonl", "summary")
_FLUSH_EVERY_S = 0.2


class OutputError(ValueError):
    """The output cannot be written as asked; the message says what to change."""


class ItemWriter(Protocol):
    def write(self, item: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


def output_format(path: str | None, given: str | None) -> str:
    """The format to write: the one given, else by the output file's extension, else JSON."""
    if given is not None:
        if given not in OUTPUT_FORMATS:
            raise OutputError(
                f"unknown output format '{given}' - use one of: {', '.join(OUTPUT_FORMATS)}"
            )
        return given
    if path is None:
        return "json"
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    raise OutputError(f"{path}: name the output .json or .jsonl, or pass --format json|jsonl")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Flushing:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._last_flush = time.monotonic()

    def _maybe_flush(self) -> None:
        now = time.monotonic()
        if now - self._last_flush >= _FLUSH_EVERY_S:
            self.stream.flush()
            self._last_flush = now


class JsonArrayWriter(_Flushing):
    """`[item, item, ...]`: indented for people, or compact with one item per line."""

    def __init__(self, stream: IO[str], indent: int | None = None) -> None:
        super().__init__(stream)
        self.indent = indent
        self.count = 0

    def write(self, item: dict[str, Any]) -> None:
        if self.indent is None:
            text = _compact(item)
        else:
            text = json.dumps(item, ensure_ascii=False, indent=self.indent)
            text = text.replace("\n", "\n" + " " * self.indent)
        self.stream.write(("[\n" if self.count == 0 else ",\n") + " " * (self.indent or 0) + text)
        self.count += 1
        self._maybe_flush()

    def close(self) -> None:
        self.stream.write("[]\n" if self.count == 0 else "\n]\n")
        self.stream.flush()


class JsonLinesWriter(_Flushing):
    """One compact JSON object per line."""

    def write(self, item: dict[str, Any]) -> None:
        self.stream.write(_compact(item) + "\n")
        self._maybe_flush()

    def close(self) -> None:
        self.stream.flush()


class NoItems:
    """`--format summary`: items are counted by the run, not printed."""

    def write(self, item: dict[str, Any]) -> None:
        pass

    def close(self) -> None:
        pass


class _ClosingFile:
    """A writer that owns the file it writes to."""

    def __init__(self, writer: ItemWriter, handle: IO[str]) -> None:
        self.writer = writer
        self.handle = handle

    def write(self, item: dict[str, Any]) -> None:
        self.writer.write(item)

    def close(self) -> None:
        try:
            self.writer.close()
        finally:
            self.handle.close()


def open_output(path: str | None, given_format: str | None, stdout: IO[str]) -> ItemWriter:
    """A writer for `--output PATH` (or stdout) in the format asked for or implied."""
    fmt = output_format(path, given_format)
    if fmt == "summary":
        return NoItems()
    if path is None:
        if fmt == "jsonl":
            return JsonLinesWriter(stdout)
        return JsonArrayWriter(stdout, indent=2 if stdout.isatty() else None)
    target = Path(path)
    if not target.parent.is_dir():
        raise OutputError(f"{path}: the folder {target.parent} does not exist")
    handle = target.open("w", encoding="utf-8")
    writer: ItemWriter = JsonLinesWriter(handle) if fmt == "jsonl" else JsonArrayWriter(handle)
    return _ClosingFile(writer, handle)
