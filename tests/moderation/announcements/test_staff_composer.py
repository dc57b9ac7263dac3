"""The request a composer (the desk's Mededelingen page) makes: single ticked rooms of the classes, all of them the
sender's (R10) or nothing at all; a preview that stores nothing; a delivery beside the caller; the sender's list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.relay import build_staff_announcements
from moderation.announcements.commands import Announce
from moderation.model import Person, PersonId, Platform, Role
from tests.moderation.announcements.test_staff_progress import PEOPLE, SlowRooms
from tests.support.core import make_core
from tests.support.fakes import FixedClock

ROOMS: list[dict[str, Any]] = [
    {
        "platform": "matrix",
        "id": "!a:school.test",
        "name": "Mededelingen 2B",
        "kind": "announcement",
        "posters": ["jan"],
    },
    {"platform": "matrix", "id": "!b:school.test", "name": "Rooster 2B", "kind": "announcement", "posters": ["jan"]},
    {"platform": "matrix", "id": "!c:school.test", "name": "Mededelingen 3A", "kind": "announcement", "posters": ["x"]},
]
A, B, C = ((Platform.MATRIX, r["id"]) for r in ROOMS)
THREE_A = {"id": "noor", "name": "Noor", "role": "student", "class": "3A", "mentor": "jan"}


async def test_a_composer_posts_to_the_ticked_rooms_only_and_all_of_them_the_senders(tmp_path: Path) -> None:
    core = make_core(tmp_path, rooms=ROOMS, people=[*PEOPLE, THREE_A], with_classifier=False)
    core.clock = FixedClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    rooms = SlowRooms(broken="")
    staff = build_staff_announcements(core, [rooms])
    jan = core.roster.current().person(PersonId("jan"))
    assert jan is not None
    assert {cls: [room for room, _ in found] for cls, found in staff.composer.postable(jan).items()} == {"2B": [A, B]}

    texts = staff.composer.texts
    assert staff.composer.prepare(jan, Announce(("2B", "3A"), "x", rooms=frozenset({A, C}))) == texts.no_room("3A")
    assert staff.composer.prepare(jan, Announce(("2B",), "x", rooms=frozenset({C}))) == texts.no_room("")  # not of 2B
    assert staff.composer.prepare(jan, Announce(("2B",), "x", rooms=frozenset())) == texts.no_room("")
    student = Person(PersonId("sanne"), "Sanne", Role.STUDENT)
    assert staff.composer.prepare(student, Announce(("2B",), "x")) == texts.not_staff()
    assert staff.composer.postable(student) == {}

    shown = staff.composer.preview(jan, Announce(("2B",), "Geen gym", rooms=frozenset({B})))
    assert not isinstance(shown, str)
    assert [text for _, text in shown[1]] == ["Mededeling van Meneer Jansen (2B): Geen gym"]
    assert staff.composer.sent_by(jan) == []  # a preview stores nothing

    said = await staff.announce(
        jan, Announce(("2B",), "Geen gym", rooms=frozenset({B})), Platform.MATRIX, "", "d1", background=True
    )
    assert said == texts.progress(0, 1)  # answered before the rooms have it; they get it beside the caller
    assert rooms.posted == []
    for _ in range(200):  # the delivery runs on the loop beside the caller
        [sent] = staff.composer.sent_by(jan)
        if sent.rooms[0].status == "done":
            break
        await asyncio.sleep(0.01)
    assert rooms.posted == ["!b:school.test"]
    assert [(r.classes, r.status, r.read) for r in sent.rooms] == [("2B", "done", None)]
    assert sent.record.text == "Geen gym" and sent.code is not None
