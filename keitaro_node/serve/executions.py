"""Runs of served workflows: a bounded number at once per workflow, each tracked until it ends,
so that a shutdown can wait for them, and each outcome told without secrets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from keitaro_node.app import run_workflow
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.engine import RunResult
from keitaro_node.runtime.errors import NodeError, WorkflowError
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.runtime.workflow import Workflow

from .logs import EventLog

MASK = "***"


class Busy(Exception):
    """The workflow already runs as many executions as it may."""

    def __init__(self, workflow: str, limit: int) -> None:
        super().__init__(
            f"workflow '{workflow}' is running {limit} execution(s), its limit; retry later"
        )


class ShuttingDown(Exception):
    """The server is stopping and starts no new executions."""


@dataclass
class Outcome:
    """How one execution ended: a result, a workflow error, or an unexpected crash."""

    result: RunResult | None = None
    error: WorkflowError | None = None
    crash: BaseException | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.result is not None


@dataclass
class Secrets:
    """Values that must never leave the server: the API token and every credential secret."""

    values: list[str] = field(default_factory=list)

    @classmethod
    def gather(cls, host: PluginHost, store: CredentialStore, token: str | None) -> Secrets:
        found: set[str] = {token} if token else set()
        for credential_type in host.credential_types.values():
            try:
                found.update(store.get(credential_type).secret_values())
            except Exception:  # missing credentials of a type nothing here uses
                continue
        for section in store.data.values():  # credentials named by workflows, of any type
            if isinstance(section, Mapping):
                for name, value in section.items():
                    if isinstance(value, str) and _secret_name(name):
                        found.add(value)
        return cls(sorted((v for v in found if len(v) >= 4), key=len, reverse=True))

    def mask(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, MASK)
        return text


def _secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(w in lowered for w in ("key", "secret", "token", "password", "value", "auth"))


class Executions:
    """Starts runs within the per-workflow limit and keeps them until they end."""

    def __init__(
        self,
        host: PluginHost,
        credentials: CredentialStore,
        options: Mapping[str, Any],
        limit: int,
        log: EventLog,
        secrets: Secrets,
    ) -> None:
        self.host = host
        self.credentials = credentials
        self.options = dict(options)
        self.limit = limit
        self.log = log
        self.secrets = secrets
        self.running: dict[str, int] = {}
        self._tasks: set[asyncio.Task[Outcome]] = set()
        self._accepting = True

    def busy(self, workflow: str) -> bool:
        return self.running.get(workflow, 0) >= self.limit

    def start(
        self,
        name: str,
        workflow: Workflow,
        items: list[Item] | None,
        source: str,
        extra_options: Mapping[str, Any] | None = None,
    ) -> asyncio.Task[Outcome]:
        """Start a run now; Busy when the workflow is at its limit, ShuttingDown when stopping."""
        if not self._accepting:
            raise ShuttingDown()
        if self.busy(name):
            raise Busy(name, self.limit)
        self.running[name] = self.running.get(name, 0) + 1
        options = {**self.options, **(extra_options or {})}
        task = asyncio.get_running_loop().create_task(
            self._run(name, workflow, items, source, options), name=f"run {name}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(
        self,
        name: str,
        workflow: Workflow,
        items: list[Item] | None,
        source: str,
        options: dict[str, Any],
    ) -> Outcome:
        started = time.perf_counter()
        outcome = Outcome()
        try:
            outcome.result = await run_workflow(
                workflow, items, self.credentials, self.host, options
            )
        except WorkflowError as exc:
            outcome.error = exc
        except asyncio.CancelledError:
            outcome.crash = asyncio.CancelledError("cancelled: the server stopped")
            raise
        except Exception as exc:  # a bug: the run ends, the server goes on
            outcome.crash = exc
        finally:
            self.running[name] -= 1
            outcome.seconds = time.perf_counter() - started
            self._log(name, source, outcome)
        return outcome

    def _log(self, name: str, source: str, outcome: Outcome) -> None:
        fields: dict[str, Any] = {
            "workflow": name,
            "trigger": source,
            "ms": round(outcome.seconds * 1000, 1),
        }
        if outcome.result is not None:
            self.log.write("run.succeeded", **fields, items=len(outcome.result.final_items()))
        elif outcome.error is not None:
            self.log.write("run.failed", **fields, **self.secrets_free(error_fields(outcome.error)))
        else:
            crash = outcome.crash
            self.log.write(
                "run.crashed",
                **fields,
                error=self.secrets.mask(f"{type(crash).__name__}: {crash}"),
            )

    def secrets_free(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: self.secrets.mask(v) if isinstance(v, str) else v for k, v in data.items()}

    @property
    def active(self) -> int:
        return len(self._tasks)

    def stop_accepting(self) -> None:
        self._accepting = False

    async def drain(self, timeout: float) -> int:
        """Wait for every run to end, at most `timeout` seconds; cancel the rest and return
        how many had to be cancelled."""
        pending = set(self._tasks)
        if pending:
            _, pending = await asyncio.wait(pending, timeout=timeout)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        return len(pending)


def error_fields(error: WorkflowError) -> dict[str, Any]:
    """What a failed run tells its caller: node, item, message - never a traceback."""
    inner = error.error
    fields: dict[str, Any] = {"node": error.node_name}
    if isinstance(inner, NodeError):
        fields["item"] = inner.item_index
        fields["message"] = inner.message
        if inner.description:
            fields["description"] = inner.description
        fields["kind"] = inner.kind
        code = getattr(inner, "http_code", None)
        if code is not None:
            fields["httpCode"] = code
    else:
        fields["item"] = None
        fields["message"] = str(inner)
        fields["kind"] = type(inner).__name__
    return fields
