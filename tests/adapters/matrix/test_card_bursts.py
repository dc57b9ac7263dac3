"""A burst on the real Synapse: the cards one reviewer (and the overview) is owed within the window come as one
combined card, each incident on it with its own number; 👀 on it takes up all of them, a decision asks for the
number; a change to one edits the combined card with the state of all."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from adapters.matrix.enforcer import DM_KEY
from bot.app import Core
from tests.adapters.matrix.helpers import MARKER, School, eventually, incidents, room
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse

# A reviewer's card ("⚑ Melding #12: …", also on a combined card) and the overview's first card ("Melding: #12").
NUMBERS = re.compile(r"^(?:⚑ Melding #|Melding: #)(\d+)\b", re.MULTILINE)


async def bot_messages(school: School, name: str, room_id: str) -> list[dict[str, Any]]:
    """The bot's messages in a room as `name` sees them (joined first: a direct room starts as an invite), oldest
    first; edits and answers included."""
    await school.api(name, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
    events = await school.timeline(name, room_id, limit=100)
    found = [e for e in events if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"]
    return sorted(found, key=lambda e: e["origin_server_ts"])


def cards(messages: list[dict[str, Any]]) -> list[tuple[str, list[int]]]:
    """Each card (not an edit, not an answer): its event id and the incident numbers it shows."""
    return [
        (e["event_id"], [int(n) for n in NUMBERS.findall(str(e["content"].get("body", "")))])
        for e in messages
        if "m.new_content" not in e["content"] and NUMBERS.search(str(e["content"].get("body", "")))
    ]


def dm(core: Core, school: School, name: str) -> str:
    room_id = core.state.get(DM_KEY + school.uid(name))
    assert room_id, f"no direct room with {name}"
    return room_id


async def test_a_burst_comes_as_one_combined_card_each_incident_handled_by_its_number(
    school: School, tmp_path: Path, store_dir: Path
) -> None:
    overview = await school.create_room("dir")
    room_id = await school.create_room("jan", members=("daan", "sanne"), levels={"bot": 100})
    # A window of six seconds: the three later messages fall within it even on a busy machine.
    burst = {"bot": {"card_burst_s": 6}}
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")], extra_settings=burst)
    adapter = school.adapter(core, store_dir, review_room=overview, review_service=core.review)
    async with running(core, adapter):
        await school.send("daan", room_id, f"jij {MARKER} (1)")
        await eventually(lambda: len(incidents(core)) == 1, what="the first incident")
        for n, who in enumerate(("sanne", "daan", "sanne"), start=2):  # within the window
            await school.send(who, room_id, f"jij {MARKER} ({n})")
        found = await eventually(lambda: len(incidents(core)) == 4 and incidents(core), what="four incidents")
        first, *burst = sorted(i.id for i in found)
        await eventually(lambda: all(i.action_status == "done" for i in incidents(core)), what="every card")

        # Jansen (the mentor of both) and the coordinator: the first card alone, the burst's three on one card.
        for name in ("jan", "abc"):
            shown = cards(await bot_messages(school, name, dm(core, school, name)))
            assert [numbers for _event, numbers in shown] == [[first], burst], name
        in_overview = cards(await bot_messages(school, "dir", overview))
        assert sorted(n for _event, numbers in in_overview for n in numbers) == [first, *burst]
        assert len(in_overview) == 2  # the burst's three in one message there too
        assert await school.notices_from_bot("daan")  # the students' notices are their own, as ever

        # 👀 on the combined card in Jansen's room takes up all three; every copy follows.
        jan_room = dm(core, school, "jan")
        combined = cards(await bot_messages(school, "jan", jan_room))[1][0]
        eyes = {"m.relates_to": {"rel_type": "m.annotation", "event_id": combined, "key": "👀"}}
        reaction = await school.send_event("jan", jan_room, "m.reaction", eyes)
        answer = await eventually(lambda: _answer(school, "jan", jan_room, reaction), what="the answer to 👀")
        assert all(f"#{n}" in answer for n in burst), answer
        statuses = {i.id: i.status for i in incidents(core)}
        assert statuses == {first: "open", **dict.fromkeys(burst, "in-review")}
        for name, where in (("jan", jan_room), ("abc", dm(core, school, "abc")), ("dir", overview)):
            await eventually(lambda n=name, w=where: _edited(school, n, w, burst), what=f"{name}'s combined card")

        # ❌ on it is a decision about one incident: the answer asks for the number, nothing is dismissed.
        cross = {"m.relates_to": {"rel_type": "m.annotation", "event_id": combined, "key": "❌"}}
        refused = await school.send_event("jan", jan_room, "m.reaction", cross)
        asked = await eventually(lambda: _answer(school, "jan", jan_room, refused), what="the answer to ❌")
        assert f"!afwijzen {burst[0]}" in asked and {i.status for i in incidents(core)} == {"open", "in-review"}
        # By its number, one incident of the combined card is dismissed; the card shows it, the others unchanged.
        typed = await school.send("jan", jan_room, f"!afwijzen {burst[1]} grapje onder vrienden")
        await eventually(lambda: _answer(school, "jan", jan_room, typed), what="the answer to !afwijzen")
        assert {i.id: i.status for i in incidents(core)}[burst[1]] == "dismissed"
        await eventually(lambda: _latest_shows(school, jan_room, combined, "afgewezen"), what="the card shows it")


async def _answer(school: School, name: str, room_id: str, event_id: str) -> str:
    for e in await bot_messages(school, name, room_id):
        if e["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == event_id:
            return str(e["content"].get("body"))
    return ""


async def _edited(school: School, name: str, room_id: str, numbers: list[int]) -> bool:
    """The latest edit of the combined card shows each of `numbers` in review."""
    edits = [e for e in await bot_messages(school, name, room_id) if "m.new_content" in e["content"]]
    if not edits:
        return False
    body = str(edits[-1]["content"]["m.new_content"]["body"])
    return body.count("in behandeling") >= len(numbers) and all(f"#{n}: " in body for n in numbers)


async def _latest_shows(school: School, room_id: str, card: str, word: str) -> bool:
    edits = [
        e
        for e in await bot_messages(school, "jan", room_id)
        if e["content"].get("m.relates_to", {}).get("event_id") == card and "m.new_content" in e["content"]
    ]
    return bool(edits) and word in str(edits[-1]["content"]["m.new_content"]["body"])
