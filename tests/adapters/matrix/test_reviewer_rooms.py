"""Each reviewer's own cards in their direct room with the bot, and reviewing there (R12: a mentor sees only their
own students' incidents), on the real Synapse."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from nio import RoomMessageNotice, RoomSendResponse

from adapters.matrix.enforcer import DM_KEY
from bot.app import Core
from moderation.model import AccountId, Platform
from tests.adapters.matrix.helpers import MARKER, KeywordClassifier, School, e2e_client, eventually, incidents, room
from tests.adapters.matrix.test_rooms import running
from tests.support.core import make_core
from tests.support.incidents import get_incident

pytestmark = pytest.mark.synapse

# The sample school, but Sanne's mentor is Piet, who has no Matrix account.
PIET = {"id": "piet", "name": "Meester Piet", "role": "staff", "manager": "dir"}


def school_core(school: School, tmp_path: Path, rooms: list[dict[str, Any]], piet: str = "") -> Core:
    """The roster with Piet as Sanne's mentor; `piet`: a Matrix id for him (by default he has none)."""
    people = [({**p, "mentor": "piet"} if p["id"] == "sanne" else p) for p in school.people()]
    people.append({**PIET, "matrix_id": piet} if piet else PIET)
    return make_core(
        tmp_path,
        rooms=rooms,
        people=people,
        classifier=KeywordClassifier(),
        bot_accounts=frozenset({(Platform.MATRIX, AccountId(school.uid("bot")))}),
    )


