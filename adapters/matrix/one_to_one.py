"""R9 on a school's own homeserver: rooms with exactly one staff member and one student, found through Synapse's
admin API (opt-in; it needs an admin access token of its own). Only who is in a room is read, never its messages.
Discord shows a bot nothing of the kind (docs/discord.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import quote

import aiohttp

from adapters.matrix.event_fields import MalformedEvent
from adapters.matrix.translate_members import admin_room_members, admin_room_page
from moderation.model import AccountId, Platform, PrivateRoom, RoomId
from moderation.pipeline import Moderator
from moderation.ports import Enforcer

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE = 500
MAX_ROOMS = 100_000  # a bound on the walk, far beyond a school's homeserver
_TIMEOUT = aiohttp.ClientTimeout(total=30)


class AdminApiFailed(RuntimeError):
    pass


async def check_one_to_one_rooms(
    homeserver: str, admin_token: str, bot_user: str, moderator: Moderator, enforcer: Enforcer
) -> int:
    """Report every staff-student pair room to leadership (once per room). Returns how many rooms had two people."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    pairs = 0
    async with aiohttp.ClientSession(homeserver.rstrip("/"), headers=headers, timeout=_TIMEOUT) as http:
        start: int | None = 0
        seen = 0
        while start is not None and seen < MAX_ROOMS:
            page, start = _parsed(
                admin_room_page, await _get(http, f"/_synapse/admin/v1/rooms?from={start}&limit={PAGE}")
            )
            seen += len(page)
            for room_id, joined in page:
                if joined not in (2, 3):  # two people, with or without the bot
                    continue
                answer = await _get(http, f"/_synapse/admin/v1/rooms/{quote(room_id)}/members")
                members = _parsed(admin_room_members, answer)
                people = tuple(AccountId(m) for m in members if m != bot_user)
                if len(people) != 2:
                    continue
                pairs += 1
                room = PrivateRoom(Platform.MATRIX, RoomId(room_id), people, datetime.now(UTC))
                await moderator.handle_private_room(room, enforcer)
    return pairs


def _parsed(translate: Callable[[dict[str, object]], T], body: dict[str, object]) -> T:
    try:
        return translate(body)
    except MalformedEvent as exc:
        raise AdminApiFailed(f"the admin API answered in an unexpected shape: {exc}") from exc


async def _get(http: aiohttp.ClientSession, path: str) -> dict[str, object]:
    try:
        async with http.get(path) as response:
            if response.status in (401, 403):
                raise AdminApiFailed(
                    f"the homeserver refused the admin token ({response.status}): R9's one-to-one check needs a "
                    "server admin's token in SCHOOLWACHT_MATRIX_ADMIN_TOKEN"
                )
            if response.status != 200:
                raise AdminApiFailed(f"{path.split('?')[0]} answered {response.status}")
            body = await response.json()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise AdminApiFailed(f"the admin API cannot be reached: {type(exc).__name__}: {exc}") from exc
    if not isinstance(body, dict):
        raise AdminApiFailed(f"{path.split('?')[0]} did not answer with a JSON object")
    return body
