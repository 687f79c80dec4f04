"""Shared fixtures: one sandbox tracker for the session, reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from keitaro_node.app import plugin_host
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.sandbox import Sandbox, SandboxConfig

SECRET_KEY = "sk-test-7f3a9c1e5b2d4680aa11"


@pytest.fixture(scope="session")
def tracker() -> Iterator[Sandbox]:
    """A sandbox tracker on 127.0.0.1 in its own thread, with a key that is easy to search for."""
    sandbox = Sandbox(SandboxConfig(api_key=SECRET_KEY, dataset_clicks=2000))
    sandbox.start_in_thread()
    sandbox.seed_campaign("Test campaign")
    yield sandbox
    sandbox.stop_thread()


@pytest.fixture(autouse=True)
def _clean_tracker(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test starts with no faults and zero request counts."""
    sandbox: Sandbox | None = None
    if "tracker" in request.fixturenames:
        sandbox = request.getfixturevalue("tracker")
        sandbox.faults.clear()
        sandbox.reset_counts()
    yield
    if sandbox is not None:
        sandbox.faults.clear()


@pytest.fixture
def campaign_id(tracker: Sandbox) -> int:
    campaign: dict[str, Any] = tracker.seed_campaign("Campaign for a test")
    return int(campaign["id"])


@pytest.fixture
def credentials(tracker: Sandbox) -> CredentialStore:
    return CredentialStore(
        {"keitaroApi": {"domain": tracker.url, "apiKey": tracker.api_key}}, environ={}
    )


@pytest.fixture(scope="session")
def host() -> PluginHost:
    return plugin_host(load_entry_points=False)
