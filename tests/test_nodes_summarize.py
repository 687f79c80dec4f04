"""Summarize through the engine: separators, fields in no item by version, errors."""

from __future__ import annotations

from typing import Any

import pytest
from support import chain, node, run

from keitaro_node.runtime.errors import WorkflowError

ROWS = [{"city": "Rome", "n": 1}, {"city": "Oslo", "n": 2}]


def summarize(params: dict[str, Any], version: float = 1.1) -> dict[str, Any]:
    target = {**node("Summarize", "n8n-nodes-base.summarize", params), "typeVersion": version}
    return chain(node("Start", "n8n-nodes-base.manualTrigger"), target)


def joined(separator: str, custom: str = "") -> dict[str, Any]:
    row = {"aggregation": "concatenate", "field": "city", "separateBy": separator}
    if custom:
        row["customSeparator"] = custom
    return {"fieldsToSummarize": {"values": [row]}}


@pytest.mark.parametrize(
    ("separator", "custom", "text"),
    [
        (" ", "", "Rome Oslo"),
        ("\n", "", "Rome\nOslo"),
        ("", "", "RomeOslo"),
        ("other", " ", "Rome Oslo"),
    ],
)
async def test_separators_of_spaces_and_line_breaks_are_kept(
    separator: str, custom: str, text: str
) -> None:
    result = await run(summarize(joined(separator, custom)), ROWS)
    assert result.items("Summarize")[0].json == {"concatenated_city": text}


async def test_a_field_in_no_item_fails_in_version_1_only() -> None:
    missing = {"fieldsToSummarize": {"values": [{"aggregation": "sum", "field": "price"}]}}
    with pytest.raises(WorkflowError) as failure:
        await run(summarize(missing, 1), ROWS)
    assert failure.value.node_name == "Summarize"
    assert "The field 'price' does not exist in any items" in str(failure.value)
    allowed = {**missing, "options": {"continueIfFieldNotFound": True}}
    assert (await run(summarize(allowed, 1), ROWS)).items("Summarize")[0].json == {"sum_price": 0}
    assert (await run(summarize(missing, 1.1), ROWS)).items("Summarize")[0].json == {"sum_price": 0}


async def test_groups_keep_their_values_and_list_their_items() -> None:
    params = {
        "fieldsToSummarize": {"values": [{"aggregation": "sum", "field": "n"}]},
        "fieldsToSplitBy": "n",
    }
    rows = [{"n": 1}, {"n": "1"}, {"n": 1}]
    new = (await run(summarize(params), rows)).items("Summarize")
    assert [item.json for item in new] == [{"n": 1, "sum_n": 2}, {"n": "1", "sum_n": 0}]
    assert new[0].to_json()["pairedItem"] == [{"item": 0, "input": 0}, {"item": 2, "input": 0}]
    old = (await run(summarize(params, 1), rows)).items("Summarize")
    assert [item.json for item in old] == [{"n": "1", "sum_n": 2}]
