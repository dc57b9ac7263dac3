"""Read confirmations ("Gelezen ✓") on the fake Discord server with discord.py's real client: a teacher's
`!mededeling 2b +gelezen: …` carries one button; each reader's press is counted once and answered only to them, and
pressing again takes it back; the teacher's `!gelezen` shows the count against the channel's readers; an edit keeps
the button, a retraction deletes the post. The fake checks the button against Discord's component rules and that a
press names a button the post carries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.discord.client import DiscordAdapter
from adapters.discord.reads import READ_CUSTOM_ID
from bot.relay import attach_staff_commands
from bot.texts.nl import DUTCH
from moderation.announcements.reads import ReadOutcome
from moderation.model import AccountId, Platform
from moderation.texts import Phrase
from tests.adapters.discord.test_scheduled_announcements import say, shown
from tests.support.core import make_core
from tests.support.fake_discord import DiscordError, FakeDiscord
from tests.support.fake_discord.components import check_components
from tests.support.fake_discord.school import BOT_TOKEN, School
from tests.support.fake_discord.state import User
from tests.support.fakes import FixedClock

SAY = DUTCH.announcements
EPHEMERAL = 64
CHANNEL_MESSAGE = 4  # an interaction answered with a message


async def press(fake: FakeDiscord, user: User, message_id: int, *, forged: bool = False) -> str:
    """`user` presses "Gelezen ✓" on the post; what the bot answered them (only they see it). `forged`: on a
    message without that button (a crafted request)."""
    message = fake.world.messages[message_id]
    interaction = fake.press(user, message, READ_CUSTOM_ID, forged=forged)
    await fake.wait_for(lambda: interaction in fake.rest.interaction_responses)
    answer = fake.rest.interaction_responses[interaction]
    assert answer["type"] == CHANNEL_MESSAGE and answer["data"]["flags"] & EPHEMERAL
    return str(answer["data"]["content"])


async def test_readers_confirm_once_and_the_teacher_sees_the_count(tmp_path: Path, school: School) -> None:
    core = make_core(
        tmp_path,
        rooms=school.rooms(),
        people=school.people(),
        with_classifier=False,
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
    )
    core.clock = FixedClock(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))  # presses in one moment: one double click
    adapter = DiscordAdapter(replace(school.config(), bot_posts_announcements=True), BOT_TOKEN, state=core.state)
    staff = attach_staff_commands(core, [adapter])
    assert staff is not None
    channel = school.announcements.id
    async with FakeDiscord(school.world).running() as fake:
        await adapter.start(core.moderator)
        try:
            reply = await say(school, fake, school.teacher, "!mededeling 2b +gelezen: Inleveren vóór vrijdag")
            code = reply.split("nummer ")[1].split(";")[0]
            assert reply.endswith(f"Hoeveel het lazen: !gelezen {code}.")
            [post] = [m for m in school.world.messages.values() if m.channel_id == channel]
            assert post.content == "Mededeling van Meneer Jansen (2B): Inleveren vóór vrijdag"
            [row] = post.components
            assert [(b["label"], b["custom_id"]) for b in row["components"]] == [
                (DUTCH.phrase(Phrase.READ_BUTTON), READ_CUSTOM_ID)
            ]

            assert await press(fake, school.sanne, post.id) == SAY.read_reply(ReadOutcome.COUNTED)
            assert await press(fake, school.sanne, post.id) == SAY.read_reply(ReadOutcome.ALREADY)  # counted once
            assert await press(fake, school.daan, post.id) == SAY.read_reply(ReadOutcome.COUNTED)
            assert await press(fake, school.teacher, post.id) == SAY.read_reply(ReadOutcome.OWN)
            # The channel's readers: everyone but the bot and the teacher (rector, sanne, daan, ict).
            counted = await say(school, fake, school.teacher, f"!gelezen {code}")
            assert counted == f"Mededeling {code}:\n2B (discord): 2 van 4 gelezen"

            edited = await say(school, fake, school.teacher, f"!wijzig {code}: Inleveren vóór maandag")
            assert edited == f"Mededeling {code} is gewijzigd in 1 van 1 ruimtes."
            assert school.world.messages[post.id].content.endswith("(gewijzigd): Inleveren vóór maandag")
            assert school.world.messages[post.id].components == [row]  # the button stays
            assert await press(fake, school.owner, post.id) == SAY.read_reply(ReadOutcome.COUNTED)

            plain = await say(school, fake, school.teacher, "!mededeling 2b: Geen knop hieronder")
            assert "!gelezen" not in plain
            [other] = [m for m in school.world.messages.values() if m.channel_id == channel and m.id != post.id]
            assert other.components == []
            assert await press(fake, school.sanne, other.id, forged=True) == SAY.read_reply(
                ReadOutcome.NOT_ASKED
            )  # nothing counted

            gone = await say(school, fake, school.teacher, f"!intrekken {code}")
            assert gone == f"Mededeling {code} is overal ingetrokken."
            assert post.id in school.world.deleted
            after = await say(school, fake, school.teacher, f"!gelezen {code}")
            assert after.startswith(f"Mededeling {code} (ingetrokken") and "3 van 4 gelezen" in after
            assert shown(school, channel) == [other.content]
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()


async def test_a_reader_who_pressed_by_mistake_presses_again_to_take_it_back(tmp_path: Path, school: School) -> None:
    """A second press (not the same click arriving twice) withdraws the reader's confirmation, and the sender's
    count follows; a third press confirms again."""
    core = make_core(
        tmp_path,
        rooms=school.rooms(),
        people=school.people(),
        with_classifier=False,
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
    )
    clock = FixedClock(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))
    core.clock = clock
    adapter = DiscordAdapter(replace(school.config(), bot_posts_announcements=True), BOT_TOKEN, state=core.state)
    staff = attach_staff_commands(core, [adapter])
    assert staff is not None and staff.reads is not None
    async with FakeDiscord(school.world).running() as fake:
        await adapter.start(core.moderator)
        try:
            reply = await say(school, fake, school.teacher, "!mededeling 2b +gelezen: Gymkleren mee")
            code = reply.split("nummer ")[1].split(";")[0]
            [post] = [m for m in school.world.messages.values() if m.channel_id == school.announcements.id]
            assert await press(fake, school.sanne, post.id) == SAY.read_reply(ReadOutcome.COUNTED)
            assert "nog een keer" in SAY.read_reply(ReadOutcome.COUNTED)  # she hears how to undo it
            assert await press(fake, school.daan, post.id) == SAY.read_reply(ReadOutcome.COUNTED)
            clock.advance(seconds=1)
            assert await press(fake, school.sanne, post.id) == SAY.read_reply(ReadOutcome.ALREADY)  # a double click
            assert await say(school, fake, school.teacher, f"!gelezen {code}") == (
                f"Mededeling {code}:\n2B (discord): 2 van 4 gelezen"
            )

            clock.advance(seconds=30)
            assert await press(fake, school.sanne, post.id) == SAY.read_reply(ReadOutcome.WITHDRAWN)
            assert await say(school, fake, school.teacher, f"!gelezen {code}") == (
                f"Mededeling {code}:\n2B (discord): 1 van 4 gelezen"
            )
            teacher = core.directory.person_for(Platform.DISCORD, AccountId(str(school.teacher.id)))
            assert teacher is not None
            [sent] = staff.composer.sent_by(teacher)
            assert [room.read for room in sent.rooms] == [1]  # the desk's overview follows too

            clock.advance(seconds=30)
            assert await press(fake, school.sanne, post.id) == SAY.read_reply(ReadOutcome.COUNTED)
            assert [r.read for r in staff.reads.counts(sent.record.key)] == [2]
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()


def test_the_fake_refuses_components_discord_refuses() -> None:
    button = {"type": 2, "style": 3, "label": "Gelezen ✓", "custom_id": READ_CUSTOM_ID}
    check_components([{"type": 1, "components": [button]}])
    for bad in (
        [button],  # not in an action row
        [{"type": 1, "components": [{**button, "custom_id": ""}]}],
        [{"type": 1, "components": [{**button, "label": "x" * 81}]}],
        [{"type": 1, "components": [button, button]}],  # one custom_id twice
        [{"type": 1, "components": [{**button, "custom_id": str(n)} for n in range(6)]}],
        [{"type": 1, "components": [{**button, "custom_id": str(n)}]} for n in range(6)],
    ):
        with pytest.raises(DiscordError) as refused:
            check_components(bad)
        assert (refused.value.status, refused.value.code) == (400, 50035)
