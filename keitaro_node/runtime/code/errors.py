"""Errors of Code nodes: the text n8n shows, plus where in the code and which item.

`message` is what n8n puts into an item's `error` field under "continue" settings, so a
workflow that reads it downstream sees the same text; `description` adds what n8n leaves out
(the kind of error, the line of a syntax error, how to fix a limit).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import NodeError, NodeOperationError


class CodeError(NodeOperationError):
    """The code failed, returned the wrong shape, or hit a limit."""

    def __init__(
        self,
        message: str,
        *,
        description: str | None = None,
        item_index: int | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message, description=description, item_index=item_index)
        self.line = line

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        if self.line is not None:
            data["lineNumber"] = self.line
        return data


def error_json(_index: int, _item: Any, error: NodeError) -> Any:
    """The output item of a failed item under continueRegularOutput: n8n's `{error: message}`."""
    from ..items import Item

    return Item(json={"error": error.message})


# host objects a user may expect from Node.js or a browser; they do not exist here
HOST_NAMES = ("process", "require", "fetch", "Buffer", "module", "global", "XMLHttpRequest")
NO_HOST = (
    "Code nodes run in a sandbox without file, network or process access; "
    "use an HTTP Request or Keitaro node for calls to services"
)

_USER_FRAME = re.compile(r"\(user\.js:(\d+):\d+\)")
_PARSE = re.compile(r"^[^\n:]*:(\d+): (\w*Error): ?(.*)$", re.MULTILINE)


def js_error(raw: dict[str, Any], item_index: int | None) -> CodeError:
    """An error thrown by user JavaScript, worded as n8n's task runner words it.

    n8n takes the last `: `-separated part of the stack's first `Error:` line as the message and
    the part before it as the kind, then adds `[line N]` from the first frame in the user's
    code (a named function's frame before the wrapper's).
    """
    stack = raw.get("stack")
    rows = stack.split("\n") if isinstance(stack, str) else []
    line = _line_of(rows)
    shown = f"[line {line}]" if line is not None else ""
    message_row = next((r for r in rows if "Error:" in r), None)
    if message_row is None:  # a thrown value that is not an Error: n8n knows nothing more
        thrown = raw.get("message")
        return CodeError(
            f"Unknown error {shown}",
            description=f"the code threw {thrown}" if thrown else None,
            item_index=item_index,
            line=line,
        )
    details, kind = _details_and_kind(message_row)
    description = kind
    full = str(raw.get("name") or "Error") + ": " + str(raw.get("message") or "")
    if kind == "ReferenceError" and any(f"{name} is not defined" in full for name in HOST_NAMES):
        description = f"ReferenceError: {NO_HOST}"
    elif details.startswith("Module '") and details.endswith("' is disallowed"):
        description = NO_HOST
    elif details != raw.get("message"):
        description = f"{kind + ': ' if kind else ''}{raw.get('message')}"
    return CodeError(
        f"{details} {shown}" if details else f"Unknown error {shown}",
        description=description,
        item_index=item_index,
        line=line,
    )


def js_plain_error(raw: dict[str, Any], item_index: int | None) -> CodeError:
    """An error thrown by user JavaScript with its own message (Function, Function Item)."""
    stack = raw.get("stack")
    line = _line_of(stack.split("\n") if isinstance(stack, str) else [])
    message = raw.get("message")
    kind = raw.get("name")
    return CodeError(
        str(message) if message else "Unknown error",
        description=str(kind) if kind and kind != "Error" else None,
        item_index=item_index,
        line=line,
    )


def _line_of(rows: list[str]) -> int | None:
    for row in rows:
        match = _USER_FRAME.search(row)
        if match and "VmCodeWrapper" not in row:
            return int(match.group(1))
    for row in rows:
        match = _USER_FRAME.search(row)
        if match and "VmCodeWrapper" in row:
            return int(match.group(1))
    return None


def _details_and_kind(row: str) -> tuple[str, str | None]:
    segments = [s.strip() for s in row.split(":")]
    if len(segments) > 2 and segments[1] == "Cannot find module 'node":
        segments[1:3] = [f"{segments[1]}:{segments[2]}"]
    if (
        len(segments) >= 3
        and segments[1].startswith("Module 'node")
        and "' is disallowed" in segments[2]
    ):
        segments[1:3] = [f"{segments[1]}:{segments[2]}"]
    segments.reverse()
    details = segments[0]
    kind = segments[1] if len(segments) > 1 else None
    return details, None if kind == "Error" else kind


def js_syntax_error(text: str, item_index: int | None) -> CodeError:
    """A parse failure of the user's code: n8n's text, with the line n8n leaves out."""
    match = _PARSE.search(text)
    if match is None:
        return CodeError(text.strip() or "SyntaxError", item_index=item_index)
    line, kind, details = int(match.group(1)), match.group(2), match.group(3).strip()
    source = text.split("\n")[1].strip() if text.count("\n") >= 1 else ""
    description = f"{kind} at line {line}" + (f": {source}" if source else "")
    return CodeError(f"{details} ", description=description, item_index=item_index, line=line)


def shape_error(
    message: str,
    description: str | None = None,
    *,
    shown_index: int | None = None,
    item_index: int | None = None,
) -> CodeError:
    """A result of the wrong shape, in n8n's words: `message [item N]` when an item is known.

    `shown_index` is the index n8n names (a returned item's, in "all items" mode);
    `item_index` is the input item that failed, when there is one.
    """
    text = f"{message} [item {shown_index}]" if shown_index is not None else message
    return CodeError(text, description=description, item_index=item_index)
