"""A student's notices of a burst on the real Synapse: the first one alone, those within the window on one notice in
plain Dutch that lists them (the same notice for several messages once, with how many it was about)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.matrix.helpers import MARKER, School, eventually, incidents, room
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse


async def test_a_students_notices_within_the_window_come_as_one(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    earlier = await school.rooms_of("daan") | await school.rooms_of("sanne")  # other tests' notices stay out
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    rooms = [room(room_id, "class", abuse_action="delete", name="klas-2b")]
    core = school.make_core(tmp_path, rooms, extra_settings={"bot": {"notice_burst_s": 8}})  # a slow machine too
    async with running(core, school.adapter(core, store_dir)):
        await school.send("daan", room_id, f"jij {MARKER} (1)")
        await eventually(lambda: incidents(core) and incidents(core)[0].action_status == "done", what="the first")
        for n, who in enumerate(("daan", "sanne", "daan", "daan"), start=2):  # within the window
            await school.send(who, room_id, f"jij {MARKER} ({n})")
        await eventually(
            lambda: len(incidents(core)) == 5 and all(i.action_status == "done" for i in incidents(core)),
            what="every notice",
        )
        daan = sorted(await school.notices_from_bot("daan", earlier), key=len)
        sanne = await school.notices_from_bot("sanne", earlier)
    assert len(daan) == 2, daan  # the first alone, then the burst's three on one
    alone, together = daan
    assert alone.startswith("Je bericht in #klas-2b") and "Dit gaat over" not in alone
    assert together.startswith("Dit gaat over 3 berichten die je net stuurde:")
    assert together.count("\n- ") == 1 and "(3 berichten) Je bericht in #klas-2b" in together  # the same notice once
    assert len(sanne) == 1 and sanne[0].startswith("Je bericht in #klas-2b")  # someone else's are their own
