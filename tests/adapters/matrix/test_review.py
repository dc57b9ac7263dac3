"""Reviewers on Matrix: review commands in the review room, and the daily digest as a private message."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from adapters.matrix.client import MatrixAdapter
from bot.app import Core
from moderation.digest import build_digests
from moderation.model import PersonId
from tests.adapters.matrix.helpers import MARKER, School, eventually, incidents, is_redacted, room
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse


def with_review(school: School, core: Core, store_dir: Path, review_room: str) -> MatrixAdapter:
    service = core.review
    return school.adapter(core, store_dir, review_room=review_room, review_service=service)


async def replies_to(school: School, room_id: str, event_id: str) -> list[str]:
    return [
        str(e["content"].get("body"))
        for e in await school.timeline("jan", room_id)
        if e["sender"] == school.uid("bot")
        and e["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == event_id
    ]


async def test_review_commands_in_the_review_room(
    school: School, tmp_path: Path, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    review = await school.create_room("jan", members=("sanne", "eva"))
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
    caplog.set_level(logging.WARNING, logger="adapters.matrix")
    async with running(core, with_review(school, core, store_dir, review)):
        [warning] = [r.getMessage() for r in caplog.records if "who are not school leadership" in r.getMessage()]
        assert "3 member(s)" in warning and f"{school.uid('sanne')} (Sanne Bakker)" in warning  # AVG: a student!
        await school.send("daan", room_id, f"jij {MARKER}")
        found = await eventually(lambda: incidents(core), what="an incident")
        number = found[0].id
        ack = await school.send("jan", review, f"!ack {number}")
        answer = await eventually(lambda: replies_to(school, review, ack), what="the answer to !ack")
        assert str(number) in answer[0]
        assert incidents(core)[0].status == "in-review"
        other = await school.send("eva", review, f"!resolve {number} gesprek gevoerd")  # not her student
        refused = await eventually(lambda: replies_to(school, review, other), what="the refusal")
        assert incidents(core)[0].status == "in-review", refused
        nonsense = await school.send("jan", review, "!frobnicate 3")
        usage = await eventually(lambda: replies_to(school, review, nonsense), what="the usage hint")
        assert "ken ik niet" in usage[0]
        assert len(incidents(core)) == 1  # commands are not judged as messages
        quoted = await school.send("jan", review, f"hij schreef letterlijk 'jij {MARKER}', ik bel de ouders")
        listed = await school.send("jan", review, "!list")  # handled after the quote: its answer means both were
        await eventually(lambda: replies_to(school, review, listed), what="the answer to !list")
        assert len(incidents(core)) == 1  # a reviewer quoting the message in the review room is no new incident
        assert not is_redacted(await school.event("jan", review, quoted))


async def test_digest_is_sent_privately(school: School, tmp_path: Path, store_dir: Path) -> None:
    review = await school.create_room("jan")
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="flag")])
    async with running(core, with_review(school, core, store_dir, review)) as adapter:
        await school.send("daan", room_id, f"wat een {MARKER}")
        await eventually(lambda: incidents(core), what="an incident")
        with core.sessions() as session:
            digests = {d.reviewer: d for d in build_digests(session, core.directory)}
        jan = core.directory.person(PersonId("jan"))
        assert jan is not None
        assert await adapter.send_digest(jan, digests[PersonId("jan")])
        await eventually(
            lambda: _has(school, "jan", "Dagoverzicht voor Meneer Jansen"), what="the digest in jan's private room"
        )
        nobody = core.directory.person(PersonId("p-sanne"))  # a parent without a Matrix account
        assert nobody is not None and not await adapter.send_digest(nobody, digests[PersonId("jan")])


async def _has(school: School, name: str, text: str) -> bool:
    return any(text in body for body in await school.notices_from_bot(name))


async def test_reactions_on_the_card(school: School, tmp_path: Path, store_dir: Path) -> None:
    review = await school.create_room("jan", members=("eva",))
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
    async with running(core, with_review(school, core, store_dir, review)):
        await school.send("daan", room_id, f"jij {MARKER}")
        await eventually(lambda: incidents(core), what="an incident")
        cards = await eventually(lambda: _cards(school, review), what="the card")
        like = {"m.relates_to": {"rel_type": "m.annotation", "event_id": cards[0], "key": "👍"}}
        await school.send_event("jan", review, "m.reaction", like)  # just a reaction: nothing happens
        eyes = {"m.relates_to": {"rel_type": "m.annotation", "event_id": cards[0], "key": "👀"}}
        reaction = await school.send_event("jan", review, "m.reaction", eyes)
        answer = await eventually(lambda: replies_to(school, review, reaction), what="the answer to 👀")
        assert incidents(core)[0].status == "in-review", answer
        notices = [e for e in await _bot_notices(school, review) if "m.new_content" not in e["content"]]
        assert len(notices) == 2  # the card and one answer (besides the card's update), none for 👍


async def _cards(school: School, room_id: str) -> list[str]:
    return [e["event_id"] for e in await _bot_notices(school, room_id) if "Melding: #" in e["content"]["body"]]


async def _bot_notices(school: School, room_id: str) -> list[dict[str, Any]]:
    events = await school.timeline("jan", room_id)
    return [e for e in events if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"]
