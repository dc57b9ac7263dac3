"""The timetable relay on a real core and database, reading the fake Zermelo portal over HTTP, posting through a
recording announcer (the platforms' own paths have end-to-end tests in tests/adapters/*/test_announcer.py)."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from moderation.model import Platform
from moderation.storage.announcements import AnnouncementLogRow, AnnouncementPostRow
from tests.support.announcements import clock_at, make_relay, relay_core
from tests.support.fake_zermelo import FakeZermelo
from tests.support.fake_zermelo.week import FIRST_2B, FIRST_3A, LATER_2B, LATER_3A, TOKEN, SchoolWeek

ROOMS = [
    {"platform": "console", "id": "ann-2b", "name": "Mededelingen 2B", "kind": "announcement"},
    {"platform": "console", "id": "ann-3a", "name": "mededelingen-3a", "kind": "announcement"},
    {"platform": "console", "id": "klas-2b", "name": "klas 2B", "kind": "class"},  # not an announcement room
]


@dataclass
class RecordingAnnouncer:
    """What each room shows, and every call made (pure bookkeeping in place of a platform)."""

    platform: Platform = Platform.CONSOLE
    confirms_reads: bool = False
    read_hint: str = ""
    rooms: dict[str, dict[str, str]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    failing_rooms: set[str] = field(default_factory=set)
    ids: Any = field(default_factory=lambda: itertools.count(1))

    def shows(self, room: str) -> set[str]:
        return set(self.rooms.get(room, {}).values())

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        if room_id in self.failing_rooms:
            raise RuntimeError("room unreachable")
        message_id = f"m{next(self.ids)}"
        self.rooms.setdefault(room_id, {})[message_id] = text
        self.calls.append(("post", room_id))
        return message_id

    async def find_posted(self, room_id: str, text: str) -> str | None:
        return next((mid for mid, shown in self.rooms.get(room_id, {}).items() if shown == text), None)

    async def edit(self, room_id: str, message_id: str, text: str) -> None:
        self.rooms[room_id][message_id] = text
        self.calls.append(("edit", room_id))

    async def retract(self, room_id: str, message_id: str) -> None:
        del self.rooms[room_id][message_id]
        self.calls.append(("retract", room_id))


@pytest.fixture
async def portal() -> Any:
    week = SchoolWeek().plan_week()
    async with FakeZermelo(week.portal).running() as fake:
        yield week, fake


async def test_a_week_of_changes_is_posted_edited_and_retracted_once_each(
    tmp_path: Path, portal: Any, database_url: str
) -> None:
    week, fake = portal
    core = relay_core(tmp_path, ROOMS, fake.url, database_url=database_url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)

    first = await relay.poll_once()
    assert first.ok and first.changes.queued == 0 and rooms.calls == []  # nothing changed yet
    week.first_changes()
    await relay.poll_once()
    assert rooms.shows("ann-2b") == FIRST_2B
    assert rooms.shows("ann-3a") == FIRST_3A
    assert "klas-2b" not in rooms.rooms
    assert sorted(rooms.calls) == sorted([("post", "ann-2b")] * 3 + [("post", "ann-3a")] * 3)

    week.later_changes()
    rooms.calls.clear()
    await relay.poll_once()
    assert rooms.shows("ann-2b") == LATER_2B
    assert rooms.shows("ann-3a") == LATER_3A
    # the room change that changed again is an edit of the same post; the withdrawn cancellation is retracted
    assert sorted(rooms.calls) == [("edit", "ann-3a"), ("post", "ann-2b"), ("retract", "ann-3a")]

    rooms.calls.clear()
    await relay.poll_once()
    assert rooms.calls == []  # the same timetable again: nothing to do


async def test_a_restart_posts_nothing_twice(tmp_path: Path, portal: Any, database_url: str) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url, database_url=database_url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    await make_relay(core, [rooms], fake.url).poll_once()
    posted = len(rooms.calls)
    core.close()

    again = relay_core(tmp_path, ROOMS, fake.url, database_url=database_url)  # the same database, a new process
    again.clock = clock_at(datetime(2026, 12, 6, 17, 30, tzinfo=UTC))
    await make_relay(again, [rooms], fake.url).poll_once()
    assert len(rooms.calls) == posted == 6
    week.later_changes()
    await make_relay(again, [rooms], fake.url).poll_once()
    assert rooms.shows("ann-3a") == LATER_3A and len(rooms.calls) == posted + 3


async def test_quiet_hours_hold_posts_until_morning_but_not_retractions(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    core = relay_core(tmp_path, ROOMS, fake.url)
    clock = clock_at(datetime(2026, 12, 6, 22, 30, tzinfo=UTC))  # 23:30 in Amsterdam
    core.clock = clock
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    week.first_changes()
    result = await relay.poll_once()
    assert rooms.calls == [] and result.progress.held == 6
    clock.advance(hours=7)  # 06:30: still quiet (21:00-07:00)
    assert (await relay.poll_once()).progress.held == 6
    clock.advance(hours=1)  # 07:30
    await relay.poll_once()
    assert rooms.shows("ann-2b") == FIRST_2B


async def test_one_failing_room_does_not_hold_up_the_others_and_is_retried(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    clock = clock_at()
    core.clock = clock
    rooms = RecordingAnnouncer(failing_rooms={"ann-2b"})
    relay = make_relay(core, [rooms], fake.url)
    result = await relay.poll_once()
    assert rooms.shows("ann-3a") == FIRST_3A and result.progress.failed == 3
    with core.sessions() as session:
        failed = session.scalars(select(AnnouncementPostRow).where(AnnouncementPostRow.room_id == "ann-2b")).all()
        assert all(r.status == "pending" and r.attempts == 1 and "room unreachable" in r.detail for r in failed)
    rooms.failing_rooms.clear()
    await relay.poll_once()
    assert "ann-2b" not in rooms.rooms  # the pause before the retry has not passed
    clock.advance(seconds=31)
    await relay.poll_once()
    assert rooms.shows("ann-2b") == FIRST_2B


async def test_every_step_is_recorded(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    await relay.poll_once()
    week.later_changes()
    await relay.poll_once()
    with core.sessions() as session:
        row = session.scalars(
            select(AnnouncementPostRow).where(AnnouncementPostRow.text.contains("geschiedenis"))
        ).one()
        actions = [
            entry.action
            for entry in session.scalars(
                select(AnnouncementLogRow).where(AnnouncementLogRow.post_id == row.id).order_by(AnnouncementLogRow.id)
            )
        ]
    assert actions == ["queued", "posted", "withdrawn", "retracted"]
    assert row.wanted == "retracted" and row.posted_text is None and row.status == "done"


async def test_a_refused_token_logs_once_and_retries(
    tmp_path: Path, portal: Any, caplog: pytest.LogCaptureFixture
) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url, token="expired-token")
    with caplog.at_level(logging.INFO, logger="moderation.announcements.relay"):
        for _ in range(3):
            result = await relay.poll_once()
            assert not result.ok
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "refused the API token (401" in errors[0].getMessage()
    assert "SCHOOLWACHT_ZERMELO_TOKEN" in errors[0].getMessage()
    assert rooms.calls == []


async def test_an_unreachable_portal_logs_once_retries_and_recovers(
    tmp_path: Path, portal: Any, caplog: pytest.LogCaptureFixture
) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    port = fake.port
    await fake.stop()
    with caplog.at_level(logging.INFO, logger="moderation.announcements.relay"):
        assert not (await relay.poll_once()).ok
        assert not (await relay.poll_once()).ok
        week.portal.failure = 503
        await fake.start(port)
        assert not (await relay.poll_once()).ok  # a 503 is the same outage: no new line
        week.portal.failure = None
        assert (await relay.poll_once()).ok
    lines = [r.getMessage() for r in caplog.records]
    assert len([line for line in lines if "cannot be reached" in line]) == 1
    assert not any("503" in line for line in lines)
    assert lines.count("timetable relay: the timetable can be read again") == 1
    assert rooms.shows("ann-2b") == FIRST_2B


async def test_a_partial_answer_is_refused_and_retracts_nothing(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    await relay.poll_once()
    week.portal.page_limit = 3
    result = await relay.poll_once()
    assert not result.ok and "partial answer" in result.reason
    assert rooms.shows("ann-2b") == FIRST_2B and rooms.shows("ann-3a") == FIRST_3A


async def test_a_malformed_appointment_is_a_clear_error_not_a_crash(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    week.first_changes()
    week.portal.current(week.lessons["wi-2b-ma"])["startTimeSlot"] = "3e"
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    result = await make_relay(core, [rooms], fake.url).poll_once()
    assert not result.ok and "'startTimeSlot' is not a whole number" in result.reason
    assert rooms.calls == []


async def test_run_loops_until_stopped_and_backs_off(tmp_path: Path, portal: Any) -> None:
    import asyncio

    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    for _ in range(200):
        if rooms.shows("ann-3a") == FIRST_3A:
            break
        await asyncio.sleep(0.02)
    polls = len(week.portal.requests)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert rooms.shows("ann-3a") == FIRST_3A and polls >= 1


async def test_the_schools_own_announcements_go_to_the_news_rooms_once(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    now = week.portal.clock
    week.portal.add_announcement(now - 60, now + 3600, "Studiedag", "Vrijdag 11 dec zijn\nalle lessen vervallen")
    core = relay_core(tmp_path, ROOMS, fake.url, zermelo={"news_rooms": ["ann-3a"]})
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    await relay.poll_once()
    assert rooms.shows("ann-3a") == {"Mededeling: Studiedag\nVrijdag 11 dec zijn alle lessen vervallen"}
    week.first_changes()
    week.portal.clock += 7200  # the announcement is no longer current: it expired, it was not withdrawn
    await relay.poll_once()
    assert "Mededeling: Studiedag\nVrijdag 11 dec zijn alle lessen vervallen" in rooms.shows("ann-3a")
    assert rooms.shows("ann-3a") - FIRST_3A == {"Mededeling: Studiedag\nVrijdag 11 dec zijn alle lessen vervallen"}
    assert ("retract", "ann-3a") not in rooms.calls


async def test_a_change_withdrawn_and_made_again_is_a_new_post(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    await relay.poll_once()
    history = week.lessons["gs-3a-do"]
    week.portal.restore(history)
    await relay.poll_once()
    assert "3A: het 1e uur geschiedenis (do 10 dec) vervalt" not in rooms.shows("ann-3a")
    week.portal.change(history, cancelled=True)
    rooms.calls.clear()
    await relay.poll_once()
    assert "3A: het 1e uur geschiedenis (do 10 dec) vervalt" in rooms.shows("ann-3a")
    assert rooms.calls == [("post", "ann-3a")]


async def test_a_lesson_given_to_another_group_moves_its_post(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    await relay.poll_once()
    week.portal.change(week.lessons["wi-2b-ma"], groups=["3a"])
    rooms.calls.clear()
    await relay.poll_once()
    assert sorted(rooms.calls) == [("post", "ann-3a"), ("retract", "ann-2b")]
    assert "3A: het 3e uur wiskunde (ma 7 dec) vervalt" in rooms.shows("ann-3a")


async def test_posts_about_lessons_long_past_are_purged_with_their_log(tmp_path: Path, portal: Any) -> None:
    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    clock = clock_at()
    core.clock = clock
    rooms = RecordingAnnouncer()
    relay = make_relay(core, [rooms], fake.url)
    await relay.poll_once()
    clock.advance(days=45)
    await relay.poll_once()
    with core.sessions() as session:
        assert session.scalars(select(AnnouncementPostRow)).all() == []
        assert session.scalars(select(AnnouncementLogRow)).all() == []


class SlowAnnouncer(RecordingAnnouncer):
    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        import asyncio

        await asyncio.sleep(0.01)  # the platform takes its time: a second pass would overtake this one
        return await super().post(room_id, text, key, asks_read=asks_read)


async def test_two_passes_at_once_post_each_row_once(tmp_path: Path, portal: Any) -> None:
    import asyncio

    from bot.relay import build_relay, build_staff_announcements
    from tests.support.announcements import ZermeloClient, ZermeloConfig

    week, fake = portal
    week.first_changes()
    core = relay_core(tmp_path, ROOMS, fake.url)
    core.clock = clock_at()
    rooms = SlowAnnouncer()
    staff = build_staff_announcements(core, [rooms])
    source = ZermeloClient(ZermeloConfig(fake.url), TOKEN)
    relays = [build_relay(core, [rooms], source=source, lock=staff.lock) for _ in range(2)]
    await asyncio.gather(*(relay.poll_once() for relay in relays if relay is not None))
    assert sorted(rooms.calls) == sorted([("post", "ann-2b")] * 3 + [("post", "ann-3a")] * 3)
