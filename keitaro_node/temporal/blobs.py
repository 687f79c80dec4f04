"""Big payloads by reference: items above a size go to a blob store, Temporal keeps a key.

Temporal refuses payloads over about 2 MB and advises staying under 256 KB, while a node's
items can be many megabytes (a report, ten thousand streams). The SDK's external storage
(its `StorageDriver` interface) moves any payload above a threshold - workflow input and
result, activity input and output, heartbeat details - to a store and puts a claim in the
history instead; every party (the starting command, each worker) reads it back through the
same driver, outside the workflow sandbox. Two stores sit behind that interface:

- a local folder (the default): content-addressed files `ab/abcdef...`, written atomically, so
  the same items stored twice take the space once. Shared between processes on one machine;
  workers on several machines need a folder they all see, or:
- an S3-compatible bucket (`s3://bucket`): the SDK's own S3 driver on aioboto3
  (`pip install "temporalio[aioboto3]"`).

Blobs are never deleted here: keep the folder on a disk with room, or give the bucket a
lifecycle rule (executions older than their retention period no longer need theirs).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    ExternalStorage,
    StorageDriver,
    StorageDriverClaim,
    StorageDriverRetrieveContext,
    StorageDriverStoreContext,
)

# Payloads from this size on go to the store (Temporal's advised limit per payload).
DEFAULT_THRESHOLD = 256 * 1024
BLOBS_ENV = "KEITARO_NODE_BLOBS"


def default_folder() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "keitaro-node" / "temporal-blobs"


class FolderStore(StorageDriver):
    """Payloads as files in a folder, named by the SHA-256 of their bytes."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def name(self) -> str:
        return "keitaro-node.folder"

    def type(self) -> str:
        return "keitaro-node.folder"

    def path(self, key: str) -> Path:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a blob key: {key[:80]!r}")
        return self.folder / key[:2] / key

    async def store(
        self, context: StorageDriverStoreContext, payloads: Sequence[Payload]
    ) -> list[StorageDriverClaim]:
        return await asyncio.to_thread(self._store_all, payloads)

    def _store_all(self, payloads: Sequence[Payload]) -> list[StorageDriverClaim]:
        claims = []
        for payload in payloads:
            data = payload.SerializeToString(deterministic=True)
            key = hashlib.sha256(data).hexdigest()
            target = self.path(key)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                part = target.with_name(f"{key}.{os.getpid()}.part")
                part.write_bytes(data)
                os.replace(part, target)
            claims.append(StorageDriverClaim({"key": key, "size": str(len(data))}))
        return claims

    async def retrieve(
        self, context: StorageDriverRetrieveContext, claims: Sequence[StorageDriverClaim]
    ) -> list[Payload]:
        return await asyncio.to_thread(self._retrieve_all, claims)

    def _retrieve_all(self, claims: Sequence[StorageDriverClaim]) -> list[Payload]:
        payloads = []
        for claim in claims:
            key = claim.claim_data.get("key", "")
            try:
                data = self.path(key).read_bytes()
            except FileNotFoundError:
                raise FileNotFoundError(
                    f"blob {key} is not in {self.folder}: every worker and the command that "
                    "started the run must share one blob store (a folder they all see, or an "
                    "S3 bucket: --blobs s3://bucket)"
                ) from None
            payload = Payload()
            payload.ParseFromString(data)
            payloads.append(payload)
        return payloads


def store_driver(location: str | None) -> StorageDriver:
    """The store for `--blobs`: a folder path, or s3://bucket (default: KEITARO_NODE_BLOBS, else
    a folder in the user's cache)."""
    location = location or os.environ.get(BLOBS_ENV) or str(default_folder())
    if location.startswith("s3://"):
        return _s3_driver(location[len("s3://") :].strip("/"))
    return FolderStore(Path(location).expanduser())


def _s3_driver(bucket: str) -> StorageDriver:
    if not bucket:
        raise ValueError("--blobs s3:// needs a bucket name: s3://my-bucket")
    try:
        import aioboto3  # type: ignore[import-not-found]
        from temporalio.contrib.aws.s3driver import S3StorageDriver
        from temporalio.contrib.aws.s3driver.aioboto3 import new_aioboto3_client
    except ImportError:
        raise ImportError(
            "an S3 blob store needs aioboto3: pip install 'temporalio[aioboto3]'"
        ) from None
    return _LazyS3(bucket, aioboto3, S3StorageDriver, new_aioboto3_client)


class _LazyS3(StorageDriver):
    """The SDK's S3 driver over a client opened on first use (aioboto3 clients are async)."""

    def __init__(self, bucket: str, aioboto3: Any, driver_class: Any, wrap: Any) -> None:
        self.bucket = bucket
        self._session = aioboto3.Session()
        self._driver_class = driver_class
        self._wrap = wrap
        self._driver: StorageDriver | None = None
        self._client_cm: Any = None

    def name(self) -> str:
        return "aws.s3driver"

    async def _open(self) -> StorageDriver:
        if self._driver is None:
            self._client_cm = self._session.client("s3")
            client = await self._client_cm.__aenter__()
            self._driver = self._driver_class(client=self._wrap(client), bucket=self.bucket)
        return self._driver

    async def store(
        self, context: StorageDriverStoreContext, payloads: Sequence[Payload]
    ) -> list[StorageDriverClaim]:
        return await (await self._open()).store(context, payloads)

    async def retrieve(
        self, context: StorageDriverRetrieveContext, claims: Sequence[StorageDriverClaim]
    ) -> list[Payload]:
        return await (await self._open()).retrieve(context, claims)


def data_converter(
    location: str | None = None, threshold: int = DEFAULT_THRESHOLD
) -> DataConverter:
    """Temporal's default JSON converter with big payloads sent to the blob store."""
    return dataclasses.replace(
        DataConverter.default,
        external_storage=ExternalStorage(
            drivers=[store_driver(location)], payload_size_threshold=threshold
        ),
    )
