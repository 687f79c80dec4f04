"""The node through the full engine: the n8n workflow, parsed once, run per measurement.

What is timed is ``run_workflow`` itself: the Manual Trigger, the Edit Fields expressions
for every item, and the Keitaro node (parameter resolution, body checks, HTTP, output
items). Parsing the workflow JSON and building the plugin host happen once, outside the
timed part, as in a long-running n8n process.
"""

from __future__ import annotations

import copy
import cProfile
from typing import Any

from .measure import Sample, timed_run
from .servers import ServerProcess
from .workload import create_workflow, edit_fields_workflow


def _host() -> Any:
    from keitaro_node.app import plugin_host

    return plugin_host(load_entry_points=False)


def _credentials(server: ServerProcess) -> Any:
    from keitaro_node.runtime.credentials import CredentialStore

    return CredentialStore(
        {"keitaroApi": {"domain": server.url, "apiKey": server.api_key}}, environ={}
    )


class NodeRunner:
    """Runs the create-streams workflow against one server at a given concurrency."""

    def __init__(self, server: ServerProcess, items: list[dict[str, Any]]) -> None:
        self.server = server
        self.items = items
        self.host = _host()
        self.credentials = _credentials(server)

    async def _timed_part(self, run_workflow: Any, workflow: Any, inputs: Any) -> int:
        result = await run_workflow(workflow, inputs, self.credentials, host=self.host)
        out = result.items("Keitaro")
        ok = sum(1 for item in out if item.json.get("success") is True)
        return len(self.items) - ok

    def run(self, concurrency: int, profiler: cProfile.Profile | None = None) -> Sample:
        """Parse and copy the inputs first, then time only the workflow run."""
        from keitaro_node.app import run_workflow
        from keitaro_node.runtime.items import items_from_json
        from keitaro_node.runtime.workflow import parse_workflow

        workflow = parse_workflow(create_workflow(concurrency))
        inputs = items_from_json(copy.deepcopy(self.items))
        return timed_run(
            lambda: self._timed_part(run_workflow, workflow, inputs),
            len(self.items),
            concurrency,
            profiler,
            self.server.pid,
        )


def edit_fields_only(items: list[dict[str, Any]]) -> Sample:
    """Manual Trigger -> Edit Fields without any HTTP: the engine and expression share."""
    from keitaro_node.app import run_workflow
    from keitaro_node.runtime.items import items_from_json
    from keitaro_node.runtime.workflow import parse_workflow

    host = _host()
    workflow = parse_workflow(edit_fields_workflow())
    inputs = items_from_json(copy.deepcopy(items))

    async def job() -> int:
        result = await run_workflow(workflow, inputs, host=host)
        return len(items) - len(result.items("Build Stream"))

    return timed_run(job, len(items), 1)
