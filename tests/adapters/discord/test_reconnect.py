"""Reconnects and restarts, end to end: a resumed session replays what was missed; a fresh session (an expired one,
or a restart) catches up from the last handled message of each channel; the member list survives Discord's limit."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.discord.client import DiscordAdapter
from moderation.model import AccountId, Platform
from tests.adapters.discord.classifier import make_classifier
from tests.adapters.discord.conftest import Running
from tests.support.core import make_core
from tests.support.fake_discord import FakeDiscord
from tests.support.fake_discord.school import BOT_TOKEN, build_school


def frames_sent(running: Running, op: int) -> int:
    return sum(1 for c in running.fake.connections for f in c.received if f.get("op") == op)


async def test_a_resume_replays_the_missed_messages_and_they_are_judged(running: Running) -> None:
    school, world = running.school, running.world
    identifies = frames_sent(running, 2)
    await running.fake.drop_connections()
    posted = world.create_message(school.sanne.id, school.klas.id, "daan je bent een sukkel")  # while away
    channel = world.channels[school.announcements.id]
    channel.overwrites.pop((0, world.guild_id))  # a change without an event the bot would see
    await running.wait_for(lambda: posted.id in world.deleted, timeout=15)
    await running.wait_for(lambda: (0, world.guild_id) in channel.overwrites, timeout=15)  # re-checked on `resumed`
    assert frames_sent(running, 6) == 1 and frames_sent(running, 2) == identifies  # resumed, not identified again
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.category == "insult"


async def test_an_expired_session_catches_up_on_what_was_posted_meanwhile(running: Running) -> None:
    school, world = running.school, running.world
    world.member_request_window = 0.5  # the re-identify asks for the member list again
    before = world.create_message(school.daan.id, school.klas.id, "hoi allemaal")
    await running.wait_for(
        lambda: running.adapter._cursors and running.adapter._cursors.last(school.klas.id) == before.id
    )
    await running.fake.drop_connections(expire=True)
    missed = world.slip_message(school.sanne.id, school.klas.id, "jij bent echt een klootzak", silent=True)
    await running.wait_for(lambda: missed.id in world.deleted, timeout=15)
    await running.wait_for(lambda: running.settled_incident(missed.id))
    assert frames_sent(running, 2) == 2  # identified afresh: the session could not be resumed
    assert before.id in world.messages


async def test_a_restart_judges_what_was_posted_while_the_bot_was_down(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    school = build_school()
    world = school.world
    world.member_request_window = 0.2
    core = make_core(
        tmp_path,
        rooms=school.rooms(),
        people=school.people(),
        classifier=make_classifier(),
        bot_accounts=frozenset({(Platform.DISCORD, AccountId(str(school.bot.id)))}),
    )
    config = school.config()
    fake = FakeDiscord(world)
    try:
        async with fake.running():
            first = DiscordAdapter(config, BOT_TOKEN, state=core.state)
            await first.start(core.moderator)
            seen = world.create_message(school.daan.id, school.klas.id, "wie heeft de sleutel?")
            await fake.wait_for(lambda: first._cursors is not None and first._cursors.last(school.klas.id) == seen.id)
            await first.stop()
            # While the bot is down: three insults in klas-2b, and a student's post in the quiet announcement channel.
            down = [world.slip_message(school.sanne.id, school.klas.id, f"sukkel {n}") for n in range(3)]
            slipped = world.slip_message(school.daan.id, school.announcements.id, "geen les morgen!")
            second = DiscordAdapter(replace(config, backfill_limit=2), BOT_TOKEN, state=core.state)
            with caplog.at_level(logging.WARNING, logger="adapters.discord"):
                await second.start(core.moderator)
            try:
                assert down[0].id in world.deleted and down[1].id in world.deleted  # oldest first, at most 2
                assert down[2].id in world.messages
                assert any("only the oldest 2 were judged" in r.getMessage() for r in caplog.records)
                assert slipped.id in world.deleted  # the channel had no message yet: watched from the first start
                assert seen.id in world.messages
                # Started again: the cursor is past the two judged ones, so the third is judged now.
                await second.stop()
                third = DiscordAdapter(config, BOT_TOKEN, state=core.state)
                await third.start(core.moderator)
                await third.stop()
                assert down[2].id in world.deleted
            finally:
                await second.stop()
    finally:
        core.close()


async def test_the_member_list_is_asked_again_after_discord_rate_limits_it(running: Running) -> None:
    school, world = running.school, running.world
    # Asked just now; discord.py identifies again after 5 s and asks for the list, within the (shortened) window.
    world.member_request_window = 7.5
    world.member_requests[(school.bot.id, world.guild_id)] = time.monotonic()
    await running.fake.drop_connections(expire=True)  # a fresh session asks for the member list within the window
    await running.wait_for(
        lambda: any(f["t"] == "RATE_LIMITED" for s in running.fake.live_sessions() for f in s.buffer), timeout=15
    )
    guild = running.adapter.client.get_guild(world.guild_id)
    await running.wait_for(lambda: guild is not None and guild.chunked, timeout=15)
    assert guild is not None and guild.get_member(school.teacher.id) is not None
    requests = [f["d"] for c in running.fake.connections for f in c.received if f.get("op") == 8]
    assert len(requests) >= 2 and requests[-1]["nonce"] == requests[-2]["nonce"]  # the same request, again
