"""A teacher's announcement for 07:30 to three class rooms on the real Synapse: in none of them before its time,
in all three at 07:30 after a restart in between; the teacher hears how it went; `!intrekken` redacts it everywhere.
(`!wijzig` is tested on the fake Discord server; the Matrix edit itself, `m.replace`, with the timetable relay.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.matrix.client import MatrixAdapter
from bot.app import Core
from bot.relay import attach_staff_commands, build_delivery
from moderation.announcements.staff import StaffAnnouncements
from tests.adapters.matrix.helpers import School, eventually, room
from tests.adapters.matrix.test_announcer import current_posts, leave
from tests.adapters.matrix.test_staff_announcements import bot_said, direct_room
from tests.support.fakes import FixedClock

pytestmark = pytest.mark.synapse

MONDAY_0700 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam
AT_0730 = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


async def answer(school: School, dm: str, text: str) -> str:
    """Jan types `text` in his direct room with the bot; the bot's answer."""
    before = len(await bot_said(school, "jan", dm))
    await school.send("jan", dm, text)
    said = await eventually(lambda: _longer(school, dm, before), what=f"the answer to {text!r}")
    return str(said[before])


async def _longer(school: School, dm: str, before: int) -> list[str] | None:
    said = await bot_said(school, "jan", dm)
    return said if len(said) > before else None


async def test_a_scheduled_announcement_arrives_after_a_restart_and_is_retracted(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    made = [await school.create_room("jan", members=("sanne",), levels={"bot": 100}) for _ in range(3)]
    names = ("Mededelingen 2B", "2B rooster", "Mededelingen 3A")
    rooms: list[dict[str, Any]] = [room(r, "announcement", name=n) for r, n in zip(made, names, strict=True)]
    token = school.new_bot_token()  # the same login after the restart

    def start(at: datetime) -> tuple[Core, MatrixAdapter, StaffAnnouncements]:
        core = school.make_core(tmp_path, rooms)
        core.clock = FixedClock(at)
        adapter = school.adapter(core, store_dir, token=token)
        staff = attach_staff_commands(core, [adapter])
        assert staff is not None
        return core, adapter, staff

    dm = ""
    try:
        core, adapter, staff = start(MONDAY_0700)
        await adapter.start(core.moderator)
        try:
            dm = await direct_room(school, adapter, "jan")
            reply = await answer(school, dm, "!mededeling om 07:30 2b 3a: lokaal 1e uur wiskunde naar B12")
            assert reply.startswith("Gepland voor ma 7 dec om 07:30 naar 3 ruimte(s) (nummer ")
            code = reply.split("nummer ")[1].split(";")[0]
            await build_delivery(core, staff).tick()
            assert [await current_posts(school, r) for r in made] == [[], [], []]  # not before its time
        finally:
            assert staff.fanout.lease is not None
            staff.fanout.lease.release()
            await adapter.stop()
            core.close()

        core, adapter, staff = start(AT_0730)  # the restart; the clock has reached 07:30
        await adapter.start(core.moderator)
        try:
            await build_delivery(core, staff).tick()
            text = "Het 1e uur wiskunde is verplaatst naar lokaal B12."
            assert [await current_posts(school, r) for r in made] == [
                [f"Mededeling van Meneer Jansen (2B): {text}"],
                [f"Mededeling van Meneer Jansen (2B): {text}"],
                [f"Mededeling van Meneer Jansen (3A): {text}"],
            ]
            done = f"Je geplande mededeling {code} is verstuurd naar 3 van 3 ruimtes."
            await eventually(lambda: _has(school, dm, done), what="the teacher's report")

            gone = await answer(school, dm, f"!intrekken {code}")
            assert gone == f"Mededeling {code} is overal ingetrokken."
            assert [await current_posts(school, r) for r in made] == [[], [], []]
        finally:
            await adapter.stop()
            core.close()
    finally:
        await leave(school, [*made, *([dm] if dm else [])], ("sanne", "bot", "jan"))


async def _has(school: School, dm: str, text: str) -> bool:
    return text in await bot_said(school, "jan", dm)
