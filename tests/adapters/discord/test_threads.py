"""Threads: they take their parent channel's permissions, so R10's overwrites cover them too; abuse in a thread is
judged and deleted like anywhere else."""

from __future__ import annotations

import asyncio

import discord
import pytest

from adapters.discord.enforcer import REMOVED_NAME
from tests.adapters.discord.conftest import Running
from tests.support.fake_discord import DiscordError, FakeDiscord
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.model import NEWS_THREAD, PRIVATE_THREAD
from tests.support.fake_discord.school import BOT_PERMISSIONS, BOT_TOKEN, build_school


async def test_students_cannot_start_or_reply_in_threads_of_an_announcement_channel(running: Running) -> None:
    school, world = running.school, running.world
    with pytest.raises(DiscordError, match="Missing Permissions"):
        world.create_thread(school.sanne.id, school.announcements.id, "vragen")
    # Only an administrator (here the owner) may start one there, and students still cannot reply in it.
    thread = world.create_thread(school.owner.id, school.announcements.id, "excursie vrijdag")
    world.create_message(school.owner.id, thread.id, "Vertrek om 8:30 bij de fietsenstalling.")
    with pytest.raises(DiscordError, match="Missing Permissions"):
        world.create_message(school.sanne.id, thread.id, "mag ik later komen?")


async def test_abuse_in_a_thread_is_judged_under_its_channels_policy_and_deleted(running: Running) -> None:
    school, world = running.school, running.world
    thread = world.create_thread(school.daan.id, school.klas.id, "huiswerk")
    await running.wait_for(lambda: running.adapter.client.get_channel(thread.id) is not None)
    posted = world.create_message(school.sanne.id, thread.id, "daan je bent een sukkel")
    await running.wait_for(lambda: posted.id in world.deleted)
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.action_status == "done"
    assert incident.room_id == str(school.klas.id)  # klas-2b's policy (delete), not the default for unknown rooms
    assert incident.message_link is not None and incident.message_link.endswith(f"/{thread.id}/{posted.id}")


async def test_a_post_that_slips_into_an_announcement_thread_is_deleted(running: Running) -> None:
    school, world = running.school, running.world
    thread = world.create_thread(school.owner.id, school.announcements.id, "excursie")
    await running.wait_for(lambda: running.adapter.client.get_channel(thread.id) is not None)
    slipped = world.slip_message(school.sanne.id, thread.id, "mag ik later komen?")
    await running.wait_for(lambda: slipped.id in world.deleted)
    await running.wait_for(lambda: running.settled_incident(slipped.id))
    incident = running.settled_incident(slipped.id)
    assert incident is not None and incident.category == "announcement-only"


async def test_bullying_in_a_private_thread_is_judged(running: Running) -> None:
    school, world = running.school, running.world
    thread = world.create_thread(school.sanne.id, school.klas.id, "alleen wij", private=True)
    world.add_thread_member(school.sanne.id, thread.id, school.daan.id)
    assert thread.type == PRIVATE_THREAD
    assert not world.permissions_in(school.teacher.id, thread.id)  # not a member: Discord does not show it
    assert world.permissions_in(school.bot.id, thread.id) & p.VIEW_CHANNEL  # the bot has Manage Threads
    posted = world.create_message(school.sanne.id, thread.id, "daan niemand vindt jou leuk, sukkel")
    await running.wait_for(lambda: posted.id in world.deleted)
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.room_id == str(school.klas.id)


async def test_without_manage_threads_a_private_thread_is_not_delivered_to_the_bot() -> None:
    school = build_school(bot_permissions=BOT_PERMISSIONS & ~p.MANAGE_THREADS)
    world = school.world
    thread = world.create_thread(school.sanne.id, school.klas.id, "geheim", private=True)
    async with FakeDiscord(world).running() as fake:
        client = discord.Client(intents=discord.Intents.all(), guild_ready_timeout=0.05)
        await client.login(BOT_TOKEN)
        task = asyncio.create_task(client.connect())
        try:
            await asyncio.wait_for(client.wait_until_ready(), 15)
            guild = client.get_guild(world.guild_id)
            assert guild is not None and guild.get_thread(thread.id) is None  # not in the guild's threads either
            world.create_message(school.sanne.id, thread.id, "hoi")
            [session] = fake.live_sessions()
            assert not [f for f in session.buffer if f["t"] == "MESSAGE_CREATE"]
        finally:
            await client.close()
            await task


async def test_a_post_in_an_archived_thread_keeps_its_channels_announcement_policy(running: Running) -> None:
    school, world = running.school, running.world
    thread = world.create_thread(school.owner.id, school.announcements.id, "excursie")
    assert thread.type == NEWS_THREAD
    await running.wait_for(lambda: running.adapter.client.get_channel(thread.id) is not None)
    world.archive_thread(thread.id)  # leaves discord.py's cache
    await running.wait_for(lambda: running.adapter.client.get_channel(thread.id) is None)
    slipped = world.slip_message(school.sanne.id, thread.id, "mag ik later komen?")  # wakes the thread
    await running.wait_for(lambda: running.settled_incident(slipped.id))
    incident = running.settled_incident(slipped.id)
    assert incident is not None and incident.category == "announcement-only"  # mededelingen-2b's R10, not a default
    assert slipped.id in world.deleted


async def test_an_abusive_thread_name_is_judged_and_replaced(running: Running) -> None:
    school, world = running.school, running.world
    thread = world.create_thread(school.sanne.id, school.klas.id, "daan is een sukkel")
    await running.wait_for(lambda: thread.name == REMOVED_NAME)
    incidents = [i for i in running.incidents() if i.event_id.startswith(f"thread-name:{thread.id}:")]
    assert len(incidents) == 1 and incidents[0].author_person_id == "sanne"
    assert incidents[0].room_id == str(school.klas.id)
