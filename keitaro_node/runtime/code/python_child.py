"""The process that runs the Python of Code nodes: stdlib only, started per node run.

It is started as `python -I -S python_child.py` in an empty temporary folder with a scrubbed
environment, limits its own address space, and then talks to its parent over stdin/stdout in
frames (a decimal length, a newline, then that many bytes of JSON). The first frame sets it
up (code, language, the run's data); each further frame asks for one execution and gets one
answer. What user code prints is captured and sent back, never written to the parent's output.

This file is run as a program, never imported by the package.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime
import io
import json
import math
import os
import sys
import textwrap
import traceback
from collections.abc import Callable, Mapping
from typing import Any

CODE_FILE = "<code>"
LOG_LIMIT = 1_000_000


# --- values as n8n's Python (Pyodide) sees them: objects with attribute and key access -------


class JsObject(dict):  # type: ignore[type-arg]
    """A JSON object reachable as `obj.key` and `obj["key"]`, like a JavaScript object proxy."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_py(self) -> dict[str, Any]:
        return plain(self)  # type: ignore[no-any-return]

    def as_object_map(self) -> JsObject:
        return self


class JsArray(list):  # type: ignore[type-arg]
    """A JSON array with `to_py()`, like a JavaScript array proxy."""

    def to_py(self) -> list[Any]:
        return plain(self)  # type: ignore[no-any-return]


def wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return JsObject((k, wrap(v)) for k, v in value.items())
    if isinstance(value, list):
        return JsArray(wrap(v) for v in value)
    return value


def plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


# --- results -----------------------------------------------------------------------------


class NotJson(Exception):
    pass


def to_json(value: Any, path: str, drop_none: bool = False) -> Any:
    """A returned value as JSON; anything JSON cannot hold is refused with where it is.

    With `drop_none` (n8n's Pyodide Python), None inside an object is `undefined` there, so
    the key disappears; inside a list it becomes null.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        out = {}
        for key, entry in value.items():
            if not isinstance(key, str):
                raise NotJson(f"{path} has the key {key!r}, which is not text")
            if entry is None and drop_none:
                continue
            out[key] = to_json(entry, f"{path}.{key}", drop_none)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(entry, f"{path}[{n}]", drop_none) for n, entry in enumerate(value)]
    hint = " (use .isoformat())" if isinstance(value, (datetime.date, datetime.time)) else ""
    raise NotJson(f"{path} is a {type(value).__name__}, which is not JSON{hint}")


def kind_of(value: Any, native: bool) -> str:
    if value is None:
        return "null" if native else "undefined"  # Pyodide hands None to n8n as undefined
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def error_answer(exc: BaseException, offset: int) -> dict[str, Any]:
    """n8n's text for a Python error (`Type: message` and a newline) and the user's line."""
    lines = traceback.format_exception_only(type(exc), exc)
    message = lines[-1] if lines else f"{type(exc).__name__}\n"
    line = None
    if isinstance(exc, SyntaxError) and exc.filename == CODE_FILE and exc.lineno:
        line = exc.lineno - offset
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename == CODE_FILE and frame.lineno:
                line = frame.lineno - offset
    return {"ok": False, "error": {"message": message, "line": line, "type": type(exc).__name__}}


# --- bindings ----------------------------------------------------------------------------


class CodeFailure(Exception):
    """A misuse of the bindings (an unknown node, a missing pairing): a clear message."""


class NodeRef:
    """`_('Node')`: another node's items, and the one paired with the current item."""

    def __init__(self, world: Any, name: str, current: int) -> None:
        self._world = world
        self._name = name
        self._current = current

    def _entry(self) -> Any:
        entry = self._world["nodes"].get(self._name)
        if entry is None:
            raise CodeFailure(
                f"no node called '{self._name}' is available here - it must be a node of this "
                f"workflow, named in the code as a string as in _('{self._name}')"
            )
        if not entry["executed"]:
            raise CodeFailure(f"node '{self._name}' has not run (yet)")
        return entry

    def all(self, *_args: Any) -> Any:
        return self._entry()["items"]

    def first(self, *_args: Any) -> Any:
        items = self._entry()["items"]
        return items[0] if items else None

    def last(self, *_args: Any) -> Any:
        items = self._entry()["items"]
        return items[-1] if items else None

    @property
    def item(self) -> Any:
        return self.itemMatching(self._current)

    def itemMatching(self, index: int) -> Any:
        entry = self._entry()
        pairs = entry["pairs"]
        position = pairs[index] if 0 <= index < len(pairs) else None
        if position is None:
            raise CodeFailure(
                f"paired item data for item {index} from node '{self._name}' is unavailable - "
                f"a node between them returned items without pairedItem; use "
                f"_('{self._name}').all() or .first() instead"
            )
        if position == -1:
            raise CodeFailure(
                f"Multiple matches: item {index} comes from several items of '{self._name}' "
                f"(it was built from several items) - use _('{self._name}').all() or .first() "
                "instead"
            )
        return entry["items"][position]

    def pairedItem(self, index: int | None = None) -> Any:
        return self.itemMatching(self._current if index is None else index)

    @property
    def isExecuted(self) -> bool:
        entry = self._world["nodes"].get(self._name)
        return bool(entry and entry["executed"])


class InputRef:
    """`_input`: this node's input items."""

    def __init__(self, items: Any, current: int) -> None:
        self._items = items
        self._current = current

    def all(self, *_args: Any) -> Any:
        return self._items

    def first(self, *_args: Any) -> Any:
        return self._items[0] if self._items else None

    def last(self, *_args: Any) -> Any:
        return self._items[-1] if self._items else None

    @property
    def item(self) -> Any:
        return self._items[self._current] if self._current < len(self._items) else None

    @property
    def params(self) -> Any:
        return JsObject()

    @property
    def context(self) -> Any:
        return JsObject()


