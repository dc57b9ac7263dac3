"""R10 on Discord, end to end: discord.py's real client against the fake server, the real Moderator on SQLite."""

from __future__ import annotations

import pytest

from adapters.discord.drift import RESTORE_REASON
from adapters.discord.overwrites import EVERYONE_DENY, POSTER_ALLOW
from moderation.storage.incidents import IncidentRow
from tests.adapters.discord.conftest import Running
from tests.support.fake_discord import DiscordError
from tests.support.fake_discord import permissions as p
from tests.support.fake_discord.state import CHANNEL_OVERWRITE_CREATE, MESSAGE_DELETE


def test_the_wanted_bits_are_discords() -> None:
    # The adapter's bit sets, spelled with the fake's own (independently written) constants.
    assert EVERYONE_DENY == (
        p.SEND_MESSAGES
        | p.SEND_MESSAGES_IN_THREADS
        | p.CREATE_PUBLIC_THREADS
        | p.CREATE_PRIVATE_THREADS
        | p.MENTION_EVERYONE
    )
    assert POSTER_ALLOW == p.SEND_MESSAGES


async def test_a_students_post_is_refused_once_the_bot_has_set_the_overwrites(running: Running) -> None:
    school, world = running.school, running.world
    channel = school.announcements.id
    everyone = world.channels[channel].overwrites[(0, world.guild_id)]
    assert everyone.deny & EVERYONE_DENY == EVERYONE_DENY
    assert world.channels[channel].overwrites[(0, school.staff_role.id)].allow & p.SEND_MESSAGES
    assert set(world.channels[channel].overwrites) == {(0, world.guild_id), (0, school.staff_role.id)}  # no more
    with pytest.raises(DiscordError) as refused:
        world.create_message(school.sanne.id, channel, "mag ik ook iets zeggen?")
    assert (refused.value.status, refused.value.code) == (403, 50013)
    # Staff may still post, and reading stays open for everyone.
    world.create_message(school.teacher.id, channel, "Het 3e uur vervalt morgen.")
    assert world.permissions_in(school.sanne.id, channel) & p.VIEW_CHANNEL
    setup = [e for e in world.audit_log if e.action_type == CHANNEL_OVERWRITE_CREATE and e.user_id == school.bot.id]
    assert setup and all(e.reason == RESTORE_REASON for e in setup)


async def test_changed_overwrites_are_restored_and_recorded(running: Running) -> None:
    school, world = running.school, running.world
    channel = school.announcements.id
    before = len(running.incidents())  # the first start's set-up is recorded too
    # Someone with Manage Roles opens the channel up for everyone.
    world.put_overwrite(school.ict.id, channel, world.guild_id, 0, p.SEND_MESSAGES, 0, reason="iedereen mag praten")
    await running.wait_for(lambda: world.permissions_in(school.sanne.id, channel) & p.SEND_MESSAGES == 0)
    await running.wait_for(lambda: len(running.incidents()) > before)
    drift = running.incidents()[-1]
    assert drift.category == "permission-drift"
    assert drift.author_account == str(school.ict.id)  # who did it, from the audit log
    assert "@everyone was no longer denied send messages" in drift.explanation
    assert "last changed by" in drift.explanation
    assert "restored" in drift.explanation
    assert {r.reason for r in drift.reviewers} == {"leadership"}
    with pytest.raises(DiscordError):
        world.create_message(school.sanne.id, channel, "nu wel?")
    drifted = "de instellingen van een mededelingenkanaal zijn veranderd"
    await running.wait_for(lambda: any(drifted in card for card in running.review_cards()))


async def test_a_role_overwrite_that_lets_students_post_is_drift_too(running: Running) -> None:
    school, world = running.school, running.world
    channel = school.announcements.id
    students = world.add_role("leerlingen", members=(school.sanne,))
    world.put_overwrite(school.ict.id, channel, students.id, 0, p.SEND_MESSAGES, 0)
    await running.wait_for(lambda: (0, students.id) not in world.channels[channel].overwrites)
    with pytest.raises(DiscordError):
        world.create_message(school.sanne.id, channel, "hallo")


async def test_reconcile_finds_drift_that_arrived_while_nobody_listened(running: Running) -> None:
    school, world = running.school, running.world
    channel = world.channels[school.announcements.id]
    # Changed without a gateway event (e.g. while the bot was offline): only the scheduled check sees it, and
    # discord.py's cache still shows the old, correct overwrites.
    channel.overwrites.pop((0, school.staff_role.id))
    await running.adapter.reconcile()
    assert channel.overwrites[(0, school.staff_role.id)].allow & p.SEND_MESSAGES
    drift = [i for i in running.incidents() if i.category == "permission-drift"]
    assert len(drift) == 2 and drift[-1].author_account is None  # the first is the set-up at start
    assert "the staff role was no longer allowed send messages" in drift[-1].explanation


