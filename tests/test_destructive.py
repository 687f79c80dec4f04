"""Clean stats is guarded: without confirmation nothing is deleted; with it, only the range."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from support import keitaro_workflow, run

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import NodeOperationError, WorkflowError
from keitaro_node.sandbox import Sandbox, SandboxConfig


@pytest.fixture(scope="module")
def tracker() -> Iterator[Sandbox]:
    """A tracker of this module's own: these tests delete statistics."""
    sandbox = Sandbox(
        SandboxConfig(api_key="destructive-tests-key", dataset_clicks=3000, today=date(2026, 1, 31))
    )
    sandbox.start_in_thread()
    yield sandbox
    sandbox.stop_thread()


def workflow(resource: str, operation: str, **params: Any) -> dict[str, Any]:
    return keitaro_workflow(
        {
            "resource": resource,
            "operation": operation,
            "options": {"requestsPerSecond": 0},
            **params,
        }
    )


async def clicks_per_day(credentials: CredentialStore) -> dict[str, int]:
    params = {
        "interval": "all_time",
        "timezone": "UTC",
        "dimensions": ["day"],
        "measures": ["clicks"],
        "returnAll": True,
    }
    result = await run(workflow("report", "build", **params), [{}], credentials)
    return {
        row["day"]: int(row["clicks"]) for row in result.items("Keitaro")[0].json["data"]["rows"]
    }


async def test_clean_stats_without_confirmation_deletes_nothing(
    tracker: Sandbox, credentials
) -> None:
    before = await clicks_per_day(credentials)
    tracker.reset_counts()
    params = {"startDate": "2026-01-10", "endDate": "2026-01-12", "timezone": "UTC"}
    with pytest.raises(WorkflowError) as caught:
        await run(workflow("click", "clean", **params), [{}], credentials)
    error = caught.value.error
    assert isinstance(error, NodeOperationError)
    assert "would delete all click and conversion statistics of the chosen period" in str(error)
    assert "set 'Confirm' (confirm) to true" in str(error)
    assert tracker.request_count() == 0
    assert await clicks_per_day(credentials) == before


async def test_clean_stats_with_confirmation_deletes_only_the_range(
    tracker: Sandbox, credentials
) -> None:
    before = await clicks_per_day(credentials)
    assert before.get("2026-01-15", 0) > 0 and before.get("2026-01-16", 0) > 0
    params = {
        "startDate": "2026-01-15",
        "endDate": "2026-01-15",
        "timezone": "UTC",
        "confirm": True,
    }
    result = await run(workflow("click", "clean", **params), [{}], credentials)
    assert result.items("Keitaro")[0].json["success"] is True
    after = await clicks_per_day(credentials)
    assert "2026-01-15" not in after
    assert {day: n for day, n in before.items() if day != "2026-01-15"} == after


@pytest.mark.parametrize(
    ("resource", "operation", "params", "what"),
    [
        ("botList", "clear", {}, "bot list"),
        ("log", "clear", {"logType": "system"}, "log"),
        ("campaign", "cleanArchive", {}, "archive"),
        ("user", "delete", {"userId": 1}, "user"),
    ],
)
async def test_every_destructive_operation_says_what_it_would_destroy(
    tracker: Sandbox, credentials, resource, operation, params, what
) -> None:
    tracker.reset_counts()
    with pytest.raises(WorkflowError) as caught:
        await run(workflow(resource, operation, **params), [{}], credentials)
    assert "would" in str(caught.value.error) and what in str(caught.value.error).lower()
    assert tracker.request_count() == 0
