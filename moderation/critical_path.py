"""The critical path goes first: while a deletion is on its way to the platform, the delivery workers hold back their
next notice or card (for at most `most_wait` seconds), so that the homeserver works on the deletion, not on a card
that can wait. A call already sent is not held back; only the next one waits."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager, suppress


class CriticalPath:
    def __init__(self, most_wait: float = 0.5) -> None:
        self._most_wait = most_wait
        self._running = 0
        self._clear = asyncio.Event()
        self._clear.set()
        self.held = 0  # how often a worker held back (logged at stop)

    @contextmanager
    def running(self) -> Iterator[None]:
        """Around one deletion (or other critical call)."""
        self._running += 1
        self._clear.clear()
        try:
            yield
        finally:
            self._running -= 1
            if self._running == 0:
                self._clear.set()

    @property
    def busy(self) -> bool:
        return self._running > 0

    async def clear(self) -> None:
        """Return once no critical call is in flight, or after `most_wait` seconds (a card must not starve)."""
        if self._running == 0 or self._most_wait <= 0:
            return
        self.held += 1
        with suppress(TimeoutError):
            async with asyncio.timeout(self._most_wait):
                await self._clear.wait()
