"""Keeps announcement rooms announcement-only (R10): sets the wanted power levels and restores them on drift.

The first time the bot sets a room's levels is set-up, not drift. After that, a change by anyone else that
makes the levels differ from the wanted ones is restored and recorded as a PERMISSION_DRIFT incident.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from nio import AsyncClient, RoomGetStateResponse

from adapters.matrix.calls import MatrixCallFailed, call
from adapters.matrix.config import MatrixConfig
from adapters.matrix.power_levels import Levels, can_set_levels, creators, drift, wanted_levels
from moderation.model import AccountId, Category, EventId, Platform, RoomId
from moderation.pipeline import Moderator
from moderation.ports import Enforcer, StateStore

log = logging.getLogger(__name__)

LEVELS_SET_KEY = "matrix.levels_set."


def _state_event(events: list[Any], event_type: str) -> Mapping[str, Any] | None:
    for event in events:
        if isinstance(event, Mapping) and event.get("type") == event_type and event.get("state_key") == "":
            return event
    return None


class AnnouncementGuard:
    def __init__(
        self, client: AsyncClient, config: MatrixConfig, state: StateStore, moderator: Moderator, enforcer: Enforcer
    ) -> None:
        self._client = client
        self._config = config
        self._state = state
        self._moderator = moderator
        self._enforcer = enforcer
        self._lock = asyncio.Lock()  # the schedule and the sync loop may both ask at once
        self._levels = Levels(staff=config.staff_level, bot=config.bot_level, reactions=config.read_reactions)

    async def reconcile_room(self, room_id: str) -> list[str]:
        """Bring one room's levels to the wanted ones; returns the differences found (empty: nothing to do)."""
        async with self._lock:
            return await self._reconcile(room_id)

    async def _reconcile(self, room_id: str) -> list[str]:
        response = await call(
            f"read state of {room_id}",
            lambda: self._client.room_get_state(room_id),
            attempts=self._config.action_attempts,
            max_delay=self._config.max_backoff_s,
        )
        assert isinstance(response, RoomGetStateResponse)
        power = _state_event(response.events, "m.room.power_levels")
        current: Mapping[str, Any] = (power or {}).get("content") or {}
        room_creators = creators(_state_event(response.events, "m.room.create"))
        bot = self._config.user_id
        posters = self._moderator.allowed_posters(Platform.MATRIX, RoomId(room_id))
        wanted = wanted_levels(current, posters=posters, bot=bot, room_creators=room_creators, levels=self._levels)
        differences = drift(current, wanted)
        if not differences:
            return []
        changed_by = power.get("sender") if power else None
        event_id = power.get("event_id") if power else None
        first_setup = self._state.get(LEVELS_SET_KEY + room_id) is None
        restored, problem = await self._restore(room_id, current, wanted, room_creators)
        if restored:
            self._state.set(LEVELS_SET_KEY + room_id, "1")
        summary = "; ".join(differences)
        if first_setup and restored:
            log.info("matrix: announcement room %s set to staff-only posting (%s)", room_id, summary)
            return differences
        if changed_by == bot and restored:
            log.info("matrix: announcement room %s levels updated to the roster (%s)", room_id, summary)
            return differences
        outcome = "restored" if restored else f"NOT restored ({problem}); non-staff posts are redacted as a backstop"
        explanation = f"power levels changed by {changed_by or 'unknown'}: {summary}; {outcome}"
        log.warning("matrix: announcement room %s: %s", room_id, explanation)
        if isinstance(event_id, str):
            await self._moderator.record_room_event(
                platform=Platform.MATRIX,
                room_id=RoomId(room_id),
                event_id=EventId(event_id),
                actor=AccountId(changed_by) if isinstance(changed_by, str) else None,
                category=Category.PERMISSION_DRIFT,
                explanation=explanation,
                enforcer=self._enforcer,
            )
        return differences

    async def _restore(
        self, room_id: str, current: Mapping[str, Any], wanted: dict[str, Any], room_creators: frozenset[str]
    ) -> tuple[bool, str]:
        if not can_set_levels(current, self._config.user_id, room_creators):
            return False, "the bot's power level is too low to change the room's power levels"
        try:
            await call(
                f"set power levels in {room_id}",
                lambda: self._client.room_put_state(room_id, "m.room.power_levels", wanted),
                attempts=self._config.action_attempts,
                max_delay=self._config.max_backoff_s,
            )
        except MatrixCallFailed as exc:
            return False, str(exc)
        return True, ""
