"""The timetable relay end to end on the fake Discord server (discord.py's real client): each class announcement
channel shows exactly one current post per change, edited where it changed, deleted where it was withdrawn; a kill
between posting and recording posts nothing twice (Discord has no idempotent send: the channel is looked at)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.announcer import DiscordAnnouncer
from adapters.discord.client import DiscordAdapter
from bot.app import Core
from moderation.model import AccountId, Platform
from tests.adapters.discord.classifier import make_classifier
from tests.support.announcements import clock_at, make_relay, zermelo_settings
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, School
from tests.support.fake_discord.state import GUILD_NEWS
from tests.support.fake_zermelo import FakeZermelo
from tests.support.fake_zermelo.week import FIRST_2B, FIRST_3A, LATER_2B, LATER_3A, SchoolWeek


class Killed(BaseException):
    """The process ends here (not an error the relay could catch and record; it stops every task at once)."""


class KilledAfterPosting:
    def __init__(self, real: DiscordAnnouncer, after: int) -> None:
        self.platform = real.platform
        self.confirms_reads = real.confirms_reads
        self.read_hint = real.read_hint
        self._real = real
        self._left = after

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        message_id = await self._real.post(room_id, text, key, asks_read=asks_read)
        self._left -= 1
        if self._left == 0:
            raise Killed
        return message_id

    async def find_posted(self, room_id: str, text: str) -> str | None:
        return await self._real.find_posted(room_id, text)

    async def edit(self, room_id: str, message_id: str, text: str) -> None:
        await self._real.edit(room_id, message_id, text)

    async def retract(self, room_id: str, message_id: str) -> None:
        await self._real.retract(room_id, message_id)


def shown(school: School, channel_id: int) -> list[str]:
    return [
        m.content for m in school.world.messages.values() if m.channel_id == channel_id and m.author_id == school.bot.id
    ]


async def test_the_week_reaches_each_class_channel_once_per_change(tmp_path: Path, school: School) -> None:
    ch3a = school.world.add_channel("mededelingen-3a", type=GUILD_NEWS)
    rooms: list[dict[str, Any]] = [
        *school.rooms(),
        {"platform": "discord", "id": str(ch3a.id), "name": "mededelingen-3a", "kind": "announcement"},
    ]
    timetable = SchoolWeek().plan_week()
    async with FakeZermelo(timetable.portal).running() as portal, FakeDiscord(school.world).running():

        def start() -> tuple[Core, DiscordAdapter]:
            core = make_core(
                tmp_path,
                rooms=rooms,
                people=school.people(),
                classifier=make_classifier(),
                bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
                extra_settings=zermelo_settings(portal.url),
            )
            core.clock = clock_at()
            config = replace(school.config(), bot_posts_announcements=True)
            return core, DiscordAdapter(config, BOT_TOKEN, state=core.state)

        core, adapter = start()
        await adapter.start(core.moderator)
        try:
            timetable.first_changes()
            with pytest.raises(Killed):
                await make_relay(
                    core, [KilledAfterPosting(DiscordAnnouncer(adapter, core.moderator.texts), after=4)], portal.url
                ).poll_once()
        finally:
            await adapter.stop()
            core.close()
        # The 4th post went out and the process died; a post in flight in another channel may have gone out too.
        assert len(shown(school, school.announcements.id)) + len(shown(school, ch3a.id)) >= 4

        core, adapter = start()
        await adapter.start(core.moderator)
        try:
            relay = make_relay(core, [DiscordAnnouncer(adapter, core.moderator.texts)], portal.url)
            await relay.poll_once()
            assert sorted(shown(school, school.announcements.id)) == sorted(FIRST_2B)
            assert sorted(shown(school, ch3a.id)) == sorted(FIRST_3A)

            timetable.later_changes()
            await relay.poll_once()
            await relay.poll_once()
            assert sorted(shown(school, school.announcements.id)) == sorted(LATER_2B)
            assert sorted(shown(school, ch3a.id)) == sorted(LATER_3A)
            edited = [m for m in school.world.messages.values() if m.edited_timestamp and m.channel_id == ch3a.id]
            assert [m.content for m in edited] == ["3A: het 2e uur Nederlands (wo 9 dec) is verplaatst naar lokaal 110"]
            gone = [m.content for m in school.world.deleted.values() if m.channel_id == ch3a.id]
            assert gone == ["3A: het 1e uur geschiedenis (do 10 dec) vervalt"]
        finally:
            await adapter.stop()
            core.close()


async def test_a_fan_out_waits_out_rate_limits_and_one_broken_channel_stops_no_other(
    tmp_path: Path, school: School
) -> None:
    classes = [f"K{i}" for i in range(1, 7)]
    channels = {c: school.world.add_channel(f"mededelingen-{c.lower()}", type=GUILD_NEWS) for c in classes}
    rooms: list[dict[str, Any]] = [
        {"platform": "discord", "id": str(ch.id), "name": ch.name, "kind": "announcement"} for ch in channels.values()
    ]
    timetable = SchoolWeek()
    for slot in (1, 2, 3):
        timetable.lesson(f"ak-{slot}", 0, slot, subjects=["ak"], groups=["leerjaar1"], locations=["104"])
    async with FakeZermelo(timetable.portal).running() as portal, FakeDiscord(school.world).running() as fake:
        for channel in channels.values():  # Discord's per-channel message bucket, small enough to be hit
            fake.rest.buckets.add("POST", rf"^/api/v10/channels/{channel.id}/messages$", limit=2, per=0.5)
        broken = channels["K4"]
        fake.rest.faults.add(
            "POST", rf"/channels/{broken.id}/messages$", 403, times=100, code=50001, message="Missing Access"
        )
        core = make_core(
            tmp_path,
            rooms=rooms,
            people=school.people(),
            classifier=make_classifier(),
            bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
            extra_settings=zermelo_settings(portal.url, groups={"leerjaar1": classes}),
        )
        core.clock = clock_at()
        adapter = DiscordAdapter(replace(school.config(), bot_posts_announcements=True), BOT_TOKEN, state=core.state)
        await adapter.start(core.moderator)
        try:
            for name in ("ak-1", "ak-2", "ak-3"):
                timetable.portal.change(timetable.lessons[name], cancelled=True)
            result = await make_relay(core, [DiscordAnnouncer(adapter, core.moderator.texts)], portal.url).poll_once()
        finally:
            await adapter.stop()
            core.close()
    assert (result.progress.done, result.progress.failed) == (15, 3)
    for cls, channel in channels.items():
        assert len(shown(school, channel.id)) == (0 if cls == "K4" else 3)
    refused = sum(b.refused for b in fake.rest.buckets.active)
    assert refused < 5  # discord.py read the limits' headers and paced itself; the few 429s it met were waited out
    with core.sessions() as session:
        from sqlalchemy import select

        from moderation.storage.announcements import AnnouncementPostRow

        failed = session.scalars(select(AnnouncementPostRow).where(AnnouncementPostRow.room_id == str(broken.id)))
        assert all("50001" in row.detail and row.status == "pending" for row in failed)


async def test_a_teachers_announcement_reaches_the_discord_channels_and_is_retracted(
    tmp_path: Path, school: School
) -> None:
    from bot.relay import build_staff_announcements

    ch3a = school.world.add_channel("mededelingen-3a", type=GUILD_NEWS)
    rooms: list[dict[str, Any]] = [
        *school.rooms(),
        {"platform": "discord", "id": str(ch3a.id), "name": "mededelingen-3a", "kind": "announcement"},
    ]
    async with FakeDiscord(school.world).running():
        core = make_core(
            tmp_path,
            rooms=rooms,
            people=school.people(),
            classifier=make_classifier(),
            bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
        )
        adapter = DiscordAdapter(replace(school.config(), bot_posts_announcements=True), BOT_TOKEN, state=core.state)
        await adapter.start(core.moderator)
        try:
            staff = build_staff_announcements(core, [DiscordAnnouncer(adapter, core.moderator.texts)])
            teacher = str(school.teacher.id)  # Meneer Jansen, as his Discord account in the roster
            command = "!mededeling 2b 3a: Toets Engels gaat door"
            reply = await staff.handle(Platform.DISCORD, teacher, command, "1001")
            assert reply is not None and reply.startswith("Verstuurd naar 2 van 2 ruimtes")
            assert await staff.handle(Platform.DISCORD, teacher, command, "1001") == reply  # a replay posts nothing
            assert shown(school, school.announcements.id) == [
                "Mededeling van Meneer Jansen (2B): Toets Engels gaat door"
            ]
            assert shown(school, ch3a.id) == ["Mededeling van Meneer Jansen (3A): Toets Engels gaat door"]
            student = await staff.handle(Platform.DISCORD, str(school.sanne.id), "!mededeling 2b: vrij!")
            assert student == "Alleen medewerkers van de school kunnen mededelingen versturen."
            code = reply.split("nummer ")[1].split(";")[0]
            assert await staff.handle(Platform.DISCORD, teacher, f"!intrekken {code}") == (
                f"Mededeling {code} is overal ingetrokken."
            )
            assert shown(school, school.announcements.id) == [] and shown(school, ch3a.id) == []
        finally:
            await adapter.stop()
            core.close()
