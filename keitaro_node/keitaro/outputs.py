"""Output items of the Keitaro node: the envelope, one item per record, files, error items."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlencode

from keitaro_node.runtime.description import Operation
from keitaro_node.runtime.errors import NodeError, NodeOperationError
from keitaro_node.runtime.items import BinaryData, Item, PairedItem

from .client import ApiRequest, ApiResponse, KeitaroClient


class Envelopes:
    """Builds `{request: {url, method, headers}, resource, operation, success, data}`."""

    def __init__(self, operation: Operation, client: KeitaroClient) -> None:
        self.operation = operation
        self.client = client
        self._headers = {True: client.masked_headers(True), False: client.masked_headers(False)}
        self._urls: dict[str, str] = {}

    def _masked_url(self, path: str) -> str:
        url = self._urls[path] = self.client.mask(self.client.url_for(path))
        return url

    def envelope(self, request: ApiRequest, success: bool, data: Any) -> dict[str, Any]:
        if request.query:
            url = self.client.mask(
                self.client.url_for(request.path) + "?" + urlencode(request.query)
            )
        else:  # the same few paths again and again: mask each once
            url = self._urls.get(request.path) or self._masked_url(request.path)
        return {
            "request": {
                "url": url,
                "method": request.method,
                # one shared dict per kind: output items are read, not changed in place
                "headers": self._headers[request.has_body],
            },
            "resource": self.operation.resource,
            "operation": self.operation.name,
            "success": success,
            "data": data,
        }

    def item(
        self,
        request: ApiRequest,
        data: Any,
        index: int,
        attempts: int,
        warnings: list[str] | None = None,
    ) -> Item:
        metadata: dict[str, Any] = {"attempts": attempts}
        if warnings:
            metadata["warnings"] = list(warnings)
        return Item(
            json=self.envelope(request, True, data),
            paired_item=PairedItem(index),
            metadata=metadata,
        )

    def binary_item(
        self, request: ApiRequest, response: ApiResponse, index: int, property_name: str
    ) -> Item:
        data = response.data if isinstance(response.data, bytes) else b""
        name = _file_name(response) or f"{self.operation.resource}-{index}.zip"
        mime = (response.content_type or "application/octet-stream").split(";")[0].strip()
        item = self.item(
            request,
            {
                "fileName": name,
                "mimeType": mime,
                "bytes": len(data),
                "binaryProperty": property_name,
            },
            index,
            response.attempts,
        )
        item.binary = {property_name: BinaryData(data, mime, name)}
        return item

    def error_item(self, request: ApiRequest, index: int, error: NodeError) -> Item:
        envelope = self.envelope(request, False, None)
        envelope["error"] = error.to_json()
        return Item(
            json=envelope,
            paired_item=PairedItem(index),
            metadata={"attempts": getattr(error, "attempts", 0)},
        )


def record_items(records: list[Any], index: int, attempts: int) -> list[Item]:
    """One item per record, all paired with the input item they came from."""
    items = []
    for record in records:
        value = record if isinstance(record, dict) else {"value": record}
        items.append(
            Item(json=value, paired_item=PairedItem(index), metadata={"attempts": attempts})
        )
    return items


def _file_name(response: ApiResponse) -> str | None:
    disposition = response.headers.get("Content-Disposition", "")
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition)
    if not match:
        return None
    return Path(match.group(1)).name or None


class JsonLinesFile:
    """Records written as JSON lines as pages arrive; opened (and emptied) once per run."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise NodeOperationError(
                f"cannot write the output file {self.path}: {exc.strerror}"
            ) from None
        self.records = 0

    def write(self, records: list[Any]) -> None:
        dumps = json.dumps
        self._file.write(
            "".join(dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
        )
        self.records += len(records)

    def close(self) -> None:
        self._file.close()
