"""Record what real n8n answers for the expression corpus (cases/*.txt) into n8n/*.json.

    python tests/expressions/record_n8n.py --n8n DIR [cases/strings.txt ...]

Each case file becomes one workflow: a node "Input" that outputs input.json as one item, and
one Edit Fields node per case (onError: continueRegularOutput), so a failing case fails alone.
A case that is one expression is recorded as `{v: (EXPR), t: typeof (EXPR), s: String(EXPR)}`
in an object field, which keeps its JSON value, its JavaScript type and its string form apart
(a missing `v` means undefined). A case starting with '=' is a whole parameter value, recorded
as text. The workflow runs with the time zone TIMEZONE; the n8n process with TZ=UTC.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "golden"))

from record_n8n import record  # noqa: E402

TIMEZONE = "Europe/Berlin"
INPUT_NODE = "Input"


def load_cases(path: Path) -> list[str]:
    """The cases of one file: every line that is neither empty nor a # comment."""
    lines = path.read_text("utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _case_node(index: int, case: str) -> dict[str, Any]:
    if case.startswith("="):
        assignment = {"id": "a", "name": "text", "value": case, "type": "string"}
    else:
        wrapped = f"={{{{ {{ v: ({case}), t: typeof ({case}), s: String({case}) }} }}}}"
        assignment = {"id": "a", "name": "r", "value": wrapped, "type": "object"}
    return {
        "id": f"case{index}",
        "name": f"case {index}",
        "type": "n8n-nodes-base.set",
        "typeVersion": 3.4,
        "position": [400, index * 20],
        "onError": "continueRegularOutput",
        "parameters": {"assignments": {"assignments": [assignment]}, "options": {}},
    }


def workflow_for(name: str, cases: list[str], item: dict[str, Any]) -> dict[str, Any]:
    nodes = [
        {
            "id": "input",
            "name": INPUT_NODE,
            "type": "n8n-nodes-base.manualTrigger",
            "typeVersion": 1,
            "position": [0, 0],
            "parameters": {},
        }
    ]
    targets = []
    for index, case in enumerate(cases):
        nodes.append(_case_node(index, case))
        targets.append({"node": f"case {index}", "type": "main", "index": 0})
    return {
        "name": f"expressions {name}",
        "nodes": nodes,
        "connections": {INPUT_NODE: {"main": [targets]}},
        "pinData": {INPUT_NODE: [{"json": item}]},
        "settings": {"executionOrder": "v1", "timezone": TIMEZONE},
    }


def outcome(run: dict[str, Any]) -> dict[str, Any]:
    """One case's recorded answer: {value: {...}} or {text: ...} or {error: ...}."""
    if run.get("error"):
        return {"error": run["error"]}
    items = (run.get("main") or [[]])[0]
    if not items:
        return {"error": "no output item"}
    data = items[0].get("json", {})
    if "text" in data:
        return {"text": data["text"]}
    if "r" in data:
        return {"value": data["r"]}
    if "error" in data:
        return {"error": data["error"]}
    return {"raw": data}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n8n", type=Path, required=True, help="folder with n8n installed")
    parser.add_argument("files", type=Path, nargs="*")
    args = parser.parse_args()
    files = args.files or sorted((HERE / "cases").glob("*.txt"))
    item = json.loads((HERE / "input.json").read_text("utf-8"))
    os.environ["TZ"] = "UTC"
    with tempfile.TemporaryDirectory() as tmp:
        flows: dict[Path, tuple[Path, list[str]]] = {}
        for file in files:
            cases = load_cases(file)
            flow = Path(tmp, f"{file.stem}.workflow.json")
            flow.write_text(json.dumps(workflow_for(file.stem, cases, item)), "utf-8")
            flows[flow] = (file, cases)
        record(args.n8n, list(flows))
        for flow, (file, cases) in flows.items():
            recorded = flow.with_name(flow.name.replace(".workflow.json", ".n8n.json"))
            if not recorded.exists():
                print(f"{file}: nothing recorded", file=sys.stderr)
                continue
            data = json.loads(recorded.read_text("utf-8"))
            answers = {}
            for index, case in enumerate(cases):
                runs = data["runData"].get(f"case {index}")
                answers[case] = outcome(runs[0]) if runs else {"error": "not run"}
            target = HERE / "n8n" / f"{file.stem}.json"
            target.parent.mkdir(exist_ok=True)
            body = {"n8nVersion": data.get("n8nVersion"), "timezone": TIMEZONE, "cases": answers}
            target.write_text(json.dumps(body, indent=1, ensure_ascii=False) + "\n", "utf-8")
            print(f"recorded {len(answers)} cases into {target}")


if __name__ == "__main__":
    main()
