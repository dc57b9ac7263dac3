"""The bot's sync filter on a real Synapse: read receipts and typing in a class room (a chat app sends them for every
message read) neither wake the bot's sync nor reach it; the messages themselves do."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any
from urllib.parse import quote

import pytest

from adapters.matrix.client import SYNC_FILTER
from tests.adapters.matrix.helpers import School

pytestmark = pytest.mark.synapse

WAIT_MS = 1500


async def sync(school: School, since: str | None, sync_filter: dict[str, Any] | None, timeout_ms: int) -> Any:
    query = f"timeout={timeout_ms}"
    if since is not None:
        query += f"&since={quote(since)}"
    if sync_filter is not None:
        query += f"&filter={quote(json.dumps(sync_filter))}"
    return await school.api("bot", "GET", f"/_matrix/client/v3/sync?{query}")


def ephemeral(response: Any, room_id: str) -> list[str]:
    room = response.get("rooms", {}).get("join", {}).get(room_id, {})
    return [str(e["type"]) for e in room.get("ephemeral", {}).get("events", [])]


def timeline(response: Any, room_id: str) -> list[str]:
    room = response.get("rooms", {}).get("join", {}).get(room_id, {})
    return [str(e["event_id"]) for e in room.get("timeline", {}).get("events", [])]


async def test_receipts_and_typing_do_not_wake_the_bot_messages_do(school: School) -> None:
    room_id = await school.create_room("sanne", members=("daan",))
    await school.api("bot", "POST", f"/_matrix/client/v3/rooms/{quote(room_id)}/join", {})
    message = await school.send("sanne", room_id, "wie heeft het huiswerk van wiskunde?")
    since = str((await sync(school, None, SYNC_FILTER, 0))["next_batch"])

    where = f"/_matrix/client/v3/rooms/{quote(room_id)}"
    await school.api("daan", "POST", f"{where}/receipt/m.read/{quote(message)}", {})
    await school.api("daan", "PUT", f"{where}/typing/{quote(school.uid('daan'))}", {"typing": True, "timeout": 5000})

    unfiltered = await sync(school, since, None, 0)  # without the filter both are there: the check below can fail
    assert {"m.receipt", "m.typing"} <= set(ephemeral(unfiltered, room_id))

    began = time.monotonic()
    filtered = await sync(school, since, SYNC_FILTER, WAIT_MS)
    waited = time.monotonic() - began
    assert ephemeral(filtered, room_id) == [] and timeline(filtered, room_id) == []
    assert waited >= WAIT_MS / 1000 * 0.9, waited  # not woken: the long poll ran its time

    answer = asyncio.create_task(sync(school, since, SYNC_FILTER, 10_000))
    await asyncio.sleep(0.3)
    reply = await school.send("daan", room_id, "ik, zal ik het sturen?")
    woken = await answer
    assert timeline(woken, room_id) == [reply]
