"""Encrypted rooms: the bot decrypts, moderates, and its own notices are encrypted too."""

from __future__ import annotations

from pathlib import Path

import pytest
from nio import RoomSendResponse

from tests.adapters.matrix.helpers import (
    MARKER,
    School,
    e2e_client,
    eventually,
    incidents,
    room,
    seen_redacted,
)
from tests.adapters.matrix.test_rooms import running

pytestmark = pytest.mark.synapse


async def test_an_encrypted_room_is_moderated(school: School, tmp_path: Path, store_dir: Path) -> None:
    review = await school.create_room("jan", members=("eva",), encrypted=True)
    room_id = await school.create_room("jan", members=("daan",), levels={"bot": 100}, encrypted=True)
    core = school.make_core(tmp_path, [room(room_id, "student-run", abuse_action="delete")])
    async with running(core, school.adapter(core, store_dir, review_room=review)) as adapter:
        daan = await e2e_client(school, "daan", tmp_path / "daan")
        try:
            await daan.sync(timeout=0)
            sent = await daan.room_send(
                room_id,
                "m.room.message",
                {"msgtype": "m.text", "body": f"wat een {MARKER} ben jij"},
                ignore_unverified_devices=True,
            )
            assert isinstance(sent, RoomSendResponse), sent
            raw = await school.event("jan", room_id, sent.event_id)
            assert raw["type"] == "m.room.encrypted"  # the server never saw the text
            found = await eventually(lambda: incidents(core), what="an incident from the encrypted message")
            assert found[0].event_id == sent.event_id
            assert MARKER in (found[0].excerpt or "")
            await eventually(lambda: seen_redacted(school, room_id, sent.event_id), what="the redaction")
            cards = await eventually(lambda: _bot_events(school, review), what="the card in the review room")
            assert cards[0]["type"] == "m.room.encrypted"  # the bot's notice was encrypted
            assert adapter.enforcer is not None
        finally:
            await daan.close()


async def _bot_events(school: School, room_id: str) -> list[dict[str, object]]:
    events = await school.timeline("eva", room_id)
    return [e for e in events if e["sender"] == school.uid("bot") and e["type"] != "m.room.member"]
