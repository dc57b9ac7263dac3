"""The adapter against a real Synapse: announcement rooms (R10), abusive messages and edits, `!report`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from adapters.matrix.client import MatrixAdapter
from adapters.matrix.enforcer import DM_KEY
from bot.app import Core
from tests.adapters.matrix.helpers import MARKER, School, eventually, incidents, is_redacted, room, seen_redacted
from tests.support.synapse import MatrixHTTPError

pytestmark = pytest.mark.synapse


@asynccontextmanager
async def running(core: Core, adapter: MatrixAdapter) -> AsyncIterator[MatrixAdapter]:
    await adapter.start(core.moderator)
    try:
        yield adapter
    finally:
        await core.moderator.stop_taking(grace=10)  # as the bot stops: the notices and cards in hand finish
        await adapter.stop()
        core.close()


def by_category(core: Core, category: str) -> Callable[[], list[Any]]:
    return lambda: [i for i in incidents(core) if i.category == category]


async def test_student_post_in_announcement_room_is_rejected_by_the_server(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    room_id = await school.create_room("jan", members=("sanne", "eva"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "announcement", posters=["staff"])])
    async with running(core, school.adapter(core, store_dir, read_reactions=False)):  # reactions closed as well
        levels = await school.power_levels("jan", room_id)
        assert levels["events_default"] == 50
        assert levels["users"][school.uid("eva")] == 50  # staff may post
        assert school.uid("jan") not in levels["users"]  # room v12: the creator is never listed
        with pytest.raises(MatrixHTTPError) as refused:
            await school.send("sanne", room_id, "mag ik ook iets zeggen?")
        assert refused.value.status == 403 and refused.value.errcode == "M_FORBIDDEN"
        with pytest.raises(MatrixHTTPError):  # not only messages: reactions too
            await school.send_event("sanne", room_id, "m.reaction", {"m.relates_to": {}})
        await school.send("eva", room_id, "Het 3e uur vervalt morgen")
        assert incidents(core) == []  # setting the levels the first time is set-up, not drift


async def test_lowered_levels_are_restored_and_recorded(school: School, tmp_path: Path, store_dir: Path) -> None:
    room_id = await school.create_room("jan", members=("sanne", "eva"), levels={"bot": 100, "eva": 100})
    core = school.make_core(tmp_path, [room(room_id, "announcement")])
    async with running(core, school.adapter(core, store_dir)):
        levels = await school.power_levels("eva", room_id)
        assert levels["events_default"] == 50
        lowered = {**levels, "events_default": 0}
        drift_event = await school.set_power_levels("eva", room_id, lowered)
        found = await eventually(by_category(core, "permission-drift"), what="a drift incident")
        restored = await eventually(lambda: _events_default(school, room_id, 50), what="the levels to be restored")
        assert restored
        incident = found[0]
        assert incident.event_id == drift_event
        assert incident.author_account == school.uid("eva")
        assert "events_default is 0, should be 50" in incident.explanation and "restored" in incident.explanation
        assert ("dir", "leadership") in {(r.person_id, r.reason) for r in incident.reviewers}
        await school.send("jan", room_id, "alles weer normaal")
        assert len(by_category(core, "permission-drift")()) == 1  # the bot's own restore is no new drift


async def _events_default(school: School, room_id: str, want: int) -> bool:
    return bool((await school.power_levels("jan", room_id)).get("events_default") == want)


async def test_backstop_when_the_bot_cannot_set_levels(school: School, tmp_path: Path, store_dir: Path) -> None:
    # The bot may redact (50) but not change power levels (100): the levels stay open, so it redacts instead.
    room_id = await school.create_room("jan", members=("sanne",), levels={"bot": 50})
    core = school.make_core(tmp_path, [room(room_id, "announcement")])
    async with running(core, school.adapter(core, store_dir)):
        drift = await eventually(by_category(core, "permission-drift"), what="a 'cannot restore' incident")
        assert "NOT restored" in drift[0].explanation
        event_id = await school.send("sanne", room_id, "haha ik kan hier toch posten")
        found = await eventually(by_category(core, "announcement-only"), what="an announcement-only incident")
        assert found[0].event_id == event_id
        await eventually(lambda: seen_redacted(school, room_id, event_id), what="the backstop redaction")
        await eventually(
            lambda: [i.action_status for i in by_category(core, "announcement-only")()] == ["done"],
            what="the redaction, notice and card to be done",
        )
        await eventually(lambda: school.notices_from_bot("sanne"), what="a private notice to the student")


async def test_abusive_message_is_redacted_and_routed_to_the_mentor(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    review = await school.create_room("jan", members=("eva",))
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", name="klas-2b", abuse_action="delete")])
    async with running(core, school.adapter(core, store_dir, review_room=review)):
        clean = await school.send("sanne", room_id, "wie heeft het huiswerk?")
        bad = await school.send("daan", room_id, f"jij bent echt een {MARKER}")
        found = await eventually(lambda: incidents(core), what="an incident")
        assert [i.event_id for i in found] == [bad]
        assert ("jan", "mentor") in {(r.person_id, r.reason) for r in found[0].reviewers}
        assert found[0].author_person_id == "daan"
        await eventually(lambda: seen_redacted(school, room_id, bad), what="the message to be redacted")
        assert not is_redacted(await school.event("sanne", room_id, clean))
        cards = await eventually(lambda: _notices(school, "eva", review), what="the incident card in the review room")
        card = cards[0]["content"]["body"]
        assert "Daan Smit" in card and "klas-2b" in card and "Meneer Jansen (mentor)" in card and "R2" in card
        assert cards[0]["content"]["msgtype"] == "m.notice"


async def _notices(school: School, name: str, room_id: str) -> list[dict[str, Any]]:
    events = await school.timeline(name, room_id)
    return [e for e in events if e["type"] == "m.room.message" and e["content"].get("msgtype") == "m.notice"]


async def test_abusive_edit_of_a_clean_message_is_caught(school: School, tmp_path: Path, store_dir: Path) -> None:
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
    async with running(core, school.adapter(core, store_dir)):
        original = await school.send("daan", room_id, "goedemorgen allemaal")
        edit = await school.edit("daan", room_id, original, f"goedemorgen {MARKER}s")
        found = await eventually(lambda: incidents(core), what="an incident for the edit")
        assert found[0].event_id == edit, [(i.room_id, i.excerpt, i.author_account, i.event_id) for i in found]
        await eventually(lambda: seen_redacted(school, room_id, original), what="the original to be redacted")
        await eventually(lambda: seen_redacted(school, room_id, edit), what="the edit event to be redacted too")


async def test_report_command(school: School, tmp_path: Path, store_dir: Path) -> None:
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run")])
    async with running(core, school.adapter(core, store_dir)):
        target = await school.send("daan", room_id, "niemand wil met jou praten")
        command = await school.send(
            "sanne",
            room_id,
            "!report hij sluit me steeds buiten",
            **{"m.relates_to": {"m.in_reply_to": {"event_id": target}}},
        )
        found = await eventually(by_category(core, "reported"), what="a reported incident")
        assert found[0].author_account == school.uid("daan")
        assert "hij sluit me steeds buiten" in found[0].explanation
        assert school.uid("sanne") not in found[0].explanation
        await eventually(lambda: seen_redacted(school, room_id, command), what="the command to be hidden")
        assert not is_redacted(await school.event("jan", room_id, target))  # a report never deletes by itself
        thanks = await eventually(lambda: _thanked(school, "sanne"), what="a private thank-you")
        assert thanks
        assert not any("Bedankt" in text for text in await school.notices_from_bot("daan"))


async def _thanked(school: School, name: str) -> bool:
    return any("Bedankt" in text for text in await school.notices_from_bot(name))


async def test_a_private_report_by_link_in_the_direct_room(school: School, tmp_path: Path, store_dir: Path) -> None:
    """A `!report` that is no reply is removed from the class room and explained privately; the student then reports
    in their own room with the bot, by the message's link, where nobody else sees it."""
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    core = school.make_core(tmp_path, [room(room_id, "student-run")])
    async with running(core, school.adapter(core, store_dir)):
        target = await school.send("daan", room_id, "niemand wil met jou praten")
        wrong = await school.send("sanne", room_id, "!report hij sluit me buiten")
        await eventually(lambda: seen_redacted(school, room_id, wrong), what="the unusable command to be hidden")
        how = await eventually(lambda: _told(school, "sanne", "link naar het bericht"), what="how to report")
        assert how
        dm = core.state.get(DM_KEY + school.uid("sanne"))
        assert dm is not None
        link = f"https://matrix.to/#/{quote(room_id)}/{quote(target)}?via=localhost"
        command = await school.send("sanne", dm, f"!report {link} hij sluit me steeds buiten")
        found = await eventually(by_category(core, "reported"), what="a reported incident")
        assert found[0].author_account == school.uid("daan") and "hij sluit me steeds buiten" in found[0].explanation
        await eventually(lambda: _thanked(school, "sanne"), what="a private thank-you")
        assert not is_redacted(await school.event("sanne", dm, command))  # her own room: nothing to hide
        assert not is_redacted(await school.event("jan", room_id, target))


async def _told(school: School, name: str, words: str) -> bool:
    return any(words in text for text in await school.notices_from_bot(name))
