"""The tokenizer: expression text to (kind, text, position) tuples."""

from __future__ import annotations

import re

from .values import ExpressionError

Token = tuple[str, str, int]

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<str>"(?:[^"\\\n]|\\.|\\\n)*"|'(?:[^'\\\n]|\\.|\\\n)*')
  | (?P<name>[A-Za-z_$\u00c0-\uffff][A-Za-z0-9_$\u00c0-\uffff]*)
  | (?P<op>\.\.\.|>>>=|===|!==|>>>|\*\*|\?\?|\?\.(?!\d)|=>|==|!=|<=|>=|&&|\|\||<<|>>|\+\+|--
        |[-+*/%<>!?:.,()\[\]{}&|^~=;])
    """,
    re.VERBOSE | re.DOTALL,
)

# After these a '/' starts a regular expression rather than a division.
_VALUE_END_KEYWORDS = frozenset({"this", "null", "undefined", "true", "false"})


def _regex_allowed(previous: Token | None) -> bool:
    if previous is None:
        return True
    kind, text, _ = previous
    if kind in ("num", "str", "tpl", "regex"):
        return False
    if kind == "name":
        return text not in _VALUE_END_KEYWORDS and text in (
            "typeof",
            "instanceof",
            "in",
            "return",
            "void",
            "new",
            "delete",
        )
    return text not in (")", "]", "}")


def scan_template(text: str, start: int) -> int:
    """The index just past the template literal starting at `start` (a backtick)."""
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            return i + 1
        if ch == "$" and text.startswith("${", i):
            i = scan_substitution(text, i + 2)
            continue
        i += 1
    raise ExpressionError(f"the template literal at position {start} is never closed")


def scan_substitution(text: str, start: int) -> int:
    """The index just past the '}' closing a `${` substitution whose code starts at `start`."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            i = _scan_quoted(text, i)
            continue
        if ch == "`":
            i = scan_template(text, i)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i + 1
            depth -= 1
        i += 1
    raise ExpressionError(f"'${{' at position {start - 2} is never closed")


def _scan_quoted(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    raise ExpressionError(f"the text starting at position {start} is never closed")


def _scan_regex(text: str, start: int) -> int:
    i = start + 1
    in_class = False
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "\n":
            break
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
        elif ch == "/":
            i += 1
            while i < len(text) and (text[i].isalnum() or text[i] in "_$"):
                i += 1
            return i
        i += 1
    raise ExpressionError(f"the regular expression at position {start} is never closed")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    previous: Token | None = None
    while pos < len(text):
        ch = text[pos]
        if ch == "`":
            end = scan_template(text, pos)
            previous = ("tpl", text[pos:end], pos)
            tokens.append(previous)
            pos = end
            continue
        if ch == "/" and _regex_allowed(previous) and not text.startswith("//", pos):
            end = _scan_regex(text, pos)
            previous = ("regex", text[pos:end], pos)
            tokens.append(previous)
            pos = end
            continue
        match = _TOKEN.match(text, pos)
        if not match:
            raise ExpressionError(f"unexpected character {ch!r} at position {pos}")
        kind = match.lastgroup or ""
        if kind != "ws":
            previous = (kind, match.group(), pos)
            tokens.append(previous)
        pos = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def unescape(body: str) -> str:
    """The value of a string literal's body, with JavaScript's escapes."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u":
                if body.startswith("{", i + 2):
                    end = body.index("}", i + 2)
                    out.append(chr(int(body[i + 3 : end], 16)))
                    i = end + 1
                    continue
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            if nxt == "x":
                out.append(chr(int(body[i + 2 : i + 4], 16)))
                i += 4
                continue
            if nxt == "\n":
                i += 2
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)
