"""Who is already in the configured rooms, for the member rules (R7 fictitious senders, R10 staff in student-run
rooms): joins and renames arrive as events; people who were there before the bot looked are found here."""

from __future__ import annotations

import functools
import logging
from collections.abc import Collection
from datetime import UTC, datetime

from nio import AsyncClient

from adapters.matrix.calls import MatrixCallFailed, call
from adapters.matrix.translate_members import present_member
from moderation.model import Platform
from moderation.pipeline import Moderator
from moderation.ports import Enforcer

log = logging.getLogger(__name__)


async def check_present_members(
    client: AsyncClient, moderator: Moderator, enforcer: Enforcer, *, joined: Collection[str], attempts: int
) -> None:
    """Judge everyone in each configured room the bot is in as present; each person is recorded at most once per
    room, however often this runs (at start and on the drift schedule). The bot itself is skipped by the core."""
    now = datetime.now(UTC)
    for policy in moderator.rooms(Platform.MATRIX):
        room_id = policy.room.id
        if room_id not in joined:
            continue
        try:
            state = await call(
                f"read the members of {policy.room.name}",
                functools.partial(client.room_get_state, room_id),
                attempts=attempts,
            )
        except MatrixCallFailed as exc:
            log.warning("matrix: cannot read who is in %s now (tried again on schedule): %s", policy.room.name, exc)
            continue
        for event in getattr(state, "events", []):
            present = present_member(room_id, event, now)
            if present is not None:
                await moderator.handle_member(present, enforcer)
