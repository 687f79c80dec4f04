"""Start-up: wall time of short commands, each a fresh process, median of several runs.

A bare ``python -c pass`` is measured too: it is the floor no command can go below.
``import_profile`` uses CPython's own ``-X importtime`` to list the slowest imports.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .servers import ROOT, child_env


def cli_path() -> str:
    """The installed ``keitaro-node`` console script of this interpreter's environment."""
    beside = Path(sys.executable).parent / "keitaro-node"
    if beside.exists():
        return str(beside)
    found = shutil.which("keitaro-node")
    if found is None:
        raise FileNotFoundError("keitaro-node is not installed in this environment")
    return found


def commands() -> list[tuple[str, list[str]]]:
    cli = cli_path()
    return [
        ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
        ('python -c "import keitaro_node"', [sys.executable, "-c", "import keitaro_node"]),
        ("keitaro-node --help", [cli, "--help"]),
        ("keitaro-node describe", [cli, "describe"]),
    ]


def _env() -> dict[str, str]:
    env = child_env()
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return {k: v for k, v in env.items() if not k.startswith("KEITARO_")}


def time_command(argv: list[str], runs: int) -> dict[str, Any]:
    env = _env()
    subprocess.run(argv, capture_output=True, env=env, cwd=ROOT, check=True)  # warm the caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, env=env, cwd=ROOT, check=True)
        times.append(time.perf_counter() - started)
    return {
        "runs": runs,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
    }


def measure(runs: int) -> list[dict[str, Any]]:
    from .first_request import time_to_first_request

    timed = [{"command": name, **time_command(argv, runs)} for name, argv in commands()]
    return [*timed, time_to_first_request(runs)]


def import_profile(code: str, top: int = 15) -> list[dict[str, Any]]:
    """The ``top`` imports with the largest cumulative time (``python -X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        check=False,
    )
    rows: list[dict[str, Any]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        head, cumulative, name = line.split("|", 2)
        rows.append(
            {
                "module": name.strip(),
                "depth": (len(name) - len(name.lstrip()) - 1) // 2,
                "self_ms": int(head.split(":", 1)[1]) / 1000,
                "cumulative_ms": int(cumulative) / 1000,
            }
        )
    rows.sort(key=lambda r: r["cumulative_ms"], reverse=True)
    return rows[:top]


RUN_CODE = (
    "import contextlib, io, json, os, tempfile\n"
    "from keitaro_node.cli import main\n"
    "folder = tempfile.mkdtemp()\n"
    "items = os.path.join(folder, 'one.json')\n"
    "open(items, 'w').write(json.dumps([{'campaign_id': 1}]))\n"
    "os.environ.update(KEITARO_DOMAIN='http://127.0.0.1:9', KEITARO_API_KEY='k' * 32)\n"
    "with contextlib.redirect_stderr(io.StringIO()):\n"
    "    main(['run', 'workflows/create_stream.json', '--input', items, '--dry-run',\n"
    "          '--format', 'summary'])\n"
)

HELP_CODE = (
    "import sys\n"
    "from keitaro_node.cli import main\n"
    "try:\n"
    "    main(['--help'])\n"
    "except SystemExit:\n"
    "    pass\n"
)

DESCRIBE_CODE = (
    "import contextlib, io\n"
    "from keitaro_node.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    main(['describe'])\n"
)
