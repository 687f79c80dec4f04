"""The node's edges: shares that add up to less than 100, body problems said once, and a
credentials file that other users can read."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import pytest
from support import keitaro_workflow, run, stream_body

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import NodeOperationError, WorkflowError
from keitaro_node.sandbox import Sandbox


def stream_op(operation: str, **extra: Any) -> dict[str, Any]:
    return keitaro_workflow(
        {"resource": "stream", "operation": operation, "streamData": "={{ $json.stream }}", **extra}
    )


async def refusal(workflow: dict[str, Any], stream: dict[str, Any], credentials: Any) -> str:
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{"stream": stream}], credentials)
    assert isinstance(caught.value.error, NodeOperationError)
    return str(caught.value.error)


@pytest.mark.parametrize(
    ("kind", "shares", "total"),
    [
        ("offers", [30, 40], 70),
        ("offers", [99], 99),
        ("offers", [0], 0),
        ("landings", [50, 49], 99),
        ("landings", [60, 60], 120),
        ("landings", [1], 1),
    ],
)
async def test_shares_that_do_not_add_up_to_100_are_refused_either_way(
    tracker: Sandbox, credentials, campaign_id, kind: str, shares: list[int], total: int
) -> None:
    key = "offer_id" if kind == "offers" else "landing_id"
    entries = [{key: n + 1, "share": share} for n, share in enumerate(shares)]
    stream = stream_body(campaign_id, schema="landings", **{kind: entries})
    message = await refusal(stream_op("create"), stream, credentials)
    assert f"the shares of active {kind} add up to {total}, not 100" in message
    assert "Nothing was sent" in message
    assert tracker.request_count() == 0


async def test_an_update_with_shares_below_100_is_refused_too(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    body = {"landings": [{"landing_id": 1, "share": 25}, {"landing_id": 2, "share": 25}]}
    workflow = stream_op("update", streamId=1)
    message = await refusal(workflow, body, credentials)
    assert "the shares of active landings add up to 50, not 100" in message
    assert tracker.request_count() == 0


async def test_shares_of_disabled_entries_do_not_count(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    landings = [
        {"landing_id": 1, "share": 100},
        {"landing_id": 2, "share": 30, "state": "disabled"},
    ]
    stream = stream_body(campaign_id, schema="landings", landings=landings)
    result = await run(stream_op("create"), [{"stream": stream}], credentials)
    assert result.items("Keitaro")[0].json["success"] is True
    assert tracker.request_count("POST", "/admin_api/v1/streams") == 1


async def test_each_problem_of_a_body_is_said_once(
    tracker: Sandbox, credentials, campaign_id
) -> None:
    stream = {"campaign_id": "x", "type": "regular", "name": "n"}
    message = await refusal(stream_op("create"), stream, credentials)
    problems = message.split(": ", 2)[-1].split("; ")
    assert "missing required fields schema, action_type" in message
    assert "campaign_id: must be integer" in message
    assert message.count("missing required fields") == 1
    assert len(problems) == len(set(problems)) == 2
    filters = [{"mode": "accept"}, {"mode": "accept"}]
    stream = stream_body(campaign_id, filters=filters, schema=1)
    message = await refusal(stream_op("create"), stream, credentials)
    assert message.count("schema: must be one of") == 1
    assert message.count("filters[0]: missing required field name") == 1
    assert message.count("filters[1]: missing required field name") == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX file permissions")
@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o640, True), (0o600, False)])
def test_a_credentials_file_others_can_read_is_warned_about_and_still_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: int, warned: bool
) -> None:
    file = tmp_path / "creds.yaml"
    file.write_text("keitaroApi:\n  domain: tracker.example.com\n  apiKey: abcdef123456\n")
    file.chmod(mode)
    with caplog.at_level(logging.WARNING, logger="keitaro_node.runtime.credentials"):
        store = CredentialStore.from_file(file, environ={})
    assert store.data["keitaroApi"]["domain"] == "tracker.example.com"
    messages = [r.getMessage() for r in caplog.records]
    if warned:
        [message] = messages
        assert str(file) in message and f"{mode:04o}" in message
        assert f"chmod 600 {file}" in message and "abcdef123456" not in message
    else:
        assert messages == []