def pyodide_globals(world: Any, index: int, each: bool, now: datetime.datetime) -> dict[str, Any]:
    items = world["input"]
    item = items[index] if index < len(items) else None

    def node(name: str) -> NodeRef:
        return NodeRef(world, name, index)

    def legacy_items(name: str | None = None, *_args: Any) -> Any:
        return items if name is None else NodeRef(world, name, index).all()

    values: dict[str, Any] = {
        "_input": InputRef(items, index),
        "_json": item["json"] if item is not None else None,
        "_binary": item.get("binary", JsObject()) if item is not None else JsObject(),
        "_itemIndex": index,
        "_runIndex": world.get("runIndex", 0),
        "_": node,
        "_items": legacy_items,
        "_workflow": world.get("workflow"),
        "_execution": world.get("execution"),
        "_prevNode": world.get("prevNode"),
        "_mode": "manual",
        "_parameter": world.get("parameter") or JsObject(),
        "_now": now,
        "_today": now.replace(hour=0, minute=0, second=0, microsecond=0),
    }
    if each:
        values["item"] = item
    else:
        values["items"] = items
    return values


# --- the loop ----------------------------------------------------------------------------


class Output(io.TextIOBase):
    """Where print() and sys.stdout writes of user code go: lines sent back to the parent."""

    def __init__(self) -> None:
        self.lines: list[list[str]] = []
        self.size = 0
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._partial += text
        while "\n" in self._partial:
            line, self._partial = self._partial.split("\n", 1)
            self.add(line)
        return len(text)

    def add(self, line: str) -> None:
        if self.size < LOG_LIMIT:
            self.size += len(line)
            self.lines.append(["info", line[:10000]])

    def take(self) -> list[list[str]]:
        if self._partial:
            self.add(self._partial)
            self._partial = ""
        lines, self.lines, self.size = self.lines, [], 0
        return lines


class Runner:
    def __init__(self, setup: dict[str, Any], output: Output) -> None:
        self.language = setup["language"]
        self.native = self.language == "pythonNative"
        self.output = output
        self.world = json.loads(setup["world"]) if self.native else wrap(json.loads(setup["world"]))
        self.now = datetime.datetime.now(datetime.UTC)
        self.loop = asyncio.new_event_loop()
        code = setup["code"]
        if self.native:
            source = "def __user():\n" + textwrap.indent(code, "    ")
        else:  # n8n indents every line by two spaces inside `async def __main():`
            source = "async def __user():\n" + "\n".join("  " + line for line in code.split("\n"))
        self.compiled = compile(source, CODE_FILE, "exec")

    def run(self, index: int, kind: str) -> dict[str, Any]:
        each = kind == "each"
        if self.native:
            items = self.world["input"]
            scope: dict[str, Any] = (
                {"_item": items[index] if index < len(items) else None}
                if each
                else {"_items": items}
            )
        else:
            scope = pyodide_globals(self.world, index, each, self.now)
        scope["__builtins__"] = builtins
        scope["print"] = self._print
        try:
            exec(self.compiled, scope)
            result = scope["__user"]()
            if asyncio.iscoroutine(result):
                result = self.loop.run_until_complete(result)
        except CodeFailure as exc:
            return {"ok": False, "error": {"message": str(exc), "line": None, "type": None}}
        except Exception as exc:  # the user's error, reported with n8n's text
            return error_answer(exc, 1)
        try:
            value = to_json(result, "the returned value", drop_none=not self.native)
        except NotJson as exc:
            return {"ok": False, "error": {"message": str(exc), "line": None, "type": "TypeError"}}
        return {"ok": True, "kind": kind_of(result, self.native), "value": value}

    def _print(self, *args: Any, sep: str | None = " ", end: str | None = "\n", **_: Any) -> None:
        self.output.write((sep if sep is not None else " ").join(_shown(a) for a in args))
        self.output.write(end if end is not None else "\n")


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(plain(value), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def read_frame(stream: Any) -> Any:
    header = stream.readline()
    if not header:
        return None
    return json.loads(stream.read(int(header)))


def write_frame(stream: Any, value: Any) -> None:
    data = json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    stream.write(b"%d\n" % len(data))
    stream.write(data)
    stream.flush()


def limit_memory(size: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the parent's time limit still applies


def main() -> None:
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything that writes to fd 1 lands on stderr, not in the frames
    output = Output()
    sys.stdout = output
    setup = read_frame(requests)
    if setup is None:
        return
    limit_memory(int(setup.get("memory") or 0) or 1 << 40)
    run: Callable[[int, str], dict[str, Any]]
    try:
        runner = Runner(setup, output)
    except SyntaxError as exc:
        answer = error_answer(exc, 1)
        run = lambda _index, _kind: answer  # noqa: E731 - every item gets the same error
        write_frame(answers, {"ok": True})
    except MemoryError:
        write_frame(answers, {"ok": False, "error": {"message": "out of memory", "line": None}})
        return
    else:
        run = runner.run
        write_frame(answers, {"ok": True})
    while True:
        request = read_frame(requests)
        if request is None:
            return
        try:
            answer = run(int(request["index"]), str(request["kind"]))
        except MemoryError:
            answer = {
                "ok": False,
                "error": {"message": "MemoryError\n", "line": None, "type": "MemoryError"},
            }
        answer["logs"] = output.take()
        try:
            write_frame(answers, answer)
        except (TypeError, ValueError) as exc:
            write_frame(
                answers,
                {
                    "ok": False,
                    "logs": [],
                    "error": {"message": f"the returned value is not JSON: {exc}", "line": None},
                },
            )


if __name__ == "__main__":
    main()
