"""A student telling of being asked for nudes, on the real Synapse with the project's real text tier: in a room
that redacts abuse the message stays, the mentor is assigned, and the student reads where to find help."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation.classify import build_classifier
from moderation.classify.config import ClassifierConfig
from tests.adapters.matrix.helpers import MARKER, School, eventually, incidents, is_redacted, room, seen_redacted
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse


async def test_a_disclosure_stays_and_reaches_the_mentor_as_care(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    earlier = await school.rooms_of("sanne")  # other tests' notices stay out
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    rooms = [room(room_id, "class", abuse_action="delete", name="klas-2b")]
    core = school.make_core(tmp_path, rooms, classifier=build_classifier(ClassifierConfig(ml=None)))
    async with running(core, school.adapter(core, store_dir)):
        told = await school.send("sanne", room_id, "een jongen uit 3c vroeg me om nudes te sturen")
        insult = await school.send("daan", room_id, f"jij bent echt een {MARKER}")
        await eventually(lambda: seen_redacted(school, room_id, insult), what="the insult to be redacted")
        await eventually(
            lambda: len(incidents(core)) == 2 and all(i.action_status == "done" for i in incidents(core)),
            what="both incidents acted on",
        )
        [disclosure] = [i for i in incidents(core) if i.event_id == told]
        assert disclosure.category == "sexual" and disclosure.author_person_id == "sanne"
        assert ("jan", "mentor") in {(r.person_id, r.reason) for r in disclosure.reviewers}
        assert not is_redacted(await school.event("sanne", room_id, told))
        notices = await eventually(lambda: school.notices_from_bot("sanne", earlier), what="the notice to sanne")
    assert len(notices) == 1 and notices[0].startswith("Goed dat je dit vertelt.")
    assert "verwijderd" not in notices[0]
