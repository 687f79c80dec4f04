"""removeMarkdown(): Markdown to plain text, read the simple way n8n reads it (not CommonMark).

The text goes through four passes, each keeping the words and dropping the marks:

1. lines: list bullets (`-`, `*`, `+`, or one digit and a dot, then a space) at a line's start,
   the `==` underline of a heading, `~~`, and code fences (from the ``` to the end of its line,
   line break included);
2. inline: HTML tags, footnotes, a trailing reference definition, images, links (their text
   stays) and every `>`;
3. headings: the `#` marks that start a line and the space after them - and, as in n8n, the
   next run of `#` after the heading's text, even on a later line (`# A` over `## B` gives
   "A" over " B");
4. emphasis (`*a b*`, `__a__`, `***a***` around two or more characters), code spans; then runs
   of blank lines become one.

What n8n's reading does with odd input (marks around a single character stay, `2*3*4` stays,
`C#` after a heading loses its `#`) is kept, so both give the same text.
"""

from __future__ import annotations

import itertools

import regex

from ..limits import time_limited

# JavaScript's `.`: anything but a line break.
_NOT_EOL = r"[^\n\r\u2028\u2029]"
_EOL = "\n\r\u2028\u2029"
_LINE_BREAK = regex.compile(r"([\n\r\u2028\u2029])")
_EMPHASIS = regex.compile(rf"([*_]{{1,3}})(\S{_NOT_EOL}*?\S)\1")
_LONG_CODE = regex.compile(rf"(`{{3,}})({_NOT_EOL}*?)\1")
_CODE = regex.compile(rf"`({_NOT_EOL}+?)`")
_ONLY_A_DEFINITION = regex.compile(rf"\s{{1,2}}\[{_NOT_EOL}*?\]: \S+(?: \"{_NOT_EOL}*?\")?\s*")
_TAG_BODY = regex.compile(r"[A-Za-z0-9_|=':(),;/.\-\"\s]*")
_LINK_MIDDLE = regex.compile(r"\]\(|\]\[")
_LINK_END = regex.compile(r"[\])]")
_DIGITS = "0123456789"


def remove_markdown(text: str) -> str:
    """Markdown to plain text, as n8n's removeMarkdown() gives it (see the module's notes)."""
    text = _line_marks(text)
    text = _inline_marks(text)
    if "#" in text:
        text = _headings(text)
    text = _emphasis_and_code(text)
    return _one_blank_line(text)


# --- 1. lines ----------------------------------------------------------------------------------


class _Line:
    """A line and the break that ends it (any of JavaScript's line breaks; '' at the end)."""

    __slots__ = ("end", "text")

    def __init__(self, text: str, end: str) -> None:
        self.text = text
        self.end = end


def _lines(text: str) -> list[_Line]:
    parts = _LINE_BREAK.split(text)
    return [_Line(line, end) for line, end in zip(parts[::2], [*parts[1::2], ""], strict=True)]


def _joined(lines: list[_Line]) -> str:
    return "".join(line.text + line.end for line in lines)


def _line_marks(text: str) -> str:
    lines = _without_bullets(_lines(text))
    if "==" in text:
        for before, line in itertools.pairwise(lines):
            if before.end == "\n":
                line.text = _without_underline(line.text)
    if "~~" in text:
        for line in lines:
            line.text = line.text.replace("~~", "")
    fenced = any("```" in line.text for line in lines)
    return _joined(_without_fences(lines) if fenced else lines)


