"""Starting the adapter: a missing permission or a bad token stops it with a clear message; risky set-ups warn."""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest

from adapters.discord.client import DiscordAdapter
from adapters.discord.config import DiscordConfigError
from adapters.discord.gateway import DiscordStartError
from adapters.discord.permissions import MissingPermissionsError
from tests.support.core import make_core
from tests.support.fake_discord import DiscordError, FakeDiscord
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.model import GUILD_TEXT
from tests.support.fake_discord.school import BOT_PERMISSIONS, BOT_TOKEN, School, build_school


async def _start(tmp_path: Path, school: School, token: str = BOT_TOKEN) -> DiscordAdapter:
    core = make_core(tmp_path, rooms=school.rooms(), people=school.people(), with_classifier=False)
    adapter = DiscordAdapter(school.config(), token)
    try:
        await adapter.start(core.moderator)
    finally:
        await adapter.stop()
        core.close()
    return adapter


async def test_missing_permissions_stop_the_start_and_are_each_named(tmp_path: Path) -> None:
    school = build_school(bot_permissions=BOT_PERMISSIONS & ~(p.MANAGE_ROLES | p.VIEW_AUDIT_LOG | p.MANAGE_MESSAGES))
    async with FakeDiscord(school.world).running() as fake:
        with pytest.raises(MissingPermissionsError) as stopped:
            await _start(tmp_path, school)
        assert not fake.sessions or all(s.ws.closed for s in fake.sessions)
    text = str(stopped.value)
    assert "View Audit Log" in text
    assert "in #mededelingen-2b (announcement): Manage Messages, Manage Roles (Manage Permissions)" in text
    assert "in #klas-2b (moderated): Manage Messages" in text
    # Nothing was changed on the server.
    assert not school.world.channels[school.announcements.id].overwrites


async def test_a_channel_overwrite_that_hides_a_channel_from_the_bot_is_named(tmp_path: Path) -> None:
    school = build_school()
    klas = school.world.channels[school.klas.id]
    klas.overwrites[(0, school.bot_role.id)] = p.Overwrite(school.bot_role.id, 0, 0, p.VIEW_CHANNEL)
    async with FakeDiscord(school.world).running():
        with pytest.raises(MissingPermissionsError, match=r"#klas-2b \(moderated\): View Channel"):
            await _start(tmp_path, school)


async def test_a_configured_channel_that_does_not_exist_is_named(tmp_path: Path) -> None:
    school = build_school()
    del school.world.channels[school.klas.id]
    async with FakeDiscord(school.world).running():
        with pytest.raises(MissingPermissionsError, match=r"klas-2b .* does not exist"):
            await _start(tmp_path, school)


async def test_a_bad_token_is_refused(tmp_path: Path) -> None:
    school = build_school()
    async with FakeDiscord(school.world).running():
        with pytest.raises(discord.LoginFailure):
            await _start(tmp_path, school, token="not-the-token")


async def test_a_bot_outside_the_guild_cannot_start(tmp_path: Path) -> None:
    school = build_school()
    school.world.members.pop(school.bot.id)
    async with FakeDiscord(school.world).running():
        with pytest.raises(DiscordStartError, match="not a member of guild"):
            await _start(tmp_path, school)


async def test_an_unreachable_gateway_is_a_start_error(tmp_path: Path) -> None:
    school = build_school()
    fake = FakeDiscord(school.world)
    async with fake.running():
        gateway = discord.gateway.DiscordWebSocket
        gateway.DEFAULT_GATEWAY = gateway.DEFAULT_GATEWAY.with_path("/no-gateway-here")  # restored on exit
        with pytest.raises(DiscordStartError, match="did not become ready"):
            await _start(tmp_path, school)


async def test_staff_with_administrator_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    school = build_school()
    school.staff_role.permissions |= p.ADMINISTRATOR
    async with FakeDiscord(school.world).running():
        with caplog.at_level(logging.WARNING, logger="adapters.discord"):
            await _start(tmp_path, school)
    assert any("Administrator" in r.getMessage() and "bypasses" in r.getMessage() for r in caplog.records)


