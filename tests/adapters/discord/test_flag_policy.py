"""A room whose policy is "flag": abuse is recorded and routed, the message stays, the author is not notified."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.discord.conftest import Running
from tests.support.fake_discord.school import School


@pytest.fixture
def rooms(school: School) -> list[dict[str, Any]]:
    configured = school.rooms()
    configured[1] |= {"abuse_action": "flag", "notify_sender": False}
    return configured


async def test_abuse_in_a_flag_room_is_recorded_but_not_deleted(running: Running) -> None:
    school, world = running.school, running.world
    posted = world.create_message(school.sanne.id, school.klas.id, "daan je bent een klootzak")
    await running.wait_for(lambda: running.settled_incident(posted.id))
    incident = running.settled_incident(posted.id)
    assert incident is not None and incident.category == "insult" and incident.action_status == "done"
    assert ("jan", "mentor") in {(r.person_id, r.reason) for r in incident.reviewers}
    assert posted.id in world.messages and not world.deleted
    assert not running.dms_to(school.sanne)
    await running.wait_for(lambda: any("klootzak" in card for card in running.review_cards()))