def _without_bullets(lines: list[_Line]) -> list[_Line]:
    """A bullet and the space after it go; the indent stays. The space after a bullet may be
    the line break itself: then blank lines after it, and the next line's indent, go too."""
    out: list[_Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        indent, rest = _after_bullet(line.text)
        if rest is None or (rest == "" and not line.end):
            out.append(line)
            index += 1
            continue
        if rest.strip() or not line.end:
            out.append(_Line(indent + rest.lstrip(), line.end))
            index += 1
            continue
        index += 1
        while index < len(lines) and lines[index].end and not lines[index].text.strip():
            index += 1
        following = lines[index]  # the last line has no break, so the loop stops there
        if following.text[:1].isspace() or not following.text.strip():
            # its start went with the space: no bullet of its own
            out.append(_Line(indent + following.text.lstrip(), following.end))
            index += 1
        else:
            lines[index] = _Line(indent + following.text, following.end)
    return out


def _after_bullet(line: str) -> tuple[str, str | None]:
    """(indent, what follows the bullet), or (indent, None) for a line without a bullet.

    A bullet is `*`, `-`, `+` or one digit and a dot, followed by a space (or the line's end).
    """
    body = line.lstrip()
    indent = line[: len(line) - len(body)]
    if body[:1] in ("*", "-", "+") and body:
        rest = body[1:]
    elif body[:1] in _DIGITS and body[1:2] == ".":
        rest = body[2:]
    else:
        return indent, None
    if rest and not rest[0].isspace():
        return indent, None
    return indent, rest


def _without_underline(line: str) -> str:
    """`Title` over `=====`: the run of two or more `=` goes, the rest of its line stays."""
    marks = len(line) - len(line.lstrip("="))
    return line[marks:] if marks >= 2 else line


def _without_fences(lines: list[_Line]) -> list[_Line]:
    """From ``` to the end of its line goes with the line break, if that is a line feed."""
    out: list[_Line] = []
    carried = ""
    for line in lines:
        text = carried + line.text
        carried = ""
        fence = text.find("```")
        if fence >= 0 and line.end == "\n":
            carried = text[:fence]
            continue
        out.append(_Line(text, line.end))
    return out


# --- 2. inline ---------------------------------------------------------------------------------


def _inline_marks(text: str) -> str:
    if "<" in text:
        text = _without_tags(text)
    if _is_rule(text, "=-", 2):
        text = ""
    if "[" in text:
        lines = _lines(text)
        if "[^" in text:
            for line in lines:
                line.text = _without_footnotes(line.text, last=not line.end)
        lines = _lines(_without_trailing_definition(_joined(lines)))
        for line in lines:
            if "[" in line.text:
                line.text = _without_links(line.text, "![", keep_text=False)
                line.text = _without_links(line.text, "[", keep_text=True)
        text = _joined(lines)
    text = text.replace(">", "")
    return "" if time_limited(_ONLY_A_DEFINITION.fullmatch, text) else text


def _without_tags(text: str) -> str:
    """`<b>`, `</p>`, `<br/>`, `<a href="x">`: a `<`, then letters, digits, spaces and the
    punctuation of attributes, then `>` (or `|` or a backslash, as n8n reads it)."""
    out: list[str] = []
    pos = 0
    while (start := text.find("<", pos)) >= 0:
        body = _TAG_BODY.match(text, start + 1)
        end = body.end() if body else start + 1
        if end > start + 1 and text[end : end + 1] in (">", "\\"):
            stop = end + 1
        else:  # no closing mark: a `|` inside the run may close it
            stop = text.rfind("|", start + 2, end) + 1
        if stop <= 0:
            out.append(text[pos : start + 1])
            pos = start + 1
            continue
        out.append(text[pos:start])
        pos = stop
    out.append(text[pos:])
    return "".join(out)


def _is_rule(text: str, marks: str, least: int) -> bool:
    """The whole text is a rule: `least` or more of the marks, then nothing but space."""
    body = text.rstrip()
    return len(body) >= least and not body.strip(marks)


def _without_footnotes(line: str, last: bool) -> str:
    """`[^1]` goes; so does `[^1]: the note` on the last line."""
    out: list[str] = []
    pos = 0
    while (start := line.find("[^", pos)) >= 0:
        close = line.find("]", start + 3)  # the note's name has at least one character
        if close < 0 or start + 2 >= len(line):
            break  # nor can a later one close
        out.append(line[pos:start])
        pos = close + 1
        if last and line.startswith(": ", pos):
            pos = len(line)
    out.append(line[pos:])
    return "".join(out)


def _without_trailing_definition(text: str) -> str:
    """A last line `[name]: target` goes, with up to two spaces or line breaks before it."""
    last = _lines(text)[-1].text
    start = last.find("[")
    if start < 0 or last.find("]: ", start + 1) < 0:
        return text
    cut = len(text) - len(last) + start
    for _ in range(2):
        if cut > 0 and text[cut - 1].isspace():
            cut -= 1
    return text[:cut]


def _without_links(line: str, opening: str, keep_text: bool) -> str:
    """`[text](target)` and `[text][ref]` (an image when `opening` is `![`)."""
    out: list[str] = []
    pos = 0
    while (start := line.find(opening, pos)) >= 0:
        inner = start + len(opening)
        middle = _LINK_MIDDLE.search(line, inner)
        end = _LINK_END.search(line, middle.end()) if middle else None
        if middle is None or end is None:
            break  # nor can a later one close
        out.append(line[pos:start])
        if keep_text:
            out.append(line[inner : middle.start()])
        pos = end.end()
    out.append(line[pos:])
    return "".join(out)


# --- 3. headings -------------------------------------------------------------------------------


def _headings(text: str) -> str:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        if not text.startswith("#", pos) or not _at_line_start(text, pos):
            end = _next_line_start(text, pos)
            out.append(text[pos:end])
            pos = end
            continue
        marks = _run(text, pos, "#", 6)
        body = marks
        while body < len(text) and text[body].isspace():
            body += 1
        end = text.find("#", body)
        end = len(text) if end < 0 else end
        out.append(text[body:end])
        pos = _run(text, end, "#", 6)
    return "".join(out)


def _at_line_start(text: str, pos: int) -> bool:
    return pos == 0 or text[pos - 1] in _EOL


def _next_line_start(text: str, pos: int) -> int:
    found = _LINE_BREAK.search(text, pos)
    return found.end() if found else len(text)


def _run(text: str, pos: int, mark: str, most: int) -> int:
    """The index after a run of at most `most` of `mark` starting at `pos`."""
    end = pos
    while end < len(text) and end - pos < most and text[end] == mark:
        end += 1
    return end


# --- 4. emphasis, code, blank lines ------------------------------------------------------------


def _emphasis_and_code(text: str) -> str:
    text = time_limited(_EMPHASIS.sub, r"\2", text)
    text = time_limited(_LONG_CODE.sub, r"\2", text)
    if _is_rule(text, "-", 3):
        text = ""
    return str(time_limited(_CODE.sub, r"\1", text))


def _one_blank_line(text: str) -> str:
    """Two or more line breaks in a row become two."""
    out: list[str] = []
    pos = 0
    while (start := text.find("\n\n", pos)) >= 0:
        end = start
        while end < len(text) and text[end] == "\n":
            end += 1
        out.append(text[pos:start] + "\n\n")
        pos = end
    out.append(text[pos:])
    return "".join(out)