async def test_a_text_channel_as_announcement_channel_in_a_community_server_is_advised_against(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    school = build_school()
    school.announcements.type = GUILD_TEXT
    core = make_core(tmp_path, rooms=school.rooms(), people=school.people(), with_classifier=False)
    adapter = DiscordAdapter(school.config(), BOT_TOKEN)
    async with FakeDiscord(school.world).running():
        with caplog.at_level(logging.WARNING, logger="adapters.discord"):
            try:
                await adapter.start(core.moderator)
                await adapter.reconcile()  # the scheduled check: no second advice
            finally:
                await adapter.stop()
                core.close()
    [advice] = [r.getMessage() for r in caplog.records if "make it an Announcement channel" in r.getMessage()]
    assert "#mededelingen-2b is a text channel" in advice


async def test_an_announcement_channel_of_the_news_type_gets_no_advice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeDiscord((school := build_school()).world).running():
        with caplog.at_level(logging.WARNING, logger="adapters.discord"):
            await _start(tmp_path, school)
    assert not [r for r in caplog.records if "make it an Announcement channel" in r.getMessage()]


async def test_privileged_intents_not_switched_on_are_named(tmp_path: Path) -> None:
    school = build_school()
    school.world.privileged_intents = 0  # the school forgot the Developer Portal switches
    async with FakeDiscord(school.world).running():
        with pytest.raises(DiscordStartError, match="Message Content Intent' and 'Server Members Intent"):
            await _start(tmp_path, school)


async def test_a_channel_id_that_is_not_a_number_is_named(tmp_path: Path) -> None:
    school = build_school()
    rooms = school.rooms()
    rooms[1]["id"] = "#klas-2b"
    core = make_core(tmp_path, rooms=rooms, people=school.people(), with_classifier=False)
    adapter = DiscordAdapter(school.config(), BOT_TOKEN)
    try:
        async with FakeDiscord(school.world).running():
            with pytest.raises(DiscordConfigError, match="'klas-2b': a Discord channel id is a number"):
                await adapter.start(core.moderator)
    finally:
        core.close()


def read_only_category(school: School) -> None:
    """The announcement channel sits in a category where @everyone (the bot included) may only read, synced."""
    world = school.world
    category = world.add_category("Mededelingen")
    category.overwrites[(0, world.guild_id)] = p.Overwrite(world.guild_id, 0, 0, p.SEND_MESSAGES | p.MENTION_EVERYONE)
    school.announcements.parent_id = category.id
    school.announcements.overwrites = {
        k: p.Overwrite(o.target_id, o.type, o.allow, o.deny) for k, o in category.overwrites.items()
    }


async def test_a_read_only_category_is_caught_at_start(tmp_path: Path) -> None:
    school = build_school()
    read_only_category(school)
    # Discord's rule, as the fake applies it: the bot may not set in the channel what the category does not give it.
    with pytest.raises(DiscordError, match="Missing Permissions"):
        school.world.put_overwrite(
            school.bot.id, school.announcements.id, school.world.guild_id, 0, 0, p.SEND_MESSAGES | p.MENTION_EVERYONE
        )
    async with FakeDiscord(school.world).running():
        with pytest.raises(MissingPermissionsError) as stopped:
            await _start(tmp_path, school)
    assert "in the category Mededelingen of #mededelingen-2b: Send Messages, Mention Everyone" in str(stopped.value)


async def test_an_own_manage_permissions_overwrite_lifts_the_category_rule(tmp_path: Path) -> None:
    school = build_school()
    read_only_category(school)
    own = p.Overwrite(school.bot_role.id, 0, p.MANAGE_ROLES | p.VIEW_CHANNEL, 0)
    school.announcements.overwrites[(0, school.bot_role.id)] = own
    async with FakeDiscord(school.world).running():
        await _start(tmp_path, school)
    everyone = school.announcements.overwrites[(0, school.world.guild_id)]
    assert everyone.deny & p.SEND_MESSAGES and everyone.deny & p.SEND_MESSAGES_IN_THREADS  # restored fine


async def test_without_manage_threads_the_start_check_says_private_threads_need_it(tmp_path: Path) -> None:
    school = build_school(bot_permissions=BOT_PERMISSIONS & ~p.MANAGE_THREADS)
    async with FakeDiscord(school.world).running():
        with pytest.raises(MissingPermissionsError, match=r"#klas-2b \(moderated\): Manage Threads"):
            await _start(tmp_path, school)
