"""One deliverer per platform when two bot processes share the database, on SQLite and PostgreSQL: the second
waits while the first holds the lease, takes over once it expired (the first died) or was released (a clean stop);
a post owed in the queue goes out once though both processes pass over it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.database import upgrade
from moderation.announcements.fanout import Fanout
from moderation.announcements.lease import DeliveryLease
from moderation.announcements.plan import Plan, WantedPost
from moderation.announcements.store import AnnouncementPosts
from moderation.model import Platform
from moderation.storage.engine import make_engine, make_session_factory
from tests.support.fakes import FixedClock

NOW = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


class Recording:
    platform = Platform.DISCORD
    confirms_reads = False
    read_hint = ""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str]] = []

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        self.posted.append((room_id, text))
        return f"m{len(self.posted)}"

    async def find_posted(self, room_id: str, text: str) -> str | None:
        return None

    async def edit(self, room_id: str, message_id: str, text: str) -> None:
        raise AssertionError("not edited here")

    async def retract(self, room_id: str, message_id: str) -> None:
        raise AssertionError("not retracted here")


async def test_one_process_delivers_and_another_takes_over_when_it_is_gone(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        first, second = DeliveryLease(sessions, "first"), DeliveryLease(sessions, "second")
        assert first.hold(Platform.DISCORD, NOW) and first.hold(Platform.DISCORD, NOW + timedelta(seconds=30))
        assert not second.hold(Platform.DISCORD, NOW + timedelta(seconds=60))  # renewed at 30 s: still the first's
        assert second.hold(Platform.MATRIX, NOW)  # each platform has its own
        assert second.hold(Platform.DISCORD, NOW + timedelta(seconds=91))  # the first stopped renewing: expired
        assert not first.hold(Platform.DISCORD, NOW + timedelta(seconds=92))
        second.release()
        assert first.hold(Platform.DISCORD, NOW + timedelta(seconds=93))  # released: at once

        posts = AnnouncementPosts(sessions, "staff")
        wanted = WantedPost("staff:x", Platform.DISCORD, "42", "Mededeling van Meneer Jansen (2B): x", "1", NOW)
        posts.apply(Plan((wanted,), frozenset(), NOW, NOW, prefix="staff:x"), NOW)
        clock = FixedClock(NOW + timedelta(seconds=94))
        announcers = [Recording(), Recording()]
        fanouts = [
            Fanout(posts, {Platform.DISCORD: a}, clock, lease=lease)
            for a, lease in zip(announcers, (first, second), strict=True)
        ]
        assert (await fanouts[1].deliver()).done == 0  # not the holder: leaves the queue alone
        assert (await fanouts[0].deliver()).done == 1
        assert (await fanouts[1].deliver()).done == 0
        assert [len(a.posted) for a in announcers] == [1, 0]
    finally:
        engine.dispose()
