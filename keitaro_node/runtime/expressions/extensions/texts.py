"""Text helpers shared by the string extensions and the URI globals."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from ..values import JsError

# Words a title keeps in lower case unless they start or end it.
_MINOR_WORDS = frozenset(
    "a an and as at because but by en for if in neither nor of on only or over per so some "
    "than that the to up upon v vs versus via when with without yet".split()
)
# Words end at spaces, ':' and dashes; those stand alone, except line breaks, which n8n drops.
_TITLE_WORDS = re.compile(r"[^\s:\u2013\u2014-]+|[^\n\r\u2028\u2029]")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")
_CAPITALISABLE = re.compile(r"[A-Za-z0-9\u00c0-\u00ff]")


def title_case(text: str) -> str:
    """n8n's toTitleCase(): each word starts with a capital, except

    - words that already mix cases or hold a dot inside (`iPhone`, `example.com`),
    - minor words (`and`, `of`, `the`, ...) that neither start nor end the text,
    - words followed by a ':' that is not followed by a space (`https:`).

    Line breaks are left out, as n8n leaves them out. The capital is the word's first letter or digit, past any marks before it (`"word"`).
    """
    out: list[str] = []
    for found in _TITLE_WORDS.finditer(text):
        word, start = found.group(), found.start()
        out.append(word if _keeps_its_case(text, word, start) else _capitalised(word))
    return "".join(out)


def _keeps_its_case(text: str, word: str, start: int) -> bool:
    end = start + len(word)
    if any("A" <= c <= "Z" for c in word[1:]) or "." in word[1:-1]:
        return True
    inside = start > 0 and end < len(text)
    if inside and any(w.lower() in _MINOR_WORDS for w in _ASCII_WORD.findall(word)):
        return True
    return text[end : end + 1] == ":" and not text[end + 1 : end + 2].isspace()


def _capitalised(word: str) -> str:
    return _CAPITALISABLE.sub(lambda first: first.group().upper(), word, count=1)


_SPECIAL = {
    "ß": "ss",
    "ẞ": "SS",
    "æ": "ae",
    "Æ": "AE",
    "ø": "o",
    "Ø": "O",
    "œ": "oe",
    "Œ": "OE",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ł": "l",
    "Ł": "L",
    "ı": "i",
    "€": "EUR",
    "£": "GBP",
    "©": "(c)",
    "®": "(r)",
    "™": "TM",
}
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya".split(" "),
        strict=False,
    )
)


def transliterate(text: str) -> str:
    """Replace accented and other non-ASCII letters with ASCII ones; '?' when there is none."""
    out: list[str] = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
        elif ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ch.lower() in _CYRILLIC:
            latin = _CYRILLIC[ch.lower()]
            out.append(latin.capitalize() if ch.isupper() else latin)
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            out.append(base if base and all(ord(c) < 128 for c in base) else "?")
    return "".join(out)


_COMPONENT_SAFE = "-_.!~*'()"
_URI_SAFE = _COMPONENT_SAFE + ";,/?:@&=+$#"


def uri_encode(text: str, component: bool = True) -> str:
    try:
        return quote(text, safe=_COMPONENT_SAFE if component else _URI_SAFE, encoding="utf-8")
    except UnicodeEncodeError:
        raise JsError("URIError", "URI malformed") from None


def uri_decode(text: str, component: bool = True) -> str:
    reserved = set(";,/?:@&=+$#")
    out = bytearray()
    result: list[str] = []
    i = 0

    def flush() -> None:
        if out:
            try:
                result.append(out.decode("utf-8"))
            except UnicodeDecodeError:
                raise JsError("URIError", "URI malformed") from None
            out.clear()

    while i < len(text):
        ch = text[i]
        if ch == "%":
            hex_text = text[i + 1 : i + 3]
            if len(hex_text) < 2 or not all(c in "0123456789abcdefABCDEF" for c in hex_text):
                raise JsError("URIError", "URI malformed")
            byte = int(hex_text, 16)
            if not component and byte < 128 and chr(byte) in reserved:
                flush()
                result.append(text[i : i + 3])
            else:
                out.append(byte)
            i += 3
            continue
        flush()
        result.append(ch)
        i += 1
    flush()
    return "".join(result)
