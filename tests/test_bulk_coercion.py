"""Spreadsheet text where a body wants a number: exact numbers are sent as numbers, with a
note on the item; anything whose meaning could change stays an error that names the field."""

from __future__ import annotations

from typing import Any

import pytest
from support import keitaro_workflow, run, stream_body

from keitaro_node.keitaro.body_checks import BodyProblem, check_body
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.sandbox import Sandbox

STREAM_FROM_ROW = (
    "={{ {campaign_id: $json.campaign_id, type: 'regular', name: $json.name, "
    "schema: 'redirect', action_type: 'http', action_payload: 'https://example.com/', "
    "weight: $json.weight ?? 100} }}"
)


def _stream_job(**settings: Any) -> dict[str, Any]:
    return keitaro_workflow(
        {"resource": "stream", "operation": "create", "streamData": STREAM_FROM_ROW}, **settings
    )


@pytest.mark.parametrize(
    ("text", "number"),
    [("1", 1), (" 7 ", 7), ("12.0", 12), ("-3", -3), ("0", 0), ("9007199254740991", 2**53 - 1)],
)
def test_whole_number_text_becomes_an_integer(text: str, number: int) -> None:
    body, notes = check_body("stream_create", stream_body(1, position=text))
    assert body["position"] == number and type(body["position"]) is int
    assert notes == [
        f"position: the text {text!r} was sent as the number {number}".replace("'", '"')
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1.5", "not a whole number"),
        ("1e3", "an exponent is not read"),
        ("007", "leading zeros"),
        ("+5", "digits only"),
        ("1,000", "digits only"),
        ("1 000", "digits only"),
        ("9007199254740993", "too many digits"),
        ("", ""),
        ("-0", ""),
        ("seven", ""),
    ],
)
def test_text_that_could_mean_something_else_is_refused(text: str, why: str) -> None:
    with pytest.raises(BodyProblem) as caught:
        check_body("stream_create", stream_body(1, position=text))
    assert "position: must be integer" in str(caught.value)
    assert why in str(caught.value)


def test_decimal_text_where_any_number_is_wanted() -> None:
    body, notes = check_body("stream_create", stream_body(1, weight="12.50"))
    assert body["weight"] == 12.5 and notes == [
        'weight: the text "12.50" was sent as the number 12.5'
    ]
    with pytest.raises(BodyProblem, match="weight: must be number"):
        check_body("stream_create", stream_body(1, weight="0.12345678901234567890"))


def test_the_given_body_is_not_changed_and_a_fitting_one_is_the_same_object() -> None:
    given = stream_body(1, position="4", offers=[{"offer_id": "5", "share": "100"}])
    body, notes = check_body("stream_create", given)
    assert given["position"] == "4" and given["offers"][0]["offer_id"] == "5"
    assert body["offers"] == [{"offer_id": 5, "share": 100}]
    assert len(notes) == 3
    fitting = stream_body(1)
    assert check_body("stream_create", fitting) == (fitting, [])


async def test_csv_cells_create_streams_with_a_warning_per_coerced_field(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    rows = [
        {"campaign_id": str(campaign_id), "name": "from a sheet", "weight": " 40 "},
        {"campaign_id": f" {campaign_id} ", "name": "second", "weight": "60"},
    ]
    result = await run(_stream_job(), rows, credentials)
    items = result.items("Keitaro")
    assert [i.json["data"]["campaign_id"] for i in items] == [campaign_id, campaign_id]
    assert [i.json["data"]["weight"] for i in items] == [40, 60]
    warnings = items[0].metadata and items[0].metadata["warnings"]
    assert warnings == [
        f"'Данные Потока' (streamData): campaign_id: the text \"{campaign_id}\" was sent "
        f"as the number {campaign_id}",
        "'Данные Потока' (streamData): weight: the text \" 40 \" was sent as the number 40",
    ]


async def test_a_lossy_cell_fails_its_item_and_nothing_is_sent(
    tracker: Sandbox, credentials: CredentialStore, campaign_id: int
) -> None:
    with pytest.raises(WorkflowError) as caught:
        await run(_stream_job(), [{"campaign_id": "1.5", "name": "x"}], credentials)
    assert "item 0" in str(caught.value)
    assert 'campaign_id: must be integer, got "1.5" (not a whole number)' in str(caught.value)
    assert tracker.request_count("POST", "/admin_api/v1/streams") == 0
