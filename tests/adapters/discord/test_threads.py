"""Threads: they take their parent channel's permissions, so R10's overwrites cover them too; abuse in a thread is
judged and deleted like anywhere else."""

from __future__ import annotations

import pytest

from tests.adapters.discord.conftest import Running
from tests.support.fake_discord import DiscordError


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
