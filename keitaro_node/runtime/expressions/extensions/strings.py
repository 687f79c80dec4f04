"""String extensions: hash, toInt, isEmail, extractDomain, toTitleCase, ..."""

from __future__ import annotations

import base64
import hashlib
import math
import re
from typing import Any
from urllib.parse import urlsplit

from ..json_text import json_parse, json_stringify
from ..values import UNDEFINED, ExpressionError, JsError, js_string, to_number
from .markdown import remove_markdown
from .texts import title_case, transliterate, uri_decode, uri_encode

_CURRENCY = re.compile(
    "(Lek|؋|\\$|ƒ|₼|Br|BZ\\$|\\$b|KM|P|лв|R\\$|៛|¥|₡|kn|₱|Kč|kr|RD\\$|£|€|¢|Q|L|Ft|₹|Rp|﷼|₪"
    "|J\\$|₩|₭|ден|RM|₨|₮|MT|C\\$|₦|B/\\.|Gs|S/\\.|zł|lei|₽|Дин\\.|S|R|CHF|NT\\$|฿|TT\\$|₺|₴"
    "|\\$U|Bs|₫|Z\\$)"
)
_HOST = r"(?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})"
_TAIL = r"(?::\d+)?(?:/[^\s?]*)?(?:\?[^\s#]*)?(?:#[^\s]*)?"
_DOMAIN = re.compile(rf"^(?:www\.)?({_HOST}){_TAIL}$", re.IGNORECASE)
_DOMAIN_IN_URL = re.compile(
    rf"^(?:(?:https?|ftp)://)?(?:mailto:)?(?://)?((?:www\.)?{_HOST}){_TAIL}$", re.IGNORECASE
)
_EMAIL = re.compile(
    r"(([^<>()\[\]\\.,;:\s@\"]+(\.[^<>()\[\]\\.,;:\s@\"]+)*)|(\".+\"))@(?P<domain>(\[[0-9]{1,3}\.[0-9]{1,3}"
    r"\.[0-9]{1,3}\.[0-9]{1,3}])|(([a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,}))"
)
_URL_EXACT = re.compile(
    rf"^(?:(?:https?|ftp)://)(?:www\.)?({_HOST})(?::\d+)?(?:/[^\s?#]*)?(?:\?[^\s#]*)?#?[^\s]*$",
    re.IGNORECASE,
)
_URL = re.compile(
    rf"(?:(?:https?|ftp)://)(?:www\.)?({_HOST})(?::\d+)?(?:/[^\s?#]*)?(?:\?[^\s#]*)?#?[^\s]*",
    re.IGNORECASE,
)

_HASHES = {
    "md5": "md5",
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
    "sha3": "sha3_512",
}


def _arg(args: list[Any], index: int = 0, default: Any = UNDEFINED) -> Any:
    return args[index] if len(args) > index and args[index] is not UNDEFINED else default


def _hash(value: str, args: list[Any]) -> str:
    raw = _arg(args, 0, "md5")
    algorithm = js_string(raw).lower()
    if algorithm == "base64":
        return base64.b64encode(value.encode("utf-8")).decode("ascii")
    if algorithm not in _HASHES:
        raise ExpressionError(
            f"Unknown algorithm {algorithm}. Available algorithms are: "
            "md5,sha1,sha224,sha256,sha384,sha512,sha3, and Base64."
        )
    return hashlib.new(_HASHES[algorithm], value.encode("utf-8")).hexdigest()


def _parse_int_prefix(text: str, radix: int | None) -> float | int:
    from ..builtins import parse_int

    return parse_int(text, UNDEFINED if radix is None else radix)


def _to_int(value: str, args: list[Any]) -> Any:
    radix = _arg(args)
    number = _parse_int_prefix(_CURRENCY.sub("", value), None if radix is UNDEFINED else radix)
    if isinstance(number, float) and math.isnan(number):
        raise ExpressionError("cannot convert to integer")
    return number


def _to_float(value: str, _args: list[Any]) -> Any:
    from ..builtins import parse_float

    if "," in value:
        raise ExpressionError("cannot convert to float, expected . as decimal separator")
    number = parse_float(_CURRENCY.sub("", value))
    if isinstance(number, float) and math.isnan(number):
        raise ExpressionError("cannot convert to float")
    return number


def _to_number(value: str, _args: list[Any]) -> Any:
    number = to_number(_CURRENCY.sub("", value))
    if isinstance(number, float) and math.isnan(number):
        raise ExpressionError("cannot convert to number")
    return number


def _quote(value: str, args: list[Any]) -> str:
    mark = js_string(_arg(args, 0, '"'))
    escaped = value.replace("\\", "\\\\").replace(mark, "\\" + mark) if mark else value
    return f"{mark}{escaped}{mark}"


def _is_numeric(value: str, _args: list[Any]) -> bool:
    from ..builtins import parse_float

    if " " in value:
        return False
    number = to_number(value)
    parsed = parse_float(value)
    return not (isinstance(number, float) and math.isnan(number)) and not (
        isinstance(parsed, float) and math.isnan(parsed)
    )


def _is_email(value: str, _args: list[Any]) -> bool:
    return bool(_EMAIL.search(value)) and " " not in value


def _extract_email(value: str, _args: list[Any]) -> Any:
    match = _EMAIL.search(value)
    return match.group(0) if match else UNDEFINED


