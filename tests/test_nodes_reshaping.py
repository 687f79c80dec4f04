"""The reshaping nodes against facts recorded from n8n 1.123.

- Every parameter n8n's editor can write for a node at a version is declared by ours at that
  version, with n8n's type, defaults and choices (tests/golden/<node>/parameters.n8n.json, the
  names, types, defaults and option values of n8n's own descriptions).
- Where a recorded golden run stops at a node with an error, ours stops at the same node with
  n8n's message.

    python tests/test_nodes_reshaping.py --n8n DIR     # re-record the parameter facts
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from golden.golden import HERE, case_id, cases, expected_run

from keitaro_node.app import run_workflow
from keitaro_node.runtime.description import Parameter, _matches_any
from keitaro_node.runtime.errors import WorkflowError
from keitaro_node.runtime.nodes import CORE_NODE_TYPES
from keitaro_node.runtime.nodes.reshaping import ReshapingNode
from keitaro_node.runtime.workflow import parse_workflow

FOLDERS = {
    "merge": "merge",
    "splitOut": "split_out",
    "aggregate": "aggregate",
    "itemLists": "item_lists",
    "sort": "sort",
    "limit": "limit",
    "removeDuplicates": "remove_duplicates",
    "summarize": "summarize",
}
# Where ours knowingly differs from n8n's description, and why.
ALLOWED = {
    ("removeDuplicates", "incrementalDedupeValue", "defaults"): (
        "a number parameter's empty default is null here: the description schema wants a number"
    ),
}
RESHAPING = {
    node.description.name: node for node in CORE_NODE_TYPES if isinstance(node, ReshapingNode)
}


def _facts_from_n8n(properties: list[dict[str, Any]], version: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in properties:
        shown = ((p.get("displayOptions") or {}).get("show") or {}).get("@version")
        if shown is not None and not _matches_any(version, shown):
            continue
        fact = out.setdefault(p["name"], {"types": [], "values": [], "defaults": [], "subs": {}})
        _add(fact["types"], p["type"])
        if not (p.get("typeOptions") or {}).get("editor"):  # code editors' defaults are prose
            _add(fact["defaults"], p.get("default"))
        for option in p.get("options") or []:
            if p["type"] in ("options", "multiOptions"):
                _add(fact["values"], option["value"])
            elif p["type"] == "collection":
                fact["subs"].update({k: v for k, v in _facts_from_n8n([option], version).items()})
            elif p["type"] == "fixedCollection":
                fact["subs"].setdefault(option["name"], _facts_from_n8n(option["values"], version))
    return out


def _add(values: list[Any], value: Any) -> None:
    if value not in values:
        values.append(value)


def _version_shows(parameter: Parameter, version: float) -> bool:
    display = parameter.displayOptions
    if display is None:
        return True
    shown = display.show.get("@version")
    return shown is None or _matches_any(version, shown)


def _our_facts(properties: tuple[Parameter, ...], version: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in properties:
        if not _version_shows(p, version):
            continue
        fact = out.setdefault(p.name, {"types": [], "values": [], "defaults": [], "subs": {}})
        _add(fact["types"], p.type)
        if not p.typeOptions.editor:
            _add(fact["defaults"], p.default)
        for choice in p.choices:
            _add(fact["values"], choice.value)
        for sub in p.sub_parameters:
            fact["subs"].update(_our_facts((sub,), version))
        for group in p.groups:
            fact["subs"].setdefault(group.name, _our_facts(group.values, version))
    return out


def _compare(node: str, theirs: dict[str, Any], ours: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    for name, fact in theirs.items():
        mine = ours.get(name)
        if mine is None:
            problems.append(f"{where}{name}: n8n has it, ours does not declare it")
            continue
        if "types" not in fact:  # a fixed collection's group
            problems += _compare(node, fact, mine, f"{where}{name}.")
            continue
        for key in ("types", "values", "defaults"):
            differs = sorted(map(json.dumps, fact[key])) != sorted(map(json.dumps, mine[key]))
            # n8n loads some choices at run time: there is nothing to compare then
            known = (node, name, key) in ALLOWED or (key == "values" and not fact[key])
            if differs and not known:
                problems.append(f"{where}{name} {key}: n8n {fact[key]}, ours {mine[key]}")
        problems += _compare(node, fact["subs"], mine["subs"], f"{where}{name}.")
    problems += [f"{where}{name}: ours only" for name in ours if name not in theirs]
    return problems


def _parameter_cases() -> list[Any]:
    out = []
    for node, folder in FOLDERS.items():
        path = HERE / folder / "parameters.n8n.json"
        if not path.exists():  # test_every_node_has_recorded_parameters says so
            continue
        recorded = json.loads(path.read_text("utf-8"))
        out += [
            pytest.param(node, version, facts, id=f"{node}@{version}")
            for version, facts in recorded.items()
        ]
    return out


def test_every_node_has_recorded_parameters_for_each_version() -> None:
    for node, folder in FOLDERS.items():
        recorded = json.loads((HERE / folder / "parameters.n8n.json").read_text("utf-8"))
        assert sorted(map(float, recorded)) == sorted(RESHAPING[node].versions), node


@pytest.mark.parametrize(("node", "version", "facts"), _parameter_cases())
def test_the_description_declares_what_n8n_has(node: str, version: str, facts: Any) -> None:
    description = RESHAPING[node].description
    assert float(version) in RESHAPING[node].versions
    assert _compare(node, facts, _our_facts(description.properties, float(version)), "") == []


def _failed_cases() -> list[Any]:
    out = []
    for path in cases():
        if case_id(path).split("/")[0] not in FOLDERS.values():
            continue
        expected = expected_run(path)
        if expected.get("error"):
            out.append(pytest.param(path, expected, id=case_id(path)))
    return out


@pytest.mark.parametrize(("path", "expected"), _failed_cases())
async def test_a_run_n8n_stops_stops_at_the_same_node(path: Path, expected: Any) -> None:
    workflow = parse_workflow(json.loads(path.read_text("utf-8")), source=str(path))
    with pytest.raises(WorkflowError) as failure:
        await run_workflow(workflow)
    assert failure.value.node_name == expected["lastNodeExecuted"]
    theirs = " ".join(expected["error"].split())
    assert theirs in " ".join(str(failure.value.error).split())


def test_each_node_says_whether_it_needs_every_item() -> None:
    flags = {name: node.needs_all_items for name, node in RESHAPING.items()}
    assert flags == {
        "merge": True,
        "splitOut": False,
        "aggregate": True,
        "itemLists": True,
        "sort": True,
        "limit": True,
        "removeDuplicates": True,
        "summarize": True,
    }


# --- recording the parameter facts -----------------------------------------------------------

_DUMP = """
const base = process.argv[1] + '/node_modules/n8n-nodes-base/dist/nodes/';
const files = JSON.parse(process.argv[2]);
const out = {};
for (const [name, [file, cls]] of Object.entries(files)) {
  const node = new (require(base + file)[cls])();
  out[name] = {};
  const impls = node.nodeVersions || { x: node };
  for (const impl of Object.values(impls)) {
    const d = impl.description;
    for (const v of [].concat(d.version)) out[name][v] = d.properties;
  }
}
console.log(JSON.stringify(out));
"""
_FILES = {
    "merge": ["Merge/Merge.node.js", "Merge"],
    "splitOut": ["Transform/SplitOut/SplitOut.node.js", "SplitOut"],
    "aggregate": ["Transform/Aggregate/Aggregate.node.js", "Aggregate"],
    "itemLists": ["ItemLists/ItemLists.node.js", "ItemLists"],
    "sort": ["Transform/Sort/Sort.node.js", "Sort"],
    "limit": ["Transform/Limit/Limit.node.js", "Limit"],
    "removeDuplicates": ["Transform/RemoveDuplicates/RemoveDuplicates.node.js", "RemoveDuplicates"],
    "summarize": ["Transform/Summarize/Summarize.node.js", "Summarize"],
}


def record(n8n_dir: Path) -> None:
    """Write each node's parameter facts (no prose) beside its golden runs."""
    done = subprocess.run(
        ["node", "-e", _DUMP, str(n8n_dir), json.dumps(_FILES)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(n8n_dir / "node_modules")},
    )
    dumped = json.loads(done.stdout)
    for node, folder in FOLDERS.items():
        facts = {
            str(v): _facts_from_n8n(props, float(v)) for v, props in sorted(dumped[node].items())
        }
        target = HERE / folder / "parameters.n8n.json"
        target.write_text(json.dumps(facts, indent=1, ensure_ascii=False) + "\n", "utf-8")
        print(f"recorded {target}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="record n8n's parameter facts")
    parser.add_argument("--n8n", type=Path, required=True, help="folder with n8n installed")
    record(parser.parse_args().n8n)
