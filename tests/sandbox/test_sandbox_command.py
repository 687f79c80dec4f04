"""`keitaro-node sandbox` as a person uses it: start it, copy the printed lines, run a workflow."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "keitaro-node"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("KEITARO_")}


@contextmanager
def serving(*args: str) -> Iterator[list[str]]:
    """A `keitaro-node sandbox` process; yields what it printed before it started waiting."""
    process = subprocess.Popen(
        [str(SCRIPT), "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert process.stdout is not None
        out: queue.Queue[str] = queue.Queue()
        stdout = process.stdout
        threading.Thread(target=lambda: [out.put(x) for x in stdout], daemon=True).start()
        lines: list[str] = []
        while not (lines and lines[-1].startswith("Stop it with")):
            try:
                line = out.get(timeout=60)  # a bound on waiting, not a speed check
            except queue.Empty:
                break
            lines.append(line.rstrip("\n"))
        assert lines and lines[-1].startswith("Stop it with"), (lines, process.poll())
        yield lines
    finally:
        process.terminate()
        process.wait(10)


def exports(lines: list[str]) -> dict[str, str]:
    """The `export NAME=value` lines of the hint, as a person would paste them."""
    found = {}
    for line in lines:
        text = line.strip()
        if text.startswith("export "):
            name, value = text[len("export ") :].split("=", 1)
            found[name] = value
    return found


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**_env(), **env},
        cwd=ROOT,
    )


def test_the_readme_example_runs_against_a_standalone_sandbox_with_the_printed_lines() -> None:
    with serving() as lines:
        env = exports(lines)
        assert set(env) == {"KEITARO_DOMAIN", "KEITARO_API_KEY"}
        assert env["KEITARO_DOMAIN"].startswith("http://127.0.0.1:")
        done = cli(
            "run",
            "workflows/create_stream.json",
            "--input",
            "workflows/create_stream.items.json",
            env=env,
        )
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert [i["json"]["success"] for i in items] == [True, True, True]
    assert {i["json"]["data"]["campaign_id"] for i in items} == {1}


def test_the_standalone_sandbox_holds_the_same_demo_data_as_run_sandbox() -> None:
    with serving() as lines:
        env = exports(lines)
        listed = cli(
            "run",
            "workflows/create_stream.json",
            "--input",
            "workflows/create_stream.items.json",
            "--sandbox",
            env={},
        )  # the in-process one
        assert listed.returncode == 0, listed.stderr
        demo_line = next(line for line in lines if line.startswith("Demo data:"))
        assert 'campaign #1 "Demo campaign"' in demo_line
        assert demo_line.split(": ", 1)[1] in listed.stderr
        assert env["KEITARO_API_KEY"] == "sandbox-api-key"


def test_empty_starts_without_demo_data() -> None:
    import urllib.request

    with serving("--empty") as lines:
        env = exports(lines)
        assert "Demo data: none (--empty)" in lines
        request = urllib.request.Request(
            env["KEITARO_DOMAIN"] + "/admin_api/v1/campaigns",
            headers={"Api-Key": env["KEITARO_API_KEY"]},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert json.load(answer) == []


def test_reports_cover_the_days_up_to_today_unless_pinned() -> None:
    before = datetime.now(UTC).date().isoformat()
    with serving() as lines:
        after = datetime.now(UTC).date().isoformat()  # either side of a midnight
        assert any(line.endswith((f"to {before} (UTC)", f"to {after} (UTC)")) for line in lines)
    with serving("--today", "2024-02-29") as lines:
        assert (
            "Reports and logs: 2000 synthetic clicks from 2024-01-31 to 2024-02-29 (UTC)" in lines
        )


def test_a_port_in_use_is_one_line_that_says_which_port_and_what_to_do() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(SCRIPT), "sandbox", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "Errno" not in done.stderr
    assert f"127.0.0.1:{port}" in done.stderr and "already in use" in done.stderr
    assert "--port" in done.stderr


def test_a_host_other_machines_reach_needs_allow_remote() -> None:
    done = subprocess.run(
        [str(SCRIPT), "sandbox", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert done.returncode == 2 and "--allow-remote" in done.stderr
    assert "Traceback" not in done.stderr


def test_with_allow_remote_the_key_is_not_the_well_known_default() -> None:
    with serving("--host", "0.0.0.0", "--allow-remote") as lines:
        env = exports(lines)
        assert env["KEITARO_DOMAIN"].startswith("http://127.0.0.1:")
        assert len(env["KEITARO_API_KEY"]) == 32 and env["KEITARO_API_KEY"] != "sandbox-api-key"