def _extract_domain(value: str, _args: list[Any]) -> Any:
    if _is_email(value, []):
        match = _EMAIL.search(value)
        return match.group("domain") if match else UNDEFINED
    match = _DOMAIN_IN_URL.match(value)
    return match.group(1) if match else UNDEFINED


def _extract_url(value: str, _args: list[Any]) -> Any:
    match = _URL.search(value)
    return match.group(0) if match else UNDEFINED


def _extract_url_path(value: str, _args: list[Any]) -> Any:
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or " " in value.strip():
        return UNDEFINED
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return UNDEFINED
    if parts.scheme in ("http", "https", "ftp", "ws", "wss", "file"):
        return parts.path or "/"
    return parts.path


def _parse_json(value: str, _args: list[Any]) -> Any:
    try:
        return json_parse(value)
    except JsError:
        if "'" in value:
            raise ExpressionError("Parsing failed. Check you're using double quotes") from None
        raise ExpressionError("Parsing failed") from None


def _to_boolean(value: str, _args: list[Any]) -> bool:
    normalized = value.lower()
    return len(normalized) > 0 and normalized not in ("false", "no", "0")


def _base64_decode(value: str, _args: list[Any]) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", value.replace("-", "+").replace("_", "/"))
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned).decode("utf-8", errors="replace")


_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"[!?.]")


def _sentence_case(value: str, _args: list[Any]) -> str:
    """Each sentence (up to . ! or ?) starts with a capital, the rest is lower case.

    Text after the last letter (or with no letter at all) is dropped, as n8n drops it.
    """
    out: list[str] = []
    rest = value
    while (letter := _LETTER.search(rest)) is not None:
        start = letter.start()
        sentence = rest[:start] + rest[start].upper() + rest[start + 1 :].lower()
        end = _SENTENCE_END.search(sentence)
        if end is None:
            out.append(sentence)
            break
        out.append(sentence[: end.end()])
        rest = sentence[end.end() :]
    return "".join(out)


def _snake_case(value: str, _args: list[Any]) -> str:
    text = re.sub(r"[ \-]", "_", value.lower())
    return re.sub(r"[\u2000-\u206F\u2E00-\u2E7F\\'!\"#$%&()*+,./:;<=>?@\[\]^`{|}~]", "", text)


def _to_date_time(value: str, args: list[Any]) -> Any:
    from ..dates import SETTINGS, DateTimeValue, parse_any
    from ..luxon.parsing import from_format
    from .numbers import number_to_datetime

    fmt = _arg(args, 0, "")
    try:
        if fmt:
            if fmt in ("ms", "s", "us", "excel"):
                return number_to_datetime(to_number(value), [fmt])
            return DateTimeValue(from_format(value, js_string(fmt), SETTINGS.zone))
        result = parse_any(value)
    except (ValueError, ExpressionError):
        raise ExpressionError("cannot convert to Luxon DateTime") from None
    if not result.is_valid:
        raise ExpressionError("cannot convert to Luxon DateTime")
    return DateTimeValue(result)


def _to_date(value: str, _args: list[Any]) -> Any:
    from ..dates import SETTINGS, JsDate
    from ..luxon.model import LuxonDateTime
    from ..luxon.parsing import js_date_parse

    ms = js_date_parse(value, SETTINGS.js_zone)
    if math.isnan(ms):
        raise ExpressionError("cannot convert to date")
    if ":" not in value:
        local = LuxonDateTime(ms, SETTINGS.js_zone)
        ms = local.start_of("day").ms
    return JsDate(ms)


STRING_EXTENSIONS: dict[str, Any] = {
    "hash": _hash,
    "removeMarkdown": lambda s, _a: remove_markdown(s),
    "removeTags": lambda s, _a: re.sub(r"<[^>]*>?", "", s),
    "toDate": _to_date,
    "toDateTime": _to_date_time,
    "toBoolean": _to_boolean,
    "toDecimalNumber": _to_float,
    "toNumber": _to_number,
    "toFloat": _to_float,
    "toInt": _to_int,
    "toWholeNumber": _to_int,
    "toSentenceCase": _sentence_case,
    "toSnakeCase": _snake_case,
    "toTitleCase": lambda s, _a: title_case(s),
    "urlDecode": lambda s, a: uri_decode(s, component=not _arg(a, 0, False)),
    "urlEncode": lambda s, a: uri_encode(s, component=not _arg(a, 0, False)),
    "quote": _quote,
    "replaceSpecialChars": lambda s, _a: transliterate(s),
    "length": lambda s, _a: len(s),
    "isDomain": lambda s, _a: bool(_DOMAIN.match(s)),
    "isEmail": _is_email,
    "isNumeric": _is_numeric,
    "isUrl": lambda s, _a: bool(_URL_EXACT.match(s)),
    "isEmpty": lambda s, _a: s == "",
    "isNotEmpty": lambda s, _a: s != "",
    "toJsonString": lambda s, _a: json_stringify(s),
    "extractEmail": _extract_email,
    "extractDomain": _extract_domain,
    "extractUrl": _extract_url,
    "extractUrlPath": _extract_url_path,
    "parseJson": _parse_json,
    "base64Encode": lambda s, _a: base64.b64encode(s.encode("utf-8")).decode("ascii"),
    "base64Decode": _base64_decode,
}

__all__ = ["STRING_EXTENSIONS"]