async def dm_bodies(school: School, core: Core, name: str) -> list[str]:
    """What the bot wrote in `name`'s direct room (joined first, as a reviewer's client would); [] without one."""
    room_id = core.state.get(DM_KEY + school.uid(name))
    if not room_id:  # none yet, or forgotten after they left it
        return []
    await school.api(name, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
    return [
        str(e["content"].get("body", ""))
        for e in await school.timeline(name, room_id)
        if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"
    ]


async def card_in(school: School, core: Core, name: str, number: int) -> bool:
    """The incident's card is in `name`'s room: a card of its own, or on a burst's combined card."""
    own = re.compile(rf"^⚑ Melding #{number}: ", re.MULTILINE)
    return any(own.search(body) for body in await dm_bodies(school, core, name))


async def answer_in(school: School, core: Core, name: str, event_id: str) -> list[str]:
    room_id = core.state.get(DM_KEY + school.uid(name))
    assert room_id is not None
    return [
        str(e["content"].get("body"))
        for e in await school.timeline(name, room_id)
        if e["sender"] == school.uid("bot")
        and e["content"].get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == event_id
    ]


async def test_each_reviewer_gets_only_their_own_cards(school: School, tmp_path: Path, store_dir: Path) -> None:
    overview = await school.create_room("dir")
    room_id = await school.create_room("jan", members=("daan", "noor", "sanne"), levels={"bot": 100})
    core = school_core(school, tmp_path, [room(room_id, "student-run", abuse_action="flag")])
    service = core.review
    adapter = school.adapter(core, store_dir, review_room=overview, review_service=service)
    async with running(core, adapter):
        await school.send("daan", room_id, f"jij {MARKER}")  # mentor Jansen, and the coordinator (an insult)
        await school.send("noor", room_id, f"wat een {MARKER}")  # mentor Visser
        await school.send("sanne", room_id, f"ook een {MARKER}")  # mentor Piet: no Matrix account
        found = await eventually(lambda: len(incidents(core)) == 3 and incidents(core), what="three incidents")
        daan, noor, sanne = (next(i for i in found if i.author_person_id == who) for who in ("daan", "noor", "sanne"))

        await eventually(lambda: card_in(school, core, "jan", daan.id), what="Daan's card in Jansen's room")
        await eventually(lambda: card_in(school, core, "eva", noor.id), what="Noor's card in Visser's room")
        for number in (daan.id, noor.id, sanne.id):  # the coordinator gets every bullying card
            await eventually(partial(card_in, school, core, "abc", number), what=f"#{number} for the coordinator")
        assert not await card_in(school, core, "jan", noor.id)
        assert not await card_in(school, core, "eva", daan.id)
        assert not await card_in(school, core, "jan", sanne.id) and not await card_in(school, core, "eva", sanne.id)
        assert await dm_bodies(school, core, "dir") == []  # leadership was not routed: the overview is theirs
        assert not await card_in(school, core, "daan", daan.id)  # his notice, perhaps, but never the card
        overview_cards = [e for e in await school.timeline("dir", overview) if e["sender"] == school.uid("bot")]
        shown = [
            re.findall(r"^(?:⚑ Melding #|Melding: #)(\d+)\b", str(e["content"].get("body")), re.M)
            for e in overview_cards
            if e["type"] == "m.room.message"
        ]
        assert sorted(int(n) for card in shown for n in card) == sorted(i.id for i in found)  # each shown once
        for incident in (daan, noor, sanne):  # Piet without Matrix did not make delivery fail
            await eventually(partial(_announced, core, incident.id), what=f"#{incident.id} announced")

        # Visser tries to resolve Daan's incident in her own room: refused, and recorded.
        attempt = await school.send("eva", _dm(core, school, "eva"), f"!resolve {daan.id} gesprek gevoerd")
        refused = await eventually(lambda: answer_in(school, core, "eva", attempt), what="the refusal")
        assert "niet aan jou toegewezen" in refused[0]
        # Jansen resolves it in his room.
        command = f"!resolve {daan.id} gesprek gevoerd; measure: waarschuwing; parents: ja"
        sent = await school.send("jan", _dm(core, school, "jan"), command)
        answered = await eventually(lambda: answer_in(school, core, "jan", sent), what="the answer to !resolve")
        assert f"Melding #{daan.id} is afgehandeld." in answered[0]
        with core.sessions() as session:
            row = get_incident(session, daan.id)
            assert row is not None
            assert (row.status, row.resolution_note, row.parents_informed) == ("resolved", "gesprek gevoerd", True)
            actions = [(h.actor, h.action) for h in row.history]
        assert ("eva", "refused") in actions and ("jan", "resolved") in actions
        assert len(incidents(core)) == 3  # commands are not judged as messages


async def test_a_reaction_in_the_reviewers_room(school: School, tmp_path: Path, store_dir: Path) -> None:
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school_core(school, tmp_path, [room(room_id, "student-run", abuse_action="flag")])
    service = core.review
    adapter = school.adapter(core, store_dir, review_service=service, directory=core.roster.current)
    async with running(core, adapter):  # no overview room at all
        await school.send("daan", room_id, f"jij {MARKER}")
        number = (await eventually(lambda: incidents(core), what="an incident"))[0].id
        await eventually(lambda: card_in(school, core, "jan", number), what="the card in Jansen's room")
        await eventually(lambda: incidents(core)[0].action_status == "done", what="every copy delivered")
        dm = _dm(core, school, "jan")
        card = next(
            e["event_id"]
            for e in await school.timeline("jan", dm)
            if str(e["content"].get("body", "")).startswith(f"⚑ Melding #{number}: ")
        )
        eyes = {"m.relates_to": {"rel_type": "m.annotation", "event_id": card, "key": "👀"}}
        reaction = await school.send_event("jan", dm, "m.reaction", eyes)
        await eventually(lambda: answer_in(school, core, "jan", reaction), what="the answer to 👀")
        assert incidents(core)[0].status == "in-review"
        for name in ("jan", "abc"):  # every copy of the card shows the new state (the coordinator's too)
            await eventually(
                partial(_edited_to, school, core, name, number, "in behandeling"), what=f"{name}'s card updated"
            )
        assert await dm_bodies(school, core, "dir") == []  # leadership was not routed
        escalate = await school.send("jan", dm, f"!escalate {number} leadership zorgen over thuissituatie")
        await eventually(lambda: answer_in(school, core, "jan", escalate), what="the answer to !escalate")
        await eventually(lambda: card_in(school, core, "dir", number), what="the card in leadership's own room")
        # A direct room is one reviewer's: someone else invited in (even school leadership, who may act on every
        # incident) is not taken there; they review in their own room.
        await school.api("jan", "POST", f"/_matrix/client/v3/rooms/{quote(dm)}/invite", {"user_id": school.uid("dir")})
        await school.api("dir", "POST", f"/_matrix/client/v3/rooms/{quote(dm)}/join", {})
        ex = {"m.relates_to": {"rel_type": "m.annotation", "event_id": card, "key": "❌"}}
        await school.send_event("dir", dm, "m.reaction", ex)
        later = await school.send("jan", dm, f"!show {number}")
        await eventually(lambda: answer_in(school, core, "jan", later), what="the answer to !show")
        assert incidents(core)[0].status == "in-review"  # the ❌ in someone else's room did not dismiss it
        # Jansen leaves his room with the bot: his next card comes in a new one.
        await school.api("jan", "POST", f"/_matrix/client/v3/rooms/{quote(dm)}/leave", {})
        await eventually(lambda: core.state.get(DM_KEY + school.uid("jan")) == "", what="the old room forgotten")
        await school.send("daan", room_id, f"nog steeds {MARKER}")
        second = (await eventually(lambda: len(incidents(core)) == 2 and incidents(core), what="a second one"))[1].id
        await eventually(partial(card_in, school, core, "jan", second), what="the card in a new room")
        assert _dm(core, school, "jan") != dm


def _dm(core: Core, school: School, name: str) -> str:
    room_id = core.state.get(DM_KEY + school.uid(name))
    assert room_id, f"no direct room with {name}"
    return room_id


def _announced(core: Core, number: int) -> bool:
    with core.sessions() as session:
        row = get_incident(session, number)
        return row is not None and row.action_status == "done"


def test_a_relative_store_dir_is_next_to_the_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.platforms import matrix_adapter
    from bot.settings import settings_from_dict

    monkeypatch.setenv("SCHOOLWACHT_MATRIX_TOKEN", "syt_test")
    monkeypatch.delenv("SCHOOLWACHT_MATRIX_TOKEN_FILE", raising=False)
    matrix = {"homeserver": "http://127.0.0.1:1", "user_id": "@bot:test", "store_dir": "var/matrix"}
    settings = settings_from_dict({"matrix": matrix}, source=tmp_path / "etc" / "schoolwacht.toml")
    core = SimpleNamespace(
        settings=settings, review=None, roster=SimpleNamespace(current=None), state=None, back_offs={}
    )
    adapter = matrix_adapter(core)  # type: ignore[arg-type]
    assert adapter._config.store_dir == tmp_path / "etc" / "var" / "matrix"


async def test_an_encrypted_direct_room(school: School, tmp_path: Path, store_dir: Path) -> None:
    """The reviewer's room is end-to-end encrypted: the card reaches a mentor who has not joined yet (the room key
    is shared with invited members), and an encrypted `!ack` from the mentor's own device works."""
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school_core(school, tmp_path, [room(room_id, "student-run", abuse_action="flag")])
    service = core.review
    jan = await e2e_client(school, "jan", tmp_path / "jan-phone")  # his device exists before the card is sent
    try:
        async with running(core, school.adapter(core, store_dir, review_service=service, encrypt_direct_rooms=True)):
            await school.send("daan", room_id, f"jij {MARKER}")
            number = (await eventually(lambda: incidents(core), what="an incident"))[0].id
            dm = await eventually(lambda: core.state.get(DM_KEY + school.uid("jan")), what="Jansen's direct room")
            card = await eventually(partial(_decrypted_card, jan, dm, number), what="the decrypted card", timeout=20)
            raw = await school.event("jan", dm, card)
            assert raw["type"] == "m.room.encrypted"  # the homeserver never saw the card
            sent = await jan.room_send(
                dm, "m.room.message", {"msgtype": "m.text", "body": f"!ack {number}"}, ignore_unverified_devices=True
            )
            assert isinstance(sent, RoomSendResponse), sent
            await eventually(lambda: incidents(core)[0].status == "in-review", what="the encrypted !ack taken")
    finally:
        await jan.close()


async def _decrypted_card(client: Any, room_id: str, number: int) -> str | None:
    """Sync the mentor's own client (joining the invite) and return the card's event id once it decrypts."""
    response = await client.sync(timeout=0)
    if room_id in response.rooms.invite:
        await client.join(room_id)
    if client.should_query_keys:
        await client.keys_query()
    for event in response.rooms.join.get(room_id, SimpleNamespace(timeline=SimpleNamespace(events=[]))).timeline.events:
        if isinstance(event, RoomMessageNotice) and event.body.startswith(f"⚑ Melding #{number}: "):
            return str(event.event_id)
    return None


async def test_an_undeliverable_card_is_recorded(school: School, tmp_path: Path, store_dir: Path) -> None:
    """Piet's roster entry names a Matrix account on a server that cannot be reached: the invite fails. The coordinator
    still gets her card, and the incident records the failed delivery instead of dropping it."""
    room_id = await school.create_room("jan", members=("sanne",), levels={"bot": 100})
    core = school_core(school, tmp_path, [room(room_id, "student-run", abuse_action="flag")], piet="@piet:gone.invalid")
    service = core.review
    async with running(core, school.adapter(core, store_dir, review_service=service, action_attempts=1)):
        await school.send("sanne", room_id, f"ook een {MARKER}")
        number = (await eventually(lambda: incidents(core), what="an incident"))[0].id
        await eventually(partial(card_in, school, core, "abc", number), what="the coordinator's card")
        await eventually(lambda: incidents(core)[0].action_status != "pending", what="the actions recorded")
        history = _announce_history(core, number)
        # One line per copy of the card: each reviewer's delivery is owed, done and recorded on its own.
        [piet] = [line for line in history if line.startswith("FAILED: card for piet: MatrixCallFailed")]
        assert "gone.invalid" in piet and "ok: card for abc" in history
        assert incidents(core)[0].action_status == "failed"


def _announce_history(core: Core, number: int) -> list[str]:
    with core.sessions() as session:
        row = get_incident(session, number)
        assert row is not None
        return [h.detail for h in row.history if h.action == "announce"]


async def _edited_to(school: School, core: Core, name: str, number: int, status: str) -> bool:
    """The bot replaced `name`'s card of incident `number` (an `m.replace` edit) by one with `status`."""
    room_id = _dm(core, school, name)
    await school.api(name, "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
    for event in await school.timeline(name, room_id):
        new = event["content"].get("m.new_content", {})
        if event["content"].get("m.relates_to", {}).get("rel_type") == "m.replace" and str(
            new.get("body", "")
        ).startswith(f"⚑ Melding #{number}: "):
            return f"· {status}" in new["body"].splitlines()[0]
    return False


async def test_withdrawn_cards_are_redacted(
    school: School, tmp_path: Path, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """After retention or a privacy erase, every chat copy of the card goes: each reviewer's, the overview's, and
    the edits (they hold the text too)."""
    overview = await school.create_room("dir")
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100})
    core = school_core(school, tmp_path, [room(room_id, "student-run", abuse_action="flag")])
    service = core.review
    adapter = school.adapter(core, store_dir, review_room=overview, review_service=service)
    async with running(core, adapter):
        assert "who are not school leadership" not in caplog.text  # the overview is leadership's only
        await school.send("daan", room_id, f"jij {MARKER}")
        number = (await eventually(lambda: incidents(core), what="an incident"))[0].id
        for name in ("jan", "abc"):
            await eventually(partial(card_in, school, core, name, number), what=f"{name}'s card")
        ack = await school.send("jan", _dm(core, school, "jan"), f"!ack {number}")
        await eventually(lambda: answer_in(school, core, "jan", ack), what="the answer to !ack")
        await eventually(partial(_edited_to, school, core, "jan", number, "in behandeling"), what="the card updated")
        assert await adapter.withdraw_cards([number]) == 3  # Jansen's, the coordinator's, the overview's
        for name, where in (("jan", _dm(core, school, "jan")), ("abc", _dm(core, school, "abc")), ("dir", overview)):
            texts = [
                str(e["content"].get("body", ""))
                for e in await school.timeline(name, where)
                if e["sender"] == school.uid("bot") and e["type"] == "m.room.message"
            ]
            assert not any(MARKER in text for text in texts), (name, texts)
        assert await adapter.withdraw_cards([number]) == 0  # twice: nothing left, no error
