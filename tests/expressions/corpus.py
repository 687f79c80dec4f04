"""Run the expression corpus (cases/*.txt) through our evaluator and compare with n8n's answers.

Each case is evaluated in the scope real n8n had when it was recorded: one input item
(input.json) from a node called "Input", the workflow's time zone, JavaScript dates in UTC.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml

from keitaro_node.runtime import expressions as ex
from keitaro_node.runtime.expressions import dates
from keitaro_node.runtime.expressions.luxon.zones import UTC_ZONE
from keitaro_node.runtime.expressions.values import JsError, js_string, typeof
from keitaro_node.runtime.items import Item
from keitaro_node.runtime.scope import SCOPE_NAMES, node_scope_factory

HERE = Path(__file__).resolve().parent
INPUT = json.loads((HERE / "input.json").read_text("utf-8"))


@dataclass
class Case:
    group: str
    source: str
    expected: dict[str, Any]


def load_cases() -> list[Case]:
    cases = []
    for recorded in sorted((HERE / "n8n").glob("*.json")):
        data = json.loads(recorded.read_text("utf-8"))
        for source, expected in data["cases"].items():
            cases.append(Case(recorded.stem, source, expected))
    return cases


def load_deviations() -> dict[str, str]:
    data = yaml.safe_load((HERE / "deviations.yaml").read_text("utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}


class _Run:
    def __init__(self, items: list[Item]) -> None:
        self.outputs = {"Input": items}

    def has_run(self, node: str) -> bool:
        return node in self.outputs

    def items(self, node: str, output: int = 0, run: int | None = None) -> list[Item]:
        return self.outputs.get(node, []) if output == 0 else []


class _Workflow:
    name = "expressions"
    id = "expressions"
    active = False
    settings: ClassVar[dict[str, str]] = {"timezone": "Europe/Berlin"}

    class _Node:
        def __init__(self, name: str) -> None:
            self.name = name

    nodes: ClassVar[list[_Node]] = [_Node("Input"), _Node("case")]


def scope() -> dict[str, Any]:
    item = Item(json=json.loads(json.dumps(INPUT)))
    item.node = "Input"
    factory = node_scope_factory(
        _Run([item]),
        _Workflow(),
        "1",
        "case",
        "n8n-nodes-base.set",
        {},
        [item],
        previous_node="Input",
    )
    return factory(0)


def _json_like(value: Any) -> Any:
    """Our value as n8n's recorded JSON shows it: NaN and Infinity as null, undefined left out."""
    plain = ex.to_plain(value)
    text = json.dumps(plain, default=str, allow_nan=True)
    loaded = json.loads(text)

    def clean(v: Any) -> Any:
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e21:
            return int(js_string(v))  # JSON.stringify writes 9007199254740992, not ...992.0
        if isinstance(v, list):
            return [clean(x) for x in v]
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return v

    return clean(loaded)


def outcome(source: str) -> dict[str, Any]:
    """What our evaluator gives for one case, in the recorded file's shape."""
    dates.SETTINGS.js_zone = UTC_ZONE
    names = SCOPE_NAMES
    values = scope()
    if source.startswith("="):
        try:
            return {"text": ex.compile_template(source, names).render(values)}
        except ex.ExpressionError as exc:
            return {"error": str(exc)}
    try:
        template = ex.compile_template("={{ " + source + " }}", names)
    except ex.ExpressionError as exc:
        return {"error": str(exc)}
    try:
        result = template.value(values)
    except JsError:
        return {"value": None}
    except ex.ExpressionError as exc:
        return {"error": str(exc)}
    if typeof(result) == "function":
        return {"error": "this is a function, please add ()"}
    answer: dict[str, Any] = {"t": typeof(result), "s": js_string(result)}
    if result is not ex.UNDEFINED:
        try:
            answer = {"v": _json_like(result), **answer}
        except ex.ExpressionError as exc:  # a function inside the value
            return {"error": str(exc)}
    return {"value": answer}


def same(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    if "error" in expected:
        return "error" in actual
    if "error" in actual:
        return False
    return json.dumps(expected, sort_keys=True) == json.dumps(actual, sort_keys=True)


def rendered_both_ways(source: str) -> tuple[str, str]:
    """A case rendered as a parameter, and its raw value converted to JSON, as JSON texts."""
    template_source = source if source.startswith("=") else "={{ " + source + " }}"
    values = scope()
    dates.SETTINGS.js_zone = UTC_ZONE

    def attempt(make: Any) -> str:
        try:
            return json.dumps(make(), default=str, allow_nan=True, sort_keys=True)
        except ex.ExpressionError as exc:
            return f"error: {exc}"

    try:
        template = ex.compile_template(template_source, SCOPE_NAMES)
    except ex.ExpressionError as exc:
        return f"error: {exc}", f"error: {exc}"
    whole = template_source.startswith("={{") and template_source.endswith("}}")
    if len(template.blocks) != 1 or not whole:
        text = attempt(lambda: template.render(values))
        return text, text

    def converted() -> Any:
        try:
            value = template.value(values)
        except JsError:
            return None
        if typeof(value) == "function":
            raise ex.ExpressionError("this is a function, please add ()")
        return ex.to_plain(value)

    return attempt(lambda: template.render(values)), attempt(converted)
