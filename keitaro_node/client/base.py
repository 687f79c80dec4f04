"""What the generated resource classes stand on: the runner protocol and shared types."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeAlias

from keitaro_node.runtime.items import BinaryData

if TYPE_CHECKING:
    from .pages import Pages

# A JSON parameter (a body, filters, sort, labels): an object or array, or text holding one.
JsonInput: TypeAlias = Mapping[str, Any] | Sequence[Any] | str


class Runner(Protocol):
    """Sends one operation; the Keitaro client is the runner of its resources."""

    async def _json(self, resource: str, operation: str, values: dict[str, Any]) -> Any: ...

    def _pages(self, resource: str, operation: str, values: dict[str, Any]) -> Pages: ...

    async def _download(
        self, resource: str, operation: str, values: dict[str, Any]
    ) -> BinaryData: ...


class ResourceOperations:
    """The operations of one resource, bound to a client (subclasses are generated)."""

    resource: ClassVar[str] = ""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    def __repr__(self) -> str:
        return f"<{self.resource} operations of {self._runner!r}>"

    async def _json(self, operation: str, values: dict[str, Any]) -> Any:
        return await self._runner._json(self.resource, operation, values)

    def _pages(self, operation: str, values: dict[str, Any]) -> Pages:
        return self._runner._pages(self.resource, operation, values)

    async def _download(self, operation: str, values: dict[str, Any]) -> BinaryData:
        return await self._runner._download(self.resource, operation, values)
