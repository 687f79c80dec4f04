"""Python for Code nodes: a separate process per node run, with a time and a memory limit.

The process is the current interpreter in isolated mode without site-packages (`-I -S`: the
standard library only), started in an empty temporary folder with an environment that holds
no secrets, in a session of its own so that a timeout can end it and anything it started. It
limits its own address space. It is a separate process, not a security boundary: code in it
can read files and reach the network as the user who runs keitaro-node can.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
from importlib import resources
from typing import Any

from .errors import CodeError
from .limits import CodeLimits
from .results import Returned

_STDERR_KEEP = 4000


class PyOutcome:
    """One execution's result: what the code returned (or the error), and what it printed."""

    __slots__ = ("error", "logs", "returned")

    def __init__(
        self, returned: Returned | None, error: CodeError | None, logs: list[tuple[str, str]]
    ) -> None:
        self.returned = returned
        self.error = error
        self.logs = logs


class PythonProcess:
    """The Python code of one node run; the process starts on first use and after a kill."""

    def __init__(self, code: str, language: str, world_json: str, limits: CodeLimits) -> None:
        self.code = code
        self.language = language
        self.world_json = world_json
        self.limits = limits
        self._process: asyncio.subprocess.Process | None = None
        self._folder: str | None = None
        self._stderr = b""
        self._stderr_task: asyncio.Task[None] | None = None

    async def run(self, index: int, kind: str) -> PyOutcome:
        """Execute the code once: `kind` is all or each."""
        item = index if kind == "each" else None
        try:
            if self._process is None:
                await self._start()
            answer = await self._ask({"index": index, "kind": kind})
        except CodeError as error:
            error.item_index = item
            return PyOutcome(None, error, [])
        logs = [(str(level), str(line)) for level, line in answer.get("logs") or []]
        if not answer.get("ok"):
            raw = answer.get("error") or {}
            line = raw.get("line") if isinstance(raw.get("line"), int) else None
            kind_name = raw.get("type")
            where = f"line {line}" if line is not None else None
            description = ", ".join(p for p in (kind_name, where) if p) or None
            return PyOutcome(
                None,
                CodeError(
                    str(raw.get("message") or "Unknown error"),
                    description=description,
                    item_index=item,
                    line=line,
                ),
                logs,
            )
        return PyOutcome(Returned(str(answer.get("kind")), answer.get("value")), None, logs)

    async def close(self) -> None:
        process = self._process
        if process is not None and process.stdin is not None and process.returncode is None:
            process.stdin.close()  # the child ends when its requests end
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), 2)
        await self._kill()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    async def __aenter__(self) -> PythonProcess:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def _start(self) -> None:
        if self._folder is None:
            self._folder = tempfile.mkdtemp(prefix="keitaro-node-python-")
        child = str(resources.files(__package__).joinpath("python_child.py"))
        env = {
            "PATH": os.defpath,
            "LANG": "C.UTF-8",
            "HOME": self._folder,
            "TMPDIR": self._folder,
        }
        self._stderr = b""
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "-S",
            child,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=self._folder,
            env=env,
            start_new_session=True,
        )
        self._stderr_task = asyncio.ensure_future(self._keep_stderr(self._process))
        answer = await self._ask(
            {
                "language": self.language,
                "code": self.code,
                "world": self.world_json,
                "memory": self.limits.python_memory_bytes,
            }
        )
        if not answer.get("ok"):
            await self._kill()
            raise CodeError(
                "The Python process could not take the input data",
                description="the data of this node's input and of the nodes its code names "
                "must fit into the memory limit (engine option codeMemoryMb, or "
                "KEITARO_NODE_CODE_MEMORY_MB)",
            )

    async def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        data = json.dumps(request, ensure_ascii=False).encode("utf-8")
        try:
            process.stdin.write(b"%d\n" % len(data) + data)
            await process.stdin.drain()
            answer = await asyncio.wait_for(
                self._read(process.stdout), timeout=self.limits.timeout_seconds
            )
        except TimeoutError:
            await self._kill()
            raise self._timed_out() from None
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            code = await self._kill()
            raise self._died(code) from None
        return answer

    @staticmethod
    async def _read(stream: asyncio.StreamReader) -> dict[str, Any]:
        header = await stream.readline()
        if not header:
            raise asyncio.IncompleteReadError(b"", None)
        answer: dict[str, Any] = json.loads(await stream.readexactly(int(header)))
        return answer

    async def _keep_stderr(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        while chunk := await process.stderr.read(65536):
            self._stderr = (self._stderr + chunk)[-_STDERR_KEEP:]

    async def _kill(self) -> int | None:
        process, self._process = self._process, None
        if process is None:
            return None
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        code = await process.wait()
        if self._stderr_task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._stderr_task, 1)
            self._stderr_task = None
        return code

    def _timed_out(self) -> CodeError:
        seconds = self.limits.timeout_seconds
        number = int(seconds) if float(seconds).is_integer() else seconds
        return CodeError(
            f"Task execution timed out after {number} {'second' if number == 1 else 'seconds'}",
            description="the code ran longer than its time limit and its process was ended; "
            "make sure every loop ends, or raise the limit (engine option codeTimeout, or "
            "KEITARO_NODE_CODE_TIMEOUT, in seconds)",
        )

    def _died(self, code: int | None) -> CodeError:
        tail = self._stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        memory = self.limits.python_memory_bytes // (1024 * 1024)
        said = f": {' | '.join(tail)}" if tail else ""
        return CodeError(
            f"The Python process ended unexpectedly (exit code {code})",
            description=f"it may have run out of memory (limit {memory} MB){said}",
        )
