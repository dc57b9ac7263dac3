"""The Matrix Enforcer: redactions, private notices (in a direct room with the person) and incident cards.

Each call raises MatrixCallFailed when it could not be done after retries; the pipeline records that.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient, RoomCreateResponse, RoomPreset

from adapters.matrix.calls import MatrixCallFailed, call
from adapters.matrix.card import card_content
from adapters.matrix.config import MatrixConfig, StateStore
from moderation.model import AccountId, Message, PersonId
from moderation.ports import IncidentRef

log = logging.getLogger(__name__)

DM_KEY = "matrix.dm."
CARD_KEY = "matrix.card."


def notice(text: str) -> dict[str, str]:
    return {"msgtype": "m.notice", "body": text}


class MatrixEnforcer:
    def __init__(
        self,
        client: AsyncClient,
        config: MatrixConfig,
        state: StateStore,
        person_name: Callable[[PersonId], str],
    ) -> None:
        self._client = client
        self._config = config
        self._state = state
        self._person_name = person_name
        # Set by the adapter: makes sure nio knows a room (and whether it is encrypted) before sending to it.
        self.room_loader: Callable[[str], Awaitable[None]] | None = None

    async def delete(self, message: Message, reason: str) -> None:
        targets = [message.target_id]
        if message.is_edit and message.event_id != message.target_id:
            targets.append(message.event_id)  # the edit event carries the new text too
        for event_id in targets:
            await self._call(
                f"redact {event_id} in {message.room_id}",
                functools.partial(self._client.room_redact, message.room_id, event_id, reason=reason[:300]),
            )

    async def notify_sender(self, message: Message, text: str) -> None:
        await self.send_private(message.author, text)

    async def announce(self, incident: IncidentRef) -> None:
        room = self._config.review_room_id
        if room is None:
            log.info("matrix: no review room configured; incident #%d is in the incident log only", incident.id)
            return
        event_id = await self.send(room, card_content(incident, self._person_name))
        # A reviewer's reaction on the card (👀, ❌, ...) must find its incident again.
        self._state.set(CARD_KEY + event_id, str(incident.id))

    def incident_of_card(self, event_id: str) -> int | None:
        value = self._state.get(CARD_KEY + event_id)
        return int(value) if value and value.isdigit() else None

    async def send(self, room_id: str, content: dict[str, Any]) -> str:
        """Send a message (encrypted when the room is; unverified devices still get the keys); its event id."""
        if self.room_loader is not None:
            await self.room_loader(room_id)
        response = await self._call(
            f"send to {room_id}",
            lambda: self._client.room_send(room_id, "m.room.message", content, ignore_unverified_devices=True),
        )
        return str(getattr(response, "event_id", ""))

    async def send_private(self, user: AccountId, text: str) -> None:
        room = await self.direct_room(user)
        await self.send(room, notice(text))

    async def direct_room(self, user: AccountId) -> str:
        """The bot's direct room with `user`, created (and remembered) on first use."""
        key = DM_KEY + user
        known = self._state.get(key)
        if known:
            return known
        response = await self._call(
            f"create direct room with {user}",
            lambda: self._client.room_create(
                is_direct=True, invite=[user], preset=RoomPreset.trusted_private_chat, name="schoolwacht"
            ),
        )
        if not isinstance(response, RoomCreateResponse):
            raise MatrixCallFailed(f"create direct room with {user}", f"unexpected answer {type(response).__name__}")
        room_id: str = response.room_id
        self._state.set(key, room_id)
        return room_id

    async def _call(self, what: str, operation: Callable[[], Any]) -> Any:
        return await call(what, operation, attempts=self._config.action_attempts, max_delay=self._config.max_backoff_s)
