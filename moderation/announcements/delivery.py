"""The one loop that works the posts queue for staff announcements: every few seconds it delivers what is due
(scheduled posts whose moment has come, retries), tells senders of scheduled announcements how it went, and applies
retention.

Why the posts queue with a due time, and not an APScheduler job per announcement: the queue is already durable and
already paced, a scheduled post is just a row that is not due yet (it survives a restart with nothing extra), and
an edit or a retraction before its moment is the same row change as after it. APScheduler 3's SQLAlchemy job store
does not coordinate several schedulers on one store (each process would run the job), and it pickles the job; here
a lease per platform (`lease.DeliveryLease`) makes one process the deliverer even when several run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import InterfaceError, OperationalError

from moderation.announcements.staff import StaffAnnouncements
from moderation.announcements.staff_store import StaffRecords
from moderation.announcements.store import AnnouncementPosts
from moderation.ports import Clock
from moderation.storage.engine import storage_reason

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    interval_s: float = 5.0
    keep_days: int = 365  # announcements (and their rooms' record) older than this are deleted


class DeliveryLoop:
    def __init__(
        self,
        staff: StaffAnnouncements,
        posts: AnnouncementPosts,
        records: StaffRecords,
        clock: Clock,
        settings: DeliverySettings,
    ) -> None:
        self._staff = staff
        self._posts = posts
        self._records = records
        self._clock = clock
        self._settings = settings
        self._purged: datetime | None = None

    async def tick(self) -> None:
        await self._staff.fanout.deliver()
        await self._staff.report_due()
        now = self._clock.now()
        if self._purged is None or now - self._purged >= PURGE_EVERY:
            self._purged = now
            before = now - timedelta(days=self._settings.keep_days)
            posts, records = self._posts.purge(before), self._records.purge(before)
            if posts or records:
                log.info("announcements: retention deleted %d announcement(s) and %d post(s)", records, posts)

    async def run(self, stop: asyncio.Event) -> None:
        without_database = False
        while not stop.is_set():
            try:
                await self.tick()
            except (OperationalError, InterfaceError) as exc:  # an outage: told once, the next tick tries again
                if not without_database:
                    log.warning("announcements: no database (%s); deliveries wait for it", storage_reason(exc))
                without_database = True
            except Exception:
                log.exception("announcements: a delivery pass failed")
            else:
                if without_database:
                    log.info("announcements: the database is back; deliveries go on")
                without_database = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._settings.interval_s)
