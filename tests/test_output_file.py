"""options.outputFile writes only where the run lets it: under its output folder, into folders
that exist, never over an existing file unless the workflow asks for that."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, keitaro_workflow, run

from keitaro_node.runtime.credentials import CredentialStore
from keitaro_node.runtime.errors import NodeOperationError, WorkflowError
from keitaro_node.sandbox import Sandbox

CLICKS = "/admin_api/v1/clicks/log"


def export(output_file: str, **options: Any) -> dict[str, Any]:
    return keitaro_workflow(
        {
            "resource": "click",
            "operation": "getLog",
            "returnAll": True,
            "interval": "all_time",
            "columns": ["click_id", "campaign_id"],
            "options": {"pageSize": 500, "outputFile": output_file, **options},
        }
    )


async def refused(
    workflow: dict[str, Any], credentials: CredentialStore, options: dict[str, Any]
) -> str:
    with pytest.raises(WorkflowError) as caught:
        await run(workflow, [{}], credentials, options=options)
    assert isinstance(caught.value.error, NodeOperationError)
    return str(caught.value.error)


async def test_a_path_that_climbs_out_is_refused_and_nothing_is_created(
    tracker: Sandbox, credentials: CredentialStore, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    message = await refused(
        export("../escaped_dir/evil.jsonl"), credentials, {"outputDir": str(work)}
    )
    assert "leaves the output folder" in message and "--allow-output-outside" in message
    assert not (tmp_path / "escaped_dir").exists()
    assert tracker.request_count("POST", CLICKS) == 0


async def test_an_absolute_path_is_refused_unless_the_run_allows_it(
    tracker: Sandbox, credentials: CredentialStore, tmp_path: Path
) -> None:
    target = tmp_path / "abs.jsonl"
    message = await refused(export(str(target)), credentials, {"outputDir": str(tmp_path)})
    assert "is an absolute path" in message and not target.exists()
    result = await run(export(str(target)), [{}], credentials, options={"allowOutputOutside": True})
    assert result.items("Keitaro")[0].json["data"]["records"] == 2000
    assert len(target.read_text().splitlines()) == 2000


async def test_a_link_out_of_the_output_folder_is_refused(
    tracker: Sandbox, credentials: CredentialStore, tmp_path: Path
) -> None:
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    (work / "link").symlink_to(elsewhere)
    message = await refused(export("link/rows.jsonl"), credentials, {"outputDir": str(work)})
    assert "through a link" in message and list(elsewhere.iterdir()) == []


async def test_folders_are_never_created(
    tracker: Sandbox, credentials: CredentialStore, tmp_path: Path
) -> None:
    message = await refused(
        export("new/deeper/rows.jsonl"), credentials, {"outputDir": str(tmp_path)}
    )
    assert "does not exist; create it first" in message
    assert not (tmp_path / "new").exists()
    (tmp_path / "new" / "deeper").mkdir(parents=True)
    result = await run(
        export("new/deeper/rows.jsonl"), [{}], credentials, options={"outputDir": str(tmp_path)}
    )
    assert result.items("Keitaro")[0].json["data"]["file"] == str(
        (tmp_path / "new" / "deeper" / "rows.jsonl").resolve()
    )


async def test_an_existing_file_is_kept_unless_overwrite_is_set(
    tracker: Sandbox, credentials: CredentialStore, tmp_path: Path
) -> None:
    earlier = tmp_path / "rows.jsonl"
    earlier.write_text("yesterday's export\n")
    message = await refused(export("rows.jsonl"), credentials, {"outputDir": str(tmp_path)})
    assert "already exists" in message and "Overwrite Output File" in message
    assert earlier.read_text() == "yesterday's export\n"
    assert tracker.request_count("POST", CLICKS) == 0
    await run(
        export("rows.jsonl", overwriteOutputFile=True),
        [{}],
        credentials,
        options={"outputDir": str(tmp_path)},
    )
    assert len(earlier.read_text().splitlines()) == 2000


async def test_relative_paths_resolve_under_the_working_directory_by_default(
    tracker: Sandbox,
    credentials: CredentialStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    await run(export("rows.jsonl"), [{}], credentials)
    assert len((tmp_path / "rows.jsonl").read_text().splitlines()) == 2000


async def test_a_failed_export_leaves_no_empty_file_in_the_way(
    tracker: Sandbox, credentials: CredentialStore, tmp_path: Path
) -> None:
    tracker.faults.add("status", path=CLICKS, method="POST", status=400, times=1)
    with pytest.raises(WorkflowError):
        await run(export("rows.jsonl"), [{}], credentials, options={"outputDir": str(tmp_path)})
    assert not (tmp_path / "rows.jsonl").exists()
    await run(export("rows.jsonl"), [{}], credentials, options={"outputDir": str(tmp_path)})
    assert (tmp_path / "rows.jsonl").exists()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "keitaro-node"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, timeout=120, env=env, cwd=cwd
    )


def test_run_writes_under_output_dir_and_refuses_to_climb_out(tmp_path: Path) -> None:
    workflow = export("clicks.jsonl")
    workflow["nodes"][1]["parameters"]["returnAll"] = False
    workflow["nodes"][1]["parameters"]["limit"] = 5
    path = tmp_path / "export.json"
    path.write_text(json.dumps(workflow))
    out = tmp_path / "out"
    out.mkdir()
    done = _cli("run", str(path), "--sandbox", "--output-dir", str(out), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert len((out / "clicks.jsonl").read_text().splitlines()) == 5

    workflow["nodes"][1]["parameters"]["options"]["outputFile"] = "../escaped_dir/evil.jsonl"
    path.write_text(json.dumps(workflow))
    done = _cli("run", str(path), "--sandbox", "--output-dir", str(out), cwd=ROOT)
    assert done.returncode == 1 and "leaves the output folder" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "escaped_dir").exists()

    done = _cli("run", str(path), "--sandbox", "--output-dir", str(tmp_path / "nope"), cwd=ROOT)
    assert done.returncode == 2 and "no such folder" in done.stderr
