"""Hostile expressions through `keitaro-node run`: JavaScript's answer or a named limit, never a
traceback or a hang."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HOSTILE = [
    ("={{ Math.pow(9, Math.pow(9, 9)) }}", 0, '"Infinity"'),
    ("={{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", 1, "the depth limit"),
    (
        "={{ (1).toFixed(1e8) }}",
        0,
        '"r":null',
    ),  # a RangeError: undefined, null in a text field, as in n8n
    ("={{ JSON.stringify([1], null, 1e8) }}", 0, '"[\\n          1\\n]"'),
    (
        "={{ Array.from({length: 20000}).map(() => Array.from({length: 20000}).map(x => 1)) }}",
        1,
        "the step limit",
    ),
    ("={{ $now.plus({years: 1e12}).isValid }}", 0, '"false"'),
    ("={{ JSON.parse('['.repeat(100000) + ']'.repeat(100000)) }}", 1, "the depth limit"),
    ("={{ (f => f(f))(f => f(f)) }}", 1, "the depth limit"),
    ("={{ 'x'.repeat(2 ** 30) }}", 1, "the size limit"),
    ("={{ new Array(1e9) }}", 1, "the size limit"),
    ("={{ /(a+)+$/.test('a'.repeat(5000) + 'b') }}", 1, "the time limit"),
]


def _workflow(expression: str) -> dict[str, object]:
    return {
        "name": "hostile",
        "nodes": [
            {
                "id": "a",
                "name": "Start",
                "type": "n8n-nodes-base.manualTrigger",
                "typeVersion": 1,
                "position": [0, 0],
                "parameters": {},
            },
            {
                "id": "b",
                "name": "Set",
                "type": "n8n-nodes-base.set",
                "typeVersion": 3.4,
                "position": [200, 0],
                "parameters": {
                    "assignments": {
                        "assignments": [
                            {"id": "x", "name": "r", "value": expression, "type": "string"}
                        ]
                    },
                    "options": {},
                },
            },
        ],
        "connections": {"Start": {"main": [[{"node": "Set", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"},
    }


@pytest.mark.parametrize(
    ("expression", "code", "expected"), HOSTILE, ids=[h[0][:50] for h in HOSTILE]
)
def test_hostile_expression_finishes_with_javascripts_answer_or_a_named_limit(
    tmp_path: Path, expression: str, code: int, expected: str
) -> None:
    file = tmp_path / "wf.json"
    file.write_text(json.dumps(_workflow(expression)), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "keitaro_node.cli", "run", str(file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert done.returncode == code, output[-2000:]
    assert expected in output, output[-2000:]
