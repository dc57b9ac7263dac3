"""A teacher's announcement typed in a DM with the bot on the fake Discord server (discord.py's real client): one
scheduled for 07:30 to three channels is in none of them before, and in all three at 07:30 after a restart in
between; the teacher hears how it went; `!wijzig` edits it everywhere and `!intrekken` deletes it everywhere; a
student cannot announce."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from adapters.discord.client import DiscordAdapter
from bot.app import Core
from bot.relay import attach_staff_commands, build_delivery
from moderation.announcements.staff import StaffAnnouncements
from moderation.model import AccountId, Platform
from moderation.storage.announcements import AnnouncementLogRow
from moderation.storage.staff_announcements import StaffAnnouncementRow
from tests.adapters.discord.classifier import make_classifier
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, School
from tests.support.fake_discord.state import GUILD_NEWS, User
from tests.support.fakes import FixedClock

MONDAY_0700 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam
AT_0730 = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


def shown(school: School, channel_id: int) -> list[str]:
    return [
        m.content for m in school.world.messages.values() if m.channel_id == channel_id and m.author_id == school.bot.id
    ]


async def say(school: School, fake: FakeDiscord, user: User, text: str) -> str:
    """`user` types `text` in their DM with the bot; the bot's answer."""
    dm = school.world.open_dm(user.id, school.bot.id)
    before = len(shown(school, dm.id))
    school.world.create_message(user.id, dm.id, text)
    await fake.wait_for(lambda: len(shown(school, dm.id)) > before, timeout=10)
    return shown(school, dm.id)[before]


async def test_a_scheduled_announcement_arrives_after_a_restart_and_is_edited_and_retracted(
    tmp_path: Path, school: School
) -> None:
    extra = [school.world.add_channel(name, type=GUILD_NEWS) for name in ("2b-rooster", "mededelingen-3a")]
    rooms: list[dict[str, Any]] = [
        *school.rooms(),
        *({"platform": "discord", "id": str(ch.id), "name": ch.name, "kind": "announcement"} for ch in extra),
    ]
    channels = [school.announcements.id, *(ch.id for ch in extra)]
    school.world.member_request_window = 0.2  # the restart asks for the member list again at once

    def start(at: datetime) -> tuple[Core, DiscordAdapter, StaffAnnouncements]:
        core = make_core(
            tmp_path,
            rooms=rooms,
            people=school.people(),
            classifier=make_classifier(),
            bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
        )
        core.clock = FixedClock(at)
        config = replace(school.config(), bot_posts_announcements=True)
        adapter = DiscordAdapter(config, BOT_TOKEN, state=core.state)
        staff = attach_staff_commands(core, [adapter])
        assert staff is not None
        return core, adapter, staff

    async with FakeDiscord(school.world).running() as fake:
        core, adapter, staff = start(MONDAY_0700)
        await adapter.start(core.moderator)
        try:
            reply = await say(school, fake, school.teacher, "!mededeling om 07:30 2b 3a: vervalt 1e uur wiskunde")
            assert reply.startswith("Gepland voor ma 7 dec om 07:30 naar 3 ruimte(s) (nummer ")
            code = reply.split("nummer ")[1].split(";")[0]
            student = await say(school, fake, school.sanne, "!mededeling 2b: morgen vrij!")
            assert student == "Alleen medewerkers van de school kunnen mededelingen versturen."
            await build_delivery(core, staff).tick()
            assert all(shown(school, ch) == [] for ch in channels)  # not before its time
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()

        core, adapter, staff = start(AT_0730)  # the restart; the clock has reached 07:30
        await adapter.start(core.moderator)
        try:
            await build_delivery(core, staff).tick()
            assert [shown(school, ch) for ch in channels] == [
                ["Mededeling van Meneer Jansen (2B): Het 1e uur wiskunde vervalt."],
                ["Mededeling van Meneer Jansen (2B): Het 1e uur wiskunde vervalt."],
                ["Mededeling van Meneer Jansen (3A): Het 1e uur wiskunde vervalt."],
            ]
            dm = school.world.open_dm(school.teacher.id, school.bot.id)
            assert shown(school, dm.id)[-1] == f"Je geplande mededeling {code} is verstuurd naar 3 van 3 ruimtes."

            edited = await say(school, fake, school.teacher, f"!wijzig {code}: vervalt 1e en 2e uur wiskunde")
            assert edited == f"Mededeling {code} is gewijzigd in 3 van 3 ruimtes."
            assert shown(school, extra[1].id) == [
                "Mededeling van Meneer Jansen (3A) (gewijzigd): Het 1e en 2e uur wiskunde vervalt."
            ]
            gone = await say(school, fake, school.teacher, f"!intrekken {code}")
            assert gone == f"Mededeling {code} is overal ingetrokken."
            assert all(shown(school, ch) == [] for ch in channels)
            with core.sessions() as session:
                record = session.scalars(select(StaffAnnouncementRow)).one()
                assert (record.author, record.edited_by, record.retracted_by) == ("jan", "jan", "jan")
                log = session.scalars(select(AnnouncementLogRow).order_by(AnnouncementLogRow.id)).all()
                first = [e.action for e in log if e.post_id == log[0].post_id]
                assert first == ["queued", "posted", "changed", "edited", "withdrawn", "retracted"]
        finally:
            await adapter.stop()
            core.close()
