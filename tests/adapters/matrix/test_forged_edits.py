"""Forged edits on the real Synapse: an `m.replace` that points at someone else's message. Synapse accepts it; the
bot must judge and remove the edit alone, record it as forged (R7), and never touch the other person's message."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.matrix.translate import message_from_event
from tests.adapters.matrix.helpers import MARKER, School, eventually, incidents, room, seen_redacted
from tests.adapters.matrix.test_rooms import running
from tests.support.incidents import get_incident

pytestmark = pytest.mark.synapse


async def test_an_abusive_edit_of_a_victims_message_removes_only_the_edit(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete", staff_may_join=True)])
    async with running(core, school.adapter(core, store_dir)):
        original = await school.send("sanne", room_id, "ik heb screenshots")
        forged = await school.edit("daan", room_id, original, f"sanne is een {MARKER}")
        found = await eventually(lambda: incidents(core), what="an incident for the forged edit")
        assert [i.event_id for i in found] == [forged]
        assert found[0].author_person_id == "daan" and "forged edit" in found[0].explanation
        assert found[0].message_link is not None and forged.replace("$", "") in found[0].message_link.replace("%24", "")
        await eventually(lambda: seen_redacted(school, room_id, forged), what="the forged edit to be redacted")
        await asyncio.sleep(1.0)  # anything else the bot would do is done by now
        assert not await seen_redacted(school, room_id, original)  # Sanne's message stays


async def test_a_harmless_looking_forged_edit_of_a_teachers_message_is_recorded_and_removed(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="flag", staff_may_join=True)])
    async with running(core, school.adapter(core, store_dir)):
        original = await school.send("jan", room_id, "De toets van morgen gaat door.")
        forged = await school.edit("sanne", room_id, original, "De toets van morgen gaat NIET door.")
        found = await eventually(lambda: incidents(core), what="an incident for the forged edit")
        assert [(i.event_id, i.rule_id, i.category) for i in found] == [(forged, "R7", "forged-edit")]
        assert school.uid("jan") in found[0].explanation
        await eventually(lambda: seen_redacted(school, room_id, forged), what="the forged edit to be redacted")
        await asyncio.sleep(1.0)
        assert not await seen_redacted(school, room_id, original)
        with core.sessions() as session:
            row = get_incident(session, found[0].id)
            assert row is not None and row.author_person_id == "sanne" and row.message_id == forged


async def test_an_edit_of_ones_own_message_still_replaces_it(school: School, tmp_path: Path, store_dir: Path) -> None:
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete", staff_may_join=True)])
    async with running(core, school.adapter(core, store_dir)):
        original = await school.send("daan", room_id, "hoi")
        edit = await school.edit("daan", room_id, original, f"hoi {MARKER}")
        found = await eventually(lambda: incidents(core), what="an incident for the edit")
        assert found[0].category != "forged-edit" and "forged" not in found[0].explanation
        await eventually(lambda: seen_redacted(school, room_id, original), what="the original to be redacted")
        await eventually(lambda: seen_redacted(school, room_id, edit), what="the edit to be redacted")


async def test_the_enforcer_itself_never_redacts_another_senders_original(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="flag", staff_may_join=True)])
    async with running(core, school.adapter(core, store_dir)) as adapter:
        original = await school.send("sanne", room_id, "ik heb screenshots")
        forged = await school.edit("daan", room_id, original, "weg ermee")
        event = await school.event("jan", room_id, forged)
        claimed = message_from_event(room_id, event)  # as an edit of Sanne's message, unchecked
        assert claimed is not None and claimed.target_id == original
        assert adapter.enforcer is not None
        await adapter.enforcer.delete(claimed, "test")
        assert await seen_redacted(school, room_id, forged) and not await seen_redacted(school, room_id, original)
