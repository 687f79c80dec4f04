"""A requests-per-second limit: aiohttp's connection limits count connections, not starts."""

from __future__ import annotations

import asyncio


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)
