"""The delivery workers' done marks, written in batches: one transaction for the marks of a short while, behind
any write of the message path (see WriterTurns), so that the next message's incident never waits behind them.

A mark is due once its action was done on the platform. Until the batch is written the action is still pending in
the outbox: a kill in between makes the next start do it again (the platform calls are idempotent or checked), it
never loses it. In this process, the runner's own memory of what it finished keeps a replay from doing it twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from moderation.database_wait import DatabaseWait
from moderation.model import Action
from moderation.ports import Clock, IncidentRef, Mark, Outbox, PendingAction

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DueMark:
    owed: PendingAction
    incident: IncidentRef
    action: Action


class DoneMarks:
    def __init__(
        self,
        outbox: Outbox,
        clock: Clock,
        wait: DatabaseWait,
        *,
        marked: Callable[[DueMark], None],
        checkpoint: Callable[[str], None] = lambda _step: None,
        interval: float = 0.05,
        batch: int = 32,
    ) -> None:
        self._outbox = outbox
        self._clock = clock
        self._wait = wait
        self._marked = marked  # called for each mark that was written (not for one finished elsewhere)
        self._checkpoint = checkpoint  # "marks", before a batch is written; the fault tests end the process there
        self._interval = interval  # seconds a mark may wait for others to join it
        self._batch = batch  # this many due marks are written at once, without waiting
        self._due: list[DueMark] = []
        self._full = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._writing = 0  # marks taken from the list and not yet written

    def add(self, owed: PendingAction, incident: IncidentRef, action: Action) -> None:
        self._due.append(DueMark(owed, incident, action))
        if len(self._due) >= self._batch:
            self._full.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_due(), name="done-marks")

    @property
    def busy(self) -> bool:
        """Some mark is not written yet."""
        return bool(self._due) or self._writing > 0

    async def _write_due(self) -> None:
        while self._due:
            if len(self._due) < self._batch:
                self._full.clear()
                with suppress(TimeoutError):
                    async with asyncio.timeout(self._interval):
                        await self._full.wait()
            await self._write(bookkeeping=True)

    async def _write(self, *, bookkeeping: bool) -> None:
        due, self._due = self._due, []
        if not due:
            return
        self._writing += len(due)
        try:
            self._checkpoint("marks")
            marks = [Mark(d.owed.id, d.action.ok, d.action.detail) for d in due]
            finished = await self._wait.write(
                self._outbox.finish_many, marks, self._clock.now(), bookkeeping=bookkeeping
            )
        except Exception:  # still pending in the outbox: done again at the next start, never lost
            log.exception("marking %d delivered action(s) done failed", len(due))
            return
        finally:
            self._writing -= len(due)
        for mark in due:
            if mark.owed.id in finished:
                self._marked(mark)

    async def flush(self) -> None:
        """Write every due mark now (at stop)."""
        self._full.set()
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        await self._write(bookkeeping=False)
