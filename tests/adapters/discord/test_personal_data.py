"""R6 through discord.py and the fake server: someone else's number is deleted, the sender gets a DM saying why,
and the incident keeps a masked excerpt."""

from __future__ import annotations

from tests.adapters.discord.conftest import Running


async def test_a_classmates_number_is_deleted_with_a_notice_and_masked(running: Running) -> None:
    school, world = running.school, running.world
    own = world.create_message(school.daan.id, school.klas.id, "app me op 0687654321 voor het werkstuk")
    leak = world.create_message(school.sanne.id, school.klas.id, "hier is zijn nummer 06-12 34 56 78 spam hem")
    await running.wait_for(lambda: leak.id in world.deleted)
    await running.wait_for(lambda: running.settled_incident(leak.id))
    incident = running.settled_incident(leak.id)
    assert incident is not None
    assert (incident.rule_id, incident.category) == ("R6", "personal-data")
    assert incident.excerpt == "hier is zijn nummer 06-•• •• •• 78 spam hem"
    assert own.id in world.messages  # one's own number stays
    await running.wait_for(lambda: running.dms_to(school.sanne))
    assert any("R6" in dm and "telefoonnummer" in dm for dm in running.dms_to(school.sanne))
