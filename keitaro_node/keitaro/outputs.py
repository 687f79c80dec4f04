"""Output items of the Keitaro node: the envelope, one item per record, files, error items."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
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


# Engine options (run_workflow(..., options=...); `keitaro-node run --output-dir`) that say
# where output files may go.
OUTPUT_DIR = "outputDir"
ALLOW_OUTPUT_OUTSIDE = "allowOutputOutside"


def output_path(raw: str, run_options: Mapping[str, Any]) -> Path:
    """Where the option `outputFile` = `raw` writes, or a NodeOperationError saying why not.

    Workflows travel between people, so a path in one is resolved under the run's output
    folder (the engine option `outputDir`, else the working directory) and may not leave it:
    no absolute paths, no `..`, no symlink out - unless the run allows it
    (`allowOutputOutside`). The file's folder must already exist.
    """
    base = Path(str(run_options.get(OUTPUT_DIR) or ".")).expanduser()
    anywhere = run_options.get(ALLOW_OUTPUT_OUTSIDE) is True
    text = raw.strip()
    wanted = Path(text)
    how = (
        "outputs go inside the run's output folder "
        f"({base.resolve()}); give a path relative to it, or let the run write anywhere "
        f"(keitaro-node run --allow-output-outside; engine option {ALLOW_OUTPUT_OUTSIDE})"
    )
    if not anywhere:
        if wanted.is_absolute() or text.startswith("~"):
            raise NodeOperationError(f"'Output File' {text!r} is an absolute path: {how}")
        if ".." in wanted.parts:
            raise NodeOperationError(f"'Output File' {text!r} leaves the output folder: {how}")
    target = (base / wanted.expanduser()).resolve()
    if not anywhere and not target.is_relative_to(base.resolve()):
        raise NodeOperationError(
            f"'Output File' {text!r} leads out of the output folder (through a link): {how}"
        )
    if not target.parent.is_dir():
        raise NodeOperationError(
            f"'Output File': the folder {target.parent} does not exist; create it first "
            "(folders are never created on a workflow's say-so)"
        )
    return target


class JsonLinesFile:
    """Records written as JSON lines as pages arrive; opened once per run.

    An existing file is replaced only with `overwrite` (the node option 'Overwrite Output
    File'); otherwise opening fails before anything is sent, so no earlier export is lost.
    """

    def __init__(self, path: Path, overwrite: bool = False) -> None:
        self.path = path
        if path.is_dir():
            raise NodeOperationError(f"'Output File' {path} is a folder, not a file")
        try:
            self._file: IO[str] = path.open("w" if overwrite else "x", encoding="utf-8")
        except FileExistsError:
            raise NodeOperationError(
                f"the output file {path} already exists; set the option 'Overwrite Output "
                "File' (overwriteOutputFile) to replace it, or choose another name"
            ) from None
        except OSError as exc:
            raise NodeOperationError(
                f"cannot write the output file {path}: {exc.strerror}"
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

    def discard_if_empty(self) -> None:
        """After a failed run: remove the file this run created when nothing went into it,
        so that running again does not meet an empty file in the way."""
        self._file.close()
        if self.records == 0:
            self.path.unlink(missing_ok=True)
