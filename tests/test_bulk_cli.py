"""`keitaro-node run` as a bulk job: CSV, JSON Lines and stdin in; a JSON array, JSON Lines or
only a summary out; one summary line on stderr; progress only on a terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

from support import KEITARO, ROOT, chain, node

from keitaro_node.sandbox import Sandbox

SCRIPT = Path(sys.executable).parent / "keitaro-node"

STREAM_FROM_ROW = (
    "={{ {campaign_id: $json.campaign_id, type: 'regular', name: $json.name, "
    "schema: 'redirect', action_type: 'http', action_payload: 'https://example.com/'} }}"
)


def keitaro_env(tracker: Sandbox) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}
    return {**clean, "KEITARO_DOMAIN": tracker.url, "KEITARO_API_KEY": tracker.api_key}


def cli(
    tracker: Sandbox, *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=keitaro_env(tracker),
        cwd=ROOT,
    )


def stream_job(tmp_path: Path, **settings: Any) -> Path:
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        node(
            "Keitaro",
            KEITARO,
            {"resource": "stream", "operation": "create", "streamData": STREAM_FROM_ROW},
            credentials={"keitaroApi": {"id": "1", "name": "test"}},
            **settings,
        ),
    )
    path = tmp_path / "job.json"
    path.write_text(json.dumps(workflow))
    return path


def summary_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if " in: " in line]
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_csv_file_creates_one_stream_per_row(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = tmp_path / "streams.csv"
    rows.write_text(
        "campaign_id,name\n" + "".join(f"{campaign_id},Row {n}\n" for n in range(5)), "utf-8"
    )
    done = cli(tracker, "run", str(stream_job(tmp_path)), "--input", str(rows))
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert [i["json"]["data"]["name"] for i in items] == [f"Row {n}" for n in range(5)]
    assert {i["json"]["data"]["campaign_id"] for i in items} == {campaign_id}
    assert all("was sent as the number" in i["metadata"]["warnings"][0] for i in items)
    assert tracker.request_count("POST", "/admin_api/v1/streams") == 5
    line = summary_line(done.stderr)
    assert line.startswith("5 items in: 5 ok, 0 failed (Keitaro: 5) in ")
    assert "5 requests (" in line


def test_json_lines_from_stdin_to_a_json_lines_file(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    lines = "".join(
        json.dumps({"campaign_id": campaign_id, "name": f"Line {n}"}) + "\n" for n in range(3)
    )
    out = tmp_path / "created.jsonl"
    done = cli(
        tracker,
        "run",
        str(stream_job(tmp_path)),
        "--input",
        "-",
        "--input-format",
        "jsonl",
        "--output",
        str(out),
        stdin=lines,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    written = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [w["json"]["data"]["name"] for w in written] == ["Line 0", "Line 1", "Line 2"]
    assert [w["pairedItem"]["item"] for w in written] == [0, 1, 2]
    assert summary_line(done.stderr).startswith("3 items in: 3 ok, 0 failed")


def test_stdout_is_a_compact_array_with_one_item_per_line_when_piped(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = [{"campaign_id": campaign_id, "name": f"N{n}"} for n in range(3)]
    done = cli(tracker, "run", str(stream_job(tmp_path)), "--input", "-", stdin=json.dumps(rows))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 5
    assert all(json.loads(line.rstrip(","))["json"]["success"] for line in lines[1:-1])


def test_format_summary_prints_no_items_and_counts_failures(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"campaign_id": campaign_id, "name": "good"})
        + "\n"
        + json.dumps({"campaign_id": "1.5", "name": "bad"})
        + "\n"
    )
    job = stream_job(tmp_path, onError="continueRegularOutput")
    done = cli(tracker, "run", str(job), "--input", str(rows), "--format", "summary")
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert "first failure: input item 1 at 'Keitaro': item 1: " in done.stderr
    assert done.stderr.splitlines()[-1] == summary_line(done.stderr)
    line = summary_line(done.stderr)
    assert line.startswith("2 items in: 1 ok, 1 failed (Keitaro: 2) in ")
    assert "1 request (" in line


def test_a_stopped_run_prints_what_completed_and_exits_1(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = [{"campaign_id": campaign_id, "name": "first"}, {"campaign_id": 0, "name": "bad"}]
    done = cli(tracker, "run", str(stream_job(tmp_path)), "--input", "-", stdin=json.dumps(rows))
    assert done.returncode == 1
    assert [i["json"]["data"]["name"] for i in json.loads(done.stdout)] == ["first"]
    line = summary_line(done.stderr)
    assert line.startswith("stopped at 'Keitaro': 2 items in: 1 ok, 1 failed")
    assert "item 1: 'Данные Потока' (streamData) is not a valid stream" in done.stderr


def test_every_branch_end_is_output_and_counted(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    """If true -> Keitaro; the false side leads nowhere: its items leave there."""
    workflow = chain(
        node("Start", "n8n-nodes-base.manualTrigger"),
        {
            **node(
                "Wanted?",
                "n8n-nodes-base.if",
                {
                    "conditions": {
                        "options": {"caseSensitive": True, "typeValidation": "strict"},
                        "conditions": [
                            {
                                "leftValue": "={{ $json.wanted }}",
                                "rightValue": "",
                                "operator": {
                                    "type": "boolean",
                                    "operation": "true",
                                    "singleValue": True,
                                },
                            }
                        ],
                        "combinator": "and",
                    },
                    "options": {},
                },
            ),
            "typeVersion": 2,
        },
        node(
            "Keitaro",
            KEITARO,
            {"resource": "stream", "operation": "create", "streamData": STREAM_FROM_ROW},
            credentials={"keitaroApi": {"id": "1", "name": "test"}},
        ),
    )
    path = tmp_path / "branches.json"
    path.write_text(json.dumps(workflow))
    rows = [
        {"campaign_id": campaign_id, "name": "a", "wanted": True},
        {"campaign_id": campaign_id, "name": "b", "wanted": False},
        {"campaign_id": campaign_id, "name": "c", "wanted": True},
    ]
    done = cli(tracker, "run", str(path), "--input", "-", stdin=json.dumps(rows))
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert [i["json"].get("name") or i["json"]["data"]["name"] for i in items] == ["b", "a", "c"]
    line = summary_line(done.stderr)
    assert line.startswith("3 items in: 3 ok, 0 failed (Wanted? (output 1): 1, Keitaro: 2) in ")


def test_bad_input_is_an_error_that_names_the_place(tracker: Sandbox, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("campaign_id,name\n1,a\n2,b,extra\n")
    done = cli(tracker, "run", str(stream_job(tmp_path)), "--input", str(rows))
    assert done.returncode == 2
    assert "rows.csv, line 3 (item 1): 3 cells but the header has 2 columns" in done.stderr
    assert "Traceback" not in done.stderr
    assert tracker.request_count() == 0
    done = cli(tracker, "run", str(stream_job(tmp_path)), "--input", str(tmp_path / "x.txt"))
    assert done.returncode == 2 and "--input-format json|jsonl|csv" in done.stderr


def test_no_progress_when_stderr_is_not_a_terminal(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = [{"campaign_id": campaign_id, "name": f"N{n}"} for n in range(3)]
    done = cli(tracker, "run", str(stream_job(tmp_path)), "--input", "-", stdin=json.dumps(rows))
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "it/s" not in done.stderr
    assert done.stderr.count("\n") == 1  # the summary line, nothing else


def test_verbose_works_after_the_command(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = json.dumps([{"campaign_id": campaign_id, "name": "v"}])
    for args in (
        ["-v", "run", str(stream_job(tmp_path))],
        ["run", str(stream_job(tmp_path)), "-v"],
    ):
        done = cli(tracker, *args, "--input", "-", stdin=rows)
        assert done.returncode == 0, done.stderr
        assert "POST /streams [item 0]: attempt 1 of 4 -> HTTP 200" in done.stderr


def _run_in_terminal(argv: list[str], env: dict[str, str], timeout: float = 60) -> str:
    """Run with stderr (and stdin, stdout) on a pseudo-terminal; everything it wrote there."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(
        argv, stdin=follower, stdout=subprocess.DEVNULL, stderr=follower, env=env, cwd=ROOT
    )
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(leader)
    assert process.returncode == 0, seen.decode(errors="replace")
    return seen.decode(errors="replace")


def test_progress_shows_on_a_terminal_and_quiet_turns_it_off(
    tracker: Sandbox, campaign_id: int, tmp_path: Path
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "".join(json.dumps({"campaign_id": campaign_id, "name": f"P{n}"}) + "\n" for n in range(30))
    )
    job_file = stream_job(tmp_path)
    data = json.loads(job_file.read_text())
    data["nodes"][1]["parameters"]["options"] = {"requestsPerSecond": 20}  # about 1.5 s
    job_file.write_text(json.dumps(data))
    argv = [str(SCRIPT), "run", str(job_file), "--input", str(rows), "--format", "summary"]
    shown = _run_in_terminal(argv, keitaro_env(tracker))
    assert "/30 [" in shown and "\r" in shown, shown
    assert "30 items in: 30 ok" in shown
    quiet = _run_in_terminal([*argv, "--quiet"], keitaro_env(tracker))
    assert "/30 [" not in quiet and "30 items in: 30 ok" in quiet
