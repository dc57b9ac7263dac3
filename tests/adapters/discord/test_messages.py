"""Abusive messages and edits, rate limits and failures, end to end through discord.py and the fake server."""

from __future__ import annotations

import logging

import pytest

from tests.adapters.discord.conftest import Running
from tests.adapters.discord.test_notices import told_of
from tests.support.fake_discord import payloads
from tests.support.fake_discord.state import MESSAGE_DELETE


async def test_an_abusive_message_is_deleted_and_the_incident_names_the_mentor(running: Running) -> None:
    school, world = running.school, running.world
    posted = world.create_message(school.sanne.id, school.klas.id, "daan je bent echt een klootzak")
    await running.wait_for(lambda: posted.id in world.deleted)
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.action_status == "done"
    assert (incident.category, incident.author_person_id, incident.message_id) == ("insult", "sanne", str(posted.id))
    assert ("jan", "mentor") in {(r.person_id, r.reason) for r in incident.reviewers}
    assert incident.message_link == f"https://discord.com/channels/{world.guild_id}/{school.klas.id}/{posted.id}"
    # Discord adds no audit-log entry for a bot's single delete; the reason travels with the request only.
    assert not [e for e in world.audit_log if e.action_type == MESSAGE_DELETE]
    [deletion] = [q for q in running.fake.rest.requests if q.method == "DELETE" and q.path.endswith(f"/{posted.id}")]
    assert deletion.audit_reason is not None and "R2" in deletion.audit_reason
    await running.wait_for(lambda: running.review_cards())
    card = running.review_cards()[-1]
    for part in (
        "Sanne Bakker",
        "#klas-2b",
        "een scheldwoord of belediging",
        "klootzak",
        f"Melding #{incident.id}",
        "Meneer Jansen (mentor)",
    ):
        assert part in card


async def test_a_student_telling_of_being_asked_for_nudes_keeps_the_message_and_reaches_the_mentor(
    running: Running,
) -> None:
    school, world = running.school, running.world
    told = world.create_message(school.sanne.id, school.klas.id, "een jongen uit 3c vroeg me om nudes te sturen")
    marker = world.create_message(school.daan.id, school.klas.id, "sukkel")
    await running.wait_for(lambda: marker.id in world.deleted)
    await running.wait_for(lambda: running.settled_incident(told.id))
    incident = running.settled_incident(told.id)
    assert incident is not None and incident.category == "sexual" and incident.action_status == "done"
    assert told.id in world.messages and told.id not in world.deleted  # never deleted in a room that deletes
    assert ("jan", "mentor") in {(r.person_id, r.reason) for r in incident.reviewers}
    await running.wait_for(lambda: running.dms_to(school.sanne))
    [notice] = running.dms_to(school.sanne)
    assert notice.startswith("Goed dat je dit vertelt.") and "verwijderd" not in notice
    await running.wait_for(lambda: any("nudes" in card for card in running.review_cards()))
    [card] = [card for card in running.review_cards() if "nudes" in card]
    assert "de schrijver vertelt dat iemand anders dit tegen hem of haar deed: zorg, geen straf" in card


async def test_a_clean_message_is_left_alone(running: Running) -> None:
    school, world = running.school, running.world
    clean = world.create_message(school.sanne.id, school.klas.id, "wie heeft het huiswerk voor wiskunde?")
    marker = world.create_message(school.daan.id, school.klas.id, "sukkel")
    await running.wait_for(lambda: marker.id in world.deleted)
    assert clean.id in world.messages
    assert [i.message_id for i in running.incidents() if i.category == "insult"] == [str(marker.id)]


async def test_an_abusive_edit_of_a_clean_message_is_caught(running: Running) -> None:
    school, world = running.school, running.world
    posted = world.create_message(school.sanne.id, school.klas.id, "hoi allemaal")
    state = running.adapter.client._connection
    await running.wait_for(lambda: state._get_message(posted.id) is not None)  # cached: on_message_edit's path
    world.edit_message(school.sanne.id, school.klas.id, posted.id, "hoi allemaal, daan je bent een idioot")
    await running.wait_for(lambda: posted.id in world.deleted)
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.event_id.startswith(f"{posted.id}@")
    assert incident.category == "insult"


async def test_an_edit_of_an_uncached_message_is_judged_from_the_raw_event(running: Running) -> None:
    school, world = running.school, running.world
    # Posted before the bot was watching (so not in discord.py's cache): only the raw update event carries it.
    old = world.slip_message(school.daan.id, school.klas.id, "hoi", silent=True)
    world.edit_message(school.daan.id, school.klas.id, old.id, "jij hufter")
    await running.wait_for(lambda: old.id in world.deleted)


async def test_a_429_on_delete_is_retried_by_discord_py(running: Running) -> None:
    school, world = running.school, running.world
    running.fake.rest.faults.rate_limit("DELETE", r"/messages/\d+$", retry_after=0.05)
    posted = world.create_message(school.sanne.id, school.klas.id, "sukkel")
    await running.wait_for(lambda: posted.id in world.deleted)
    deletes = [r for r in running.fake.rest.requests if r.method == "DELETE" and r.path.endswith(str(posted.id))]
    assert len(deletes) == 2  # the 429, then the retry
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.action_status == "done"


