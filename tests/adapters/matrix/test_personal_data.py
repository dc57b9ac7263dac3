"""R6 on a real Synapse: a classmate's phone number in a class room is removed, the sender is told why, and the
incident log keeps only a masked excerpt."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.matrix.helpers import School, eventually, incidents, is_redacted, room, seen_redacted

pytestmark = pytest.mark.synapse


async def test_a_classmates_number_is_removed_with_a_notice_and_masked_in_the_log(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    room_id = await school.create_room("jan", members=("sanne", "daan"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "class", name="klas-2b")])
    adapter = school.adapter(core, store_dir)
    await adapter.start(core.moderator)
    try:
        own = await school.send("daan", room_id, "app me ff op 0687654321 voor het werkstuk")
        leak = await school.send("sanne", room_id, "hier is zijn nummer 06-12 34 56 78 spam hem maar")
        found = await eventually(lambda: [i for i in incidents(core) if i.category == "personal-data"], what="R6")
        assert len(found) == 1
        incident = found[0]
        assert incident.rule_id == "R6"
        assert incident.excerpt == "hier is zijn nummer 06-•• •• •• 78 spam hem maar"
        await eventually(lambda: seen_redacted(school, room_id, leak), what="the leak redacted")
        assert not is_redacted(await school.event("daan", room_id, own))  # one's own number stays
        notices = await eventually(lambda: school_notices(school), what="the notice to sanne")
        assert any("R6" in n and "telefoonnummer" in n for n in notices)
        database_files = [p for p in tmp_path.iterdir() if p.name.startswith("schoolwacht.sqlite3")]
        assert database_files
        assert all(b"12 34 56 78" not in p.read_bytes() for p in database_files)  # not even in the WAL
    finally:
        await core.moderator.stop_taking(grace=10)  # as the bot stops: what the workers have in hand finishes
        await adapter.stop()
        core.close()


async def school_notices(school: School) -> list[str]:
    return [n for n in await school.notices_from_bot("sanne") if "R6" in n]
