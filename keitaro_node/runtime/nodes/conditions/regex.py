"""JavaScript regular expressions, as the regex operators of n8n's conditions use them.

A pattern is either plain text or a literal with flags (`/^uk$/i`). It is translated to the
`regex` module's syntax where the two differ (`\\d` and `\\w` are ASCII-only in JavaScript, `$`
without the m flag only matches at the very end, `[^]`, `\\k<name>`) and runs with a time
limit, as n8n runs it, so that a pattern cannot hang the process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import regex

TIMEOUT_SECONDS = 0.25

_LITERAL = regex.compile(r"^/(.*?)/([gimusy]*)$", regex.DOTALL)


class RegexError(ValueError):
    """The pattern is not a valid regular expression, or it ran out of time."""


def parse_literal(text: str) -> tuple[str, str]:
    """n8n's parseRegexLiteral: `/source/flags`, or the whole text as the source."""
    match = _LITERAL.match(text)
    if not match:
        return text, ""
    return match.group(1), match.group(2)


def test(source: str, text: str, flags: str) -> bool:
    """RegExp(source, flags).test(text)."""
    pattern = _compile(source, flags)
    try:
        return pattern.search(text, timeout=TIMEOUT_SECONDS) is not None
    except TimeoutError:
        raise RegexError("Regular expression execution timed out") from None


@lru_cache(maxsize=512)
def _compile(source: str, flags: str) -> Any:
    if len(set(flags)) != len(flags) or set(flags) - set("dgimsuvy"):
        raise RegexError(f"Invalid flags supplied to RegExp constructor '{flags}'")
    options = regex.VERSION0
    if "i" in flags:
        options |= regex.IGNORECASE
    if "m" in flags:
        options |= regex.MULTILINE
    if "s" in flags:
        options |= regex.DOTALL
    try:
        return regex.compile(_translate(source, multiline="m" in flags), options)
    except regex.error as exc:
        reason = str(exc.msg) if hasattr(exc, "msg") else str(exc)
        for start, v8_words in _V8_REASONS:
            if reason.startswith(start):
                reason = v8_words
                break
        raise RegexError(f"Invalid regular expression: /{source}/{flags}: {reason}") from None


# how V8 words the common mistakes (n8n shows V8's message)
_V8_REASONS = (
    ("missing )", "Unterminated group"),
    ("unterminated character set", "Unterminated character class"),
    ("nothing to repeat", "Nothing to repeat"),
    ("multiple repeat", "Nothing to repeat"),
    ("unbalanced parenthesis", "Unmatched ')'"),
    ("min repeat greater than max repeat", "numbers out of order in {} quantifier"),
    ("bad escape (end of pattern)", "\\ at end of pattern"),
    ("missing group name", "Invalid capture group name"),
)


_CLASS_ESCAPES = {"d": "0-9", "w": "A-Za-z0-9_", "D": r"\x00-/:-\U0010ffff"}
_OUTSIDE = {"d": "[0-9]", "D": "[^0-9]", "w": "[A-Za-z0-9_]", "W": "[^A-Za-z0-9_]"}


def _translate(source: str, multiline: bool) -> str:
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            if nxt == "k" and source.startswith("<", i + 2) and ">" in source[i + 3 :]:
                end = source.index(">", i + 3)
                out.append(f"(?P={source[i + 3 : end]})")
                i = end + 1
                continue
            if in_class and nxt in _CLASS_ESCAPES:
                out.append(_CLASS_ESCAPES[nxt])
            elif not in_class and nxt in _OUTSIDE:
                out.append(_OUTSIDE[nxt])
            else:
                out.append(ch + nxt)
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                ch = r"\["
            out.append(ch)
        elif ch == "[":
            if source.startswith("[^]", i):
                out.append(r"[\s\S]")
                i += 3
                continue
            if source.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append(ch)
            if source.startswith("^", i + 1):
                out.append("^")
                i += 1
        elif ch == "$" and not multiline:
            out.append(r"\Z")
        else:
            out.append(ch)
        i += 1
    return "".join(out)
