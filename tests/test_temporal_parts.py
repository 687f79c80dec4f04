"""The pieces of durable runs that need no Temporal server: codec, progress, queues, blobs."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("temporalio", reason="the temporal extra is not installed")

from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    StorageDriverRetrieveContext,
    StorageDriverStoreContext,
)

from keitaro_node.runtime.errors import NodeApiError, NodeOperationError
from keitaro_node.runtime.items import BinaryData, Item, PairedItem
from keitaro_node.temporal import codec
from keitaro_node.temporal.blobs import FolderStore, data_converter
from keitaro_node.temporal.progress import AttemptLost, ChunkProgress
from keitaro_node.temporal.queues import parse_budget, tracker_queue


def test_items_cross_as_json_with_errors_binary_and_pairing() -> None:
    error = NodeApiError("Bad Request", http_code=406, item_index=2, details={"name": ["taken"]})
    item = Item(
        json={"a": 1},
        binary={"data": BinaryData(b"\x00\x01zip", "application/zip", "x.zip")},
        paired_item=PairedItem(2, 1),
        error=error,
        metadata={"attempts": 2},
    )
    back = codec.decode_item(codec.encode_item(item))
    assert back.json == {"a": 1}
    assert back.binary is not None and back.binary["data"].data == b"\x00\x01zip"
    assert back.paired_item == PairedItem(2, 1)
    assert isinstance(back.error, NodeApiError)
    assert str(back.error) == str(error)
    assert back.error.details == {"name": ["taken"]} and back.error.retryable
    assert back.to_json() == item.to_json()


def test_operation_errors_keep_their_kind_and_retry_flag() -> None:
    error = NodeOperationError("streamData is empty", item_index=0, node_name="Create")
    back = codec.decode_error(codec.encode_error(error))
    assert type(back) is NodeOperationError
    assert str(back) == str(error) and not back.retryable  # type: ignore[attr-defined]
    other = codec.decode_error(codec.encode_error(KeyError("x")))
    assert "unexpected KeyError" in str(other)


def test_lineage_travels_only_as_far_as_named_nodes() -> None:
    trigger = Item(json={"t": 1})
    trigger.node = "Trigger"
    fields = Item(json={"f": 2}, paired_item=PairedItem(0))
    fields.node, fields.parent = "Fields", trigger
    current = Item(json={"c": 3}, paired_item=PairedItem(0))
    current.node, current.parent = "Shape", fields

    groups, table = codec.encode_inputs([[current]], frozenset({"Trigger"}))
    back = codec.decode_inputs(groups, table)[0][0]
    assert back.node == "Shape" and back.json == {"c": 3}
    assert back.parent is not None and back.parent.node == "Fields"
    assert back.parent.json == {}  # not named: only its place in the chain travels
    assert back.parent.parent is not None and back.parent.parent.json == {"t": 1}

    groups, table = codec.encode_inputs([[current]], frozenset())
    assert table == [] and codec.decode_inputs(groups, table)[0][0].parent is None


def test_passed_on_items_come_back_as_the_same_objects_and_chunks_keep_numbering() -> None:
    inputs = [[Item(json={"i": i}) for i in range(3)]]
    made = Item(json={"new": True}, paired_item=PairedItem(1))
    failed = Item(json={}, paired_item=PairedItem(2), error=NodeOperationError("x", item_index=2))
    encoded = codec.encode_outputs([[inputs[0][0], made, failed]], inputs, offset=10)
    assert encoded is not None
    assert encoded[0][0] == {"same": [0, 10]}
    assert encoded[0][1]["pairedItem"] == [11, 0]
    assert encoded[0][2]["error"]["itemIndex"] == 12
    whole = [[Item(json={"i": i}) for i in range(13)]]
    back = codec.decode_outputs(encoded, whole)
    assert back is not None and back[0][0] is whole[0][10]


def test_mentioned_nodes_are_found_in_any_text() -> None:
    parameters = {"a": "={{ $('Make fields').item.json.x }}", "b": [{"c": "Other"}], "n": 1}
    found = codec.mentioned_nodes(parameters, ["Make fields", "Other", "Unused", "Self"], "Self")
    assert found == {"Make fields", "Other"}


def test_tracker_budget_option() -> None:
    budget = parse_budget("main tracker=20/4", chunk=50)
    assert (budget.credential, budget.requests_per_second, budget.concurrency) == (
        "main tracker",
        20.0,
        4,
    )
    assert budget.activities_per_second() == pytest.approx(0.4)
    assert parse_budget("keitaroApi").requests_per_second is None
    with pytest.raises(ValueError, match="NAME=REQUESTS_PER_SECOND"):
        parse_budget("x=fast")
    assert tracker_queue("kn", "keitaroApi") == "kn.tracker.keitaroApi"


async def test_marks_wait_for_the_heartbeat_and_answers_ride_along() -> None:
    recorded: list[dict[str, Any]] = []
    gate = asyncio.Event()

    async def record(details: dict[str, Any]) -> None:
        await gate.wait()
        recorded.append(details)

    async with ChunkProgress(record, None) as progress:
        mark = asyncio.create_task(progress.before(0))
        await asyncio.sleep(0.01)
        assert not mark.done()  # nothing may be sent before Temporal has the mark
        gate.set()
        await mark
        assert recorded[-1]["started"] == [0]
        progress.answered(0, {"json": {"id": 7}})
        await progress.before(1)
    assert recorded[-1]["done"] == {"0": {"json": {"id": 7}}}
    assert recorded[-1]["started"] == [0, 1]


async def test_a_second_attempt_reuses_answers_and_reports_the_unanswered() -> None:
    previous = {"format": 1, "started": [0, 1, 2], "done": {"0": {"json": {"id": 1}}}}

    async def record(_details: dict[str, Any]) -> None:
        return None

    progress = ChunkProgress(record, previous)
    assert progress.answer_of(0) == {"json": {"id": 1}}
    assert progress.ambiguous == {1, 2}


async def test_a_refused_heartbeat_stops_the_attempt() -> None:
    async def record(_details: dict[str, Any]) -> None:
        raise RuntimeError("activity not found")

    async with ChunkProgress(record, None) as progress:
        with pytest.raises(AttemptLost, match="sends nothing more"):
            await progress.before(0)


async def test_folder_store_keeps_payloads_by_content(tmp_path: Path) -> None:
    store = FolderStore(tmp_path)
    payload = Payload(metadata={"encoding": b"json/plain"}, data=b'{"x": 1}' * 1000)
    claims = await store.store(StorageDriverStoreContext(), [payload, payload])
    assert claims[0] == claims[1]
    assert len(list(tmp_path.rglob("*"))) == 2  # one folder, one file
    back = await store.retrieve(StorageDriverRetrieveContext(), claims[:1])
    assert back[0] == payload
    with pytest.raises(FileNotFoundError, match="share one blob store"):
        await FolderStore(tmp_path / "elsewhere").retrieve(StorageDriverRetrieveContext(), claims)


async def test_big_values_become_references_small_ones_stay(tmp_path: Path) -> None:
    converter = data_converter(str(tmp_path), threshold=1024)
    small, big = {"a": 1}, {"rows": ["x" * 100] * 100}
    payloads = await converter.encode([small, big])
    assert big["rows"][0].encode() not in payloads[1].SerializeToString()
    assert payloads[0].data == b'{"a":1}'
    assert await converter.decode(payloads) == [small, big]
