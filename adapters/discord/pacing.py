"""Discord allows a bot about 50 requests per second over everything (its global limit). Past it every request
waits, the deletions too. So the notices and cards, which can wait, are paced below it (`rate` per second, a short
`burst` at once): the rest of the budget stays free for deletions, which are never paced. What waits here is still
owed in the outbox; it goes a moment later."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pace:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate  # 0: no pacing
        self._burst = float(max(1, burst))
        self._clock = clock
        self._tokens = self._burst
        self._at = clock()
        self._lock = asyncio.Lock()  # first come, first served
        self.waited = 0  # how often a send waited (for the log)

    async def take(self) -> None:
        """Return when one more request may go."""
        if self._rate <= 0:
            return
        async with self._lock:
            while True:
                now = self._clock()
                self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
                self._at = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                self.waited += 1
                await asyncio.sleep((1 - self._tokens) / self._rate)
