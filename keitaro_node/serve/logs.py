"""The server's log: one JSON object per line (requests, runs, schedules, start and stop).

Lines never carry the API token, credentials, request headers or query values.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime
from typing import Any, TextIO


class EventLog:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self.lines: list[dict[str, Any]] | None = None  # kept when a test asks for them

    def write(self, event: str, **fields: Any) -> None:
        line = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "event": event,
            **fields,
        }
        if self.lines is not None:
            self.lines.append(line)
        stream = self.stream or sys.stderr
        text = json.dumps(line, ensure_ascii=False, default=str)
        with self._lock:
            stream.write(text + "\n")
            stream.flush()
