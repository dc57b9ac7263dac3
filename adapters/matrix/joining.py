"""Which rooms the bot joins: the configured rooms, invites to them, and a direct room someone opens with it."""

from __future__ import annotations

import functools
import logging

from nio import AsyncClient, SyncResponse

from adapters.matrix.calls import MatrixCallFailed, call
from adapters.matrix.config import MatrixConfig
from adapters.matrix.enforcer import MatrixEnforcer
from adapters.matrix.translate_members import direct_invite_from
from moderation.model import Platform, RoomId
from moderation.pipeline import Moderator

log = logging.getLogger(__name__)


async def join_invites(
    client: AsyncClient, config: MatrixConfig, moderator: Moderator, enforcer: MatrixEnforcer, response: SyncResponse
) -> None:
    configured = {p.room.id for p in moderator.rooms(Platform.MATRIX)} | {config.review_room_id}
    for room_id, invite in response.rooms.invite.items():
        wanted = (
            moderator.policy_for(Platform.MATRIX, RoomId(room_id)) is not None
            or room_id == config.review_room_id
            or room_id in config.auto_join
        )
        # A direct room someone opened with the bot (to link their account, say): theirs once joined.
        opener = None if room_id in configured else direct_invite_from(invite.invite_state, client.user_id)
        if not wanted and (opener is None or enforcer.has_direct_room(opener)):
            log.info("matrix: ignoring an invite to unconfigured room %s", room_id)
            continue
        try:
            await call(f"join {room_id}", functools.partial(client.join, room_id))
        except MatrixCallFailed as exc:
            log.error("matrix: cannot join %s: %s", room_id, exc)
            continue
        if opener is not None and enforcer.adopt_direct_room(opener, room_id):
            log.info("matrix: %s opened a direct room with the bot (%s)", opener, room_id)


async def join_configured(client: AsyncClient, config: MatrixConfig, moderator: Moderator) -> None:
    """Join the configured rooms the bot is invited to but not yet in (invites may predate the first sync)."""
    joined = await call("list joined rooms", client.joined_rooms, attempts=config.action_attempts)
    have = set(getattr(joined, "rooms", []))
    wanted = [p.room.id for p in moderator.rooms(Platform.MATRIX)]
    if config.review_room_id:
        wanted.append(RoomId(config.review_room_id))
    for room_id in wanted:
        if room_id in have:
            continue
        try:
            await call(f"join {room_id}", functools.partial(client.join, room_id), attempts=2)
            log.info("matrix: joined configured room %s", room_id)
        except MatrixCallFailed as exc:
            log.error("matrix: not in configured room %s and cannot join it (invite the bot): %s", room_id, exc)
