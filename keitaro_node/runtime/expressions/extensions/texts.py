"""Text helpers shared by the string extensions and the URI globals."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from ..values import JsError

_SMALL_WORDS = re.compile(
    r"^(?:an?d?|a[st]|because|but|by|en|for|i[fn]|neither|nor|o[fnr]|only|over|per|so|some"
    r"|tha[tn]|the|to|up|upon|vs?\.?|versus|via|when|with|without|yet)$",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[^\s:–—-]+|.", re.DOTALL)
_MANUAL_CASE = re.compile(r".(?=[A-Z]|\..)")
_FIRST_ALNUM = re.compile(r"[A-Za-z0-9\u00C0-\u00FF]")


def title_case(text: str) -> str:
    """Capitalise each word; small words stay lower case unless first or last."""
    out: list[str] = []
    for match in _WORDS.finditer(text):
        word, start = match.group(), match.start()
        end = start + len(word)
        keep = (
            _MANUAL_CASE.search(word)
            or (_SMALL_WORDS.match(word) and start != 0 and end != len(text))
            or (text[end : end + 1] == ":" and not text[end + 1 : end + 2].isspace())
        )
        out.append(word if keep else _FIRST_ALNUM.sub(lambda m: m.group().upper(), word, count=1))
    return "".join(out)


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


def remove_markdown(text: str) -> str:
    """Markdown to plain text: headings, emphasis, links, images, code, lists, quotes, tags."""
    out = re.sub(r"^([\s\t]*)([*\-+]|\d\.)\s+", r"\1", text, flags=re.MULTILINE)
    out = re.sub(r"\n={2,}", "\n", out)
    out = out.replace("~~", "")
    out = re.sub(r"`{3}.*\n", "", out)
    out = re.sub(r"<[\w|\s|=|'|\"|:|(|)|,|;|/|0-9|.|-]+[>|\\>]", "", out)
    out = re.sub(r"!\[.*?\][\[(].*?[\])]", "", out)
    out = re.sub(r"\[(.*?)\][\[(].*?[\])]", r"\1", out)
    out = out.replace(">", "")
    out = re.sub(r"^#{1,6}\s*([^#]*)\s*(#{1,6})?", r"\1", out, flags=re.MULTILINE)
    out = re.sub(r"([*_]{1,3})(\S.*?\S)\1", r"\2", out)
    out = re.sub(r"`(.+?)`", r"\1", out)
    return re.sub(r"\n{2,}", "\n\n", out)


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
