"""The paced, durable fan-out: each owed step of the posts table is done through its platform's Announcer.

Several rooms at once (`parallel`), each room's posts one after another in order of the lesson's start: the round
trips overlap, while the platforms' own rate limits are honoured by the adapters' send paths (nio waits out
M_LIMIT_EXCEEDED, discord.py its 429s). What still fails is retried later with a growing pause, and a room that keeps
failing is given up on (recorded) without holding up the others. With a `DeliveryLease`, a process delivers only on
the platforms whose lease it holds, so several processes on one database never both post a row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from moderation.announcements.lease import DeliveryLease
from moderation.announcements.ports import Announcer
from moderation.announcements.quiet import QuietHours
from moderation.announcements.store import RETRACTED, AnnouncementPosts, Owed
from moderation.model import Platform
from moderation.ports import Clock

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(minutes=30)
MAX_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class Progress:
    done: int = 0
    failed: int = 0
    held: int = 0  # waiting for the quiet hours to end


def retry_after(attempts: int) -> timedelta | None:
    """The pause before attempt `attempts + 1`; None when it is time to give up."""
    if attempts + 1 >= MAX_ATTEMPTS:
        return None
    pause: timedelta = FIRST_RETRY * (2**attempts)
    return min(MAX_RETRY, pause)


class Fanout:
    def __init__(
        self,
        posts: AnnouncementPosts,
        announcers: Mapping[Platform, Announcer],
        clock: Clock,
        quiet: QuietHours | None = None,
        *,
        lock: asyncio.Lock | None = None,
        parallel: int = 4,
        lease: DeliveryLease | None = None,
    ) -> None:
        self._posts = posts
        # One delivery at a time in this process, shared by the relay's and the teachers' fan-outs: two passes over
        # the same queue must never both post one row.
        self.lock = lock or asyncio.Lock()
        self._parallel = max(1, parallel)
        self._announcers = dict(announcers)
        self._clock = clock
        self._quiet = quiet
        self._lease = lease  # several processes: only the lease holder of a platform delivers there

    @property
    def platforms(self) -> list[Platform]:
        return list(self._announcers)

    @property
    def lease(self) -> DeliveryLease | None:
        return self._lease

    def confirms_reads(self, platform: Platform) -> bool:
        announcer = self._announcers.get(platform)
        return announcer is not None and announcer.confirms_reads

    def read_hint(self, platform: Platform) -> str:
        announcer = self._announcers.get(platform)
        return announcer.read_hint if announcer is not None else ""

    def delivering(self) -> list[Platform]:
        """The platforms this process delivers on now (renewing their leases)."""
        if self._lease is None:
            return self.platforms
        now = self._clock.now()
        return [p for p in self.platforms if self._lease.hold(p, now)]

    async def deliver(self) -> Progress:
        """Do every owed step that is due now; returns what happened."""
        async with self.lock:
            return await self._deliver()

    async def _deliver(self) -> Progress:
        platforms = self.delivering()
        if not platforms:
            return Progress()
        now = self._clock.now()
        quiet = self._quiet is not None and self._quiet.holds(now)
        rooms: dict[tuple[Platform, str], list[Owed]] = {}
        held = 0
        for owed in self._posts.owed(platforms, now):
            if quiet and owed.wanted != RETRACTED:
                held += 1
                continue
            rooms.setdefault((owed.platform, owed.room_id), []).append(owed)
        outcomes: list[bool] = []
        turns = asyncio.Semaphore(self._parallel)

        async def one_room(steps: list[Owed]) -> None:
            async with turns:
                for owed in steps:
                    outcomes.append(await self._do(owed))

        tasks = [asyncio.create_task(one_room(steps)) for steps in rooms.values()]
        try:
            await asyncio.gather(*tasks)
        except BaseException:  # a stop (or a cancellation) ends every room's pass, not just the one it hit
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        done = sum(outcomes)
        return Progress(done, len(outcomes) - done, held)

    async def _do(self, owed: Owed) -> bool:
        announcer = self._announcers[owed.platform]
        step = owed.step
        try:
            if step == "post":
                found = await announcer.find_posted(owed.room_id, owed.text) if owed.maybe_sent else None
                if found is not None:
                    self._posts.done(owed, self._clock.now(), message_id=found, shows=owed.text, action="found")
                    return True
                self._posts.sending(owed, self._clock.now())
                message_id = await announcer.post(
                    owed.room_id, owed.text, f"{owed.id}-{owed.generation}", asks_read=owed.asks_read
                )
                self._posts.done(owed, self._clock.now(), message_id=message_id, shows=owed.text, action="posted")
            elif step == "edit":
                assert owed.message_id is not None
                await announcer.edit(owed.room_id, owed.message_id, owed.text)
                self._posts.done(owed, self._clock.now(), message_id=owed.message_id, shows=owed.text, action="edited")
            elif step == "retract":
                assert owed.message_id is not None
                await announcer.retract(owed.room_id, owed.message_id)
                self._posts.done(owed, self._clock.now(), message_id=owed.message_id, shows=None, action="retracted")
            else:
                self._posts.done(
                    owed, self._clock.now(), message_id=owed.message_id, shows=owed.posted_text, action="settled"
                )
        except Exception as exc:  # one room's failure must not stop the others: recorded, retried later
            detail = f"{step} in {owed.platform.value} room {owed.room_id}: {type(exc).__name__}: {exc}"
            retry = retry_after(owed.attempts)
            if retry is None:
                log.error("announcement %s: giving up after %d attempts: %s", owed.id, owed.attempts + 1, detail)
            else:
                log.warning("announcement %s: %s; trying again in %ds", owed.id, detail, retry.total_seconds())
            self._posts.failed(owed, self._clock.now(), detail, retry_in=retry)
            return False
        return True
