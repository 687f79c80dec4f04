"""JavaScript for Code, Function and Function Item nodes, in an embedded V8 (mini-racer).

One V8 isolate per node run holds the bindings (prelude.js), the run's data and the user's
code compiled once; each execution - the whole node, or one item - is one call with a time
limit and a heap limit. The isolate has no host objects: no `require`, `process`, `fetch`,
files, network or timers beyond `setTimeout`. After a timeout or an exhausted heap the isolate
is thrown away and a fresh one is made for the items that are left.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from importlib import resources
from typing import TYPE_CHECKING, Any

from .errors import CodeError, js_error, js_syntax_error
from .limits import CodeLimits
from .results import Returned

if TYPE_CHECKING:
    from py_mini_racer import MiniRacer

INSTALL_HINT = (
    "JavaScript in Code, Function and Function Item nodes needs the optional engine: "
    "pip install 'keitaro-node[code]' (it installs mini-racer, an embedded V8)"
)
_POLL_SECONDS = 0.05


def engine_available() -> bool:
    try:
        import py_mini_racer  # noqa: F401
    except ImportError:
        return False
    return True


def _prelude() -> str:
    return resources.files(__package__).joinpath("prelude.js").read_text("utf-8")


class JsOutcome:
    """One execution's result: what the code returned (or the error), and its console lines."""

    __slots__ = ("binary", "error", "logs", "raw_error", "returned")

    def __init__(
        self,
        returned: Returned | None,
        error: CodeError | None,
        logs: list[tuple[str, str]],
        binary: Any = None,
        raw_error: dict[str, Any] | None = None,
    ) -> None:
        self.returned = returned
        self.error = error
        self.logs = logs
        self.binary = binary
        # what the code threw (name, message, stack), for nodes that word errors their own way
        self.raw_error = raw_error


