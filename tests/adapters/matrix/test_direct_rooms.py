"""The bot's direct rooms: encrypted where the homeserver allows, unencrypted (logged) where it refuses, created once.

A stand-in nio client (pure logic: what the enforcer asks for and what it does with the answers); the real
Synapse flows are in test_reviewer_rooms.py.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from nio import RoomCreateError, RoomCreateResponse

from adapters.matrix.calls import MatrixCallFailed
from adapters.matrix.config import MatrixConfig
from adapters.matrix.enforcer import DM_KEY, MatrixEnforcer
from bot.texts.nl import DUTCH
from moderation.model import AccountId
from tests.support.memory_state import MemoryState


class RoomMaker:
    """Answers room_create like a homeserver that may refuse encrypted rooms (or everything, with `status`)."""

    def __init__(self, *, allow_encryption: bool, status: int | None = None) -> None:
        self.allow_encryption = allow_encryption
        self.status = status
        self.asked: list[dict[str, Any]] = []

    async def room_create(self, **kwargs: Any) -> RoomCreateResponse | RoomCreateError:
        self.asked.append(kwargs)
        encrypted = any(e["type"] == "m.room.encryption" for e in kwargs.get("initial_state", []))
        if self.status is not None or (encrypted and not self.allow_encryption):
            refused = RoomCreateError("encryption is not allowed on this server", "M_FORBIDDEN")
            refused.transport_response = SimpleNamespace(status=self.status or 403)
            return refused
        return RoomCreateResponse(f"!room{len(self.asked)}:school.nl")


def enforcer(client: RoomMaker, state: MemoryState, **config: Any) -> MatrixEnforcer:
    settings = MatrixConfig(homeserver="http://hs", user_id="@bot:school.nl", store_dir=Path("unused"), **config)
    return MatrixEnforcer(client, settings, state, str, DUTCH)


def encrypted(asked: dict[str, Any]) -> bool:
    return any(e["type"] == "m.room.encryption" for e in asked["initial_state"])


async def test_encrypted_when_allowed_and_created_once() -> None:
    client, state = RoomMaker(allow_encryption=True), MemoryState()
    hands = enforcer(client, state)
    first = await hands.direct_room(AccountId("@jan:school.nl"))
    assert await hands.direct_room(AccountId("@jan:school.nl")) == first
    assert len(client.asked) == 1 and encrypted(client.asked[0])
    assert client.asked[0]["invite"] == ["@jan:school.nl"] and client.asked[0]["is_direct"]
    assert state.get(DM_KEY + "@jan:school.nl") == first
    assert hands.is_direct_room_of("@jan:school.nl", first) and not hands.is_direct_room_of("@eva:school.nl", first)


async def test_unencrypted_when_the_homeserver_refuses(caplog: pytest.LogCaptureFixture) -> None:
    client, state = RoomMaker(allow_encryption=False), MemoryState()
    room = await enforcer(client, state).direct_room(AccountId("@jan:school.nl"))
    assert [encrypted(a) for a in client.asked] == [True, False]
    assert state.get(DM_KEY + "@jan:school.nl") == room
    assert "refused an encrypted room" in caplog.text


async def test_not_encrypted_when_switched_off() -> None:
    client = RoomMaker(allow_encryption=True)
    await enforcer(client, MemoryState(), encrypt_direct_rooms=False).direct_room(AccountId("@jan:school.nl"))
    assert [encrypted(a) for a in client.asked] == [False]


async def test_a_server_error_raises_and_remembers_nothing() -> None:
    client, state = RoomMaker(allow_encryption=True, status=502), MemoryState()
    with pytest.raises(MatrixCallFailed, match="gave up after 1 attempts"):
        await enforcer(client, state, action_attempts=1).direct_room(AccountId("@jan:school.nl"))
    assert len(client.asked) == 1  # not retried unencrypted: the server was down, not against encryption
    assert state.values == {}
