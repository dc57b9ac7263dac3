"""Reading a room's timeline around a sync batch: where the bot itself joined (history from before is not judged),
and the events a `limited` timeline left out (the bot was away longer than the timeline limit)."""

from __future__ import annotations

import contextlib
import functools
import logging
from typing import Any

from nio import AsyncClient, MegolmEvent, RoomMessagesResponse
from nio.api import MessageDirection

from adapters.matrix.calls import call

log = logging.getLogger(__name__)


def own_join(events: list[Any], user_id: str) -> int | None:
    """Where `user_id` (the bot) joined in this timeline (a fresh join, not a profile change), if it did."""
    for index, event in enumerate(events):
        source = getattr(event, "source", {})
        if source.get("type") != "m.room.member" or source.get("state_key") != user_id:
            continue
        previous = (source.get("unsigned") or {}).get("prev_content") or {}
        if (source.get("content") or {}).get("membership") == "join" and previous.get("membership") != "join":
            return index
    return None


async def fetch_gap(client: AsyncClient, room_id: str, prev_batch: str, since: str, *, attempts: int) -> list[Any]:
    """The events between `since` and `prev_batch`, oldest first (decrypted where the key is already known)."""
    older: list[Any] = []
    start: str | None = prev_batch
    while start:
        response = await call(
            f"messages in {room_id}",
            functools.partial(client.room_messages, room_id, start, since, MessageDirection.back, 100),
            attempts=attempts,
        )
        assert isinstance(response, RoomMessagesResponse)
        if not response.chunk:
            break
        for event in response.chunk:
            if isinstance(event, MegolmEvent):
                with contextlib.suppress(Exception):  # still encrypted: the handler waits for its room key
                    event = client.decrypt_event(event)
            older.append(event)
        start = response.end if response.end != start else None
    older.reverse()
    log.info("matrix: fetched %d event(s) from a gap in %s", len(older), room_id)
    return older
