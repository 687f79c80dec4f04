"""Where the tests find Keitaro's OpenAPI document, and the mark of tests that need it.

The document is Keitaro's file and is not part of the project: KEITARO_OPENAPI names it, or
it sits in ../shared/keitaro-api/ beside the checkout. Without it the modules marked
`needs_keitaro_spec` are not run, and conftest.py says so loudly (one skip per module with
the number of tests it holds, and a line in the summary). With KEITARO_REQUIRE_CONTRACT=1
(set by .ci/run when ../shared is there) a missing document or a contract test that did not
run fails the session.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC_ENV = "KEITARO_OPENAPI"
REQUIRE_ENV = "KEITARO_REQUIRE_CONTRACT"
MARK = "needs_keitaro_spec"


def spec_path() -> Path:
    named = os.environ.get(SPEC_ENV)
    if named:
        return Path(named)
    return ROOT.parent / "shared" / "keitaro-api" / "keitaro-admin-api-openapi.json"


def spec_present() -> bool:
    return spec_path().is_file()


def contract_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")
