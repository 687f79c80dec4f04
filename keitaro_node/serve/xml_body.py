"""XML request bodies as n8n gives them to workflows (xml2js with n8n's settings).

Tag names are lower-cased; an element with only text is that text (empty: ""); otherwise an
object with its attributes under "$", its text under "_", and one key per child tag (a list
when the tag repeats). Text is trimmed and runs of whitespace become one space. The root
element is the only key of the result. Namespace prefixes are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any

_SPACE = re.compile(r"\s{2,}")


def _name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _text(element: ElementTree.Element) -> str:
    parts = [element.text or ""] + [child.tail or "" for child in element]
    return _SPACE.sub(" ", "".join(parts)).strip()


def _convert(element: ElementTree.Element) -> Any:
    children = list(element)
    text = _text(element)
    if not children and not element.attrib:
        return text
    out: dict[str, Any] = {}
    if element.attrib:
        out["$"] = {_name(k): v for k, v in element.attrib.items()}
    for child in children:
        key = _name(str(child.tag))
        value = _convert(child)
        if key in out:
            existing = out[key]
            out[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            out[key] = value
    if text:
        out["_"] = text
    return out


def parse_xml(text: str) -> dict[str, Any]:
    """Raise ValueError with the parser's words when the text is not well-formed XML."""
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise ValueError(str(exc)) from None
    return {_name(str(root.tag)): _convert(root)}
