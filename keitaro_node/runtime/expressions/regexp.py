"""Regular expressions: JavaScript's RegExp on the `regex` module, with a time limit.

`regex` reads JavaScript's syntax (named groups `(?<name>)`, `\\k<name>`, lookbehind) and,
unlike `re`, can stop a match after a timeout, so a catastrophic pattern fails its item instead
of hanging the process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import regex

from . import limits
from .values import UNDEFINED, ExpressionError, ExprObject, JsFunction, js_string, type_error


class MatchArray(list[Any]):
    """The array exec() and match() give: the matched texts, with `index`, `input` and
    `groups` as JavaScript names them (see extra)."""

    def __init__(self, match: regex.Match[str], text: str) -> None:
        super().__init__([match.group(0), *(_group(g) for g in match.groups())])
        named = match.groupdict()
        self.extra: dict[str, Any] = {
            "index": match.start(),
            "input": text,
            "groups": {k: _group(v) for k, v in named.items()} if named else UNDEFINED,
        }


def _translate(source: str) -> str:
    """JavaScript's `[^]` (any character) and `\\/` in the `regex` module's syntax."""
    return source.replace("[^]", r"[\s\S]").replace("\\/", "/")


@lru_cache(maxsize=512)
def _compile(source: str, flags: str) -> regex.Pattern[str]:
    options = regex.V0
    if "i" in flags:
        options |= regex.IGNORECASE
    if "m" in flags:
        options |= regex.MULTILINE
    if "s" in flags:
        options |= regex.DOTALL
    try:
        return regex.compile(_translate(source), options)
    except regex.error as exc:
        raise ExpressionError(f"Invalid regular expression /{source}/{flags}: {exc}") from None


_timed = limits.time_limited  # every `regex` operation here runs under the time limit


class RegExpValue(ExprObject):
    """A RegExp object (`/a+/g` or `new RegExp('a+', 'g')`)."""

    def __init__(self, source: str, flags: str = "") -> None:
        bad = set(flags) - set("dgimsuyv")
        if bad:
            raise ExpressionError(f"Invalid flags supplied to RegExp constructor '{flags}'")
        self.source = source
        self.flags = "".join(sorted(flags))
        self.pattern = _compile(source, self.flags)
        self.last_index = 0

    @staticmethod
    def compile(source: str, flags: str) -> None:
        _compile(source, "".join(sorted(flags)))

    @classmethod
    def literal(cls, text: str, every: bool) -> RegExpValue:
        return cls(regex.escape(text), "g" if every else "")

    @property
    def is_global(self) -> bool:
        return "g" in self.flags

    @property
    def sticky(self) -> bool:
        return "y" in self.flags

    def expr_name(self) -> str:
        return "RegExp"

    def expr_string(self) -> str:
        return f"/{self.source}/{self.flags}"

    def expr_plain(self) -> Any:
        return {}

    def expr_get(self, name: str) -> Any:
        values = {
            "source": self.source,
            "flags": self.flags,
            "global": self.is_global,
            "ignoreCase": "i" in self.flags,
            "multiline": "m" in self.flags,
            "sticky": self.sticky,
            "lastIndex": self.last_index,
        }
        return values.get(name, UNDEFINED)

    def expr_call(self, name: str, args: list[Any]) -> Any:
        text = js_string(args[0]) if args else "undefined"
        if name == "test":
            return self.exec(text) is not None
        if name == "exec":
            result = self.exec(text)
            return None if result is None else result
        if name == "toString":
            return self.expr_string()
        return super().expr_call(name, args)

    def search(self, text: str, start: int) -> regex.Match[str] | None:
        limits.charge(1 + len(text) // 64)
        found: regex.Match[str] | None
        if self.sticky:
            found = _timed(self.pattern.match, text, start)
        else:
            found = _timed(self.pattern.search, text, start)
        return found

    def exec(self, text: str) -> MatchArray | None:
        start = self.last_index if (self.is_global or self.sticky) else 0
        if start > len(text):
            self.last_index = 0
            return None
        match = self.search(text, start)
        if match is None:
            if self.is_global or self.sticky:
                self.last_index = 0
            return None
        if self.is_global or self.sticky:
            self.last_index = match.end()
        return MatchArray(match, text)


def _group(value: str | None) -> Any:
    return UNDEFINED if value is None else value


def _all_matches(pattern: RegExpValue, text: str) -> list[regex.Match[str]]:
    found: list[regex.Match[str]] = []
    pos = 0
    while pos <= len(text):
        match = pattern.search(text, pos)
        if match is None:
            break
        found.append(match)
        limits.check_length(len(found))
        pos = match.end() + (1 if match.end() == match.start() else 0)
        if pattern.sticky and match.start() != (found[-2].end() if len(found) > 1 else 0):
            found.pop()
            break
    return found


def _as_regexp(pattern: Any) -> RegExpValue:
    if isinstance(pattern, RegExpValue):
        return pattern
    return RegExpValue("(?:)" if pattern is UNDEFINED else js_string(pattern))


def string_match(text: str, pattern: Any, search: bool = False) -> Any:
    regexp = _as_regexp(pattern)
    if search:
        match = regexp.search(text, 0)
        return -1 if match is None else match.start()
    if not regexp.is_global:
        match = regexp.search(text, 0)
        return None if match is None else MatchArray(match, text)
    matches = [m.group(0) for m in _all_matches(regexp, text)]
    regexp.last_index = 0
    return matches or None


def string_match_all(text: str, pattern: Any) -> list[Any]:
    regexp = _as_regexp(pattern)
    if isinstance(pattern, RegExpValue) and not regexp.is_global:
        raise type_error("String.prototype.matchAll called with a non-global RegExp argument")
    return [MatchArray(m, text) for m in _all_matches(regexp, text)]


def _expand(template: str, match: regex.Match[str], text: str) -> str:
    out: list[str] = []
    i = 0
    count = len(match.groups())
    while i < len(template):
        ch = template[i]
        if ch != "$" or i + 1 >= len(template):
            out.append(ch)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "&":
            out.append(match.group(0))
            i += 2
        elif nxt == "`":
            out.append(text[: match.start()])
            i += 2
        elif nxt == "'":
            out.append(text[match.end() :])
            i += 2
        elif nxt.isdigit():
            two = template[i + 1 : i + 3]
            if len(two) == 2 and two.isdigit() and 1 <= int(two) <= count:
                out.append(match.group(int(two)) or "")
                i += 3
            elif 1 <= int(nxt) <= count:
                out.append(match.group(int(nxt)) or "")
                i += 2
            else:
                out.append("$")
                i += 1
        elif nxt == "<" and match.groupdict():
            end = template.find(">", i)
            if end < 0:
                out.append("$")
                i += 1
            else:
                out.append(match.groupdict().get(template[i + 2 : end]) or "")
                i = end + 1
        else:
            out.append("$")
            i += 1
    return "".join(out)


def regex_replace(pattern: RegExpValue, text: str, replacement: Any) -> str:
    matches = _all_matches(pattern, text) if pattern.is_global else []
    if not pattern.is_global:
        first = pattern.search(text, 0)
        matches = [first] if first is not None else []
    pattern.last_index = 0
    out: list[str] = []
    size = 0
    pos = 0
    for match in matches:
        out.append(text[pos : match.start()])
        if isinstance(replacement, JsFunction) or (
            isinstance(replacement, ExprObject) and replacement.expr_callable()
        ):
            from .natives import call_fn

            args = [match.group(0), *(_group(g) for g in match.groups()), match.start(), text]
            out.append(js_string(call_fn(replacement, *args)))
        else:
            out.append(_expand(js_string(replacement), match, text))
        size += len(out[-2]) + len(out[-1])
        if size > limits.MAX_STRING:
            raise limits.size_error()
        pos = match.end()
    out.append(text[pos:])
    return limits.check_string("".join(out))


def regex_split(pattern: RegExpValue, text: str) -> list[Any]:
    if text == "":
        return [] if pattern.search(text, 0) is not None else [""]
    parts: list[Any] = []
    pos = 0
    for match in _all_matches(
        RegExpValue(pattern.source, pattern.flags.replace("y", "") + "g"), text
    ):
        if match.end() == match.start() and (match.start() == 0 or match.start() >= len(text)):
            continue
        parts.append(text[pos : match.start()])
        parts.extend(_group(g) for g in match.groups())
        pos = match.end()
    parts.append(text[pos:])
    return parts
