"""The two error kinds nodes raise, with n8n's meaning.

`NodeOperationError` is bad input or configuration (nothing was sent); `NodeApiError` is an
HTTP failure and carries the status code and the service's own words. Both name the item.
"""

from __future__ import annotations

from typing import Any


class NodeError(Exception):
    """Base for node errors: a message for people, an optional description, the item index."""

    kind = "NodeError"

    def __init__(
        self,
        message: str,
        *,
        description: str | None = None,
        item_index: int | None = None,
        node_name: str | None = None,
        retryable: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.description = description
        self.item_index = item_index
        self.node_name = node_name
        # False when repeating the item could do harm (a write that may have happened) or
        # cannot help; the engine's retryOnFail respects it.
        self.retryable = retryable

    def __str__(self) -> str:
        prefix = f"item {self.item_index}: " if self.item_index is not None else ""
        text = f"{prefix}{self.message}"
        if self.description:
            text += f" ({self.description})"
        return text

    def with_context(
        self, *, item_index: int | None = None, node_name: str | None = None
    ) -> NodeError:
        """Fill in item index and node name where the raiser did not know them."""
        if self.item_index is None:
            self.item_index = item_index
        if self.node_name is None:
            self.node_name = node_name
        return self

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.kind, "message": self.message}
        if self.description:
            data["description"] = self.description
        if self.item_index is not None:
            data["itemIndex"] = self.item_index
        if self.node_name:
            data["node"] = self.node_name
        return data


class NodeOperationError(NodeError):
    """Bad input or configuration, found before anything was sent."""

    kind = "NodeOperationError"

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("retryable", False)
        super().__init__(message, **kwargs)


class NodeApiError(NodeError):
    """An HTTP call failed: status code (None when no answer came), message, service's text."""

    kind = "NodeApiError"

    def __init__(
        self,
        message: str,
        *,
        http_code: int | None = None,
        description: str | None = None,
        item_index: int | None = None,
        node_name: str | None = None,
        retryable: bool = True,
        attempts: int = 1,
        details: Any = None,
    ) -> None:
        super().__init__(
            message,
            description=description,
            item_index=item_index,
            node_name=node_name,
            retryable=retryable,
        )
        self.http_code = http_code
        self.attempts = attempts
        self.details = details

    def __str__(self) -> str:
        prefix = f"item {self.item_index}: " if self.item_index is not None else ""
        code = f"HTTP {self.http_code}: " if self.http_code is not None else ""
        text = f"{prefix}{code}{self.message}"
        if self.description:
            text += f" - {self.description}"
        return text

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        if self.http_code is not None:
            data["httpCode"] = self.http_code
        data["attempts"] = self.attempts
        if self.details is not None:
            data["details"] = self.details
        return data


class WorkflowError(Exception):
    """A workflow stopped: which node failed, the node error, and what was done before it.

    `result` is the run so far (a RunResult: every run of every node that finished before the
    stop); `completed` holds the output items the failing node finished before it stopped
    (writes that did happen).
    """

    def __init__(
        self,
        node_name: str,
        error: Exception,
        completed: list[Any] | None = None,
        result: Any = None,
    ) -> None:
        super().__init__(f"node '{node_name}' failed: {error}")
        self.node_name = node_name
        self.error = error
        self.completed = completed or []
        self.result = result


class LoadProblem:
    """One reason a workflow cannot run, found before anything runs."""

    __slots__ = ("message", "node_name")

    def __init__(self, node_name: str | None, message: str) -> None:
        self.node_name = node_name
        self.message = message

    def __str__(self) -> str:
        return f"node '{self.node_name}': {self.message}" if self.node_name else self.message

    def __repr__(self) -> str:
        return f"LoadProblem({str(self)!r})"


class WorkflowLoadError(WorkflowError):
    """The workflow cannot run: every problem found at load, before any node ran."""

    def __init__(self, problems: list[LoadProblem], source: str = "the workflow") -> None:
        self.problems = problems
        self.source = source
        first = problems[0] if problems else LoadProblem(None, "no problems given")
        summary = self._summary()
        super().__init__(first.node_name or "", NodeOperationError(summary, node_name=None))
        self.args = (summary,)

    def _summary(self) -> str:
        if len(self.problems) == 1:
            return f"{self.source} cannot run: {self.problems[0]}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"{self.source} cannot run ({len(self.problems)} problems):\n{lines}"

    def __str__(self) -> str:
        return self._summary()
