"""R9 on a real Synapse, through its admin API: a room with only a teacher and a student is reported to leadership
(once, without a word of content); exceptions for education and the bot's own rooms are not."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from adapters.matrix.one_to_one import AdminApiFailed, check_one_to_one_rooms
from tests.adapters.matrix.helpers import School, incidents

pytestmark = pytest.mark.synapse


async def pair_room(school: School, owner: str, other: str) -> str:
    room_id = await school.create_room(owner, members=(other,), invite_bot=False)
    await school.send(owner, room_id, "zullen we het werkstuk morgen bespreken?")
    return room_id


async def test_a_teacher_student_room_is_reported_to_leadership_once(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    admin = school.server.register(f"admin{uuid.uuid4().hex[:8]}", admin=True)
    pair = await pair_room(school, "jan", "sanne")
    allowed = await pair_room(school, "eva", "noor")
    students = await pair_room(school, "sanne", "daan")  # two students: not R9
    core = school.make_core(tmp_path, [], extra_settings={"bot": {"one_to_one_exceptions": ["eva/noor"]}})
    adapter = school.adapter(core, store_dir)
    await adapter.start(core.moderator)
    try:
        assert adapter.enforcer is not None
        for _ in range(2):  # looking twice records each room once
            await check_one_to_one_rooms(
                school.server.url, admin.access_token, school.uid("bot"), core.moderator, adapter.enforcer
            )
        # The homeserver is shared by the whole test session: look only at this test's rooms.
        ours = {pair, allowed, students}
        found = [i for i in incidents(core) if i.category == "one-to-one" and i.room_id in ours]
        assert [i.room_id for i in found] == [pair]
        (incident,) = found
        assert incident.rule_id == "R9" and not incident.excerpt
        assert {r.reason for r in incident.reviewers} == {"leadership"}
        assert "Meneer Jansen" in incident.explanation and "Sanne Bakker" in incident.explanation
    finally:
        await adapter.stop()
        core.close()


async def test_a_token_that_is_no_admin_is_one_clear_error(school: School, tmp_path: Path, store_dir: Path) -> None:
    core = school.make_core(tmp_path, [])
    adapter = school.adapter(core, store_dir)
    await adapter.start(core.moderator)
    try:
        assert adapter.enforcer is not None
        plain = school.accounts["jan"].access_token
        with pytest.raises(AdminApiFailed, match="SCHOOLWACHT_MATRIX_ADMIN_TOKEN"):
            await check_one_to_one_rooms(school.server.url, plain, school.uid("bot"), core.moderator, adapter.enforcer)
    finally:
        await adapter.stop()
        core.close()
