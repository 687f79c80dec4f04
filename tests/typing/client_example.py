"""Uses the generated client as a user would; mypy (strict) must accept it (tests/test_client_codegen.py)."""

from __future__ import annotations

from typing import Any

import keitaro_node
from keitaro_node import BinaryData, Keitaro, Pages


async def example(domain: str, api_key: str) -> list[dict[str, Any]]:
    async with Keitaro(domain, api_key, requests_per_second=10) as kt:
        stream = await kt.stream.create(stream_data={"campaign_id": 1, "name": "UK"})
        await kt.stream.update(stream_id=int(stream["id"]), stream_data='{"name": "UK 2"}')
        report = await kt.report.build(
            interval="yesterday", dimensions=["campaign_id", "day"], measures=["clicks"]
        )
        pages: Pages = kt.click.get_log(interval="today", columns=["sub_id"], return_all=True)
        rows = [row async for row in pages]
        file: BinaryData = await kt.offer.download(offer_id=3)
        await kt.bot_list.clear(confirm=True)
        await kt.log.read(log_type="postbacks", search_query="sale", limit=10)
        print(report, file.file_name, len(file.data))
        return rows


def sync_example() -> keitaro_node.WorkflowResult:
    with keitaro_node.Sandbox() as sb:
        return keitaro_node.run_workflow_sync({"nodes": []}, [{"a": 1}], credentials=sb.credentials)
