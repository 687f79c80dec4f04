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
    """A workflow stopped: which node failed, the node error, and what was done before it."""

    def __init__(
        self, node_name: str, error: Exception, completed: list[Any] | None = None
    ) -> None:
        super().__init__(f"node '{node_name}' failed: {error}")
        self.node_name = node_name
        self.error = error
        # Output items the failing node finished before it stopped (writes that did happen).
        self.completed = completed or []
