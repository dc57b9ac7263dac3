"""A teacher announces to several class rooms at once from their direct room with the bot, on the real Synapse:
only staff, only where R10 lets them post, the post names them; one scheduled for 07:30 is in no room before its
time and in every room at 07:30 after a restart in between, and the teacher hears how it went; one command
retracts an announcement everywhere. (`!wijzig` is tested on the fake Discord server; the Matrix edit itself,
`m.replace`, with the timetable relay.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from adapters.matrix.client import MatrixAdapter
from bot.app import Core
from bot.relay import attach_staff_commands, build_delivery
from moderation.announcements.staff import StaffAnnouncements
from moderation.model import AccountId
from moderation.storage.announcements import AnnouncementLogRow
from tests.adapters.matrix.helpers import School, eventually, is_redacted, room
from tests.adapters.matrix.test_announcer import current_posts, leave
from tests.support.fakes import FixedClock

pytestmark = pytest.mark.synapse

MONDAY_0700 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam
AT_0730 = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


async def direct_room(school: School, adapter: MatrixAdapter, name: str) -> str:
    assert adapter.enforcer is not None
    dm = await adapter.enforcer.direct_room(AccountId(school.uid(name)))
    await school.api(name, "POST", f"/_matrix/client/v3/rooms/{quote(dm)}/join", {})
    return dm


async def bot_said(school: School, name: str, room_id: str) -> list[str]:
    events = await school.timeline(name, room_id, limit=50)
    return [
        str(e["content"].get("body", ""))
        for e in reversed(events)
        if e["sender"] == school.uid("bot") and e["type"] == "m.room.message" and not is_redacted(e)
    ]


async def answer(school: School, name: str, dm: str, text: str) -> str:
    """`name` types `text` in their direct room with the bot; the bot's answer."""
    before = len(await bot_said(school, name, dm))
    await school.send(name, dm, text)

    async def longer() -> list[str] | None:
        said = await bot_said(school, name, dm)
        return said if len(said) > before else None

    return str((await eventually(longer, what=f"the answer to {text!r}"))[before])


async def test_a_teacher_announces_now_and_later_and_retracts_it_everywhere(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    made = [await school.create_room("jan", members=("sanne",), levels={"bot": 100}) for _ in range(4)]
    rooms: list[dict[str, Any]] = [
        room(made[0], "announcement", name="Mededelingen 2B"),  # every staff member may post
        room(made[1], "announcement", name="2B rooster"),
        room(made[2], "announcement", name="Mededelingen 3A"),
        room(made[3], "announcement", name="3A mentoraat", posters=["eva"]),  # only Mevr. Visser (R10)
    ]
    token = school.new_bot_token()  # the same login after the restart
    opened: dict[str, str] = {}  # person → their direct room with the bot

    def start(at: datetime) -> tuple[Core, MatrixAdapter, StaffAnnouncements]:
        core = school.make_core(tmp_path, rooms)
        core.clock = FixedClock(at)
        adapter = school.adapter(core, store_dir, token=token)
        staff = attach_staff_commands(core, [adapter])
        assert staff is not None
        return core, adapter, staff

    try:
        core, adapter, staff = start(MONDAY_0700)
        await adapter.start(core.moderator)
        try:
            jan = await direct_room(school, adapter, "jan")
            opened["jan"] = jan
            now = await answer(school, "jan", jan, "!mededeling 2b 3a: Morgen geen gym, neem je leesboek mee")
            assert now.startswith("Verstuurd naar 3 van 3 ruimtes (nummer ")
            assert now.endswith("Niet verstuurd naar 3A: daar mag jij niet posten.")
            first = now.split("nummer ")[1].split(";")[0]
            gym = "Morgen geen gym, neem je leesboek mee"
            assert [await current_posts(school, r) for r in made] == [
                [f"Mededeling van Meneer Jansen (2B): {gym}"],
                [f"Mededeling van Meneer Jansen (2B): {gym}"],
                [f"Mededeling van Meneer Jansen (3A): {gym}"],
                [],
            ]

            sanne = await direct_room(school, adapter, "sanne")
            opened["sanne"] = sanne
            refused = await answer(school, "sanne", sanne, "!mededeling 2b: geen school morgen!!")
            assert refused == "Alleen medewerkers van de school kunnen mededelingen versturen."
            eva = await direct_room(school, adapter, "eva")
            opened["eva"] = eva
            assert (await answer(school, "eva", eva, f"!intrekken {first}")).startswith(
                f"Mededeling {first} is niet van jou"
            )

            later = await answer(school, "jan", jan, "!mededeling om 07:30 2b 3a: lokaal 1e uur wiskunde naar B12")
            assert later.startswith("Gepland voor ma 7 dec om 07:30 naar 3 ruimte(s) (nummer ")
            second = later.split("nummer ")[1].split(";")[0]
            await build_delivery(core, staff).tick()
            assert len(await current_posts(school, made[0])) == 1  # not before its time
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()

        core, adapter, staff = start(AT_0730)  # the restart; the clock has reached 07:30
        await adapter.start(core.moderator)
        try:
            await build_delivery(core, staff).tick()
            moved = "Het 1e uur wiskunde is verplaatst naar lokaal B12."
            assert [(await current_posts(school, r))[1:] for r in made[:3]] == [
                [f"Mededeling van Meneer Jansen (2B): {moved}"],
                [f"Mededeling van Meneer Jansen (2B): {moved}"],
                [f"Mededeling van Meneer Jansen (3A): {moved}"],
            ]
            report = f"Je geplande mededeling {second} is verstuurd naar 3 van 3 ruimtes."
            await eventually(lambda: _has(school, jan, report), what="the teacher's report")

            for code in (first, second):
                assert await answer(school, "jan", jan, f"!intrekken {code}") == (
                    f"Mededeling {code} is overal ingetrokken."
                )
            assert [await current_posts(school, r) for r in made] == [[], [], [], []]  # redacted
            with core.sessions() as session:
                log = session.scalars(select(AnnouncementLogRow).order_by(AnnouncementLogRow.id)).all()
                post = log[0].post_id
                assert [(e.actor, e.action) for e in log if e.post_id == post] == [
                    ("jan", "queued"),
                    ("jan", "posted"),
                    ("jan", "withdrawn"),
                    ("jan", "retracted"),
                ]
        finally:
            await adapter.stop()
            core.close()
    finally:
        await leave(school, made, ("sanne", "bot", "jan"))  # only who joined: the leaves are many round trips
        for name, dm in opened.items():
            await leave(school, [dm], (name, "bot"))


async def _has(school: School, dm: str, text: str) -> bool:
    return text in await bot_said(school, "jan", dm)
