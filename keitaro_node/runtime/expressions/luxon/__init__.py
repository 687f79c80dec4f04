"""Luxon's date and time model (DateTime, Duration, formats and zones), without the evaluator.

Nodes that format or parse dates use these functions directly:

    from keitaro_node.runtime.expressions.luxon import LuxonDateTime, find_zone, from_format, to_format
"""

from .duration import Duration, diff
from .formatting import to_format, to_iso
from .model import LuxonDateTime
from .parsing import from_format, from_iso
from .zones import Zone, find_zone

__all__ = [
    "Duration",
    "LuxonDateTime",
    "Zone",
    "diff",
    "find_zone",
    "from_format",
    "from_iso",
    "to_format",
    "to_iso",
]
