"""Content that is not a plain message, on the real Synapse: polls (stable and MSC3381), an attachment's caption and
file name, a room's name; and in announcement rooms the R10 backstop for polls, reactions and state changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.adapters.matrix.helpers import MARKER, School, eventually, incidents, room, seen_redacted
from tests.adapters.matrix.test_rooms import by_category, running

pytestmark = pytest.mark.synapse


def unstable_poll(question: str, answers: list[str]) -> dict[str, Any]:
    return {
        "org.matrix.msc3381.poll.start": {
            "kind": "org.matrix.msc3381.poll.disclosed",
            "max_selections": 1,
            "question": {"org.matrix.msc1767.text": question},
            "answers": [{"id": str(n), "org.matrix.msc1767.text": text} for n, text in enumerate(answers)],
        },
        "org.matrix.msc1767.text": question,
    }


def stable_poll(question: str, answers: list[str]) -> dict[str, Any]:
    return {
        "m.poll": {
            "kind": "m.disclosed",
            "max_selections": 1,
            "question": {"m.text": [{"body": question}]},
            "answers": [{"m.id": str(n), "m.text": [{"body": text}]} for n, text in enumerate(answers)],
        },
        "m.text": [{"body": question}],
    }


async def _put_state(school: School, name: str, room_id: str, event_type: str, content: dict[str, Any]) -> str:
    path = f"/_matrix/client/v3/rooms/{quote(room_id)}/state/{event_type}/"
    return str((await school.api(name, "PUT", path, content))["event_id"])


async def test_polls_captions_file_names_and_room_names_are_judged(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100, "daan": 50})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete", staff_may_join=True)])
    async with running(core, school.adapter(core, store_dir)):
        sent = {
            "unstable poll": await school.send_event(
                "daan", room_id, "org.matrix.msc3381.poll.start", unstable_poll("wie is er dom?", ["sanne", MARKER])
            ),
            "stable poll": await school.send_event(
                "daan", room_id, "m.poll.start", stable_poll(f"is sanne een {MARKER}?", ["ja", "nee"])
            ),
            "file name": await school.send_event(
                "daan",
                room_id,
                "m.room.message",
                {"msgtype": "m.image", "body": "leuke foto", "filename": f"sanne-{MARKER}.jpg", "url": "mxc://x/y"},
            ),
            "room name": await _put_state(school, "daan", room_id, "m.room.name", {"name": f"sanne de {MARKER}"}),
        }
        clean = await school.send_event(
            "daan", room_id, "org.matrix.msc3381.poll.start", unstable_poll("pizza of patat?", ["pizza", "patat"])
        )
        found = await eventually(lambda: len(incidents(core)) >= 4 and incidents(core), what="four incidents")
        assert sorted(i.event_id for i in found) == sorted(sent.values())
        for what, event_id in sent.items():
            await eventually(lambda e=event_id: seen_redacted(school, room_id, e), what=f"the {what} to be redacted")
        assert not await seen_redacted(school, room_id, clean)
        name = await school.api("jan", "GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/state/m.room.name/")
        assert MARKER not in str(name)


async def test_the_announcement_backstop_covers_polls_reactions_and_state_changes(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    # The bot may redact (50) but not change the power levels (100); Sanne was given 50 by hand.
    room_id = await school.create_room("jan", members=("sanne",), levels={"bot": 50, "sanne": 50})
    core = school.make_core(tmp_path, [room(room_id, "announcement")])
    async with running(core, school.adapter(core, store_dir)):
        await eventually(by_category(core, "permission-drift"), what="a 'cannot restore' incident")
        notice = await school.send("jan", room_id, "Het 3e uur vervalt morgen.")
        sent = [
            await school.send_event("sanne", room_id, "m.poll.start", stable_poll("wie gaat er mee?", ["ik", "jij"])),
            await school.send_event(
                "sanne",
                room_id,
                "m.reaction",
                {"m.relates_to": {"rel_type": "m.annotation", "event_id": notice, "key": "👍"}},
            ),
            await _put_state(school, "sanne", room_id, "m.room.topic", {"topic": "hier mag iedereen posten"}),
            await _put_state(school, "sanne", room_id, "m.room.pinned_events", {"pinned": []}),
        ]
        found = await eventually(
            lambda: len(by_category(core, "announcement-only")()) >= 4 and by_category(core, "announcement-only")(),
            what="an announcement-only incident for each",
        )
        assert sorted(i.event_id for i in found) == sorted(sent)
        for event_id in sent:
            await eventually(lambda e=event_id: seen_redacted(school, room_id, e), what=f"{event_id} to be redacted")
        assert not await seen_redacted(school, room_id, notice)  # the teacher's own post stays