async def test_a_post_that_slips_through_is_deleted_with_a_notice(running: Running) -> None:
    school, world = running.school, running.world
    slipped = world.slip_message(school.sanne.id, school.announcements.id, "wie heeft de sleutel?")
    await running.wait_for(lambda: slipped.id in world.deleted)
    await running.wait_for(lambda: running.dms_to(school.sanne))
    assert "alleen docenten" in running.dms_to(school.sanne)[0]
    # Discord adds no audit-log entry for a bot's single delete; the reason travels with the request only.
    assert not [e for e in world.audit_log if e.action_type == MESSAGE_DELETE]
    [deletion] = [q for q in running.fake.rest.requests if q.method == "DELETE" and q.path.endswith(f"/{slipped.id}")]
    assert deletion.audit_reason is not None and "R10" in deletion.audit_reason
    await running.wait_for(lambda: running.settled_incident(slipped.id))
    incident = running.settled_incident(slipped.id)
    assert incident is not None and incident.action_status == "done"
    assert (incident.category, incident.rule_id, incident.author_person_id) == ("announcement-only", "R10", "sanne")


async def test_a_teachers_post_is_left_alone(running: Running) -> None:
    school, world = running.school, running.world
    posted = world.create_message(school.teacher.id, school.announcements.id, "Toets verplaatst naar vrijdag.")
    marker = world.create_message(school.teacher.id, school.klas.id, "klootzak")  # something the bot does act on
    await running.wait_for(lambda: marker.id in world.deleted)
    assert posted.id in world.messages
    assert [i.category for i in running.incidents()] == ["permission-drift", "insult"]


def drift_incidents(running: Running) -> list[IncidentRow]:
    return [i for i in running.incidents() if i.category == "permission-drift"]


async def test_a_late_audit_entry_does_not_blame_the_previous_changer(running: Running) -> None:
    school, world = running.school, running.world
    channel = school.announcements.id
    world.put_overwrite(school.ict.id, channel, world.guild_id, 0, p.SEND_MESSAGES, 0, reason="eerste keer")
    await running.wait_for(lambda: len(drift_incidents(running)) == 2)
    assert drift_incidents(running)[-1].author_account == str(school.ict.id)
    world.audit_lag = 30.0  # Discord lists the next entry late, after the bot's wait
    world.put_overwrite(school.owner.id, channel, world.guild_id, 0, p.SEND_MESSAGES, 0, reason="tweede keer")
    await running.wait_for(lambda: len(drift_incidents(running)) == 3)  # recorded, not dropped as a duplicate
    late = drift_incidents(running)[-1]
    assert late.author_account is None and "last changed by" not in late.explanation
    world.audit_lag = 0.1  # within the wait: found, and it is the owner's own entry
    world.put_overwrite(school.owner.id, channel, world.guild_id, 0, p.SEND_MESSAGES, 0, reason="derde keer")
    await running.wait_for(lambda: len(drift_incidents(running)) == 4)
    assert drift_incidents(running)[-1].author_account == str(school.owner.id)


async def test_a_drift_the_bot_cannot_restore_is_recorded_once_until_it_changes(running: Running) -> None:
    school, world = running.school, running.world
    channel = school.announcements.id
    # A member overwrite that also allows Manage Permissions: the bot may not touch that bit (Discord needs
    # Administrator or an own Manage Permissions overwrite), so the restore fails with 50013.
    world.put_overwrite(school.owner.id, channel, school.sanne.id, 1, p.SEND_MESSAGES | p.MANAGE_ROLES, 0)
    await running.wait_for(lambda: len(drift_incidents(running)) == 2)
    first = drift_incidents(running)[-1]
    assert "NOT restored (403 Missing Permissions)" in first.explanation
    puts = len([q for q in running.fake.rest.requests if q.method == "PUT"])
    for _ in range(3):  # the scheduled checks
        await running.adapter.reconcile()
    assert len(drift_incidents(running)) == 2  # no new incident, no new card for leadership
    assert len([q for q in running.fake.rest.requests if q.method == "PUT"]) == puts  # and no refused requests
    world.put_overwrite(school.owner.id, channel, school.daan.id, 1, p.SEND_MESSAGES | p.MANAGE_ROLES, 0)
    await running.wait_for(lambda: len(drift_incidents(running)) == 3)  # it changed: announced again
