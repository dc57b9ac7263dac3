"""Waiting for the database: while the incident log cannot be reached, the message in hand waits and tries again
(the Matrix sync token does not move on), so nothing is lost."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from moderation.ports import StoreUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


class WriterTurns:
    """SQLite's one writer, shared in turns; the message path's writes go before the bookkeeping's (the delivery
    workers' reads and done marks), which wait while any message-path write is waiting or running. The workers'
    reads take turns too: beside the writer they only slowed it down (the GIL, the one core's share)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._urgent = 0  # message-path writes waiting or running
        self._calm = asyncio.Event()
        self._calm.set()

    @asynccontextmanager
    async def urgent(self) -> AsyncIterator[None]:
        self._urgent += 1
        self._calm.clear()
        try:
            async with self._lock:
                yield
        finally:
            self._urgent -= 1
            if not self._urgent:
                self._calm.set()

    @asynccontextmanager
    async def background(self) -> AsyncIterator[None]:
        while True:
            await self._calm.wait()
            await self._lock.acquire()
            if not self._urgent:
                break
            self._lock.release()  # a message-path write came meanwhile: it is next in line
        try:
            yield
        finally:
            self._lock.release()


class DatabaseWait:
    def __init__(self, retry_delay: float, *, one_writer: bool = False) -> None:
        self._retry_delay = retry_delay
        self._outage_since: float | None = None  # the database has been unreachable since (monotonic seconds)
        # SQLite has one writer: two threads writing at once make one of them sleep in SQLite's busy handler (1, 2,
        # 5, 10 ms, …), which put the delivery workers' records in front of the next message's. Taking turns here
        # costs nothing, since only one would write at a time anyway.
        self._turns = WriterTurns() if one_writer else None

    async def write(self, write: Callable[..., T], *args: object, bookkeeping: bool = False, **kwargs: object) -> T:
        """Call `write` (a blocking read or write of the incident log) in a worker thread, until it gets through.
        `bookkeeping`: not on the message path; on SQLite it waits while a message-path write is due."""
        return await self.attempt(lambda: self._in_turn(write, args, kwargs, bookkeeping=bookkeeping))

    async def _in_turn(
        self, write: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object], *, bookkeeping: bool
    ) -> T:
        if self._turns is None:
            return await asyncio.to_thread(write, *args, **kwargs)
        async with self._turns.background() if bookkeeping else self._turns.urgent():
            return await asyncio.to_thread(write, *args, **kwargs)

    async def attempt(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt` until it does not fail for want of the database. One warning per outage (however many
        messages and workers wait for it), and one when it is back."""
        delay = self._retry_delay
        while True:
            try:
                result = await attempt()
            except StoreUnavailable as exc:
                if self._outage_since is None:
                    self._outage_since = time.monotonic()
                    log.warning("the database is unreachable (%s); waiting for it, trying again until it is back", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            if self._outage_since is not None:
                log.warning("the database is reachable again after %.0fs", time.monotonic() - self._outage_since)
                self._outage_since = None
            return result
