"""Member rules on a real Synapse: a student who takes a teacher's name (R7), a teacher in a student-run room (R10)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.app import Core
from moderation.incidents.model import Incident
from tests.adapters.matrix.helpers import School, eventually, incidents, room
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse


def of(core: Core, category: str) -> Callable[[], list[Incident]]:
    return lambda: [i for i in incidents(core) if i.category == category]


async def rename(school: School, name: str, display_name: str) -> None:
    path = f"/_matrix/client/v3/profile/{quote(school.uid(name))}/displayname"
    await school.api(name, "PUT", path, {"displayname": display_name})


async def test_a_student_renamed_as_a_teacher_is_an_incident_for_leadership(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    room_id = await school.create_room("jan", members=("sanne", "daan"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "class", name="klas-2b")])
    try:
        # Stopped as the bot stops: the notice to daan still in hand finishes first, rather than going on after the
        # client is closed.
        async with running(core, school.adapter(core, store_dir)):
            await rename(school, "sanne", "Meneer Jаnsen")  # with a Cyrillic а
            (found,) = await eventually(of(core, "impersonation"), what="the impersonation incident")
            assert (found.rule_id, found.author_person_id, found.excerpt) == ("R7", "sanne", "Meneer Jаnsen")
            assert {r.reason for r in found.reviewers} >= {"leadership", "mentor"}
            await rename(school, "daan", "daan 🎮")
            await school.send("daan", room_id, "sukkel")  # handled after the rename: everything before it is judged
            await eventually(of(core, "insult"), what="the marker message")
            assert len(of(core, "impersonation")()) == 1
    finally:
        # The homeserver is shared by the whole test session: later tests must meet the usual names.
        await rename(school, "sanne", "sanne")
        await rename(school, "daan", "daan")


async def test_a_teacher_in_a_student_run_room_is_for_their_manager(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    # Eva is in the room before the bot looks; Jan joins while it watches.
    room_id = await school.create_room("sanne", members=("daan", "eva"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", name="chat-2b", staff_may_join=False)])
    async with running(core, school.adapter(core, store_dir)) as adapter:
        present = await eventually(of(core, "staff-in-student-room"), what="eva found at start")
        assert [i.author_person_id for i in present] == ["eva"]
        invite = f"/_matrix/client/v3/rooms/{quote(room_id)}/invite"
        await school.api("sanne", "POST", invite, {"user_id": school.uid("jan")})
        await school.api("jan", "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
        both = await eventually(
            lambda: len(of(core, "staff-in-student-room")()) == 2 and of(core, "staff-in-student-room")()
        )
        jan = next(i for i in both if i.author_person_id == "jan")
        assert [(r.person_id, r.reason) for r in jan.reviewers] == [("dir", "manager")]

        async def notes() -> list[str]:
            return [n for n in await school.notices_from_bot("jan") if "R10" in n]

        assert "chat-2b" in (await eventually(notes, what="the note to jan"))[0]
        await adapter.reconcile()  # looking again records nothing new
        assert len(of(core, "staff-in-student-room")()) == 2
