"""Cards in chat never outlive what they show, on the real Synapse: an erasure that changes someone else's incident
renews its cards (old copies redacted, fresh ones sent), and a reviewer who left the school loses theirs."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.app import Core
from moderation.incidents.withdrawals import RENEW_KEY, parse
from moderation.jobs import withdraw_pending_cards
from moderation.privacy import ERASED, erase_person
from moderation.storage.people import PersonRow
from tests.adapters.matrix.helpers import MARKER, School, eventually, incidents, is_redacted, room
from tests.adapters.matrix.test_reviewer_rooms import _dm, card_in, school_core
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse


async def _cards(school: School, core: Core, name: str, room_id: str, number: int) -> tuple[list[str], int]:
    """The bodies of the bot's cards of incident `number` still readable in the room, and how many were redacted."""
    shown, redacted = [], 0
    for event in await school.timeline(name, room_id):
        if event["sender"] != school.uid("bot") or event["type"] != "m.room.message":
            continue
        if is_redacted(event):
            redacted += 1
            continue
        body = str(event["content"].get("body", ""))
        if f"Melding #{number}:" in body or f"Melding: #{number}" in body:
            shown.append(body)
    return shown, redacted


async def test_erasing_a_name_renews_the_cards_of_someone_elses_incident(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    overview = await school.create_room("dir")
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    core = school_core(school, tmp_path, [room(room_id, "student-run", abuse_action="flag", staff_may_join=True)])
    service = core.review
    adapter = school.adapter(core, store_dir, review_room=overview, review_service=service)
    async with running(core, adapter):
        await school.send("daan", room_id, f"Sanne Bakker is een {MARKER}")
        number = (await eventually(lambda: incidents(core), what="daan's incident"))[0].id
        for name in ("jan", "abc"):
            await eventually(partial(card_in, school, core, name, number), what=f"{name}'s card")
        await eventually(
            lambda: {"jan", "abc", "overview"} <= set(json.loads(core.state.get(f"matrix.copies.{number}") or "{}")),
            what="all three copies delivered and remembered",
        )
        await eventually(lambda: incidents(core)[0].action_status == "done", what="every copy delivered")

        plan = erase_person(core.sessions, "sanne", core.clock.now(), dry_run=False, actor="cli:test")
        assert number in plan.texts_scrubbed and parse(core.state.get(RENEW_KEY)) == {number: 0}
        assert await withdraw_pending_cards([adapter], core.state) == 0

        for name, where in (("jan", _dm(core, school, "jan")), ("abc", _dm(core, school, "abc")), ("dir", overview)):
            shown, redacted = await _cards(school, core, name, where, number)
            assert redacted >= 1, (name, shown)  # the old copy is gone (an edit would keep it in the edit history)
            assert shown and all("Sanne Bakker" not in body for body in shown), (name, shown)
            assert any(ERASED in body for body in shown), (name, shown)  # a fresh card, as the incident reads now
        assert parse(core.state.get(RENEW_KEY)) == {}


async def test_a_reviewer_who_left_the_school_loses_their_cards(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school_core(school, tmp_path, [room(room_id, "student-run", abuse_action="flag", staff_may_join=True)])
    service = core.review
    adapter = school.adapter(core, store_dir, review_service=service)
    async with running(core, adapter):
        await school.send("daan", room_id, f"jij {MARKER}")
        number = (await eventually(lambda: incidents(core), what="daan's incident"))[0].id
        for name in ("jan", "abc"):
            await eventually(partial(card_in, school, core, name, number), what=f"{name}'s card")
        with core.sessions.begin() as session:  # a roster import without Jansen: he left
            session.execute(update(PersonRow).where(PersonRow.id == "jan").values(active=False))
        core.reload_directory()
        await adapter.reconcile()
        assert not await card_in(school, core, "jan", number)
        assert await card_in(school, core, "abc", number)  # the coordinator still reviews it
