"""A teacher's fan-out to many rooms: they hear the progress while it runs and the end result, and a room that
fails does not stop the others and is named. The rooms' side is a recording announcer (the platforms' own paths
are tested on Synapse and the fake Discord server); the queue is the real one on the bot's database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.relay import build_delivery, build_staff_announcements
from moderation.announcements import texts_nl as texts
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

    def __init__(self, broken: str) -> None:
        self.broken = broken
        self.posted: list[str] = []
        self.told: list[str] = []

    async def post(self, room_id: str, text: str, key: str) -> str:
        await asyncio.sleep(0.02)
        if room_id == self.broken:
            raise RuntimeError("M_FORBIDDEN: the bot was kicked")
        self.posted.append(room_id)
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
    assert reply is not None and reply.endswith(texts.ELSEWHERE) and other.posted == []
    await build_delivery(core, first).tick()
    assert delivering.posted == ["!r:school.test"]
