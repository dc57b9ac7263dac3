"""Bad input from the gateway: no crash, a clear log line, and the bot keeps working afterwards."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.discord.conftest import Running
from tests.support.fake_discord import payloads


async def still_works(running: Running) -> None:
    """The bot still acts on the next abusive message."""
    school, world = running.school, running.world
    probe = world.create_message(school.daan.id, school.klas.id, "sukkel")
    await running.wait_for(lambda: probe.id in world.deleted)


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("MESSAGE_CREATE", {"id": "1", "channel_id": "2"}),  # no author, no content, no timestamp
        ("MESSAGE_CREATE", {"id": "x", "author": None, "content": 5}),
        ("MESSAGE_UPDATE", {"nothing": "useful"}),
        ("MESSAGE_DELETE", {}),
        ("CHANNEL_UPDATE", {"id": "not-a-number", "type": 0}),
        ("GUILD_MEMBER_UPDATE", {"guild_id": "1"}),
    ],
)
async def test_malformed_payloads_are_dropped_with_a_log_line(
    running: Running, caplog: pytest.LogCaptureFixture, event: str, payload: dict[str, object]
) -> None:
    with caplog.at_level(logging.WARNING, logger="adapters.discord"):
        running.fake.send_raw(event, payload)
        await still_works(running)
    assert any(f"dropped a malformed {event} payload" in r.getMessage() for r in caplog.records)


async def test_a_message_in_a_channel_the_bot_does_not_know(running: Running) -> None:
    school, world = running.school, running.world
    posted = world.create_message(school.sanne.id, school.klas.id, "sukkel")
    data = payloads.message(world, posted) | {"id": str(world.snowflake()), "channel_id": str(world.snowflake())}
    running.fake.send_raw("MESSAGE_CREATE", data)
    await running.wait_for(lambda: posted.id in world.deleted)
    await still_works(running)


async def test_an_unknown_channel_type(running: Running) -> None:
    school, world = running.school, running.world
    data = payloads.channel(world, world.channels[school.klas.id]) | {"type": 99}
    running.fake.send_raw("CHANNEL_UPDATE", data)
    running.fake.send_raw("CHANNEL_CREATE", data | {"id": str(world.snowflake())})
    await still_works(running)


async def test_a_deleted_announcement_channel(running: Running, caplog: pytest.LogCaptureFixture) -> None:
    school, world = running.school, running.world
    with caplog.at_level(logging.WARNING, logger="adapters.discord"):
        world.delete_channel(school.owner.id, school.announcements.id)
        await running.wait_for(lambda: running.adapter.client.get_channel(school.announcements.id) is None)
        await running.adapter.reconcile()
    messages = [r.getMessage() for r in caplog.records]
    assert any("mededelingen-2b" in m and "was deleted" in m for m in messages)
    assert any("mededelingen-2b" in m and "does not exist" in m for m in messages)
    await still_works(running)


async def test_a_4000_character_message_with_attachments(running: Running) -> None:
    school, world = running.school, running.world
    attachment = {"id": "1", "filename": "a.png", "size": 3, "url": "https://cdn/a.png", "proxy_url": "https://m/a.png"}
    text = ("dit is een heel lang verhaal over het schoolreisje " * 80)[:3986] + " jij sukkel"
    posted = world.create_message(school.sanne.id, school.klas.id, text, attachments=[attachment])
    assert len(posted.content) == 3997
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.category == "insult" and incident.action_status == "done"
    assert posted.id in world.deleted


async def test_a_member_who_left(running: Running) -> None:
    school, world = running.school, running.world
    world.remove_member(school.sanne.id)
    await running.wait_for(lambda: running.adapter.client.get_guild(world.guild_id).get_member(school.sanne.id) is None)  # type: ignore[union-attr]
    posted = world.slip_message(school.sanne.id, school.klas.id, "jullie zijn allemaal sukkels")
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.author_person_id == "sanne"
    assert posted.id in world.deleted
    # Discord delivers no DM to someone who shares no server with the bot (50278): recorded as undeliverable.
    assert incident.action_status == "failed" and not running.dms_to(school.sanne)
    [notice] = [h.detail for h in incident.history if h.action == "notify-sender"]
    assert "undeliverable" in notice and "no longer in the server (50278)" in notice


async def test_an_interaction_for_an_unknown_command(running: Running) -> None:
    school = running.school
    running.fake.invoke_command(school.daan, school.klas.id, "bestaat-niet", options=[])
    await still_works(running)


async def test_after_a_gateway_outage_the_bot_reconnects_and_rechecks_the_settings(running: Running) -> None:
    school, world = running.school, running.world
    sessions_before = len(world.listeners)
    await running.fake.drop_connections()
    # During the outage someone opens the announcement channel; no event reaches the bot.
    channel = world.channels[school.announcements.id]
    channel.overwrites.pop((0, world.guild_id))
    await running.wait_for(lambda: (0, world.guild_id) in channel.overwrites, timeout=15)
    assert len(world.listeners) == sessions_before
    await still_works(running)
