"""Reading hand-written or template-filled JSON the way n8n's Edit Fields does.

n8n repairs JSON text before giving up on it: unquoted keys and words (`{a: hello world}` reads
as `{"a": "hello world"}`), single quotes, trailing or missing commas, comments, Python's
True/False/None, `undefined`, and brackets left open at the end. This reader covers those slips;
text it cannot make sense of is refused.
"""

from __future__ import annotations

import json
import re
from typing import Any

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WORDS: dict[str, Any] = {
    "true": True,
    "false": False,
    "null": None,
    "True": True,
    "False": False,
    "None": None,
    "undefined": None,
}
_DELIMITERS = ",}]\n"


def parse_lenient_json(text: str) -> Any:
    """Strict JSON, else the repaired reading; ValueError when neither works."""
    try:
        return json.loads(text, parse_constant=_refuse)
    except ValueError:
        pass
    reader = _Reader(text)
    value = reader.value()
    reader.space()
    if reader.pos != len(text):
        raise ValueError(f"unexpected text at position {reader.pos}")
    return value


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def space(self) -> None:
        text = self.text
        while self.pos < len(text):
            if text[self.pos].isspace():
                self.pos += 1
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                self.pos = len(text) if end < 0 else end + 2
            else:
                return

    def value(self) -> Any:
        self.space()
        char = self.peek()
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char in "\"'":
            return self.string()
        if char == "":
            raise ValueError("unexpected end of JSON")
        return self.bare()

    def object(self) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        while True:
            self.space()
            char = self.peek()
            if char in ("}", ""):
                self.pos += 1 if char else 0
                return out
            if char == ",":
                self.pos += 1
                continue
            key = self.string() if char in "\"'" else self.word(":")
            self.space()
            if self.peek() != ":":
                raise ValueError(f"colon expected at position {self.pos}")
            self.pos += 1
            out[key] = self.value()

    def array(self) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        while True:
            self.space()
            char = self.peek()
            if char in ("]", ""):
                self.pos += 1 if char else 0
                return out
            if char == ",":
                self.pos += 1
                continue
            out.append(self.value())

    def string(self) -> str:
        quote = self.text[self.pos]
        self.pos += 1
        out: list[str] = []
        text = self.text
        while self.pos < len(text) and text[self.pos] != quote:
            char = text[self.pos]
            if char == "\\" and self.pos + 1 < len(text):
                escape = (
                    text[self.pos : self.pos + 6]
                    if text[self.pos + 1] == "u"
                    else text[self.pos : self.pos + 2]
                )
                try:
                    out.append(json.loads(f'"{escape}"'))
                except ValueError:
                    out.append(escape[1:])
                self.pos += len(escape)
                continue
            out.append(char)
            self.pos += 1
        self.pos += 1  # the closing quote (or the end)
        return "".join(out)

    def word(self, stops: str) -> str:
        start = self.pos
        text = self.text
        while self.pos < len(text) and text[self.pos] not in stops:
            if text.startswith(("//", "/*"), self.pos):
                break
            self.pos += 1
        word = self.text[start : self.pos].strip()
        if not word:
            raise ValueError(f"a value is missing at position {start}")
        return word

    def bare(self) -> Any:
        word = self.word(_DELIMITERS)
        if word in _WORDS:
            return _WORDS[word]
        if _NUMBER.fullmatch(word):
            return json.loads(word)
        return word
