"""Shared fixtures: one sandbox tracker for the session, reset between tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from keitaro_spec import (
    MARK,
    REQUIRE_ENV,
    SPEC_ENV,
    contract_required,
    spec_path,
    spec_present,
)

from keitaro_node.app import plugin_host
from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.plugins import PluginHost
from keitaro_node.sandbox import Sandbox, SandboxConfig

SECRET_KEY = "sk-test-7f3a9c1e5b2d4680aa11"


# ------------------------------------------------- tests that need Keitaro's OpenAPI document

_NOT_RUN = pytest.StashKey[dict[str, int]]()
_OUTCOMES = pytest.StashKey[dict[str, int]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARK}: needs Keitaro's OpenAPI document (see tests/keitaro_spec.py)"
    )
    config.stash[_NOT_RUN] = {}
    config.stash[_OUTCOMES] = {"ran": 0, "skipped": 0, "collected": 0}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the document, each module that needs it becomes one skip naming its size."""
    marked = [item for item in items if item.get_closest_marker(MARK) is not None]
    config.stash[_OUTCOMES]["collected"] = len(marked)
    if not marked or spec_present():
        return
    by_module: dict[str, list[pytest.Item]] = {}
    for item in marked:
        by_module.setdefault(item.nodeid.split("::", 1)[0], []).append(item)
    dropped: list[pytest.Item] = []
    for module, module_items in by_module.items():
        config.stash[_NOT_RUN][module] = len(module_items)
        first, *rest = module_items
        first.add_marker(
            pytest.mark.skip(
                reason=f"Keitaro's OpenAPI document is not at {spec_path()}: the "
                f"{len(module_items)} tests of this module were not run (set {SPEC_ENV}=PATH)"
            )
        )
        dropped += rest
    if dropped:
        gone = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in gone]
        config.hook.pytest_deselected(items=dropped)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if item.get_closest_marker(MARK) is not None:
        outcomes = item.config.stash[_OUTCOMES]
        if report.when == "call":
            outcomes["ran"] += 1
        elif report.skipped:
            outcomes["skipped"] += 1
    return report


def _contract_missed(config: pytest.Config) -> bool:
    """KEITARO_REQUIRE_CONTRACT=1 (CI beside ../shared) and the contract tests did not all run."""
    outcomes = config.stash[_OUTCOMES]
    return contract_required() and (
        not spec_present() or not outcomes["ran"] or outcomes["skipped"] > 0
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _contract_missed(session.config) and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    not_run = config.stash[_NOT_RUN]
    outcomes = config.stash[_OUTCOMES]
    lines = []
    if not_run:
        total = sum(not_run.values())
        lines.append(
            f"{total} contract tests were NOT run: Keitaro's OpenAPI document is not at "
            f"{spec_path()} (set {SPEC_ENV}=PATH; see README, Coverage)"
        )
        lines += [f"  {module}: {count} tests" for module, count in not_run.items()]
    elif outcomes["collected"]:
        lines.append(
            f"{outcomes['ran']} contract tests ran against Keitaro's OpenAPI document "
            f"({spec_path()}), {outcomes['skipped']} skipped"
        )
    if _contract_missed(config):
        lines.append(
            f"FAILED: {REQUIRE_ENV} is set, so the contract tests must run, and they did not"
        )
    if lines:
        terminalreporter.section("Keitaro contract tests")
        for line in lines:
            terminalreporter.write_line(line)


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
