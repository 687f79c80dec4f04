"""Python names for the manifest's camelCase names: `streamData` -> `stream_data`.

The generator and the client both use these, so a generated method and a dynamic call
(`kt.call("stream", "create", stream_data=...)`) agree on every name.
"""

from __future__ import annotations

import keyword
import re

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """`getAll` -> `get_all`, `imkloApiUrl` -> `imklo_api_url`; keywords get a trailing `_`."""
    text = _BOUNDARY.sub("_", name).lower()
    return f"{text}_" if keyword.iskeyword(text) else text


def pascal(name: str) -> str:
    """`affiliateNetwork` -> `AffiliateNetwork`, `log_type` -> `LogType`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\W]+", name) if part)
