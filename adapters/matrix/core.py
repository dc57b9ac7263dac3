"""What the Matrix adapter needs from the moderation core, as a Protocol (the core's `Moderator` satisfies it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from moderation.model import AccountId, Category, EventId, Message, PersonId, Platform, Room, RoomId
from moderation.ports import Enforcer


class OutcomeLike(Protocol):
    @property
    def duplicate(self) -> bool: ...


class RoomPolicyLike(Protocol):
    @property
    def room(self) -> Room: ...


class ModeratorLike(Protocol):
    async def handle(self, message: Message, enforcer: Enforcer) -> OutcomeLike: ...

    async def report(self, message: Message, reporter: AccountId, reason: str, enforcer: Enforcer) -> OutcomeLike: ...

    async def record_room_event(
        self,
        *,
        platform: Platform,
        room_id: RoomId,
        event_id: EventId,
        actor: AccountId | None,
        category: Category,
        explanation: str,
        enforcer: Enforcer,
    ) -> OutcomeLike: ...

    def policy_for(self, platform: Platform, room_id: RoomId) -> RoomPolicyLike | None: ...

    def rooms(self, platform: Platform) -> Sequence[RoomPolicyLike]: ...

    def allowed_posters(self, platform: Platform, room_id: RoomId) -> frozenset[AccountId]: ...

    def person_name(self, person_id: PersonId) -> str: ...
