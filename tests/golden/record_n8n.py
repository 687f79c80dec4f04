"""Record what real n8n answers for workflow files, as fixtures beside them.

    python tests/golden/record_n8n.py --n8n DIR FILE.workflow.json [...]

DIR is a folder where the n8n npm package is installed (node_modules/.bin/n8n). For every
`NAME.workflow.json` this writes `NAME.n8n.json`: each node's runs with their output items (or
the run's error) and the execution's status. Tests compare our engine's run with these files;
they never need n8n itself.

n8n's command line ignores pinData, so a pinned node is recorded as a Code node of the same name
that returns the pinned items (our engine reads pinData directly; the outputs are the same).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TRIGGER = "Recorder Trigger"


def _for_n8n(workflow: dict[str, Any], workflow_id: str) -> dict[str, Any]:
    data = json.loads(json.dumps(workflow))
    data["id"] = workflow_id
    data.setdefault("name", workflow_id)
    data.setdefault("settings", {}).setdefault("executionOrder", "v1")
    data.setdefault("active", False)
    pinned = data.pop("pinData", None) or {}
    for node in data.get("nodes", []):
        if node["name"] in pinned:
            items = [
                {"json": i["json"]} if set(i) == {"json"} else {"json": i}
                for i in pinned[node["name"]]
            ]
            had_inputs = any(
                target["node"] == node["name"]
                for outputs in data.get("connections", {}).values()
                for targets in outputs.get("main", [])
                for target in targets or []
            )
            node["type"] = "n8n-nodes-base.code"
            node["typeVersion"] = 2
            node["parameters"] = {"jsCode": f"return {json.dumps(items)};"}
            if not had_inputs:  # a pinned trigger: something must start the run
                data["nodes"].append(
                    {
                        "id": "recorder-trigger",
                        "name": TRIGGER,
                        "type": "n8n-nodes-base.manualTrigger",
                        "typeVersion": 1,
                        "position": [0, 0],
                        "parameters": {},
                    }
                )
                data.setdefault("connections", {})[TRIGGER] = {
                    "main": [[{"node": node["name"], "type": "main", "index": 0}]]
                }
    return data


def _compact(snapshot: dict[str, Any]) -> dict[str, Any]:
    result = snapshot.get("data", snapshot).get("resultData", {})
    runs: dict[str, list[dict[str, Any]]] = {}
    for name, node_runs in result.get("runData", {}).items():
        if name == TRIGGER:
            continue
        out = []
        for run in node_runs:
            entry: dict[str, Any] = {"status": run.get("executionStatus")}
            if run.get("executionIndex") is not None:  # the order runs started in
                entry["executionIndex"] = run["executionIndex"]
            if run.get("error"):
                entry["error"] = run["error"].get("message")
                if run["error"].get("description"):
                    entry["errorDescription"] = run["error"]["description"]
            main = (run.get("data") or {}).get("main")
            if main is not None:
                entry["main"] = [
                    [
                        {k: v for k, v in item.items() if k in ("json", "pairedItem", "error")}
                        for item in output or []
                    ]
                    for output in main
                ]
            out.append(entry)
        runs[name] = out
    compact: dict[str, Any] = {"runData": runs, "lastNodeExecuted": result.get("lastNodeExecuted")}
    if result.get("error"):
        compact["error"] = result["error"].get("message")
    return compact


def record(n8n_dir: Path, files: list[Path]) -> None:
    binary = n8n_dir / "node_modules" / ".bin" / "n8n"
    version = json.loads((n8n_dir / "node_modules" / "n8n" / "package.json").read_text())["version"]
    with tempfile.TemporaryDirectory() as tmp:
        home, flows, snaps = Path(tmp, "home"), Path(tmp, "flows"), Path(tmp, "snaps")
        for folder in (home, flows, snaps):
            folder.mkdir()
        env = {
            **os.environ,
            "N8N_USER_FOLDER": str(home),
            "N8N_DIAGNOSTICS_ENABLED": "false",
            "N8N_LOG_LEVEL": "info",
            "N8N_RUNNERS_ENABLED": "true",
            "N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS": "false",
            # several recorders may run at once: each task broker on a port of its own
            "N8N_RUNNERS_BROKER_PORT": str(_free_port()),
        }
        ids: dict[str, Path] = {}
        for number, file in enumerate(files):
            workflow_id = "w" + hashlib.sha1(str(file.resolve()).encode()).hexdigest()[:12]
            ids[workflow_id] = file
            data = _for_n8n(json.loads(file.read_text("utf-8")), workflow_id)
            Path(flows, f"{number}.json").write_text(json.dumps(data), "utf-8")
        subprocess.run(
            [str(binary), "import:workflow", "--separate", f"--input={flows}"],
            env=env,
            check=True,
            capture_output=True,
        )
        batch = subprocess.run(
            [
                str(binary),
                "execute-batch",
                f"--ids={','.join(ids)}",
                f"--snapshot={snaps}",
                "--retries=0",
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        for workflow_id, file in ids.items():
            snap = snaps / f"{workflow_id}-snapshot.json"
            if snap.exists():
                snapshot = json.loads(snap.read_text("utf-8"))
            else:  # n8n snapshots successful runs only: run a failing one on its own
                snapshot = _execute_alone(binary, env, workflow_id)
            if snapshot is None:
                print(f"{file}: n8n gave no run data", batch.stdout[-2000:], file=sys.stderr)
                continue
            compact = _compact(snapshot)
            compact["n8nVersion"] = version
            target = file.with_name(file.name.replace(".workflow.json", ".n8n.json"))
            target.write_text(json.dumps(compact, indent=1, ensure_ascii=False) + "\n", "utf-8")
            print(f"recorded {target}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _execute_alone(binary: Path, env: dict[str, str], workflow_id: str) -> dict[str, Any] | None:
    done = subprocess.run(
        [str(binary), "execute", f"--id={workflow_id}", "--rawOutput"],
        env=env,
        capture_output=True,
        text=True,
    )
    text = done.stdout
    start = text.find("\n{", text.find("===="))
    if start < 0:
        return None
    data: dict[str, Any] = json.JSONDecoder().raw_decode(text[start + 1 :])[0]
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n8n", type=Path, required=True, help="folder with n8n installed")
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    record(args.n8n, args.files)


if __name__ == "__main__":
    main()
