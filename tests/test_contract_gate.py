"""Without Keitaro's document the contract tests are one loud skip per module, not silence;
in CI beside ../shared they must run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from support import ROOT

MODULES = ["tests/contract/test_contract.py", "tests/sandbox/test_sandbox_contract.py"]


def pytest_run(*extra: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", *MODULES, *extra],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**clean, **env},
    )


def test_without_the_document_each_module_is_one_skip_that_counts_what_it_hides(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no-such-openapi.json"
    done = pytest_run(env={"KEITARO_OPENAPI": str(missing)})
    assert done.returncode == 0, done.stdout[-3000:]
    out = done.stdout
    assert "2 skipped" in out
    reasons = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert len(reasons) == 2
    assert all(
        str(missing) in line and "tests of this module were not run" in line for line in reasons
    )
    assert "contract tests were NOT run" in out
    summary = {
        line.split(": ")[0].strip(): int(line.split(": ")[1].split()[0])
        for line in out.splitlines()
        if line.startswith("  tests/") and line.endswith(" tests")
    }
    assert set(summary) == set(MODULES)
    assert summary["tests/contract/test_contract.py"] > 300


def test_when_the_contract_is_required_a_missing_document_fails_the_session(
    tmp_path: Path,
) -> None:
    done = pytest_run(
        env={"KEITARO_OPENAPI": str(tmp_path / "absent.json"), "KEITARO_REQUIRE_CONTRACT": "1"}
    )
    assert done.returncode == 1
    assert "must run, and they did not" in done.stdout


def test_ci_requires_the_contract_where_shared_is_beside_the_checkout(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", checkout / ".ci" / "run")
    shims = tmp_path / "bin"
    shims.mkdir()
    seen = tmp_path / "seen.txt"
    # stand-ins for the tools the script calls: python3 notes what the tests would be given
    # (and makes no virtual environment), the others do nothing
    for tool, body in (
        ("python3", f'echo "$KEITARO_REQUIRE_CONTRACT|$KEITARO_OPENAPI" > "{seen}"\nexit 3'),
        ("ruff", "exit 0"),
        ("mypy", "exit 0"),
    ):
        (shims / tool).write_text(f"#!/bin/sh\n{body}\n")
        (shims / tool).chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}
    env["PATH"] = f"{shims}{os.pathsep}{env['PATH']}"

    subprocess.run(["bash", str(checkout / ".ci" / "run")], env=env, capture_output=True)
    assert seen.read_text().strip() == "|"

    spec = tmp_path / "shared" / "keitaro-api" / "keitaro-admin-api-openapi.json"
    spec.parent.mkdir(parents=True)
    spec.write_text("{}")
    subprocess.run(["bash", str(checkout / ".ci" / "run")], env=env, capture_output=True)
    assert seen.read_text().strip() == f"1|{spec}"
