"""Per-(method, path) request counters, readable from other threads."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestStats:
    """Counts every API request that reached the server, faulted ones included."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str]] = Counter()
        self._in_flight = 0
        self._peak = 0

    def hit(self, method: str, path: str) -> None:
        with self._lock:
            self._counts[(method, path)] += 1
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)

    def done(self) -> None:
        """A counted request got its answer (or its connection was cut)."""
        with self._lock:
            self._in_flight -= 1

    @property
    def peak_in_flight(self) -> int:
        """Most requests being handled at once since the last reset: a client's concurrency."""
        with self._lock:
            return self._peak

    def count(self, method: str | None = None, path: str | None = None) -> int:
        with self._lock:
            return sum(
                n
                for (m, p), n in self._counts.items()
                if (method is None or m == method.upper()) and (path is None or p == path)
            )

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            items = sorted(self._counts.items())
        requests = [{"method": m, "path": p, "count": n} for (m, p), n in items]
        return {
            "requests": requests,
            "total": sum(n for _, n in items),
            "peak_in_flight": self.peak_in_flight,
        }

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            self._peak = self._in_flight
