"""`keitaro-node run`: a workflow over items from a file or stdin, output as items complete.

Input items stream in (inputs.py), output items go to stdout or a file (outputs.py), progress
shows on a terminal (progress.py), and every job ends with one summary line on stderr
(summary.py). The request counts come from the transport through the engine option `stats`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from keitaro_node.runtime.http.dry_run import DRY_RUN_OPTION
from keitaro_node.runtime.http.stats import STATS_OPTION, RequestStats
from keitaro_node.runtime.items import Item, PairedItem

from .branches import BranchEnds, root_of
from .failure import failure_report, how_far, runs_json
from .inputs import open_items
from .outputs import ItemWriter, open_output
from .progress import Progress, progress_for
from .summary import JobSummary

_TICK_S = 0.25


@dataclass
class Job:
    """What `keitaro-node run` was asked to do."""

    workflow: Path
    input: str | None = None
    input_format: str | None = None
    output: str | None = None
    output_format: str | None = None
    credentials: Path | None = None
    sandbox: bool = False
    dry_run: bool = False
    quiet: bool = False
    all_nodes: bool = False
    engine_options: dict[str, Any] = field(default_factory=dict)


async def run_job(job: Job, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run the job; the exit status: 0 every item ok, 1 the workflow stopped or items failed."""
    from keitaro_node.runtime.workflow import load_workflow

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    started = time.perf_counter()
    workflow = load_workflow(job.workflow)
    items: list[Item] | None = None
    if job.input is not None:
        source = open_items(job.input, job.input_format)
        items = [Item(json=row) for row in source]
    store = _store(job.credentials)
    sandbox = await _start_sandbox(store, err) if job.sandbox else None
    try:
        from keitaro_node.app import check_workflow
        from keitaro_node.runtime.errors import WorkflowLoadError

        try:  # before any output is opened: a workflow that cannot run writes nothing
            check_workflow(workflow, store, options=job.engine_options)
        except WorkflowLoadError as exc:
            print(f"error: {exc}", file=err)
            return 1
        writer = None if job.all_nodes else open_output(job.output, job.output_format, out)
        return await _run(job, workflow, items, store, writer, out, err, started)
    finally:
        if sandbox is not None:
            await sandbox.stop()


async def _run(
    job: Job,
    workflow: Any,
    items: list[Item] | None,
    store: Any,
    writer: ItemWriter | None,
    out: IO[str],
    err: IO[str],
    started: float,
) -> int:
    from keitaro_node.app import run_workflow
    from keitaro_node.runtime.errors import WorkflowError, WorkflowLoadError

    stats = RequestStats()
    options = {**job.engine_options, STATS_OPTION: stats}
    if job.dry_run:
        options[DRY_RUN_OPTION] = True
    start_items = items if items is not None else [Item()]
    summary = JobSummary(dry_run=job.dry_run)
    progress = progress_for(len(start_items), err, job.quiet, unit=" requests")
    ticker = asyncio.create_task(_tick(progress, stats))
    status = 0
    try:
        result = await run_workflow(workflow, start_items, store, options=options)
    except WorkflowLoadError as exc:  # nothing ran: no output, no summary
        ticker.cancel()
        progress.close()
        if writer is not None:
            writer.close()
        print(f"error: {exc}", file=err)
        return 1
    except WorkflowError as exc:
        result = None
        status = 1
        summary.stopped_at = exc.node_name
        if writer is not None:
            for item in exc.completed:
                writer.write(item.to_json())
        else:
            print(json.dumps(failure_report(exc), ensure_ascii=False, indent=2), file=out)
        positions = {id(item): n for n, item in enumerate(start_items)}
        done = [*exc.completed, _failed_marker(exc, start_items)]
        summary.add_items(
            len(start_items),
            ((_position(i, positions), i.error is not None) for i in done if i is not None),
        )
        failure = f"error: node '{exc.node_name}' failed: {exc.error}\n{how_far(exc)}"
    finally:
        ticker.cancel()
        progress.close()
    if result is not None:
        if writer is None:
            print(json.dumps({"runs": runs_json(result)}, ensure_ascii=False, indent=2), file=out)
        first_error = _write_branch_ends(workflow, result, start_items, writer, summary)
        if first_error is not None:
            status = 1
            failure = f"first failure: {first_error}"
    if writer is not None:
        writer.close()
    summary.requests = stats.requests
    summary.writes = stats.writes
    if status:
        print(failure, file=err)
    print(summary.line(time.perf_counter() - started), file=err)
    return status


def _write_branch_ends(
    workflow: Any,
    result: Any,
    start_items: list[Item],
    writer: ItemWriter | None,
    summary: JobSummary,
) -> str | None:
    """Write the items of every branch end and count them; the first failure's words."""
    positions = {id(item): n for n, item in enumerate(start_items)}
    if result.order:  # the trigger's items stand for the input items, one for one
        first = result.outputs.get(result.order[0]) or [[]]
        positions.update((id(item), n) for n, item in enumerate(first[0]))
    outcomes: list[tuple[int, bool]] = []
    first_error: str | None = None
    for end, items in BranchEnds(workflow).items(result.order, result.runs):
        if not items:
            continue
        summary.add_branch(end.label, len(items))
        for item in items:
            if writer is not None:
                writer.write(item.to_json())
            position = _position(item, positions)
            outcomes.append((position, item.error is not None))
            if item.error is not None and first_error is None:
                first_error = f"input item {position} at '{end.node}': {item.error}"
    summary.add_items(len(start_items), outcomes)
    return first_error


def _position(item: Item, positions: dict[int, int]) -> int:
    """The input position an item descends from (its pairedItem when its lineage is not
    recorded)."""
    position = positions.get(id(root_of(item)))
    if position is None:
        pairs = item.pairs()
        position = pairs[0].item if pairs else -1
    return position


def _failed_marker(exc: Any, start_items: list[Item]) -> Item | None:
    """The input item the run stopped on, as a failed outcome (when the error names it)."""
    index = getattr(exc.error, "item_index", None)
    if index is None or not 0 <= index < len(start_items):
        return None
    return Item(error=exc.error, paired_item=PairedItem(index))


async def _tick(progress: Progress, stats: RequestStats) -> None:
    while True:
        progress.show(stats.requests, stats.failed)
        await asyncio.sleep(_TICK_S)


def _store(path: Path | None) -> Any:
    from keitaro_node.runtime.credentials import CredentialStore

    return CredentialStore.from_file(path) if path else CredentialStore()


async def _start_sandbox(store: Any, err: IO[str]) -> Any:
    from keitaro_node.sandbox import Sandbox

    sandbox = Sandbox()
    await sandbox.start()
    demo = sandbox.seed_demo()  # the same demo data as `keitaro-node sandbox`
    store.override("keitaroApi", {"domain": sandbox.url, "apiKey": sandbox.api_key})
    print(
        f"sandbox tracker at {sandbox.url} with {demo.describe() if demo else 'no demo data'}",
        file=err,
    )
    return sandbox
