"""The timetable relay: read the timetable for the coming days, bring the posts table in line, fan out.

A portal that cannot be reached, or a token it refuses, gives one clear log line when it starts and one when it is
over; in between the relay waits longer each time (up to `max_backoff`) and never stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from moderation.announcements.fanout import Fanout, Progress
from moderation.announcements.plan import news_plan, plan
from moderation.announcements.ports import TimetableSource, TimetableUnavailable
from moderation.announcements.store import AnnouncementPosts, Changes
from moderation.announcements.targets import RoomKey, RoomTargets
from moderation.ports import Clock
from moderation.texts import TimetableTexts

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RelaySettings:
    days_ahead: int
    interval: timedelta
    timezone: ZoneInfo
    news_rooms: tuple[RoomKey, ...] = ()  # where the school's own announcements from the timetable go
    max_backoff: timedelta = timedelta(minutes=30)
    keep_days: int = 30  # posts about lessons longer ago than this are deleted (retention)


@dataclass(frozen=True, slots=True)
class PollResult:
    ok: bool
    changes: Changes = field(default_factory=Changes)
    progress: Progress = field(default_factory=Progress)
    reason: str = ""


class TimetableRelay:
    def __init__(
        self,
        source: TimetableSource,
        posts: AnnouncementPosts,
        targets: RoomTargets,
        composer: TimetableTexts,
        fanout: Fanout,
        clock: Clock,
        settings: RelaySettings,
    ) -> None:
        self._source = source
        self._posts = posts
        self._targets = targets
        self._composer = composer
        self._fanout = fanout
        self._clock = clock
        self._settings = settings
        self._failing: str | None = None  # the reason of the outage in progress, logged once
        self._unreached: set[str] = set()

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """From the start of today (local) to the end of the day `days_ahead` days later."""
        today = now.astimezone(self._settings.timezone).date()
        start = datetime.combine(today, time(0), self._settings.timezone)
        end = datetime.combine(today + timedelta(days=self._settings.days_ahead + 1), time(0), self._settings.timezone)
        return start, end

    async def poll_once(self) -> PollResult:
        now = self._clock.now()
        start, end = self.window(now)
        try:
            lessons = await self._source.lessons(start, end)
            news = await self._source.news() if self._settings.news_rooms else ()
        except TimetableUnavailable as exc:
            reason = str(exc)
            if self._failing is None:
                log.error("timetable relay: %s; retrying with a growing pause", reason)
            self._failing = reason
            progress = await self._fanout.deliver()  # what is already queued still goes out
            return PollResult(False, progress=progress, reason=reason)
        if self._failing is not None:
            log.info("timetable relay: the timetable can be read again")
            self._failing = None
        self._note_unreached([g for lesson in lessons if lesson.is_change for g in lesson.groups])
        changes = self._posts.apply(plan(lessons, self._targets, self._composer, start, end), now)
        if self._settings.news_rooms:
            self._posts.apply(news_plan(news, self._settings.news_rooms, self._composer, now), now)
        progress = await self._fanout.deliver()
        self._posts.purge(now - timedelta(days=self._settings.keep_days))
        return PollResult(True, changes, progress)

    def _note_unreached(self, groups: list[str]) -> None:
        new = sorted(set(self._targets.unreached(groups)) - self._unreached)
        if new:
            self._unreached.update(new)
            log.warning(
                "timetable relay: changes for group(s) %s reach no announcement room; map them under "
                "[zermelo.groups] or name a room after the class",
                ", ".join(new),
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; a failed poll waits twice as long as the one before (up to max_backoff)."""
        pause = self._settings.interval
        while not stop.is_set():
            try:
                result = await self.poll_once()
            except Exception:  # a bug or a database outage must not end the relay
                log.exception("timetable relay: a poll failed; trying again")
                result = PollResult(False)
            if result.ok:
                pause = self._settings.interval
            else:
                pause = min(self._settings.max_backoff, max(pause * 2, self._settings.interval))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause.total_seconds())
