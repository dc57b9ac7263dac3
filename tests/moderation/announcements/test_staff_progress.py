"""A teacher's fan-out to many rooms: they hear the progress while it runs and the end result, and a room that
fails does not stop the others and is named. The rooms' side is a recording announcer (the platforms' own paths
are tested on Synapse and the fake Discord server); the queue is the real one on the bot's database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.relay import build_delivery, build_staff_announcements
from bot.texts.nl import DUTCH
from moderation.announcements.lease import DeliveryLease
from moderation.model import Platform
from tests.support.core import make_core
from tests.support.fakes import FixedClock

ROOMS = 12
PEOPLE = [
    {"id": "jan", "name": "Meneer Jansen", "role": "staff", "matrix_id": "@jan:school.test"},
    {"id": "sanne", "name": "Sanne", "role": "student", "class": "2B", "mentor": "jan", "matrix_id": "@s:school.test"},
]


class SlowRooms:
    """Posts take a moment each; one room refuses every post."""

    platform = Platform.MATRIX
    confirms_reads = False
    read_hint = ""

    def __init__(self, broken: str) -> None:
        self.broken = broken
        self.posted: list[str] = []
        self.told: list[str] = []
        self.texts: list[str] = []

    async def post(self, room_id: str, text: str, key: str, *, asks_read: bool = False) -> str:
        await asyncio.sleep(0.02)
        if room_id == self.broken:
            raise RuntimeError("M_FORBIDDEN: the bot was kicked")
        self.posted.append(room_id)
        self.texts.append(text)
        return f"$event-{room_id}"

    async def find_posted(self, room_id: str, text: str) -> str | None:
        return None

    async def edit(self, room_id: str, message_id: str, text: str) -> None: ...

    async def retract(self, room_id: str, message_id: str) -> None: ...

    async def tell(self, account: str, text: str) -> None:
        self.told.append(text)


async def test_the_teacher_sees_progress_and_which_room_failed(tmp_path: Path) -> None:
    rooms: list[dict[str, Any]] = [
        {"platform": "matrix", "id": f"!r{i}:school.test", "name": f"Mededelingen 2B ({i})", "kind": "announcement"}
        for i in range(ROOMS)
    ]
    core = make_core(tmp_path, rooms=rooms, people=PEOPLE, with_classifier=False)
    core.clock = FixedClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    announcer = SlowRooms(broken="!r5:school.test")
    staff = build_staff_announcements(core, [announcer], progress_every_s=0.05)
    reply = await staff.handle(Platform.MATRIX, "@jan:school.test", "!mededeling 2b: vervalt 5e uur", "$cmd")
    assert reply is not None and reply.startswith(f"Verstuurd naar {ROOMS - 1} van {ROOMS} ruimtes (nummer ")
    assert "Niet gelukt in: 2B (matrix). Wat nog niet lukte, wordt vanzelf opnieuw geprobeerd." in reply
    assert len(announcer.posted) == ROOMS - 1
    assert announcer.told and all(t.startswith("Bezig: verstuurd naar ") for t in announcer.told)
    counts = [int(t.split()[3]) for t in announcer.told]
    assert (
        counts == sorted(set(counts))
        and counts[-1] < ROOMS
        and all(t.endswith(f"van {ROOMS} ruimtes…") for t in announcer.told)
    )


async def test_a_command_in_a_process_that_does_not_deliver_is_left_to_the_one_that_does(tmp_path: Path) -> None:
    rooms: list[dict[str, Any]] = [
        {"platform": "matrix", "id": "!r:school.test", "name": "Mededelingen 2B", "kind": "announcement"}
    ]
    core = make_core(tmp_path, rooms=rooms, people=PEOPLE, with_classifier=False)
    core.clock = FixedClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    delivering, other = SlowRooms(broken=""), SlowRooms(broken="")
    first = build_staff_announcements(core, [delivering], lease=DeliveryLease(core.sessions, "first"))
    second = build_staff_announcements(core, [other], lease=DeliveryLease(core.sessions, "second"))
    assert first.fanout.delivering() == [Platform.MATRIX]
    reply = await second.handle(Platform.MATRIX, "@jan:school.test", "!mededeling 2b: toets gaat door", "$c2")
    assert reply is not None and reply.endswith(DUTCH.announcements.elsewhere()) and other.posted == []
    await build_delivery(core, first).tick()
    assert delivering.posted == ["!r:school.test"]


async def test_a_scheduled_announcement_edited_or_retracted_before_its_time(tmp_path: Path) -> None:
    rooms: list[dict[str, Any]] = [
        {"platform": "matrix", "id": "!r:school.test", "name": "Mededelingen 2B", "kind": "announcement"}
    ]
    core = make_core(tmp_path, rooms=rooms, people=PEOPLE, with_classifier=False)
    clock = FixedClock(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))  # 12:00 in Amsterdam
    core.clock = clock
    announcer = SlowRooms(broken="")
    staff = build_staff_announcements(core, [announcer])
    delivery = build_delivery(core, staff)
    jan = "@jan:school.test"
    kept = await staff.handle(Platform.MATRIX, jan, "!mededeling om 12:30 2b: toets gaat door", "$a")
    dropped = await staff.handle(Platform.MATRIX, jan, "!mededeling om 12:30 2b: toets vervalt", "$b")
    assert kept is not None and dropped is not None
    codes = [reply.split("nummer ")[1].split(";")[0] for reply in (kept, dropped)]
    clock.advance(minutes=10)
    assert await staff.handle(Platform.MATRIX, jan, f"!wijzig {codes[0]}: toets gaat toch door", "$c") == (
        f"Mededeling {codes[0]} is gewijzigd; ze gaat op de geplande tijd de deur uit."
    )
    assert await staff.handle(Platform.MATRIX, jan, f"!intrekken {codes[1]}", "$d") == (
        f"Mededeling {codes[1]} is overal ingetrokken."
    )
    clock.advance(minutes=19)
    await delivery.tick()
    assert announcer.posted == []  # 12:29: an edit does not make it due
    clock.advance(minutes=1)
    await delivery.tick()
    assert announcer.texts == ["Mededeling van Meneer Jansen (2B) (gewijzigd): toets gaat toch door"]
    assert announcer.told == [f"Je geplande mededeling {codes[0]} is verstuurd naar 1 van 1 ruimtes."]
