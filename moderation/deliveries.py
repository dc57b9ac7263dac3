"""Owed actions off the critical path: a few workers per platform deliver notices and cards from the outbox.

The message path is judge -> record (with the outbox) -> delete; everything after that (the notice to the sender,
each reviewer's card, the overview) is handed to these workers, so that the next message is judged without waiting
behind the previous incident's cards. The actions are durable in the outbox: a job lost with the process (a kill,
a stop after the grace period) is done at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from moderation.back_off import BackOff
from moderation.ports import Enforcer, IncidentRef, PendingAction

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    incident: IncidentRef
    enforcer: Enforcer
    actions: tuple[PendingAction, ...]


class Deliveries:
    """One platform's workers: at most `workers` jobs at once (a platform's rate limits stay the adapter's)."""

    def __init__(self, run: Callable[[Job], Awaitable[object]], workers: int) -> None:
        self._run = run
        self._workers = workers
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._open = 0  # jobs handed in and not finished

    def submit(self, job: Job) -> None:
        if not self._tasks:
            self._tasks = [asyncio.create_task(self._work(), name=f"deliveries-{n}") for n in range(self._workers)]
        self._open += 1
        self._queue.put_nowait(job)

    async def _work(self) -> None:
        while True:
            job = await self._queue.get()
            try:
                await self._run(job)
            except Exception:  # a bug in one delivery must not stop the others; the action stays owed
                log.exception("delivering the owed actions of incident #%d failed", job.incident.id)
            finally:
                self._open -= 1
                self._queue.task_done()

    @property
    def busy(self) -> bool:
        """Some job handed in is not finished yet."""
        return self._open > 0

    async def drain(self, timeout: float) -> bool:
        """Wait until every job handed in is finished; False when `timeout` seconds passed first."""
        if not self._tasks:
            return True
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class DeliveryGate:
    """The workers' way out to one platform: at most as many deliveries in flight as its BackOff allows now, each
    after the pause it asks for. A deletion never passes here."""

    def __init__(self, back_off: BackOff, clock: Callable[[], float] = time.monotonic, poll: float = 0.05) -> None:
        self.back_off = back_off
        self._clock = clock
        self._poll = poll
        self._in_flight = 0
        self._left = asyncio.Event()  # a delivery finished: a waiting one may go

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        until = self._clock() + self.back_off.pause(self._clock())
        while self._clock() < until or self._in_flight >= self.back_off.allowed(self._clock()):
            self._left.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll):
                    await self._left.wait()
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._left.set()
