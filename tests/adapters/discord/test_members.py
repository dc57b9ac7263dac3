"""R7 fictitious senders through discord.py and the fake server: a nickname or global name that imitates a teacher,
and a newcomer who joins under one, are recorded for leadership; the teacher under their own name is not."""

from __future__ import annotations

from tests.adapters.discord.conftest import Running


def impersonations(running: Running) -> list[str]:
    return [i.excerpt or "" for i in running.incidents() if i.category == "impersonation"]


async def test_a_student_nicknamed_as_a_teacher_is_recorded_for_leadership_once(running: Running) -> None:
    school, world = running.school, running.world
    world.set_nick(school.sanne.id, "Meneer Jansen")
    await running.wait_for(lambda: impersonations(running))
    (incident,) = [i for i in running.incidents() if i.category == "impersonation"]
    assert (incident.rule_id, incident.author_person_id, incident.excerpt) == ("R7", "sanne", "Meneer Jansen")
    assert {"leadership", "mentor"} <= {r.reason for r in incident.reviewers}
    world.set_nick(school.sanne.id, "sanne")  # back to normal: nothing to record
    world.set_nick(school.sanne.id, "Meneer Jansen")  # the same name again: the same change, recorded once
    world.set_nick(school.teacher.id, "Meneer Jansen")  # the teacher under his own name
    marker = world.create_message(school.daan.id, school.klas.id, "sukkel")
    await running.wait_for(lambda: marker.id in world.deleted)
    assert impersonations(running) == ["Meneer Jansen"]


async def test_a_global_name_change_and_a_newcomer_are_judged(running: Running) -> None:
    school, world = running.school, running.world
    world.set_global_name(school.daan.id, "M e v r.  V i s s e r")
    newcomer = world.join_guild("dir_official", global_name="Directeur de B0er")
    await running.wait_for(lambda: len(impersonations(running)) == 2)
    found = {i.author_account: i.author_person_id for i in running.incidents() if i.category == "impersonation"}
    assert found == {str(school.daan.id): "daan", str(newcomer.id): None}
