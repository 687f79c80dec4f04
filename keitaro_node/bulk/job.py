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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from keitaro_node.runtime.http.dry_run import DRY_RUN_OPTION
from keitaro_node.runtime.http.stats import STATS_OPTION, RequestStats
from keitaro_node.runtime.items import Item, PairedItem

from .branches import BranchEnds, root_of
from .chunked import (
    DEFAULT_CHUNK,
    check_start,
    gathering_nodes,
    open_journal,
    outcome_of,
    pending_chunks,
)
from .failure import failure_report, how_far, runs_json
from .inputs import ItemSource, open_items
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
    journal: Path | None = None
    resume: bool = False
    chunk_size: int | None = None  # run the input this many items at a time


async def run_job(job: Job, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run the job; the exit status: 0 every item ok, 1 the workflow stopped or items failed."""
    from keitaro_node.runtime.workflow import load_workflow

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    started = time.perf_counter()
    workflow = load_workflow(job.workflow)
    chunked = job.chunk_size is not None or job.journal is not None
    items: list[Item] | None = None
    source: ItemSource | None = None
    if job.input is not None:
        source = open_items(job.input, job.input_format)
        if not chunked:  # a whole run sees every item at once, as in n8n
            items = [Item(json=row) for row in source]
    store = _store(job.credentials)
    sandbox = await _start_sandbox(store, err) if job.sandbox else None
    try:
        from keitaro_node.app import check_workflow
        from keitaro_node.runtime.errors import WorkflowLoadError

        try:  # before any output is opened: a workflow that cannot run writes nothing
            plan = check_workflow(workflow, store, options=job.engine_options)
        except WorkflowLoadError as exc:
            print(f"error: {exc}", file=err)
            return 1
        if chunked:
            rows = source if source is not None else ItemSource("no input", iter([{}]), 1)
            return await _chunked(job, workflow, plan, rows, store, out, err, started)
        if job.resume:
            print("error: --resume goes with --journal FILE (the journal to resume)", file=err)
            return 2
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


async def _chunked(
    job: Job,
    workflow: Any,
    plan: Any,
    rows: ItemSource,
    store: Any,
    out: IO[str],
    err: IO[str],
    started: float,
) -> int:
    """Run the input a chunk at a time (chunked.py), each item's outcome in the journal when
    there is one; Ctrl-C stops after the chunk in flight (exit 130), a second Ctrl-C at once."""
    from keitaro_node.app import run_workflow
    from keitaro_node.runtime.errors import WorkflowError
    from keitaro_node.runtime.journal import JournalError

    gathering = gathering_nodes(plan.nodes)
    if gathering or job.all_nodes:
        why = (
            "--all-nodes prints whole runs"
            if job.all_nodes
            else f"{', '.join(repr(n) for n in gathering)} need every item at once"
        )
        flag = "--journal" if job.journal is not None else "--chunk-size"
        print(f"error: {flag} runs the items in chunks, and {why}", file=err)
        return 2
    journal = None
    if job.journal is not None:
        try:
            journal = open_journal(job.journal, job.workflow)
            check_start(journal, job.resume)
        except JournalError as exc:
            if journal is not None:
                journal.close()
            print(f"error: {exc}", file=err)
            return 1
        if journal.changed_workflow:
            print(f"note: {job.workflow.name} changed since the journal's first run", file=err)
    writer = open_output(job.output, job.output_format, out)
    stats = RequestStats()
    options = {**job.engine_options, STATS_OPTION: stats}
    if job.dry_run:
        options[DRY_RUN_OPTION] = True
    summary = JobSummary(dry_run=job.dry_run)
    progress = progress_for(rows.total, err, job.quiet, unit=" requests")
    ticker = asyncio.create_task(_tick(progress, stats))
    stop = _Interrupts(err)
    status = 0
    failure = ""
    size = job.chunk_size or DEFAULT_CHUNK
    try:
        for chunk, skipped in pending_chunks(rows, size, journal):
            summary.skipped += skipped
            if stop.requested:
                break
            if not chunk:
                continue
            numbers = [p.position for p in chunk]
            chunk_items = [p.item for p in chunk]
            if journal is not None and not job.dry_run:
                journal.mark_started((p.position, p.content) for p in chunk)
            run = asyncio.ensure_future(run_workflow(workflow, chunk_items, store, options=options))
            stop.current = run
            try:
                result = await run
            except WorkflowError as exc:  # items not finished stay `started`: a person decides
                status = 1
                summary.stopped_at = exc.node_name
                done = _finished_of_stop(exc, plan, chunk_items, numbers)
                for item in exc.completed:
                    writer.write(item.to_json())
                summary.add_items(len(chunk), ((n, e is not None) for n, e in done.items()))
                if journal is not None and not job.dry_run:
                    hashes = {p.position: p.content for p in chunk}
                    journal.finish((n, hashes[n], *outcome_of([e])) for n, e in done.items())
                failure = f"error: node '{exc.node_name}' failed: {exc.error}\n{how_far(exc)}"
                break
            errors: dict[int, list[Exception | None]] = {}
            first_error = _write_branch_ends(
                workflow, result, chunk_items, writer, summary, numbers, errors
            )
            if first_error is not None and not failure:
                status = 1
                failure = f"first failure: {first_error}"
            if journal is not None and not job.dry_run:
                journal.finish(
                    (p.position, p.content, *outcome_of(errors.get(p.position, []))) for p in chunk
                )
    except JournalError as exc:
        status = 1
        failure = f"error: {exc}"
    except asyncio.CancelledError:
        summary.interrupted = True
    finally:
        stop.close()
        ticker.cancel()
        progress.close()
        writer.close()
        unknown = 0
        if journal is not None:
            unknown = len(journal.unresolved())
            journal.close()
    summary.requests = stats.requests
    summary.writes = stats.writes
    if stop.requested:
        summary.interrupted = True
    if unknown:
        summary.hint = (
            f"{unknown} item(s) have an unknown outcome: see `keitaro-node journal {job.journal}`"
        )
    elif summary.interrupted and journal is not None:
        summary.hint = "resume with the same command and --resume"
    if failure:
        print(failure, file=err)
    print(summary.line(time.perf_counter() - started), file=err)
    return 130 if summary.interrupted else status


def _finished_of_stop(
    exc: Any, plan: Any, chunk_items: list[Item], numbers: Sequence[int]
) -> dict[int, Exception | None]:
    """Positions whose outcome a stopped chunk settles: the failing node's completed items
    (with their errors), and the item it stopped on when its input can be traced (one node
    feeds it). The rest stay `started`: whether their writes happened is not known here."""
    positions = {id(item): numbers[n] for n, item in enumerate(chunk_items)}
    done: dict[int, Exception | None] = {}
    for item in exc.completed:
        position = positions.get(id(root_of(item)))
        if position is not None and done.get(position) is None:
            done[position] = item.error
    failing = _input_item(exc, plan)
    if failing is not None:
        position = positions.get(id(root_of(failing)))
        if position is not None:
            done[position] = exc.error
    return done


def _input_item(exc: Any, plan: Any) -> Item | None:
    """The input item the failing node stopped on, when a single node output feeds it."""
    index = getattr(exc.error, "item_index", None)
    parents = plan.parents.get(exc.node_name, set())
    if index is None or exc.result is None or len(parents) != 1:
        return None
    (parent,) = parents
    outputs = [
        n
        for n, links in enumerate(plan.children.get(parent, []))
        if any(link.target == exc.node_name for link in links)
    ]
    runs = exc.result.runs.get(parent)
    if len(outputs) != 1 or not runs or outputs[0] >= len(runs[-1]):
        return None
    feed: list[Item] = runs[-1][outputs[0]]
    return feed[index] if 0 <= index < len(feed) else None


class _Interrupts:
    """Ctrl-C (SIGINT): the first stops the job after the chunk in flight, the second at once."""

    def __init__(self, err: IO[str]) -> None:
        import signal

        self.err = err
        self.requested = False
        self.current: asyncio.Future[Any] | None = None
        self._loop = asyncio.get_running_loop()
        try:
            self._loop.add_signal_handler(signal.SIGINT, self._on_interrupt)
            self._installed = True
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            self._installed = False

    def _on_interrupt(self) -> None:
        if not self.requested:
            self.requested = True
            print(
                "\ninterrupted: finishing the items in flight, then stopping "
                "(Ctrl-C again to stop at once; those items are then left for a decision)",
                file=self.err,
            )
            return
        if self.current is not None:
            self.current.cancel()

    def close(self) -> None:
        if self._installed:
            import signal

            self._loop.remove_signal_handler(signal.SIGINT)


def _write_branch_ends(
    workflow: Any,
    result: Any,
    start_items: list[Item],
    writer: ItemWriter | None,
    summary: JobSummary,
    numbers: Sequence[int] | None = None,
    errors: dict[int, list[Exception | None]] | None = None,
) -> str | None:
    """Write the items of every branch end and count them; the first failure's words.

    `numbers` are the input positions of `start_items` (a chunk of a journaled job); `errors`,
    when given, gets each position's items' errors (None for an item without one)."""
    numbers = numbers if numbers is not None else range(len(start_items))
    positions = {id(item): numbers[n] for n, item in enumerate(start_items)}
    if result.order:  # the trigger's items stand for the input items, one for one
        first = result.outputs.get(result.order[0]) or [[]]
        positions.update((id(item), numbers[n]) for n, item in enumerate(first[0][: len(numbers)]))
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
            if errors is not None:
                errors.setdefault(position, []).append(item.error)
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
