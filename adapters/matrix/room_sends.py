"""Sending into rooms with nio while several notices and cards go out at once (the outbox's workers).

nio's room_send prepares an encrypted room by itself (its members, their devices, the room key), but it assumes one
send at a time per room, and a room it knows whole. With workers beside the sync loop neither holds, and a message
then goes out that its reader can never decrypt:

- a room the bot just created can reach nio through a sync half-made, before the other person's invite (or before
  its `m.room.encryption`): the room key is then shared with nobody (or the message goes out unencrypted);
- a second send into the same room skips the device query the first one is still waiting for, and shares the room
  key before the other person's devices are known;
- a key claim that fails halfway leaves nio's "sharing" mark on the room, and every later send into it waits forever.

So every send into an encrypted room takes the room's turn; within it the members are read, everyone's devices are
queried and the room key is shared before the message is encrypted. Unencrypted rooms are sent to side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from nio import AsyncClient, MatrixRoom, RoomGetStateResponse

from adapters.matrix.calls import MatrixCallFailed, call

R = TypeVar("R")
ENCRYPTION = "m.room.encryption"


class RoomSends:
    def __init__(self, client: AsyncClient, *, attempts: int = 4, max_delay: float = 30.0) -> None:
        self._client = client
        self._attempts = attempts
        self._max_delay = max_delay
        self._turns: dict[str, asyncio.Lock] = {}

    async def know(self, room_id: str, *, fresh: bool = False) -> None:
        """Make nio know `room_id`, its encryption and its members (invited ones too: they get the room key of the
        first message). nio knows rooms from a sync; after a restart, or right after creating one, it may not yet.
        `fresh`: read the room's state even when nio knows it (a room just made may have come in a sync half-made)."""
        client = self._client
        if room_id in client.rooms and not fresh:
            return
        try:
            response = await self._call(f"read state of {room_id}", lambda: client.room_get_state(room_id))
        except MatrixCallFailed:
            if fresh:  # nio may know it half: it is read whole at the next send instead
                client.rooms.pop(room_id, None)
            raise
        assert isinstance(response, RoomGetStateResponse)
        events = [e for e in response.events if isinstance(e, dict)]
        encrypted = any(e.get("type") == ENCRYPTION for e in events)
        room = client.rooms.get(room_id)
        if room is None:
            room = client.rooms[room_id] = MatrixRoom(room_id, client.user_id, encrypted)
        if encrypted:
            room.encrypted = True  # never back to unencrypted: a room's encryption cannot be switched off
            client.encrypted_rooms.add(room_id)
        for event in events:
            membership = (event.get("content") or {}).get("membership")
            user = event.get("state_key")
            if event.get("type") == "m.room.member" and isinstance(user, str) and membership in ("join", "invite"):
                room.add_member(user, None, None, invited=membership == "invite")

    @contextlib.asynccontextmanager
    async def turn(self, room_id: str) -> AsyncIterator[None]:
        """Send into `room_id` within this: into an encrypted room one message at a time, once it is ready."""
        await self.know(room_id)
        room = self._client.rooms.get(room_id)
        if self._client.olm is None or room is None or not room.encrypted:
            yield
            return
        async with self._turns.setdefault(room_id, asyncio.Lock()):
            await self._ready(room)
            yield

    async def _ready(self, room: MatrixRoom) -> None:
        """Members read, every member's devices known, the room key shared with them: what nio's room_send would
        do, but in the room's turn, so that a send beside it cannot skip a step the other is still waiting for."""
        client, room_id = self._client, room.room_id
        assert client.olm is not None
        if not room.members_synced:
            await self._call(f"read the members of {room_id}", lambda: client.joined_members(room_id))
        client.olm.update_tracked_users(room)  # members added by know() are tracked from now on
        if client.users_for_key_query & set(room.users):
            await self._call("query device keys", self._query_keys)
        if client.olm.should_share_group_session(room_id):
            await self._call(f"share the room key of {room_id}", functools.partial(self._share, room_id))

    async def _query_keys(self) -> object:
        if not self._client.should_query_keys:  # answered meanwhile by a query of the sync loop's
            return None
        return await self._client.keys_query()

    async def _share(self, room_id: str) -> object:
        # In the room's turn nobody else shares its key: a mark left is from an attempt that failed halfway.
        stale = self._client.sharing_session.pop(room_id, None)
        if stale is not None:
            stale.set()
        try:
            return await self._client.share_group_session(room_id, ignore_unverified_devices=True)
        finally:
            left = self._client.sharing_session.pop(room_id, None)
            if left is not None:
                left.set()

    async def _call(self, what: str, operation: Callable[[], Awaitable[R]]) -> R:
        return await call(what, operation, attempts=self._attempts, max_delay=self._max_delay)