class JsEngine:
    """The code of one node run, ready to execute once or per item."""

    def __init__(self, code: str, world_json: str, limits: CodeLimits) -> None:
        self.code = code
        self.world_json = world_json
        self.limits = limits
        self._racer: MiniRacer | None = None
        self._compile_error: CodeError | None = None

    async def run(self, index: int, kind: str) -> JsOutcome:
        """Execute the code once: `kind` is all, each, function or functionItem."""
        if self._racer is None and self._compile_error is None:
            await self._start(index)
        if self._compile_error is not None:
            error = self._compile_error
            return JsOutcome(None, _for_item(error, index if kind != "all" else None), [])
        assert self._racer is not None
        try:
            text = await self._within_limits(f"__run({index}, {json.dumps(kind)})")
        except CodeError as error:
            error.item_index = index if kind not in ("all", "function") else None
            return JsOutcome(None, error, [])
        data = json.loads(text)
        logs = [(str(level), str(line)) for level, line in data.get("logs", [])]
        if not data.get("ok"):
            item = index if kind not in ("all", "function") else None
            raw_error = data.get("error") or {}
            return JsOutcome(None, js_error(raw_error, item), logs, raw_error=raw_error)
        raw = data.get("value")
        value = json.loads(raw) if isinstance(raw, str) else None
        binary_raw = data.get("binary")
        binary = json.loads(binary_raw) if isinstance(binary_raw, str) else None
        return JsOutcome(Returned(str(data.get("kind")), value), None, logs, binary)

    def close(self) -> None:
        racer, self._racer = self._racer, None
        if racer is not None:
            racer.close()

    async def _start(self, index: int) -> None:
        try:
            from py_mini_racer import JSParseException, MiniRacer
        except ImportError:
            self._compile_error = CodeError(
                "The JavaScript engine is not installed", description=INSTALL_HINT
            )
            return
        racer = MiniRacer()
        racer.set_hard_memory_limit(self.limits.js_memory_bytes)
        self._racer = racer
        try:
            await racer.eval_cancelable(_prelude())
            await self._bounded(
                racer.eval_cancelable(f"__init({json.dumps(self.world_json)})"),
                time.monotonic() + self.limits.timeout_seconds,
            )
        except CodeError as error:
            self.close()
            self._compile_error = CodeError(
                "The input data does not fit into the JavaScript engine",
                description=f"{error.description or error.message}; the data of this node's "
                "input and of the nodes its code names must fit into the memory limit",
            )
            return
        wrapped = (
            "var __user = (async function VmCodeWrapper() {"
            + self.code
            + "\n});\n//# sourceURL=user.js"
        )
        try:
            await racer.eval_cancelable(wrapped)
        except JSParseException as exc:
            self.close()
            self._compile_error = js_syntax_error(str(exc), None)
            return
        await racer.eval_cancelable("__seal()")

    async def _within_limits(self, script: str) -> str:
        """Run a script that leaves its outcome for `__take()`, inside the time and heap limits.

        The outcome is polled with short scripts of their own; a poll that gets no answer means
        the engine is busy, and the deadline then ends it.
        """
        from py_mini_racer import JSEvalException, JSOOMException

        racer = self._racer
        assert racer is not None
        deadline = time.monotonic() + self.limits.timeout_seconds
        pause = 0.0
        try:
            await self._bounded(racer.eval_cancelable(script), deadline)
            while True:
                taken = await self._bounded(racer.eval_cancelable("__take()"), deadline)
                if isinstance(taken, str):
                    return taken
                if racer.was_hard_memory_limit_reached():
                    raise self._out_of_memory()
                pause = min(_POLL_SECONDS, pause * 2 or 0.001)
                if time.monotonic() + pause >= deadline:
                    raise self._timed_out()
                await asyncio.sleep(pause)
        except JSOOMException:
            raise self._out_of_memory() from None
        except JSEvalException as exc:  # a failure of the harness itself
            self.close()
            raise CodeError(f"The JavaScript engine failed ({exc})") from None

    async def _bounded(self, call: Any, deadline: float) -> Any:
        """Await one engine call until the deadline; stop the engine on a timeout or OOM."""
        racer = self._racer
        task = asyncio.ensure_future(call)
        failure: str | None = None
        try:
            while True:
                remaining = deadline - time.monotonic()
                done, _ = await asyncio.wait(
                    {task}, timeout=max(0.0, min(_POLL_SECONDS, remaining))
                )
                if task in done:
                    return task.result()
                if racer is not None and racer.was_hard_memory_limit_reached():
                    failure = "memory"
                    break
                if time.monotonic() >= deadline:
                    failure = "time"
                    break
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        raise self._out_of_memory() if failure == "memory" else self._timed_out()

    def _timed_out(self) -> CodeError:
        self.close()
        seconds = _seconds(self.limits.timeout_seconds)
        return CodeError(
            f"Task execution timed out after {seconds}",
            description="the code ran longer than its time limit and was stopped; make sure "
            "every loop ends, or raise the limit (engine option codeTimeout, or "
            "KEITARO_NODE_CODE_TIMEOUT, in seconds)",
        )

    def _out_of_memory(self) -> CodeError:
        self.close()
        megabytes = self.limits.js_memory_bytes // (1024 * 1024)
        return CodeError(
            f"The code ran out of memory (limit {megabytes} MB)",
            description="the JavaScript heap reached its limit and the code was stopped; "
            "work on fewer items at a time, or raise the limit (engine option codeMemoryMb, "
            "or KEITARO_NODE_CODE_MEMORY_MB)",
        )

    async def __aenter__(self) -> JsEngine:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self.close()


def _seconds(value: float) -> str:
    number = int(value) if float(value).is_integer() else value
    return f"{number} second" if number == 1 else f"{number} seconds"


def _for_item(error: CodeError, index: int | None) -> CodeError:
    copy = CodeError(
        error.message, description=error.description, item_index=index, line=error.line
    )
    return copy
