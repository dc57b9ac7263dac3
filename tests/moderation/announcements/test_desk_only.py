"""A desk on its own (`schoolwacht web`, no chat platform) composes and queues teachers' announcements; the `run`
process, which has the platforms, sends them. The desk knows from the settings how each platform asks "Gelezen ✓",
answers that the announcement waits to be sent (and warns when no bot is running to send it), and shows when each
room got it. The queue, the record and the leases are the real ones on both databases; the rooms are a recording
announcer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import Core
from bot.relay import build_delivery, build_staff_announcements, desk_announcements
from bot.texts.nl import DUTCH
from moderation.announcements.commands import Announce, Edit
from moderation.announcements.plan import Plan, WantedPost
from moderation.announcements.staff import StaffAnnouncements
from moderation.announcements.store import AnnouncementPosts
from moderation.model import PersonId, Platform
from moderation.storage.announcements import AnnouncementPostRow
from moderation.storage.staff_announcements import StaffAnnouncementRow
from tests.moderation.announcements.test_reads import HINT, PEOPLE, ROOMS, Rooms
from tests.support.core import make_core
from tests.support.fakes import FixedClock

SAY = DUTCH.announcements
PLATFORMS: dict[str, Any] = {
    "bot": {"platforms": ["discord", "matrix"]},
    "discord": {"guild_id": 1, "staff_role_id": 2},
    "matrix": {"homeserver": "https://matrix.school.test", "user_id": "@bot:school.test"},
}


def cores(tmp_path: Path, database_url: str, **matrix: Any) -> tuple[Core, Core]:
    """The desk's process and the `run` process: two cores on one database (one clock, to follow it)."""
    settings = {**PLATFORMS, "matrix": {**PLATFORMS["matrix"], **matrix}}
    run = make_core(tmp_path, rooms=ROOMS, people=PEOPLE, with_classifier=False, database_url=database_url)
    desk = make_core(
        tmp_path / "desk",
        rooms=ROOMS,
        people=PEOPLE,
        with_classifier=False,
        database_url=database_url,
        extra_settings=settings,
    )
    clock = FixedClock(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))
    run.clock = desk.clock = clock
    return desk, run


def jan(core: Core) -> Any:
    person = core.directory.person(PersonId("jan"))
    assert person is not None
    return person


def run_side(core: Core) -> tuple[StaffAnnouncements, Rooms, Rooms]:
    matrix = Rooms(Platform.MATRIX, confirms_reads=True, members={})
    discord = Rooms(Platform.DISCORD, confirms_reads=True, members={})
    discord.read_hint = ""
    return build_staff_announcements(core, [matrix, discord]), matrix, discord


async def test_the_desk_queues_and_the_run_process_sends_once(tmp_path: Path, database_url: str) -> None:
    desk_core, run_core = cores(tmp_path, database_url)
    desk = desk_announcements(desk_core)
    assert desk is not None
    # As the announcers of the `run` process would: Matrix with the line under the post, Discord with a button.
    assert desk.composer.read_hint(Platform.MATRIX) == HINT and desk.composer.confirms_reads(Platform.MATRIX)
    assert desk.composer.read_hint(Platform.DISCORD) == "" and desk.composer.confirms_reads(Platform.DISCORD)

    command = Announce(("2B",), "Morgen geen gym", asks_read=True)
    said = await desk.announce(jan(desk_core), command, Platform.MATRIX, "@jan:school.test", "desk:1", background=True)
    assert said.startswith(SAY.queued(2, 1)) and said.endswith(SAY.nobody_delivers(["discord", "matrix"]))
    [shown] = desk.composer.sent_by(jan(desk_core))
    assert [(r.status, r.sent_at) for r in shown.rooms] == [("pending", None), ("pending", None)]

    staff, matrix, discord = run_side(run_core)
    delivery = build_delivery(run_core, staff)
    await delivery.tick()
    assert matrix.posted == {"!2b:school.test": (f"Mededeling van Meneer Jansen (2B): Morgen geen gym\n{HINT}", True)}
    assert discord.posted == {"42": ("Mededeling van Meneer Jansen (2B): Morgen geen gym", True)}
    [shown] = desk.composer.sent_by(jan(desk_core))
    assert [(r.status, r.sent_at) for r in shown.rooms] == [("done", run_core.clock.now())] * 2

    sent_again = await desk.announce(jan(desk_core), command, Platform.MATRIX, "@jan:school.test", "desk:1")
    assert sent_again == SAY.sent(2, 2, 1)  # the same form again: the same announcement
    matrix.posted.clear()
    await delivery.tick()
    assert matrix.posted == {}  # nothing sent twice

    # With the bot running (its lease is fresh), the desk no longer warns; edits and retractions queue the same way.
    edited = await desk.edit(jan(desk_core), Edit(1, "Morgen toch gym"), Platform.MATRIX, "@jan:school.test")
    assert edited == SAY.edit_queued(1)
    await delivery.tick()
    assert discord.posted["42"][0] == "Mededeling van Meneer Jansen (2B) (gewijzigd): Morgen toch gym"
    assert await desk.retract(jan(desk_core), 1) == SAY.retract_queued(1)
    await delivery.tick()
    assert matrix.posted == {} and discord.posted == {}
    assert staff.fanout.lease is not None
    staff.fanout.lease.release()


async def test_without_reactions_the_desk_does_not_ask_on_matrix(tmp_path: Path, database_url: str) -> None:
    desk_core, _ = cores(tmp_path, database_url, read_reactions=False)
    desk = desk_announcements(desk_core)
    assert desk is not None
    assert not desk.composer.confirms_reads(Platform.MATRIX) and desk.composer.confirms_reads(Platform.DISCORD)
    prepared = desk.composer.prepare(jan(desk_core), Announce(("2B",), "x", asks_read=True))
    assert not isinstance(prepared, str) and prepared.asking == {(Platform.DISCORD, "42")}


def test_a_desk_without_chat_platforms_offers_no_announcements(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=ROOMS, people=PEOPLE, with_classifier=False)  # the console only
    assert desk_announcements(core) is None


def test_the_posts_and_their_record_are_written_together_or_not_at_all(tmp_path: Path, database_url: str) -> None:
    """A process ending between the two writes (here: the record's write failing) leaves neither behind."""
    core, _ = cores(tmp_path, database_url)
    posts = AnnouncementPosts(core.sessions, "staff")
    now = core.clock.now()
    wanted = WantedPost("staff:x", Platform.MATRIX, "!2b:school.test", "tekst", "1", now)
    plan = Plan((wanted,), frozenset(), now, now, prefix="staff:x")

    def record_then_fail(session: Session) -> None:
        session.add(
            StaffAnnouncementRow(
                key="staff:x",
                author="jan",
                platform="matrix",
                account="",
                classes="2B",
                text="t",
                rooms=[],
                created_at=now,
            )
        )
        session.flush()
        raise RuntimeError("the process ends here")

    with pytest.raises(RuntimeError):
        posts.apply(plan, now, author="jan", also=record_then_fail)
    with core.sessions() as session:
        assert session.scalars(select(AnnouncementPostRow)).all() == []
        assert session.scalars(select(StaffAnnouncementRow)).all() == []
