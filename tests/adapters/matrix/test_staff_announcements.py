"""A teacher announces to several class rooms at once from their direct room with the bot, on the real Synapse:
only staff, only where R10 lets them post, the post names them, and one command retracts it everywhere."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from adapters.matrix.client import MatrixAdapter
from bot.relay import attach_staff_commands
from moderation.model import AccountId
from moderation.storage.announcements import AnnouncementLogRow
from tests.adapters.matrix.helpers import School, eventually, is_redacted, room
from tests.adapters.matrix.test_announcer import leave

pytestmark = pytest.mark.synapse


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


async def test_a_teacher_announces_to_two_classes_and_retracts_it(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    r2b = await school.create_room("jan", members=("sanne",), levels={"bot": 100})
    r3a = await school.create_room("jan", members=("noor",), levels={"bot": 100})
    rooms = [
        room(r2b, "announcement", name="Mededelingen 2B"),  # every staff member may post
        room(r3a, "announcement", name="Mededelingen 3A", posters=["eva"]),  # only Mevr. Visser (R10)
    ]
    core = school.make_core(tmp_path, rooms)
    adapter = school.adapter(core, store_dir)
    assert attach_staff_commands(core, [adapter]) is not None
    await adapter.start(core.moderator)
    try:
        jan = await direct_room(school, adapter, "jan")
        await school.send("jan", jan, "!mededeling 2b 3a: Morgen geen gym, neem je leesboek mee")
        replies = await eventually(lambda: bot_said(school, "jan", jan), what="the bot's answer")
        assert replies[-1].startswith("Verstuurd naar 1 van 1 ruimtes (nummer ")
        assert "Niet verstuurd naar 3A: daar mag jij niet posten." in replies[-1]
        code = replies[-1].split("nummer ")[1].split(";")[0]
        posts = await bot_said(school, "sanne", r2b)
        assert posts == ["Mededeling van Meneer Jansen (2B): Morgen geen gym, neem je leesboek mee"]
        assert await bot_said(school, "noor", r3a) == []

        sanne = await direct_room(school, adapter, "sanne")
        await school.send("sanne", sanne, "!mededeling 2b: geen school morgen!!")
        said = await eventually(lambda: bot_said(school, "sanne", sanne), what="the answer to a student")
        assert said[-1] == "Alleen medewerkers van de school kunnen mededelingen versturen."

        eva = await direct_room(school, adapter, "eva")
        await school.send("eva", eva, f"!intrekken {code}")
        said = await eventually(lambda: bot_said(school, "eva", eva), what="the answer to another teacher")
        assert said[-1].startswith(f"Mededeling {code} is niet van jou")

        await school.send("jan", jan, f"!intrekken {code}")
        await eventually(
            lambda: _last_is(school, "jan", jan, f"Mededeling {code} is overal ingetrokken."), what="the retraction"
        )
        assert await bot_said(school, "sanne", r2b) == []  # redacted
        with core.sessions() as session:
            log = session.scalars(select(AnnouncementLogRow).order_by(AnnouncementLogRow.id)).all()
            assert [(e.actor, e.action) for e in log] == [
                ("jan", "queued"),
                ("jan", "posted"),
                ("jan", "withdrawn"),
                ("jan", "retracted"),
            ]
    finally:
        await adapter.stop()
        core.close()
        opened = [r for r in (locals().get(n) for n in ("jan", "sanne", "eva")) if isinstance(r, str)]
        await leave(school, [r2b, r3a, *opened], ("sanne", "noor", "eva", "bot", "jan"))


async def _last_is(school: School, name: str, room_id: str, text: str) -> bool:
    said = await bot_said(school, name, room_id)
    return bool(said) and said[-1] == text