async def test_a_global_429_is_retried_too(running: Running) -> None:
    school, world = running.school, running.world
    running.fake.rest.faults.rate_limit("DELETE", r"/messages/\d+$", retry_after=0.05, is_global=True)
    posted = world.create_message(school.sanne.id, school.klas.id, "sukkel")
    await running.wait_for(lambda: posted.id in world.deleted)


async def test_a_delete_that_fails_is_recorded_as_failed_on_the_incident(running: Running) -> None:
    school, world = running.school, running.world
    # A 429 without Via looks like a Cloudflare ban: discord.py gives up; the incident must say so.
    running.fake.rest.faults.rate_limit("DELETE", r"/messages/\d+$", via=False)
    posted = world.create_message(school.sanne.id, school.klas.id, "sukkel")
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.action_status == "failed"
    assert any(h.action == "delete" and "FAILED" in h.detail for h in incident.history)
    assert posted.id in world.messages  # still there: a person must act, and the incident says so


async def test_a_notice_that_cannot_be_delivered_is_recorded_as_failed(running: Running) -> None:
    school, world = running.school, running.world
    school.sanne.accepts_dms = False
    slipped = world.slip_message(school.sanne.id, school.announcements.id, "hallo?")
    await running.wait_for(lambda: slipped.id in world.deleted)
    await running.wait_for(lambda: running.settled_incident(slipped.id))
    incident = running.settled_incident(slipped.id)
    assert incident is not None and incident.action_status == "failed"
    assert any(h.action == "notify-sender" and "50007" in h.detail for h in incident.history)


async def test_a_burst_within_a_rate_limit_bucket_is_all_deleted(running: Running) -> None:
    school, world = running.school, running.world
    bucket = running.fake.rest.buckets.add("DELETE", r"/messages/\d+$", limit=3, per=0.2)
    posted = [world.create_message(school.sanne.id, school.klas.id, f"sukkel {n}") for n in range(12)]
    await running.wait_for(lambda: all(m.id in world.deleted for m in posted), timeout=15)
    await running.wait_for(lambda: all(running.settled_incident(m.id) for m in posted))
    statuses = {running.settled_incident(m.id).action_status for m in posted}  # type: ignore[union-attr]
    assert statuses == {"done"}
    deletes = [r for r in running.fake.rest.requests if r.method == "DELETE" and "/messages/" in r.path]
    assert len(deletes) == len(posted) + bucket.refused  # every refusal was retried, nothing more


async def test_a_long_shared_rate_limit_fails_the_action_with_a_clear_line(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    school, world = running.school, running.world
    running.fake.rest.faults.rate_limit("DELETE", r"/messages/\d+$", retry_after=1337.0, shared=True)
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        posted = world.create_message(school.sanne.id, school.klas.id, "sukkel")
        await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.action_status == "failed"
    assert any(h.action == "delete" and "RateLimited" in h.detail for h in incident.history)
    assert any("wait 1337s" in r.getMessage() and "max_rate_limit_wait" in r.getMessage() for r in caplog.records)
    assert posted.id in world.messages  # not waited for 22 minutes: the incident says it is still there


async def test_a_poll_is_judged_on_its_question_and_answers(running: Running) -> None:
    school, world = running.school, running.world
    poll = payloads.poll("daan, jij bent een sukkel. eens?", ["ja", "nee"])
    posted = world.create_message(school.sanne.id, school.klas.id, "", poll=poll)
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.category == "insult" and posted.id in world.deleted


async def test_a_poll_that_slips_into_an_announcement_channel_is_removed(running: Running) -> None:
    school, world = running.school, running.world
    poll = payloads.poll("Zullen we vrijdag vrij nemen?", ["ja", "nee"])
    slipped = world.slip_message(school.daan.id, school.announcements.id, "", poll=poll)
    await running.wait_for(lambda: running.settled_incident(slipped.id))
    incident = running.settled_incident(slipped.id)
    assert incident is not None and incident.category == "announcement-only" and slipped.id in world.deleted


async def test_a_file_named_to_bully_is_judged(running: Running) -> None:
    school, world = running.school, running.world
    attachment = {
        "id": "1",
        "filename": "daan_de_sukkel.png",
        "size": 3,
        "url": "https://cdn/a.png",
        "proxy_url": "https://m/a.png",
        "description": "",
    }
    posted = world.create_message(school.sanne.id, school.klas.id, "kijk", attachments=[attachment])
    await running.wait_for(lambda: posted.id in world.deleted)


async def test_under_discords_global_limit_every_delete_and_notice_goes_once(running: Running) -> None:
    # A global 429 holds back every request of the bot (discord.py waits out its retry_after): the deletes and the
    # student's notices of a burst all get through, each message told of once (the burst's on one DM).
    school, world = running.school, running.world
    limit = running.fake.rest.buckets.limit_globally(limit=6, per=0.3)
    posted = [world.create_message(school.sanne.id, school.klas.id, f"sukkel {n}") for n in range(12)]
    await running.wait_for(lambda: all(m.id in world.deleted for m in posted), timeout=20)
    await running.wait_for(lambda: all(running.settled_incident(m.id) for m in posted), timeout=20)
    assert {running.settled_incident(m.id).action_status for m in posted} == {"done"}  # type: ignore[union-attr]
    assert limit.refused > 0  # the limit was reached
    deletes = [r for r in running.fake.rest.requests if r.method == "DELETE" and "/messages/" in r.path]
    assert len({r.path for r in deletes}) == len(posted)
    assert sum(told_of(dm) for dm in running.dms_to(school.sanne)) == len(posted)
